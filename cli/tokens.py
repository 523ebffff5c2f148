"""`activity-day tokens`: the stations' submission tokens and the scorers' scoring tokens for the API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.options import county, fail

app = typer.Typer(help="所站报送令牌（微信小程序接口用）及检查组、文明观察员的评分令牌。", no_args_is_help=True)


@app.command("issue")
def tokens_issue(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="写入新令牌的 xlsx 文件（令牌只显示这一次）。")],
    station: Annotated[list[str] | None, typer.Option("--station", help="所站编号；可重复写多个。")] = None,
    all_stations: Annotated[bool, typer.Option("--all", help="全部在册所站。")] = False,
    team: Annotated[list[str] | None, typer.Option(
        "--team", help="检查组名称（县情配置中的检查组，或线上飞检人员“线上·姓名”）；可重复写多个。")] = None,
    all_teams: Annotated[bool, typer.Option("--all-teams", help="全部检查组和线上飞检人员。")] = False,
    observer: Annotated[str | None, typer.Option("--observer", help="文明观察员姓名（须同时写 --township）。")] = None,
    township: Annotated[str | None, typer.Option("--township", help="文明观察员所在乡镇（街道）。")] = None,
) -> None:
    """签发新令牌（同一所站、检查组或观察员的原令牌作废）并导出为 xlsx。"""
    chosen = [bool(station), all_stations, bool(team), all_teams, observer is not None]
    if sum(chosen) != 1:
        raise fail("请只写一种：--station 编号（可写多个）、--all、--team 检查组（可写多个）、--all-teams，"
                   "或 --observer 姓名 --township 乡镇")
    if township is not None and observer is None:
        raise fail("--township 只与 --observer 一起使用")
    if observer is not None and not township:
        raise fail("签发文明观察员令牌须写 --township 乡镇（街道）")
    if out.suffix.lower() != ".xlsx":
        raise fail(f"{out}：令牌清单应为 .xlsx 文件")
    if station or all_stations:
        _issue_station_tokens(county(ctx), out, station or [], all_stations)
    else:
        _issue_scorer_tokens(county(ctx), out, team or [], all_teams, observer, township or "")


def _issue_station_tokens(code: str, out: Path, station: list[str], all_stations: bool) -> None:
    import pandas as pd

    from activity_day.documents.render import xlsx_bytes
    from activity_day.services.submissions import issue_tokens, utcnow
    from activity_day.store import crud
    from activity_day.store.database import transaction

    with transaction() as session:
        stations = crud.stations_frame(session=session, county=code).set_index("code")
        chosen = list(stations.index) if all_stations else list(station)
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


def _issue_scorer_tokens(code: str, out: Path, team: list[str], all_teams: bool, observer: str | None,
                         township: str) -> None:
    import pandas as pd

    from activity_day.documents.render import xlsx_bytes
    from activity_day.errors import OperatorError
    from activity_day.services.scoring import issue_scorer_tokens, team_names
    from activity_day.services.submissions import utcnow
    from activity_day.store import crud
    from activity_day.store.database import transaction
    from models.enums import ScorerRole

    with transaction() as session:
        try:
            if observer is None:
                names = team_names(crud.load_profile_of(session=session, county=code)) if all_teams else team
                tokens = issue_scorer_tokens(session=session, county=code, role=ScorerRole.TEAM, names=names,
                                             now=utcnow())
                sheet = pd.DataFrame([{"检查组": n, "令牌": t} for n, t in tokens.items()])
                title, noun = "检查组评分令牌", "检查组"
            else:
                tokens = issue_scorer_tokens(session=session, county=code, role=ScorerRole.OBSERVER,
                                             names=[observer], township=township, now=utcnow())
                sheet = pd.DataFrame([{"文明观察员": n, "乡镇（街道）": township, "令牌": t} for n, t in tokens.items()])
                title, noun = "文明观察员评分令牌", "文明观察员"
        except OperatorError as exc:
            raise fail(str(exc)) from None
        # As for stations: the file first, so a failed write leaves the old tokens valid.
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(xlsx_bytes([(title, sheet)], title=f"{title}（请妥善保管）"))
    typer.echo(f"已签发 {len(tokens)} 个{noun}评分令牌，见 {out}；原有的令牌已作废")


@app.command("revoke")
def tokens_revoke(
    ctx: typer.Context,
    station: Annotated[str | None, typer.Option("--station", help="所站编号。")] = None,
    team: Annotated[str | None, typer.Option("--team", help="检查组名称（或“线上·姓名”）。")] = None,
    observer: Annotated[str | None, typer.Option("--observer", help="文明观察员姓名。")] = None,
) -> None:
    """作废一个所站、检查组或文明观察员的令牌。"""
    from activity_day.services.scoring import revoke_scorer_tokens
    from activity_day.services.submissions import revoke_tokens, utcnow
    from activity_day.store.database import transaction
    from models.enums import ScorerRole

    if sum(v is not None for v in (station, team, observer)) != 1:
        raise fail("请只写一种：--station 编号、--team 检查组或 --observer 姓名")
    code = county(ctx)
    with transaction() as session:
        if station is not None:
            count = revoke_tokens(session=session, county=code, station=station, now=utcnow())
            who = f"所站 {station}"
        else:
            role, name = (ScorerRole.TEAM, team) if team is not None else (ScorerRole.OBSERVER, observer)
            count = revoke_scorer_tokens(session=session, county=code, role=role, name=name or "", now=utcnow())
            who = f"检查组“{team}”" if team is not None else f"文明观察员“{observer}”"
    if not count:
        raise fail(f"{who}{' ' if station is not None else ''}没有有效的令牌", 1)
    typer.echo(f"已作废{who}的 {count} 个令牌")
