"""The register of document numbers (发文字号), kept the way an office keeps it.

Each issuer (the county office's 发文机关代字, e.g. 泗文明办) numbers its documents per year from 1. A number is
assigned when a document is issued and never again; a rerun of the same document (county, month, kind) keeps
the number it has. The office also issues documents outside this system, so it may move the next number
forward (`activity-day numbers set`), never back onto a number already assigned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, select

from activity_day.errors import OperatorError
from activity_day.models import IssuedNumber, NumberSeries
from activity_day.models.db import upsert


@dataclass(frozen=True)
class Issue:
    """What asks for a number: the issuer and year it is numbered under, and the document it goes on."""

    issuer: str
    year: int
    county: str
    month: str
    document: str  # "plan" (the official plan), "circular", or "naming-<round>" (a round's naming notice)


def format_number(issuer: str, year: int, number: int) -> str:
    """泗文明办〔2027〕41号"""
    return f"{issuer}〔{year}〕{number}号"


def assign(*, session: Session, issue: Issue, now: datetime) -> str:
    """The document's number: the one it already has, else the issuer's next one for the year."""
    # The series row is written first: that locks it (PostgreSQL: a row lock; SQLite: the write lock), so two
    # documents issued at once never take the same number, and the same document issued twice at once gets
    # one number: the second looks for it only once the first has committed.
    upsert(session, NumberSeries, [dict(issuer=issue.issuer, year=issue.year, next_number=1)], ["issuer", "year"],
           update=False)
    session.exec(update(NumberSeries).where(NumberSeries.issuer == issue.issuer, NumberSeries.year == issue.year)
                 .values(next_number=NumberSeries.next_number))
    held = session.exec(select(IssuedNumber).where(
        IssuedNumber.county == issue.county, IssuedNumber.month == issue.month,
        IssuedNumber.document == issue.document)).first()
    if held is not None:
        return format_number(held.issuer, held.year, held.number)
    series = session.exec(select(NumberSeries).where(NumberSeries.issuer == issue.issuer,
                                                     NumberSeries.year == issue.year)).one()
    number = max(series.next_number, _highest(session, issue.issuer, issue.year) + 1)
    session.add(IssuedNumber(issuer=issue.issuer, year=issue.year, number=number, county=issue.county,
                             month=issue.month, document=issue.document, issued_at=now))
    session.exec(update(NumberSeries).where(NumberSeries.id == series.id).values(next_number=number + 1))
    session.flush()
    return format_number(issue.issuer, issue.year, number)


def release(*, session: Session, issue: Issue) -> None:
    """Give back the number `assign` gave a document that was then not issued (its step failed before issuing):
    the document no longer holds it, and when it is still the issuer's last one the series steps back, so the
    rerun takes the same number and the register has no gap."""
    held = session.exec(select(IssuedNumber).where(
        IssuedNumber.county == issue.county, IssuedNumber.month == issue.month,
        IssuedNumber.document == issue.document)).first()
    if held is None:
        return
    session.exec(update(NumberSeries).where(NumberSeries.issuer == held.issuer, NumberSeries.year == held.year,
                                            NumberSeries.next_number == held.number + 1)
                 .values(next_number=held.number))
    session.delete(held)


def _highest(session: Session, issuer: str, year: int) -> int:
    return session.exec(select(func.max(IssuedNumber.number)).where(
        IssuedNumber.issuer == issuer, IssuedNumber.year == year)).one() or 0


def set_next(*, session: Session, issuer: str, year: int, next_number: int) -> int:
    """Make `next_number` the issuer's next number for the year; refused if it would reuse an assigned one."""
    if next_number < 1:
        raise OperatorError(f"下一个文号应为正整数（填写的是 {next_number}）")
    highest = _highest(session, issuer, year)
    if next_number <= highest:
        raise OperatorError(f"{format_number(issuer, year, highest)}已经使用，下一个文号至少为 {highest + 1}")
    upsert(session, NumberSeries, [dict(issuer=issuer, year=year, next_number=next_number)], ["issuer", "year"])
    return next_number


def next_number(*, session: Session, issuer: str, year: int) -> int:
    series = session.exec(select(NumberSeries).where(NumberSeries.issuer == issuer,
                                                     NumberSeries.year == year)).first()
    return max(series.next_number if series else 1, _highest(session, issuer, year) + 1)


def issued(*, session: Session, issuer: str, year: int | None = None) -> list[IssuedNumber]:
    query = select(IssuedNumber).where(IssuedNumber.issuer == issuer)
    if year is not None:
        query = query.where(IssuedNumber.year == year)
    return list(session.exec(query.order_by(IssuedNumber.year, IssuedNumber.number)).all())


def series_years(*, session: Session, issuer: str) -> list[int]:
    """The years the issuer has a series for (set by hand or started by an assignment)."""
    return list(session.exec(select(NumberSeries.year).where(NumberSeries.issuer == issuer)).all())
