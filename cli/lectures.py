"""`activity-day lectures`: the month's lecture orders and their micro teams (点单—派单—接单)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.options import JsonOpt, MonthOpt, county, month_option

app = typer.Typer(help="宣讲点单与派单：各所站点的宣讲、组建的微型宣讲队和讲师接单。", no_args_is_help=True)

OrderOpt = Annotated[str, typer.Option("--station", help="点单的所站编号")]
MenuOpt = Annotated[str, typer.Option("--menu", help="菜单编号，如 XJ-01")]
SpeakerOpt = Annotated[str, typer.Option("--speaker", help="讲师编号")]


@app.command("list")
def lectures_list(ctx: typer.Context, month: MonthOpt = None, as_json: JsonOpt = False) -> None:
    """本月的宣讲点单：宣讲队、状态，以及无法派单的原因和建议。"""
    from activity_day.services import lectures

    chosen = month_option(month)
    rows = lectures.list_orders(county(ctx), chosen)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        team = "、".join(m["code"] for m in r["team"]) or "—"
        typer.echo(f"{r['station']:<6} {r['township']} {r['menu_code']} {r['date']} {lectures.STATUS_CN[r['status']]} "
                   f"宣讲队：{team}" + (f"；{r['reason']}；建议：{r['suggestion']}" if r["reason"] else ""))
    typer.echo(f"共 {len(rows)} 个点单")


def _answer(ctx: typer.Context, month: str | None, station: str, menu: str, speaker: str, accept: bool) -> None:
    from activity_day.services import lectures

    found = lectures.answer(county(ctx), month_option(month), station, menu, speaker.strip().upper(), accept)
    team = "、".join(m["code"] for m in found["team"]) or "—"
    if accept:
        typer.echo(f"讲师{speaker}已接单：{station} {found['menu_code']} {found['date']}（宣讲队：{team}）")
    elif found["status"] == "unserved":
        typer.echo(f"讲师{speaker}已谢绝；该宣讲无法重新组队：{found['reason']}；建议：{found['suggestion']}")
    else:
        typer.echo(f"讲师{speaker}已谢绝；已重新组队：{team}（其他宣讲队不变）")


@app.command("confirm")
def lectures_confirm(ctx: typer.Context, station: OrderOpt, menu: MenuOpt, speaker: SpeakerOpt,
                     month: MonthOpt = None) -> None:
    """讲师接单。"""
    _answer(ctx, month, station, menu, speaker, True)


@app.command("decline")
def lectures_decline(ctx: typer.Context, station: OrderOpt, menu: MenuOpt, speaker: SpeakerOpt,
                     month: MonthOpt = None) -> None:
    """讲师谢绝：只为这一场重新组队，其他宣讲队不变。"""
    _answer(ctx, month, station, menu, speaker, False)


@app.command("speakers")
def lectures_speakers(ctx: typer.Context, month: MonthOpt = None, as_json: JsonOpt = False) -> None:
    """讲师本月的宣讲记录：派单、接单、谢绝、已宣讲场次和平均评分。"""
    from activity_day.services import lectures

    rows = lectures.speakers_record(county(ctx), month_option(month))
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        rating = "—" if r["rating"] is None else f"{r['rating']:.2f}"
        typer.echo(f"{r['code']} {r['name']} {r['township']} 派单 {r['lectures']}/{r['cap']} 接单 {r['confirmed']} "
                   f"谢绝 {r['declined']} 已宣讲 {r['delivered']} 平均评分 {rating}")
    typer.echo(f"共 {len(rows)} 名讲师")
