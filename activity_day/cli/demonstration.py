"""`activity-day demonstration`: a round of the demonstration-station selection (示范所站评选)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from activity_day import console
from activity_day.cli.options import JsonOpt, county
from activity_day.cli.run import PublicRandom
from activity_day.errors import OperatorError

app = typer.Typer(help="示范所站评选：申报、资料审核、实地评估、集中会审、公示和命名。", no_args_is_help=True)

RoundOpt = Annotated[str, typer.Option("--round", help="评选年度，如 2027。")]


def _round(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"\d{4}", value):
        raise OperatorError(f"评选年度“{value}”无效：应为四位年份，如 2027")
    return value


@app.command("apply")
def apply(ctx: typer.Context, file: Path, round_: RoundOpt) -> None:
    """导入所站申报表（所站编号、特色品牌、申报理由）：每行单独接收或拒收，可重复导入。"""
    from activity_day.services.imports import import_file

    report = import_file("applications", file, county=county(ctx), round_=_round(round_))
    for line in report.lines():
        typer.echo(line, err=report.exit_code == 2)
    raise typer.Exit(report.exit_code)


@app.command("run")
def run(ctx: typer.Context, round_: RoundOpt,
        period: Annotated[str | None, typer.Option("--period", help="资料审核依据的综合评价期间，默认为评选年度。")] = None,
        publicity_start: Annotated[str | None, typer.Option("--publicity-start",
                                                            help="公示开始日期 YYYY-MM-DD，默认今天。")] = None,
        public_random: PublicRandom = None,
        public_random_source: Annotated[str, typer.Option(
            "--public-random-source", help="公开随机数的出处，如“2027年10月9日体彩排列5开奖号码”，记入抽取记录。")] = "",
        ) -> None:
    """运行评选流程：资料审核、实地评估安排，然后在 Prefect 界面中填写集中会审和公示表单。

    实地评估人员的抽取依次使用：各部门承诺—公开的随机串；入围名单公布后产生的公开随机数（--public-random）；
    都没有时以入围名单的校验值代替（事先可以推算，运行时提示）。"""
    from activity_day.cli.run import _require_ui, start_flows
    from activity_day.domain.draw import public_random_problem

    chosen, code = _round(round_), county(ctx)
    try:
        start = date.fromisoformat(publicity_start).isoformat() if publicity_start else None
    except ValueError:
        raise OperatorError(f"公示开始日期“{publicity_start}”无效：应为 YYYY-MM-DD") from None
    if problem := public_random_problem(public_random, public_random_source):
        raise OperatorError(problem)
    _require_ui("示范所站评选")
    start_flows()
    from activity_day.flows.demonstration import select_demonstration

    console.tell_operator(f"开始运行：{chosen}年度·示范所站评选（{code}）")
    result = select_demonstration(county=code, round=chosen, period=period, publicity_start=start,
                                  public_random=public_random, public_random_source=public_random_source)
    typer.echo(f"{chosen}年度示范所站评选完成：申报 {result['applications']} 个，资料审核通过 {result['eligible']} 个，"
               f"命名 {len(result['named'])} 个")
    for warning in result.get("warnings", []):
        typer.echo(f"  注意：{warning}")
    for path in result["files"].values():
        typer.echo(f"  {path}")


@app.command("object")
def object_(ctx: typer.Context, round_: RoundOpt,
            station: Annotated[str, typer.Option("--station", help="被提出异议的所站编号。")],
            content: Annotated[str, typer.Option("--content", help="异议内容。")]) -> None:
    """公示期内登记异议；处理意见在公示表单中填写。"""
    from activity_day.services.demonstration import record_objection

    number = record_objection(county(ctx), _round(round_), station.strip(), content)
    typer.echo(f"已登记第 {number} 号异议（所站 {station.strip()}）：请在公示表单中填写核查结果和处理意见")


@app.command("show")
def show(ctx: typer.Context, round_: RoundOpt, as_json: JsonOpt = False) -> None:
    """本轮评选的申报、审核、会审、异议和命名情况。"""
    from activity_day.services.demonstration import round_summary

    summary = round_summary(county(ctx), _round(round_))
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, default=str))
        return
    typer.echo(f"{summary['round']}年度示范所站评选：{summary['stage_cn']}")
    if draw := summary["site_visits"]:
        typer.echo(f"  入围名单 {draw['shortlist']} 个所站，SHA-256 {draw['shortlist_sha256']}；"
                   + (f"实地评估人员已抽定（公开随机数：{draw['public_random_source']}）" if draw["drawn"]
                      else "待各部门公开随机串后抽取实地评估人员"))
    for a in summary["applications"]:
        typer.echo(f"  {a['station']} {a['brand']}：{a['status_cn']}" + (f"（{a['reason']}）" if a["reason"] else ""))
    for o in summary["objections"]:
        typer.echo(f"  第{o['id']}号异议 {o['station']}：{o['content']}；{o['ruling_cn']}")


DepartmentOpt = Annotated[str, typer.Option("--department", help="审核部门（县情配置 departments 中的一个）。")]


@app.command("commit")
def commit(ctx: typer.Context, round_: RoundOpt, department: DepartmentOpt,
           commitment: Annotated[str, typer.Option("--commitment", help="随机串的 SHA-256（64位十六进制）。")]) -> None:
    """登记一个审核部门对实地评估抽取的承诺值（资料审核公布入围名单之前）；随机串由部门自行保管。"""
    from activity_day.services import commitments
    from activity_day.services.submissions import utcnow

    chosen = _round(round_)
    commitments.commit_round(county(ctx), chosen, department, commitment, utcnow())
    typer.echo(f"已登记{department}对{chosen}年度示范所站实地评估抽取的承诺值 {commitment.strip().lower()[:16]}…")


@app.command("reveal")
def reveal(ctx: typer.Context, round_: RoundOpt, department: DepartmentOpt,
           secret: Annotated[str, typer.Option("--secret", help="该部门事先承诺的随机串。")]) -> None:
    """公开一个审核部门的随机串（入围名单公布后、抽取实地评估人员前）；须与承诺值相符。"""
    from activity_day.services import commitments
    from activity_day.services.submissions import utcnow

    chosen = _round(round_)
    commitments.reveal_round(county(ctx), chosen, department, secret, utcnow())
    typer.echo(f"{department}的随机串与承诺值相符，已公开；抽取实地评估人员时与其他部门公开的随机串组合为公开随机数")


@app.command("commitments")
def commitments_(ctx: typer.Context, round_: RoundOpt, as_json: JsonOpt = False) -> None:
    """本轮各部门的承诺值及是否已公开。"""
    from activity_day.services import commitments

    rows = commitments.round_status(county(ctx), _round(round_))
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        typer.echo(f"{r['department']} {r['commitment']} {'已公开' if r['revealed'] else '未公开'}")
    typer.echo(f"{_round(round_)}年度示范所站评选：{len(rows)} 个部门提交了承诺值")


@app.command("record")
def record(ctx: typer.Context, round_: RoundOpt) -> None:
    """实地评估抽取的完整记录（JSON，docs/verify_site_visits.py 的输入）。"""
    from activity_day.services.demonstration import site_visit_record_of

    typer.echo(json.dumps(site_visit_record_of(county(ctx), _round(round_)), ensure_ascii=False, indent=1,
                          sort_keys=True))


@app.command("verify")
def verify(ctx: typer.Context, round_: RoundOpt) -> None:
    """由记录的输入重新推算实地评估人员；结果一致时退出码为 0。"""
    from activity_day.services.demonstration import verify_site_visits

    ok, message = verify_site_visits(county(ctx), _round(round_))
    typer.echo(("核验通过：" if ok else "核验不一致：") + message, err=not ok)
    raise typer.Exit(0 if ok else 1)
