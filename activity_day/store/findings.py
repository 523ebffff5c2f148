"""Reads and writes of rectification findings (整改) and their history. The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from activity_day.domain import findings as rules
from activity_day.domain.findings import FINDING_COLUMNS
from activity_day.store.crud import _frame
from models import Finding, FindingEvent, upsert
from models.enums import FindingStatus

SYSTEM = "系统"


def save_findings(*, session: Session, county: str, month: str, rows: Sequence[dict[str, Any]], now: datetime) -> int:
    """Insert the month's new findings with the county's next numbers (existing ones keep their number and state),
    and a `raised` event for each new one. Returns how many were new."""
    before = set(session.exec(select(Finding.digest, Finding.station_code).where(
        Finding.county == county, Finding.month == month)).all())
    new = [r for r in rows if (r["digest"], r["station_code"]) not in before]
    if not new:
        return 0
    last = session.exec(select(func.max(Finding.number)).where(Finding.county == county)).one() or 0
    records = [dict(county=county, number=last + n, month=month, station_code=r["station_code"],
                    township=r["township"], source=r["source"], category=r["category"], digest=r["digest"],
                    text=r["text"], deadline=r["deadline"], status=FindingStatus.OPEN)
               for n, r in enumerate(new, start=1)]
    upsert(session, Finding, records, ["county", "month", "station_code", "digest"], update=False)
    session.add_all(FindingEvent(county=county, number=r["number"], action="raised", actor=SYSTEM, note=r["text"],
                                 at=now) for r in records)
    return len(new)


def findings_frame(*, session: Session, county: str, month: str | None = None, up_to: str | None = None,
                   station: str | None = None) -> pd.DataFrame:
    """Findings of one month, or of every month up to one, optionally of one station."""
    where = [Finding.county == county]
    if month:
        where.append(Finding.month == month)
    if up_to:
        where.append(Finding.month <= up_to)
    if station:
        where.append(Finding.station_code == station)
    columns = ["number" if c == "id" else c for c in FINDING_COLUMNS]
    frame = _frame(session, Finding, columns, *where, order=["month", "township", "station_code", "number"])
    # The county's 整改编号 is what every user sees as the finding's id.
    return frame.rename(columns={"number": "id"}).assign(status=frame["status"].map(lambda s: FindingStatus(s).value))


def get_finding(*, session: Session, county: str, finding_id: int) -> Finding | None:
    """The finding with this 整改编号 in the county."""
    return session.exec(select(Finding).where(Finding.county == county, Finding.number == finding_id)).first()


def events(*, session: Session, county: str, finding_id: int) -> list[FindingEvent]:
    return list(session.exec(select(FindingEvent).where(FindingEvent.county == county,
                                                        FindingEvent.number == finding_id)
                             .order_by(FindingEvent.id)))  # the order things happened in, whatever the clocks said


def apply(*, session: Session, finding: Finding, action: str, actor: str, note: str, now: datetime,
          photos: Sequence[str] = ()) -> Finding:
    """Move a finding one step (report, accept, return) and record the event; FindingError when not allowed."""
    step = rules.transition(finding.status, action)
    finding.status = step.status
    if action == "report":
        finding.report, finding.photos = note, list(photos)
        finding.reported_at, finding.rounds = now, finding.rounds + 1
    else:
        finding.review_note, finding.reviewed_by, finding.reviewed_at = note, actor, now
        finding.closed_at = now if action == "accept" else None
    session.add(finding)
    session.add(FindingEvent(county=finding.county, number=finding.number, action=action, actor=actor, note=note,
                             photos=list(photos), at=now))
    return finding


def mark_overdue(*, session: Session, county: str, today: date, now: datetime) -> int:
    """Store `overdue` on every open finding whose deadline passed before `today`, with an event; returns how many."""
    late = list(session.exec(select(Finding).where(Finding.county == county, Finding.status == FindingStatus.OPEN,
                                                   Finding.deadline < today)))
    for finding in late:
        finding.status, finding.overdue_since = FindingStatus.OVERDUE, today
        session.add(finding)
        session.add(FindingEvent(county=county, number=finding.number, action="overdue", actor=SYSTEM,
                                 note=f"整改期限{finding.deadline.isoformat()}已过，未提交整改报告", at=now))
    return len(late)
