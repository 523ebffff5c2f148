"""`activity-day status`: which of the month's steps are done, the counts, and what is still missing."""

from __future__ import annotations

import json

import typer

from activity_day.cli.options import STEP_CN, JsonOpt, MonthOpt, county, month_option
from activity_day.domain.dates import cn_month

STEP_STATE_CN = {"done": "已完成", "pending": "未完成"}
COUNTS_CN = {"stations": "所站", "station_plans": "所站计划", "activities": "计划活动", "comments": "部门意见",
             "drawn": "抽中所站", "scores": "评分"}


def status(ctx: typer.Context, month: MonthOpt = None, as_json: JsonOpt = False) -> None:
    """本月各步骤完成情况和数量。"""
    from activity_day.services.status import month_status

    chosen = month_option(month)
    report = month_status(county(ctx), chosen)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    typer.echo(f"{report['county']} {cn_month(report['month'])}")
    for step, state in report["steps"].items():
        typer.echo(f"  {STEP_CN[step]} {STEP_STATE_CN.get(state, state)}")
    typer.echo("  " + "，".join(f"{COUNTS_CN.get(k, k)} {v}" for k, v in report["counts"].items()))
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
