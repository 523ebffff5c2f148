"""`activity-day demonstration`: a round of the demonstration-station selection (示范所站评选)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from activity_day import console
from activity_day.errors import OperatorError
from cli.options import JsonOpt, county

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
                                                            help="公示开始日期 YYYY-MM-DD，默认今天。")] = None) -> None:
    """运行评选流程：资料审核、实地评估安排，然后在 Prefect 界面中填写集中会审和公示表单。"""
    from cli.run import _require_ui, start_flows

    chosen, code = _round(round_), county(ctx)
    try:
        start = date.fromisoformat(publicity_start).isoformat() if publicity_start else None
    except ValueError:
        raise OperatorError(f"公示开始日期“{publicity_start}”无效：应为 YYYY-MM-DD") from None
    _require_ui("示范所站评选")
    start_flows()
    from flows.demonstration import select_demonstration

    console.tell_operator(f"开始运行：{chosen}年度·示范所站评选（{code}）")
    result = select_demonstration(county=code, round=chosen, period=period, publicity_start=start)
    typer.echo(f"{chosen}年度示范所站评选完成：申报 {result['applications']} 个，资料审核通过 {result['eligible']} 个，"
               f"命名 {len(result['named'])} 个")
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
    for a in summary["applications"]:
        typer.echo(f"  {a['station']} {a['brand']}：{a['status_cn']}" + (f"（{a['reason']}）" if a["reason"] else ""))
    for o in summary["objections"]:
        typer.echo(f"  第{o['id']}号异议 {o['station']}：{o['content']}；{o['ruling_cn']}")
