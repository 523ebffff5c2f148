"""The `activity-day` command line. Prefect is imported only by the commands that run flows.

Every line an operator reads is Chinese. Expected conditions (a missing step, file or county, a bad
month, an unreachable database or Prefect server) print one line and exit 2; anything unexpected
prints one line naming the log file that holds the traceback, and exits 1.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import click
import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from activity_day import console
from activity_day.domain.dates import canonical_month, cn_date, cn_month
from activity_day.domain.months import next_month
from activity_day.errors import OperatorError
from models.enums import Step


def handle_error(exc: Exception) -> int:
    """Print one line for `exc` and return the exit code: 2 for what an operator can fix, else 1."""
    if isinstance(exc, OperatorError):
        message, code = str(exc), exc.exit_code
    elif (hint := console.prefect_unreachable(exc)) is not None:
        message, code = hint, 2
    elif (hint := database_unreachable(exc)) is not None:
        message, code = hint, 2
    else:
        console.log_unexpected(exc)
        where = console.log_file_path()
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        message = f"意外故障（{type(exc).__name__}{'：' + first if first else ''}）" + (
            f"，完整记录见 {where}" if where else "")
        code = 1
    typer.echo(f"错误：{message}", err=True)
    return code


def database_unreachable(exc: BaseException) -> str | None:
    """One line for a database that cannot be used: a bad URL, a server that does not answer, a lock."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from activity_day.settings import get_settings

    url = get_settings().database_url
    shown = url.split("@")[-1] if "@" in url else url
    if isinstance(exc, ArgumentError | NoSuchModuleError) or (
            isinstance(exc, ModuleNotFoundError | RuntimeError) and "dialect" in str(exc)):
        return f"数据库地址无效（ACTIVITY_DAY_DATABASE_URL={shown}）：应为 sqlite:///文件路径 或 postgresql+psycopg://用户@主机/库名"
    if isinstance(exc, OperationalError) and "database is locked" in str(exc):
        return f"数据库（{shown}）正被另一个程序写入，等待超时：请稍后重试"
    if isinstance(exc, OperationalError):
        return f"无法连接数据库（{shown}）：请确认数据库已启动、地址和权限正确（ACTIVITY_DAY_DATABASE_URL）"
    return None


