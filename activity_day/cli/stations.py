"""`activity-day stations`: the registry's stations with their lifetime in the evaluation, and the office's
correction of it (设立日期, 撤销日期)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from activity_day.cli.options import JsonOpt, county, fail
from activity_day.context import current

app = typer.Typer(help="所站名录：在册和已撤销的所站及其设立、撤销日期（综合评价只计各所站在册的月份）。",
                  no_args_is_help=True)

DayOpt = Annotated[str | None, typer.Option(help="日期 2027-09-01，或月份 2027-09（当月1日）；写“无”清除。")]
CLEAR = ("无", "none", "-")


def _day(value: str | None, option: str):
    """The day an option gives: UNCHANGED when not given, None to clear."""
    from activity_day.intake.cells import parse_day
    from activity_day.services.stations import UNCHANGED

    if value is None:
        return UNCHANGED
    if value.strip().lower() in CLEAR:
        return None
    day, error = parse_day(value)
    if error or day is None:
        raise fail(f"{option} “{value}”{error or '不是有效的日期'}")
    return day


def _line(s: dict) -> str:
    span = f"{s['joined_on'] or '（首份名录前）'} 至 {s['left_on'] or '今'}"
    return f"{s['code']:<8} {s['township']} {s['name']}  {span}{'' if s['active'] else '  已撤销'}"


@app.command("list")
def stations_list(
    ctx: typer.Context,
    removed: Annotated[bool, typer.Option("--removed/--registered", help="也列出已撤销的所站（默认）。")] = True,
    as_json: JsonOpt = False,
) -> None:
    """列出所站及其设立、撤销日期。"""
    from activity_day.services.stations import lifetimes

    rows = lifetimes(county(ctx), include_removed=removed)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for s in rows:
        typer.echo(_line(s))
    typer.echo(f"共 {len(rows)} 个所站，其中已撤销 {sum(not s['active'] for s in rows)} 个")


@app.command("set")
def stations_set(
    ctx: typer.Context,
    station: Annotated[str, typer.Option("--station", help="所站编号。")],
    joined: DayOpt = None,
    left: DayOpt = None,
) -> None:
    """更正一个所站的设立日期（--joined）或撤销日期（--left）：综合评价只计它在册的月份。"""
    from activity_day.services.stations import UNCHANGED, set_lifetime

    joined_on, left_on = _day(joined, "--joined"), _day(left, "--left")
    if joined_on is UNCHANGED and left_on is UNCHANGED:
        raise fail("请至少写一项：--joined 设立日期 或 --left 撤销日期")
    found = set_lifetime(county(ctx), station, today=current().today(), joined_on=joined_on, left_on=left_on)
    typer.echo("已更正：" + _line(found))
