"""`activity-day evaluate`: the year-round evaluation of the stations, as a Prefect flow, then what it produced."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from activity_day import console
from activity_day.cli.options import JsonOpt, county
from activity_day.documents.evaluation import period_label
from activity_day.domain.evaluation import period_months

PeriodOpt = Annotated[str, typer.Option("--period", help="评价期间：2027（全年）、2027-Q1（季度）、2027-H1（半年）或 2027-03。")]


def evaluate(ctx: typer.Context, period: PeriodOpt, as_json: JsonOpt = False) -> None:
    """所站综合评价：六个维度、综合得分、星级和重点关注所站，写出评价报告和所站评价卡。"""
    from activity_day.cli.run import start_flows

    chosen = period.strip().upper()
    period_months(chosen)  # a wrong period is told before Prefect starts
    code = county(ctx)
    start_flows()
    from activity_day.flows.evaluation import evaluate as evaluate_flow

    console.tell_operator(f"开始运行：{period_label(chosen)}·所站综合评价（{code}）")
    result = evaluate_flow(county=code, period=chosen)
    if as_json:
        typer.echo(json.dumps({"period": result["period"], "months": result["months"], "stations": result["rows"]},
                              ensure_ascii=False))
        return
    stars = result["stars"]
    typer.echo(f"{period_label(result['period'])}所站综合评价：{result['stations']} 个所站，依据 {len(result['months'])} 个月的记录；"
               f"五星 {stars['5']} 个，四星 {stars['4']} 个，三星 {stars['3']} 个，二星 {stars['2']} 个，一星 {stars['1']} 个"
               + (f"，无记录 {stars['0']} 个" if stars["0"] else "") + f"；重点关注 {result['watch']} 个")
    if not result["months"]:
        typer.echo("  注意：期内没有正式方案，各项按无记录处理")
    typer.echo("  文件：")
    for path in result["files"].values():
        typer.echo(f"    {path}")