class OperatorGroup(TyperGroup):
    """Turns exceptions of any command into one line and an exit code (also under CliRunner)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException, click.exceptions.Exit, click.exceptions.ClickException,
                click.exceptions.Abort):
            raise  # usage errors and exits: the command line framework prints and exits as usual
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except Exception as exc:
            raise typer.Exit(handle_error(exc)) from None


app = typer.Typer(cls=OperatorGroup, help="新时代文明实践集中活动日：方案、计划收集、抽查与通报。", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
import_app = typer.Typer(help="导入文件（xlsx 或 csv）。", no_args_is_help=True)
run_app = typer.Typer(help="以 Prefect 流程运行本月的一个步骤（或整个月度流程）。", no_args_is_help=True)
sample_app = typer.Typer(help="查看和核验本月的督查抽样。", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(run_app, name="run")
app.add_typer(sample_app, name="sample")
tokens_app = typer.Typer(help="所站报送令牌（微信小程序接口用）。", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")
feedback_app = typer.Typer(help="督查中收集的意见建议，跨月跟踪办理。", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


class FeedbackStatusOpt(StrEnum):
    open = "open"
    answered = "answered"
    closed = "closed"
    all = "all"


FEEDBACK_COLUMNS = {"id": "编号", "month": "提出月份", "station_code": "所站编号", "township": "乡镇（街道）",
                    "category": "类别", "content": "意见建议", "status": "状态", "answer": "办理情况",
                    "closed_month": "办结月份"}
STATUS_CN = {"open": "待办理", "answered": "已答复", "closed": "已办结"}
STEP_CN = {s.value: s.cn for s in Step} | {"cycle": "月度流程"}
STEP_STATE_CN = {"done": "已完成", "pending": "未完成"}
MODE_CN = {"online": "线上", "onsite": "线下"}


class Kind(StrEnum):
    stations = "stations"
    plans = "plans"
    comments = "comments"
    scores = "scores"


_state: dict[str, str | None] = {"county": None}


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"错误：{message}", err=True)
    return typer.Exit(code)


def month_option(value: str | None) -> str:
    """The month in its one stored spelling (2027-3 and ２０２７－０３ are 2027-03)."""
    month = value or next_month()
    try:
        return canonical_month(month)
    except ValueError:
        raise OperatorError(f"月份“{month}”无效：应为 YYYY-MM，月份 01 到 12，例如 2027-02") from None


MonthOpt = Annotated[str | None, typer.Option("--month", help="月份 YYYY-MM；默认为下个月（北京时间）")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象（供脚本使用）。")]


def county() -> str:
    from activity_day.services.counties import resolve_county
    from activity_day.settings import get_settings

    return resolve_county(_state["county"] or get_settings().county)


@app.callback()
def main_options(
    county_code: Annotated[str | None, typer.Option("--county", help="县（市、区）代码，数据库中有多个县时使用。")] = None,
) -> None:
    _state["county"] = county_code


# --- feedback -----------------------------------------------------------------------------------------

def _feedback(status: FeedbackStatusOpt, month: str | None):
    from activity_day.store import crud
    from activity_day.store.database import transaction

    up_to = month_option(month)
    with transaction() as session:
        frame = crud.feedback_frame(session=session, county=county(), up_to=up_to)
    return frame if status == FeedbackStatusOpt.all else frame[frame["status"] == status.value]


StatusOpt = Annotated[FeedbackStatusOpt, typer.Option("--status", help="哪些条目：open 待办理 / answered 已答复 / "
                                                                      "closed 已办结 / all 全部")]


@feedback_app.command("list")
def feedback_list(status: StatusOpt = FeedbackStatusOpt.open, month: MonthOpt = None, as_json: JsonOpt = False) -> None:
    """列出截至该月提出的意见建议（默认：全部待办理）。"""
    frame = _feedback(status, month)
    if as_json:
        typer.echo(frame.to_json(orient="records", force_ascii=False))
        return
    for r in frame.itertuples():
        typer.echo(f"{r.id:>5} {r.month} {r.station_code:<6} {r.township} [{r.category}] {STATUS_CN[r.status]} {r.content}")
    typer.echo(f"共 {len(frame)} 条")


def _set_feedback(item_id: int, status: str, note: str | None, month: str | None) -> None:
    from activity_day.domain.months import this_month
    from activity_day.store import crud
    from activity_day.store.database import transaction

    with transaction() as session:
        try:
            crud.set_feedback_status(session=session, county=county(), item_id=item_id, status=status, answer=note,
                                     closed_month=month_option(month) if month else this_month())
        except LookupError:
            raise fail(f"没有编号为 {item_id} 的意见建议（用 activity-day feedback list --status all 查看编号）") from None
    typer.echo(f"意见建议 {item_id}：{STATUS_CN[status]}")


@feedback_app.command("answer")
def feedback_answer(item_id: int, note: Annotated[str, typer.Option("--note", help="办理情况")]) -> None:
    """登记答复（答复后仍为待办结，直到办结）。"""
    _set_feedback(item_id, "answered", note, None)


@feedback_app.command("close")
def feedback_close(
    item_id: int,
    note: Annotated[str | None, typer.Option("--note", help="办理情况")] = None,
    month: Annotated[str | None, typer.Option("--month", help="计入办结的月份；默认本月")] = None,
) -> None:
    """办结一条意见建议；该月通报计为已办结。"""
    _set_feedback(item_id, "closed", note, month)


@feedback_app.command("export")
def feedback_export(file: Path, status: StatusOpt = FeedbackStatusOpt.all, month: MonthOpt = None) -> None:
    """导出意见建议办理台账（xlsx）。"""
    from activity_day.documents.render import xlsx_bytes

    if file.suffix.lower() != ".xlsx":
        raise fail(f"{file}：台账应导出为 .xlsx 文件")
    frame = _feedback(status, month).assign(status=lambda f: f["status"].map(STATUS_CN))
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(xlsx_bytes([("意见建议", frame.rename(columns=FEEDBACK_COLUMNS))], title="意见建议办理台账"))
    typer.echo(f"已导出 {len(frame)} 条到 {file}")


# --- setup and imports ----------------------------------------------------------------------------------

@app.command()
def init(profile: Annotated[Path, typer.Option("--profile", help="县情配置文件（YAML）。")]) -> None:
    """建表并载入县情配置；可重复运行。"""
    from activity_day.domain.profile import ProfileError
    from activity_day.services.counties import init_county

    try:
        loaded = init_county(profile)
    except ProfileError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"{loaded.county.name}（{loaded.county.code}）已设置：检查组 {len(loaded.teams)} 个，"
               f"征求意见部门 {len(loaded.departments)} 个")


def _import(kind: Kind, file: Path, month: str | None) -> None:
    from activity_day.services.imports import import_file

    chosen = month_option(month)
    report = import_file(kind.value, file, county=county(), month=chosen)
    for line in report.lines():
        typer.echo(line, err=report.exit_code == 2)
    raise typer.Exit(report.exit_code)


@import_app.command("stations")
def import_stations(file: Path) -> None:
    """所站名录：整表接收或整表拒收。"""
    _import(Kind.stations, file, None)


@import_app.command("plans")
def import_plans(
    file: Annotated[Path | None, typer.Argument(help="活动计划文件；不写则导入收件箱中的全部文件。")] = None,
    month: MonthOpt = None,
) -> None:
    """活动计划：某所站有一行出错则该所站整份不写入，其余所站照常写入。"""
    if file is not None:
        _import(Kind.plans, file, month)
    from activity_day.services.inbox import process_inbox
    from activity_day.settings import get_settings

    inbox = Path(get_settings().inbox)
    chosen = month_option(month)
    reports = process_inbox(inbox, county=county(), month=chosen)
    for report in reports:
        for line in report.lines():
            typer.echo(line)
    if not reports:
        typer.echo(f"收件箱 {inbox} 中没有待处理的文件")
    typer.echo(f"已处理的文件及导入结果在 {inbox / 'processed'}")
    raise typer.Exit(max((r.exit_code for r in reports), default=0))


@import_app.command("comments")
def import_comments(file: Path, month: MonthOpt = None) -> None:
    """部门意见：每行单独接收或拒收。"""
    _import(Kind.comments, file, month)


@import_app.command("scores")
def import_scores(file: Path, month: MonthOpt = None) -> None:
    """检查评分：每行单独接收或拒收。"""
    _import(Kind.scores, file, month)


# --- running the steps ------------------------------------------------------------------------------------

def _files(files: dict | None) -> list[str]:
    return [f"  {path}" for path in (files or {}).values()]


def summary_lines(step: str, month: str, result: dict) -> list[str]:
    """What a step produced, in Chinese, for the terminal."""
    label = cn_month(month)
    if step == "cycle":
        return [line for name in ("draft", "review", "collect", "sample", "compile")
                for line in summary_lines(name, month, result[name])]
    if step == "draft":
        lines = [f"{label}方案（征求意见稿）已起草：活动日 {cn_date(date.fromisoformat(result['activity_date']))}，学习清单 {result['learning']} 项，"
                 f"活动清单 {result['checklist']} 项，节日和纪念日：{'、'.join(result['festivals']) or '无'}"]
        lines += [f"  注意：{note}" for note in result.get("notes", [])]
    elif step == "review":
        lines = [f"{label}正式方案已印发：部门意见 {result['comments']} 条，"
                 f"未反馈记为无意见：{'、'.join(result['silent']) or '无'}，按默认采纳 {result['defaulted']} 条，"
                 f"清单调整 {len(result['edits'])} 处"]
    elif step == "collect":
        inbox = result.get("inbox", {})
        lines = [f"{label}活动计划：所站 {result['stations']} 个，已报送 {result['submitted']} 个，未报送 {result['missing']} 个，"
                 f"逾期 {result['late']} 个，规定动作未安排全 {result['uncovered_required']} 个，计划活动 {result['activities']} 项",
                 f"收件箱：处理文件 {inbox.get('files', 0)} 个，接收 {inbox.get('stations_accepted', 0)} 个所站的计划，"
                 f"拒收 {inbox.get('stations_refused', 0)} 个"]
        lines += [f"  无法使用的文件：{name}" for name in inbox.get("unusable", [])]
    elif step == "sample":
        lines = [f"{label}督查抽样：抽取 {result['drawn']} 个所站（{'本次抽取' if result['new'] else '沿用已存的抽样，未重抽'}），"
                 f"抽样记录摘要 {result['digest']}"]
    else:
        average = "—" if result.get("average") is None else f"{result['average']:.2f}"
        lines = [f"{label}通报已生成：已评分 {result['scored']} 个所站，平均分 {average}，表扬 {result['commended']} 个，"
                 f"限期整改 {result['rectify']} 个，存在问题 {result['problems']} 条"]
        if not result["scored"]:
            lines.append("  本月无评分，通报已写明未开展督查评分")
    files = result.get("files")
    if files:
        lines += ["  文件：", *[f"  {line}" for line in _files(files)]]
    for run in result.get("scheduled") or []:
        lines.append(f"  已安排：{run}")
    return lines


def _start_flows():
    """Import the flows with Prefect's console output moved to the log file; returns flows.monthly."""
    import flows.monthly

    console.quiet_prefect()
    return flows.monthly


