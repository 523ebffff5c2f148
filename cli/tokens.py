"""`activity-day tokens`: the stations' submission tokens for the mini-program API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.options import county, fail

app = typer.Typer(help="所站报送令牌（微信小程序接口用）。", no_args_is_help=True)


@app.command("issue")
def tokens_issue(
    ctx: typer.Context,
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
    code = county(ctx)
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


@app.command("revoke")
def tokens_revoke(ctx: typer.Context, station: Annotated[str, typer.Option("--station", help="所站编号。")]) -> None:
    """作废一个所站的令牌。"""
    from activity_day.services.submissions import revoke_tokens, utcnow
    from activity_day.store.database import transaction

    with transaction() as session:
        count = revoke_tokens(session=session, county=county(ctx), station=station, now=utcnow())
    if not count:
        raise fail(f"所站 {station} 没有有效的令牌", 1)
    typer.echo(f"已作废所站 {station} 的 {count} 个令牌")
