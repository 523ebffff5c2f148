"""`activity-day findings`: the rectification loop (整改) from the command line: list, show, accept, return."""

from __future__ import annotations

import getpass
import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from activity_day.cli.options import JsonOpt, county, fail, month_option
from activity_day.models.enums import FindingStatus

app = typer.Typer(help="整改：通报列出的问题、所站的整改报告和县文明办的审核（销号或退回）。", no_args_is_help=True)

STATUS_CN = {s.value: s.label for s in FindingStatus}


class StatusFilter(StrEnum):
    open = "open"
    answered = "answered"
    accepted = "accepted"
    overdue = "overdue"
    all = "all"


MonthArg = Annotated[str | None, typer.Option("--month", help="问题所在的月份 YYYY-MM（默认全部月份）")]
StatusOpt = Annotated[StatusFilter, typer.Option("--status", help="open 待整改 / answered 待审核 / accepted 已销号 / "
                                                                "overdue 已逾期 / all 全部")]
ByOpt = Annotated[str | None, typer.Option("--by", help="审核人（默认：当前系统用户名）")]
NoteOpt = Annotated[str, typer.Option("--note", help="审核意见")]


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise fail(f"日期“{value}”无效：应为 YYYY-MM-DD，例如 2027-01-05") from None


@app.command("list")
def findings_list(ctx: typer.Context, month: MonthArg = None, status: StatusOpt = StatusFilter.all,
                  station: Annotated[str | None, typer.Option("--station", help="只看一个所站")] = None,
                  township: Annotated[str | None, typer.Option("--township", help="只看一个乡镇（街道）")] = None,
                  as_of: Annotated[str | None, typer.Option("--as-of", help="按哪一天判断逾期 YYYY-MM-DD（默认今天）")] = None,
                  as_json: JsonOpt = False) -> None:
    """列出整改问题及其状态（逾期按今天判断）。"""
    from activity_day.services import findings

    frame = findings.list_findings(county(ctx), month=month_option(month) if month else None, station=station,
                                   as_of=_day(as_of))
    if len(frame) and status != StatusFilter.all:
        frame = frame[frame["status"] == status.value]
    if len(frame) and township:
        frame = frame[frame["township"] == township]
    rows = findings.public_rows(frame) if len(frame) else []
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        typer.echo(f"{r['id']:>5} {r['month']} {r['station']:<8} {r['township']} [{r['source']}·{r['category']}] "
                   f"{STATUS_CN[r['status']]} 期限{r['deadline']} {r['text']}")
    typer.echo(f"共 {len(rows)} 条")


@app.command("show")
def findings_show(ctx: typer.Context, finding_id: Annotated[int, typer.Argument(help="整改问题编号")],
                  as_json: JsonOpt = False) -> None:
    """一条整改问题的全部经过：提出、整改报告、审核、逾期。"""
    from activity_day.services import findings

    found = findings.show(county(ctx), finding_id)
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False))
        return
    typer.echo(f"整改问题 {found['id']}：{found['station']}（{found['township']}）{found['month']} "
               f"[{found['source']}·{found['category']}] {found['status_label']}，期限 {found['deadline']}")
    typer.echo(f"问题：{found['text']}")
    if found["report"]:
        typer.echo(f"整改报告（第{found['rounds']}次）：{found['report']}；照片 {len(found['photos'])} 张")
    action_cn = {"raised": "提出", "report": "报送整改报告", "accept": "销号", "return": "退回", "overdue": "逾期"}
    for e in found["events"]:
        typer.echo(f"  {e['at']} {action_cn.get(e['action'], e['action'])} {e['actor']} {e['note']}")


def _review(ctx: typer.Context, finding_id: int, action: str, note: str, by: str | None) -> None:
    from activity_day.services import findings

    reviewer = (by or getpass.getuser() or "").strip()
    if not reviewer:
        raise fail("请用 --by 写明审核人")
    found = findings.review(county(ctx), finding_id, findings.FindingStep(action, reviewer, note, findings.now()))
    verb = "已销号" if action == "accept" else "已退回，所站需重新整改"
    typer.echo(f"整改问题 {finding_id}（{found['station']}）{verb}")


@app.command("accept")
def findings_accept(ctx: typer.Context, finding_id: Annotated[int, typer.Argument(help="整改问题编号")],
                    note: NoteOpt = "整改到位，同意销号", by: ByOpt = None) -> None:
    """审核通过整改报告，销号。"""
    _review(ctx, finding_id, "accept", note, by)


@app.command("return")
def findings_return(ctx: typer.Context, finding_id: Annotated[int, typer.Argument(help="整改问题编号")],
                    note: Annotated[str, typer.Option("--note", help="退回理由（所站会看到）")], by: ByOpt = None) -> None:
    """退回整改报告：问题重新待整改，期限不变，过期即逾期。"""
    if not note.strip():
        raise fail("退回须写明理由（--note）")
    _review(ctx, finding_id, "return", note, by)


@app.command("review")
def findings_review(ctx: typer.Context, interactive: Annotated[bool, typer.Option(
        "--interactive/--ledger-only", help="在 Prefect 界面的表单中逐条审核整改报告（默认）；或只更新逾期并发布台账。")] = True) -> None:
    """运行整改审核流程：标记逾期、发布整改台账，再在 Prefect 界面表单中销号或退回。"""
    from activity_day import console
    from activity_day.cli.run import _require_ui, start_flows

    code = county(ctx)
    if interactive:
        _require_ui("整改审核")
    start_flows()
    from activity_day.flows.rectification import rectification

    console.tell_operator(f"开始运行：整改审核（{code}）")
    result = rectification(county=code, interactive=interactive)
    typer.echo(f"整改台账：待整改 {result['open']} 条，待审核 {result['answered']} 条，已逾期 {result['overdue']} 条"
               f"（本次新标记逾期 {result['marked_overdue']} 条）")
    if interactive:
        typer.echo(f"本次审核：销号 {result['accepted']} 条，退回 {result['returned']} 条")


@app.command("export")
def findings_export(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="写出的整改台账（.xlsx）")],
                    month: MonthArg = None, status: StatusOpt = StatusFilter.all,
                    township: Annotated[str | None, typer.Option("--township", help="只导出一个乡镇（街道）")] = None) -> None:
    """导出整改台账（xlsx）；所站填写“整改情况”后可用 activity-day import reports 导入。"""
    from activity_day.documents.rectification import notices_sheet
    from activity_day.documents.render import xlsx_bytes
    from activity_day.services import findings
    from activity_day.store import crud
    from activity_day.store.database import transaction

    if file.suffix.lower() != ".xlsx":
        raise fail(f"{file}：整改台账应导出为 .xlsx 文件")
    code = county(ctx)
    frame = findings.list_findings(code, month=month_option(month) if month else None)
    if len(frame) and status != StatusFilter.all:
        frame = frame[frame["status"] == status.value]
    if len(frame) and township:
        frame = frame[frame["township"] == township]
    if not len(frame):
        raise fail("没有符合条件的整改问题", 1)
    with transaction(read_only=True) as session:
        stations = crud.stations_frame(session=session, county=code)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(xlsx_bytes([("整改台账", notices_sheet(frame, stations))], title="整改台账"))
    typer.echo(f"已导出 {len(frame)} 条整改问题到 {file}；填写“整改情况”后用 activity-day import reports {file} 导入")