def _require_ui(what: str) -> None:
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise OperatorError(
            f"{what}需要在 Prefect 界面中填写表单：请另开终端运行 .venv/bin/prefect server start，"
            "再设置 PREFECT_API_URL=http://127.0.0.1:4200/api 后重试")


def _run(step: str, month: str | None, as_json: bool = False, **params: object) -> None:
    monthly = _start_flows()
    chosen = month_option(month)
    code = county()
    if params.get("interactive"):
        _require_ui("交互式运行")
    console.tell_operator(f"开始运行：{cn_month(chosen)}·{STEP_CN[step]}（{code}）")
    result = monthly.STEPS[step](county=code, month=chosen,
                                        **{k: v for k, v in params.items() if v is not None})
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1, default=str))
        return
    for line in summary_lines(step, chosen, result):
        typer.echo(line)


PublicRandom = Annotated[str | None, typer.Option(
    "--public-random", help="名单公布之后产生的公开随机数（如彩票开奖号码）。")]
AllowEmpty = Annotated[bool, typer.Option(
    "--allow-empty", help="没有评分也印发通报（通报写明本月未开展督查评分）。")]


@run_app.command("draft")
def run_draft(month: MonthOpt = None, as_json: JsonOpt = False) -> None:
    """起草本月方案（征求意见稿）。"""
    _run("draft", month, as_json)


