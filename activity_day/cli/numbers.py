"""`activity-day numbers`: the register of document numbers (发文字号) the official plans, circulars and naming
notices take."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from activity_day.cli.options import JsonOpt, county, fail

app = typer.Typer(help="发文字号登记（正式方案、通报印发时依次取号）。", no_args_is_help=True)

DOCUMENTS_CN = {"plan": "集中活动日方案", "circular": "集中活动日通报"}


def document_cn(document: str) -> str:
    """What a numbered document is, in Chinese: the month's plan or circular, or a round's naming notice."""
    kind, _, round_ = document.partition("-")
    if kind == "naming" and round_:
        return f"{round_}年度示范所站命名通知"
    return DOCUMENTS_CN.get(document, document)


def local(stored: datetime) -> datetime:
    """A stored time (UTC) in Beijing time."""
    from activity_day.domain.months import TZ

    return (stored if stored.tzinfo else stored.replace(tzinfo=UTC)).astimezone(TZ)


YearOpt = Annotated[int, typer.Option("--year", help="年度（文号〔〕中的年份）。")]


def checked_year(year: int) -> int:
    if not 2000 <= year <= 2099:
        raise fail(f"年度“{year}”无效：应为 2000 到 2099 之间的年份，例如 2027")
    return year


def _issuer(ctx: typer.Context) -> tuple[str, str]:
    """(county code, issuer code): the county's 发文机关代字 from its profile."""
    from activity_day.store import crud
    from activity_day.store.database import transaction

    code = county(ctx)
    with transaction() as session:
        return code, crud.load_profile_of(session=session, county=code).county.doc_prefix


@app.command("set")
def numbers_set(
    ctx: typer.Context,
    year: YearOpt,
    next_number: Annotated[int, typer.Option("--next", help="下一个要使用的文号。")],
) -> None:
    """设定某年度下一个文号（本办另有发文时使用；不能回退到已使用的文号）。"""
    from activity_day.store import numbers
    from activity_day.store.database import transaction

    year = checked_year(year)
    _, issuer = _issuer(ctx)
    with transaction() as session:
        numbers.set_next(session=session, issuer=issuer, year=year, next_number=next_number)
    typer.echo(f"{issuer}{year}年度下一个文号：{numbers.format_number(issuer, year, next_number)}")


@app.command("list")
def numbers_list(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", help="只列这一年度。")] = None,
    as_json: JsonOpt = False,
) -> None:
    """列出已使用的文号：用于哪份文件、哪个月、何时取号。"""
    from activity_day.domain.dates import cn_month
    from activity_day.store import numbers
    from activity_day.store.database import transaction

    year = None if year is None else checked_year(year)
    _, issuer = _issuer(ctx)
    with transaction() as session:
        rows = numbers.issued(session=session, issuer=issuer, year=year)
        years = [year] if year else sorted({r.year for r in rows} | set(numbers.series_years(session=session,
                                                                                             issuer=issuer)))
        upcoming = {y: numbers.next_number(session=session, issuer=issuer, year=y) for y in years}
    if as_json:
        typer.echo(json.dumps([{"year": r.year, "number": r.number, "document": r.document, "month": r.month,
                                "issued_at": local(r.issued_at).isoformat(timespec="seconds"), "doc_number": numbers.format_number(
                                    r.issuer, r.year, r.number), "county": r.county} for r in rows],
                              ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo(f"{issuer}{f'{year}年度' if year else ''}尚未使用文号")
    for r in rows:
        typer.echo(f"{numbers.format_number(r.issuer, r.year, r.number)}  {cn_month(r.month)}"
                   f"{document_cn(r.document)}  取号 {local(r.issued_at):%Y-%m-%d %H:%M}")
    for y, n in upcoming.items():
        typer.echo(f"{y}年度下一个文号：{numbers.format_number(issuer, y, n)}")
