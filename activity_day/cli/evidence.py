"""`activity-day evidence`: the activity day's evidence (活动纪实) — coverage and the online spot checks' order."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from activity_day.cli.options import JsonOpt, county, month_option

app = typer.Typer(help="活动纪实（签到、签退）：覆盖情况和线上飞检优先顺序。", no_args_is_help=True)

ReportMonthOpt = Annotated[str, typer.Option("--month", help="月份 YYYY-MM（活动日所在的月份）")]


def _rows(frame: Any) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


@app.command("report")
def report(ctx: typer.Context, month: ReportMonthOpt, as_json: JsonOpt = False) -> None:
    """本月活动纪实覆盖情况：各所站状态、按乡镇统计，以及线上飞检的优先顺序。"""
    from activity_day.domain.dates import cn_date, cn_month
    from activity_day.services.evidence import coverage
    from activity_day.store import crud
    from activity_day.store.database import transaction

    chosen, code = month_option(month), county(ctx)
    with transaction(read_only=True) as session:
        # No official plan, no activity day: said so in one line (MissingPrerequisite, exit 2).
        day = crud.plan_content(crud.official_plan(session=session, county=code, month=chosen)).activity_date
        found = coverage(session, code, chosen)
    s = found.summary
    if as_json:
        typer.echo(json.dumps({"county": code, "month": chosen, "activity_date": day.isoformat(), "summary": s,
                               "by_township": _rows(found.by_township), "by_station": _rows(found.by_station),
                               "online_priority": _rows(found.priority)}, ensure_ascii=False))
        return
    verdicts = "，".join(f"{k} {v}" for k, v in s["verdicts"].items())
    typer.echo(f"{code} {cn_month(chosen)}活动纪实（集中活动日 {cn_date(day)}）")
    typer.echo(f"  当日有计划活动的所站 {s['stations']} 个：完整 {s['complete']}，存疑 {s['doubtful']}，"
               f"缺失 {s['missing']}；纪实 {s['records']} 条（{verdicts}）")
    if len(found.by_township):
        typer.echo("  按乡镇（街道）：")
    for r in found.by_township.itertuples():
        typer.echo(f"    {r.township}：所站 {r.stations}，完整 {r.complete}，存疑 {r.doubtful}，缺失 {r.missing}，"
                   f"完整率 {r.complete_pct:.1f}%，有纪实 {r.recorded_pct:.1f}%")
    if not len(found.priority):
        typer.echo("  本月尚无线上飞检所站（未抽样或未安排线上飞检）")
        return
    typer.echo(f"  线上飞检优先顺序（{len(found.priority)} 个）：")
    for n, r in enumerate(found.priority.itertuples(), start=1):
        typer.echo(f"    {n}. {r.station_code} {r.township} {r.state}" + (f"：{r.reason}" if r.reason else ""))