@run_app.command("review")
def run_review(
    month: MonthOpt = None,
    interactive: Annotated[bool, typer.Option(
        "--interactive", help="暂停运行，在 Prefect 界面的表单中录入部门意见并审定。")] = False,
    as_json: JsonOpt = False,
) -> None:
    """结束征求意见，印发正式方案。"""
    _run("review", month, as_json, interactive=interactive)


@run_app.command("collect")
def run_collect(month: MonthOpt = None, as_json: JsonOpt = False) -> None:
    """汇总所站活动计划报送情况和提醒名单。"""
    _run("collect", month, as_json)


@run_app.command("sample")
def run_sample(
    month: MonthOpt = None,
    public_random: PublicRandom = None,
    interactive: Annotated[bool, typer.Option(
        "--interactive", help="暂停运行，在 Prefect 界面的表单中填写公开随机数。")] = False,
    as_json: JsonOpt = False,
) -> None:
    """按县情配置的比例抽取所站并分配检查组（已有抽样则沿用）。"""
    _run("sample", month, as_json, public_random=public_random, interactive=interactive)


@run_app.command("compile")
def run_compile(month: MonthOpt = None, allow_empty: AllowEmpty = False, as_json: JsonOpt = False) -> None:
    """根据评分汇编通报。"""
    _run("compile", month, as_json, allow_empty=allow_empty)


@run_app.command("cycle")
def run_cycle(
    month: MonthOpt = None,
    public_random: PublicRandom = None,
    allow_empty: AllowEmpty = False,
    all_counties: Annotated[bool, typer.Option("--all-counties", help="数据库中的每个县各运行一次。")] = False,
    via_deployments: Annotated[bool, typer.Option(
        "--via-deployments", help="与 --all-counties 同用：交给 monthly-cycle 部署，由工作进程运行。")] = False,
    as_json: JsonOpt = False,
) -> None:
    """无人值守地依次运行五个步骤。"""
    if not all_counties:
        _run("cycle", month, as_json, public_random=public_random, allow_empty=allow_empty)
        return
    _start_flows()
    from flows.province import province_cycle

    chosen = month_option(month)
    console.tell_operator(f"开始运行：{cn_month(chosen)}·全省月度流程")
    result = province_cycle(month=chosen, via_deployments=via_deployments, allow_empty=allow_empty)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(f"{cn_month(chosen)}：{result['counties']} 个县（市、区）的月度流程已完成")


