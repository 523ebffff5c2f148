"""`activity-day tokens`: the stations' submission tokens and the scorers' scoring tokens for the API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from activity_day.cli.options import county, fail

app = typer.Typer(help="所站报送令牌（微信小程序接口用）及检查组、文明观察员的评分令牌。", no_args_is_help=True)

UntilOpt = Annotated[str | None, typer.Option(
    "--until", help="令牌有效期的最后一天 YYYY-MM-DD（北京时间，含当日）；默认为签发当年的12月31日。")]


def expiry_of(until: str | None):
    """When new tokens stop working (UTC), from --until or the end of this year; refuses a day already past."""
    from datetime import date

    from activity_day.domain.tokens import expiry
    from activity_day.services.submissions import utcnow

    now = utcnow()
    day = None
    if until is not None:
        try:
            day = date.fromisoformat(until.strip())
        except ValueError:
            raise fail(f"--until“{until}”无效：应为 YYYY-MM-DD，例如 2027-12-31") from None
    expires_at = expiry(now, day)
    if expires_at <= now:
        raise fail(f"--until {until} 已经过去：有效期的最后一天不能早于今天")
    return expires_at


@app.command("issue")
def tokens_issue(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(
        "--out", help="写入新令牌的 xlsx 文件（令牌只显示这一次），旁边另写一份可打印的二维码卡片（同名 .docx）；"
                      "也可直接写 .docx。")] = None,
    station: Annotated[list[str] | None, typer.Option("--station", help="所站编号；可重复写多个。")] = None,
    all_stations: Annotated[bool, typer.Option("--all", help="全部在册所站。")] = False,
    team: Annotated[list[str] | None, typer.Option(
        "--team", help="检查组名称（县情配置中的检查组，或线上飞检人员“线上·姓名”）；可重复写多个。")] = None,
    all_teams: Annotated[bool, typer.Option("--all-teams", help="全部检查组和线上飞检人员。")] = False,
    observer: Annotated[str | None, typer.Option("--observer", help="文明观察员姓名（须同时写 --township）。")] = None,
    township: Annotated[str | None, typer.Option("--township", help="文明观察员所在乡镇（街道）。")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="每个令牌输出一行 JSON（所站：station、token、link），不写文件时只输出这些。")] = False,
    base_url: Annotated[str | None, typer.Option(
        "--base-url", help="手机页面的网址，链接和二维码以它开头（默认取 ACTIVITY_DAY_PUBLIC_URL）。")] = None,
    until: UntilOpt = None,
) -> None:
    """签发新令牌（同一所站、检查组，或同一观察员在同一乡镇的原令牌作废），导出为 xlsx 和可打印的二维码卡片。"""
    chosen = [bool(station), all_stations, bool(team), all_teams, observer is not None]
    if sum(chosen) != 1:
        raise fail("请只写一种：--station 编号（可写多个）、--all、--team 检查组（可写多个）、--all-teams，"
                   "或 --observer 姓名 --township 乡镇")
    if township is not None and observer is None:
        raise fail("--township 只与 --observer 一起使用")
    if observer is not None and not township:
        raise fail("签发文明观察员令牌须写 --township 乡镇（街道）")
    if out is None and not as_json:
        raise fail("请写 --out 令牌清单文件（.xlsx 或 .docx），或 --json 输出到屏幕")
    if out is not None and out.suffix.lower() not in (".xlsx", ".docx"):
        raise fail(f"{out}：令牌清单应为 .xlsx 或 .docx 文件")
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise fail(f"--base-url“{base_url}”应以 http:// 或 https:// 开头")
    delivery = Delivery(out, as_json, base_url, expiry_of(until))
    if station or all_stations:
        _issue_station_tokens(county(ctx), delivery, station or [], all_stations)
    else:
        _issue_scorer_tokens(county(ctx), delivery, team or [], all_teams, observer, township or "")


def _local(url: str) -> bool:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1", "0.0.0.0")  # noqa: S104


class Delivery:
    """Where new tokens go: the xlsx list, the printable QR sheet beside it (or only the sheet), and JSON lines."""

    def __init__(self, out: Path | None, as_json: bool, base_url: str | None, expires_at):
        from activity_day.context import current
        from activity_day.domain.tokens import last_day

        self.out, self.as_json = out, as_json
        self.base_url = base_url or current().settings.public_url
        self.expires_at, self.last_day = expires_at, last_day(expires_at)

    def expiry_text(self) -> str:
        return f"有效期至{self.last_day.year}年{self.last_day.month}月{self.last_day.day}日"

    def link(self, role: str, token: str) -> str:
        from activity_day.documents.token_sheet import page_link

        return page_link(self.base_url, role, token)

    def write(self, title: str, role: str, frame, cards: list) -> list[Path]:
        """Write the files (before the tokens are committed: a failed write leaves the old tokens valid)."""
        from activity_day.documents.render import xlsx_bytes
        from activity_day.documents.token_sheet import sheet_bytes
        from activity_day.services.submissions import utcnow

        if self.out is None:
            return []
        self.out.parent.mkdir(parents=True, exist_ok=True)
        sheet = self.out.with_suffix(".docx")
        if self.out.suffix.lower() == ".xlsx":
            self.out.write_bytes(xlsx_bytes([(title, frame)], title=f"{title}（请妥善保管）"))
        sheet.write_bytes(sheet_bytes(f"{title}（二维码）", role, cards, dated=utcnow().replace(microsecond=0)))
        return [self.out, sheet] if sheet != self.out else [sheet]

    def report(self, lines: list[dict], done: str, files: list[Path]) -> None:
        import json

        from activity_day.services.submissions import utcnow

        if self.as_json:
            for line in lines:
                typer.echo(json.dumps(line, ensure_ascii=False))
            return
        typer.echo(done.format(files="、".join(str(f) for f in files)))
        typer.echo(f"令牌{self.expiry_text()}（北京时间，含当日），到期或作废后链接和二维码即失效")
        if (self.expires_at - utcnow()).days < 31:
            typer.echo(f"注意：这些令牌{self.expiry_text()}，一个月内就会失效；如供明年使用，请用 --until 写明有效期"
                       f"（如 --until {self.last_day.year + 1}-12-31）重新签发", err=True)
        if _local(self.base_url):
            typer.echo(f"注意：链接和二维码指向 {self.base_url}，只有本机能打开；发给所站前请用 --base-url 或环境变量 "
                       "ACTIVITY_DAY_PUBLIC_URL 写明手机能访问的地址，再重新签发", err=True)


def _issue_station_tokens(code: str, delivery: Delivery, station: list[str], all_stations: bool) -> None:
    import pandas as pd

    from activity_day.documents.token_sheet import Card
    from activity_day.domain.codes import normalize_code
    from activity_day.services.submissions import issue_tokens, utcnow
    from activity_day.store import crud
    from activity_day.store.database import transaction

    with transaction() as session:
        stations = crud.stations_frame(session=session, county=code).set_index("code")
        chosen = list(stations.index) if all_stations else [normalize_code(s) for s in station]
        unknown = [s for s in chosen if s not in stations.index]
        if unknown:
            raise fail(f"所站名录中没有这些编号：{'、'.join(unknown)}")
        tokens = issue_tokens(session=session, county=code, stations=chosen, now=utcnow(),
                              expires_at=delivery.expires_at)
        links = {c: delivery.link("station", t) for c, t in tokens.items()}
        sheet = pd.DataFrame([{"所站编号": c, "所站名称": stations.loc[c, "name"], "乡镇（街道）": stations.loc[c, "township"],
                               "负责人": stations.loc[c, "leader"], "令牌": t, "链接": links[c]}
                              for c, t in tokens.items()])
        cards = [Card(stations.loc[c, "name"], f"{stations.loc[c, 'township']} · 编号 {c}", links[c]) for c in tokens]
        # Written before the new tokens are committed: if the file cannot be written, the old tokens stay valid.
        files = delivery.write("所站令牌", "station", sheet, cards)
    delivery.report([{"station": c, "token": t, "link": links[c]} for c, t in tokens.items()],
                    f"已签发 {len(tokens)} 个令牌，见 {{files}}；这些所站原有的令牌已作废", files)


def _issue_scorer_tokens(code: str, delivery: Delivery, team: list[str], all_teams: bool, observer: str | None,
                         township: str) -> None:
    import pandas as pd

    from activity_day.documents.token_sheet import Card
    from activity_day.domain.names import normalize_name
    from activity_day.errors import OperatorError
    from activity_day.models.enums import ScorerRole
    from activity_day.services.scoring import issue_scorer_tokens, observer_townships, team_names
    from activity_day.services.scoring_inputs import TokenRequest
    from activity_day.services.submissions import utcnow
    from activity_day.store import crud
    from activity_day.store.database import transaction

    with transaction() as session:
        try:
            if observer is None:
                names = team_names(crud.load_profile_of(session=session, county=code)) if all_teams else team
                request = TokenRequest(ScorerRole.TEAM, names, expires_at=delivery.expires_at)
                tokens = issue_scorer_tokens(session=session, county=code, request=request, now=utcnow())
                links = {n: delivery.link("team", t) for n, t in tokens.items()}
                sheet = pd.DataFrame([{"检查组": n, "令牌": t, "链接": links[n]} for n, t in tokens.items()])
                cards = [Card(n, "检查组评分", links[n]) for n in tokens]
                lines = [{"team": n, "token": t, "link": links[n]} for n, t in tokens.items()]
                title, role = "检查组评分令牌", "team"
                done = f"已签发 {len(tokens)} 个检查组评分令牌，见 {{files}}；这些检查组原有的令牌已作废"
            else:
                request = TokenRequest(ScorerRole.OBSERVER, [observer], township, delivery.expires_at)
                tokens = issue_scorer_tokens(session=session, county=code, request=request, now=utcnow())
                [name], township = tokens, normalize_name(township)
                others = [t for t in observer_townships(session=session, county=code, name=name, now=utcnow())
                          if t != township]
                links = {n: delivery.link("observer", t) for n, t in tokens.items()}
                sheet = pd.DataFrame([{"文明观察员": n, "乡镇（街道）": township, "令牌": t, "链接": links[n]}
                                      for n, t in tokens.items()])
                cards = [Card(n, f"文明观察员 · {township}", links[n]) for n in tokens]
                lines = [{"observer": n, "township": township, "token": t, "link": links[n]} for n, t in tokens.items()]
                title, role = "文明观察员评分令牌", "observer"
                # An observer's tokens are per person and township: say what this one does to the others.
                done = (f"已签发文明观察员“{name}”在{township}的评分令牌，见 {{files}}；{name}在{township}原有的令牌已作废"
                        + (f"；{name}在{'、'.join(others)}的令牌不受影响，仍然有效（如需作废：activity-day tokens revoke "
                           f"--observer {name} --township {others[0]}）" if others else ""))
        except OperatorError as exc:
            raise fail(str(exc)) from None
        # As for stations: the files first, so a failed write leaves the old tokens valid.
        files = delivery.write(title, role, sheet, cards)
    delivery.report(lines, done, files)


@app.command("revoke")
def tokens_revoke(
    ctx: typer.Context,
    station: Annotated[str | None, typer.Option("--station", help="所站编号。")] = None,
    team: Annotated[str | None, typer.Option("--team", help="检查组名称（或“线上·姓名”）。")] = None,
    observer: Annotated[str | None, typer.Option("--observer", help="文明观察员姓名。")] = None,
    township: Annotated[str | None, typer.Option(
        "--township", help="只作废文明观察员在这个乡镇（街道）的令牌；不写则作废其全部令牌。")] = None,
    speaker: Annotated[str | None, typer.Option("--speaker", help="讲师编号（宣讲员库）。")] = None,
) -> None:
    """作废一个所站、检查组、文明观察员或讲师的令牌。"""
    from activity_day.domain.codes import normalize_code
    from activity_day.models.enums import ScorerRole
    from activity_day.services.scoring import observer_townships, revoke_scorer_tokens
    from activity_day.services.submissions import revoke_tokens, utcnow
    from activity_day.store.database import transaction

    if sum(v is not None for v in (station, team, observer, speaker)) != 1:
        raise fail("请只写一种：--station 编号、--team 检查组、--observer 姓名或 --speaker 讲师编号")
    if township is not None and observer is None:
        raise fail("--township 只与 --observer 一起使用")
    code = county(ctx)
    left: list[str] = []
    with transaction() as session:
        if station is not None:
            count = revoke_tokens(session=session, county=code, station=normalize_code(station), now=utcnow())
            who = f"所站 {normalize_code(station)} "
        elif speaker is not None:
            count = revoke_scorer_tokens(session=session, county=code, role=ScorerRole.SPEAKER,
                                         name=normalize_code(speaker), now=utcnow())
            who = f"讲师 {normalize_code(speaker)} "
        elif team is not None:
            count = revoke_scorer_tokens(session=session, county=code, role=ScorerRole.TEAM, name=team, now=utcnow())
            who = f"检查组“{team}”"
        else:
            name = observer or ""
            count = revoke_scorer_tokens(session=session, county=code, role=ScorerRole.OBSERVER, name=name,
                                         now=utcnow(), township=township)
            who = f"文明观察员“{name}”" + (f"在{township}" if township else "")
            left = observer_townships(session=session, county=code, name=name, now=utcnow())
    if not count:
        raise fail(f"{who}没有有效的令牌", 1)
    typer.echo(f"已作废{who}的 {count} 个令牌" + (f"；其在{'、'.join(left)}的令牌仍然有效" if left else ""))
