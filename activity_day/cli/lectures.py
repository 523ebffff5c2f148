"""`activity-day lectures`: the month's lecture orders and their micro teams (点单—派单—接单)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from activity_day.cli.options import JsonOpt, MonthOpt, county, fail, month_option
from activity_day.cli.tokens import UntilOpt

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
    from activity_day.domain.lectures import LectureRef
    from activity_day.services import lectures
    from activity_day.services.submissions import utcnow

    found = lectures.answer(LectureRef(county(ctx), month_option(month), station, menu), speaker.strip().upper(),
                            accept, now=utcnow())
    team = "、".join(m["code"] for m in found["team"]) or "—"
    if accept:
        typer.echo(f"讲师{speaker}已接单：{station} {found['menu_code']} {found['date']}（宣讲队：{team}）")
    elif found["status"] == "unserved":
        typer.echo(f"讲师{speaker}已谢绝；该宣讲无法重新组队：{found['reason']}；建议：{found['suggestion']}")
    else:
        typer.echo(f"讲师{speaker}已谢绝；已重新组队：{team}（先找有空的讲师；都没空时才从有4人的宣讲队调一位未接单的讲师）")


@app.command("confirm")
def lectures_confirm(ctx: typer.Context, station: OrderOpt, menu: MenuOpt, speaker: SpeakerOpt,
                     month: MonthOpt = None) -> None:
    """讲师接单。"""
    _answer(ctx, month, station, menu, speaker, True)


@app.command("decline")
def lectures_decline(ctx: typer.Context, station: OrderOpt, menu: MenuOpt, speaker: SpeakerOpt,
                     month: MonthOpt = None) -> None:
    """讲师谢绝：为这一场重新组队（先找有空的讲师，都没空时从有多余人手的宣讲队调一位未接单的讲师）。"""
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


@app.command("tokens")
def lectures_tokens(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(
        "--out", help="写入新令牌的 xlsx 文件（令牌只显示这一次），旁边另写一份可打印的二维码卡片（同名 .docx）；"
                      "也可直接写 .docx。")] = None,
    speaker: Annotated[list[str] | None, typer.Option("--speaker", help="讲师编号；可重复写多个。")] = None,
    all_speakers: Annotated[bool, typer.Option("--all", help="宣讲员库中的全部讲师。")] = False,
    as_json: Annotated[bool, typer.Option(
        "--json", help="每个令牌输出一行 JSON（speaker、token、link），不写文件时只输出这些。")] = False,
    base_url: Annotated[str | None, typer.Option(
        "--base-url", help="手机页面的网址，链接和二维码以它开头（默认取 ACTIVITY_DAY_PUBLIC_URL）。")] = None,
    until: UntilOpt = None,
) -> None:
    """签发讲师接单令牌（讲师用它打开手机页面 /m/speaker 查看自己的宣讲并接单、谢绝；原令牌作废），导出为 xlsx 和可打印的二维码卡片。"""
    import pandas as pd

    from activity_day.cli.tokens import Delivery, expiry_of
    from activity_day.documents.token_sheet import Card
    from activity_day.errors import OperatorError
    from activity_day.services.lectures import issue_speaker_tokens
    from activity_day.services.submissions import utcnow
    from activity_day.store import lectures as store
    from activity_day.store.database import transaction

    if bool(speaker) == all_speakers:
        raise fail("请只写一种：--speaker 讲师编号（可写多个）或 --all")
    if out is None and not as_json:
        raise fail("请写 --out 令牌清单文件（.xlsx 或 .docx），或 --json 输出到屏幕")
    if out is not None and out.suffix.lower() not in (".xlsx", ".docx"):
        raise fail(f"{out}：令牌清单应为 .xlsx 或 .docx 文件")
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise fail(f"--base-url“{base_url}”应以 http:// 或 https:// 开头")
    delivery = Delivery(out, as_json, base_url, expiry_of(until))
    code = county(ctx)
    with transaction() as session:
        try:
            tokens = issue_speaker_tokens(session=session, county=code, codes=speaker or [], now=utcnow(),
                                          expires_at=delivery.expires_at)
        except OperatorError as exc:
            raise fail(str(exc)) from None
        pool = store.pool_frame(session=session, county=code).set_index("code")
        links = {c: delivery.link("speaker", t) for c, t in tokens.items()}
        sheet = pd.DataFrame([{"讲师编号": c, "姓名": pool.loc[c, "name"], "工作单位": pool.loc[c, "unit"], "令牌": t,
                               "链接": links[c]} for c, t in tokens.items()])
        cards = [Card(pool.loc[c, "name"], f"宣讲员 · {pool.loc[c, 'township']} · 编号 {c}", links[c]) for c in tokens]
        # The files first: if they cannot be written, the transaction rolls back and the old tokens stay valid.
        files = delivery.write("讲师接单令牌", "speaker", sheet, cards)
    delivery.report([{"speaker": c, "token": t, "link": links[c]} for c, t in tokens.items()],
                    f"已签发 {len(tokens)} 个讲师接单令牌，见 {{files}}；原有的令牌已作废", files)