# --- the draw ---------------------------------------------------------------------------------------------

@sample_app.command("verify")
def sample_verify(month: MonthOpt = None) -> None:
    """由记录的输入重新推算抽样；结果一致时退出码为 0。"""
    from activity_day.services.drawcheck import verify_stored

    chosen = month_option(month)
    ok, message = verify_stored(county(), chosen)
    typer.echo(("核验通过：" if ok else "核验不一致：") + message, err=not ok)
    raise typer.Exit(0 if ok else 1)


def _stored_draw(month: str | None):
    from activity_day.store import crud
    from activity_day.store.database import transaction

    chosen = month_option(month)
    with transaction() as session:
        return crud.require_draw(session=session, county=county(), month=chosen)


@sample_app.command("show")
def sample_show(month: MonthOpt = None, as_json: JsonOpt = False) -> None:
    """抽中的所站：乡镇、检查方式和检查组。"""
    stored = _stored_draw(month)
    stations = [{"code": s["code"], "township": s["township"], "mode": s["mode"], "team": s["team"],
                 "slot": s["slot"], "rank": s["rank"]} for s in stored.record["selected"]]
    if as_json:
        typer.echo(json.dumps({"month": stored.month, "seed": stored.seed, "digest": stored.digest,
                               "stations": stations}, ensure_ascii=False))
        return
    typer.echo(f"{cn_month(stored.month)}：抽取 {len(stations)} 个所站；抽样记录摘要 {stored.digest}")
    for s in stations:
        typer.echo(f"{s['rank']:>4} {s['code']:<8} {s['township']:<8} {MODE_CN[s['mode']]} {s['team']} {s['slot']}")


@sample_app.command("record")
def sample_record(month: MonthOpt = None) -> None:
    """完整的抽样记录（JSON，docs/verify_draw.py 的输入）。"""
    typer.echo(json.dumps(_stored_draw(month).record, ensure_ascii=False, indent=1, sort_keys=True))


@app.command()
def status(month: MonthOpt = None, as_json: JsonOpt = False) -> None:
    """本月各步骤完成情况和数量。"""
    from activity_day.services.status import month_status

    chosen = month_option(month)
    report = month_status(county(), chosen)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    counts_cn = {"stations": "所站", "station_plans": "所站计划", "activities": "计划活动", "comments": "部门意见",
                 "drawn": "抽中所站", "scores": "评分"}
    typer.echo(f"{report['county']} {cn_month(report['month'])}")
    for step, state in report["steps"].items():
        typer.echo(f"  {STEP_CN[step]} {STEP_STATE_CN.get(state, state)}")
    typer.echo("  " + "，".join(f"{counts_cn.get(k, k)} {v}" for k, v in report["counts"].items()))
    done = report["completeness"]
    if done["missing"]:
        typer.echo(f"  未报送计划（{len(done['missing'])} 个）：")
        for s in done["missing"]:
            typer.echo(f"    {s['code']} {s['name']} {s['township']} {s['leader']} {s['phone']}")
    if done["uncovered_required"]:
        typer.echo(f"  规定动作未安排全（{len(done['uncovered_required'])} 个）：")
        for s in done["uncovered_required"]:
            typer.echo(f"    {s['code']} {s['name']}：{s['missing_codes']}")
    if done["late"]:
        typer.echo(f"  逾期报送（{len(done['late'])} 个）：" + "、".join(s["code"] for s in done["late"]))
    if report["documents"]:
        typer.echo("  文件：")
    for path in report["documents"]:
        typer.echo(f"    {path}")


# --- tokens, API, templates, demo ---------------------------------------------------------------------------

@tokens_app.command("issue")
def tokens_issue(
    out: Annotated[Path, typer.Option("--out", help="写入新令牌的 xlsx 文件（令牌只显示这一次）。")],
    station: Annotated[list[str] | None, typer.Option("--station", help="所站编号；可重复写多个。")] = None,
    all_stations: Annotated[bool, typer.Option("--all", help="全部在册所站。")] = False,
) -> None:
    """签发新令牌（原令牌作废）并导出为 xlsx。"""
    import pandas as pd

    from activity_day.documents.render import xlsx_bytes
    from activity_day.services.submissions import issue_tokens, utcnow
    from activity_day.store import crud
    from activity_day.store.database import transaction

    if bool(station) == all_stations:
        raise fail("请写 --station 编号（可写多个）或 --all")
    if out.suffix.lower() != ".xlsx":
        raise fail(f"{out}：令牌清单应为 .xlsx 文件")
    code = county()
    with transaction() as session:
        stations = crud.stations_frame(session=session, county=code).set_index("code")
        chosen = list(stations.index) if all_stations else list(station or [])
        unknown = [s for s in chosen if s not in stations.index]
        if unknown:
            raise fail(f"所站名录中没有这些编号：{'、'.join(unknown)}")
        tokens = issue_tokens(session=session, county=code, stations=chosen, now=utcnow())
        sheet = pd.DataFrame([{"所站编号": c, "所站名称": stations.loc[c, "name"], "乡镇（街道）": stations.loc[c, "township"],
                               "负责人": stations.loc[c, "leader"], "令牌": t} for c, t in tokens.items()])
        # Written before the new tokens are committed: if the file cannot be written, the old tokens stay valid.
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(xlsx_bytes([("所站令牌", sheet)], title="所站令牌（请妥善保管）"))
    typer.echo(f"已签发 {len(tokens)} 个令牌，见 {out}；这些所站原有的令牌已作废")


@tokens_app.command("revoke")
def tokens_revoke(station: Annotated[str, typer.Option("--station", help="所站编号。")]) -> None:
    """作废一个所站的令牌。"""
    from activity_day.services.submissions import revoke_tokens, utcnow
    from activity_day.store.database import transaction

    with transaction() as session:
        count = revoke_tokens(session=session, county=county(), station=station, now=utcnow())
    if not count:
        raise fail(f"所站 {station} 没有有效的令牌", 1)
    typer.echo(f"已作废所站 {station} 的 {count} 个令牌")


@app.command()
def api(
    host: Annotated[str, typer.Option(help="监听地址。")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="监听端口。")] = 8000,
) -> None:
    """运行微信小程序报送接口（接口说明见 /docs 和 /openapi.json）。"""
    import uvicorn

    from activity_day.api import create_app
    from activity_day.store import crud
    from activity_day.store.database import ensure_schema, transaction

    ensure_schema()
    with transaction() as session:
        limits = [crud.load_profile_of(session=session, county=c).intake.max_body_bytes
                  for c in crud.county_codes(session=session)]
    uvicorn.run(create_app(max(limits, default=262144)), host=host, port=port, log_level="info")


@app.command()
def template(kind: Kind, file: Path) -> None:
    """写出空白导入模板（xlsx），表头与导入要求完全一致。"""
    from activity_day.documents.templates_xlsx import template_bytes

    if file.suffix.lower() != ".xlsx":
        raise fail(f"{file}：模板应为 .xlsx 文件")
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(template_bytes(kind.value))
    typer.echo(f"已写出 {file}")


@app.command()
def demo(
    month: MonthOpt = None,
    out: Annotated[Path, typer.Option("--out", help="要创建的演示工作目录。")] = Path("demo"),
    province: Annotated[int | None, typer.Option("--province", min=1, max=200,
                                                 help="生成这么多个县并全部运行。")] = None,
) -> None:
    """生成一个仿真县（或一个省），用正常的导入和流程跑完整个月。"""
    from cli.demo import run_demo, run_province_demo

    chosen = month_option(month)
    _start_flows()
    if province:
        run_province_demo(chosen, out, province, echo=typer.echo)
    else:
        run_demo(chosen, out, echo=typer.echo)


def main() -> None:
    console.prefect_defaults()
    from pydantic import ValidationError

    from activity_day.settings import get_settings

    try:
        settings = get_settings()
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            typer.echo(f"错误：设置 ACTIVITY_DAY_{where.upper()} 有误：{err['msg'].removeprefix('Value error, ')}",
                       err=True)
        sys.exit(2)
    console.setup(settings.log_file)
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:  # `activity-day sample show | head`: the reader has what it wanted
        sys.stderr.close()
        sys.exit(0)


if __name__ == "__main__":
    main()
