"""Reads and writes of rectification findings (整改) and their history. The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, func, update
from sqlmodel import Session, select

from activity_day.domain import findings as rules
from activity_day.domain.findings import FINDING_COLUMNS
from activity_day.models import Finding, FindingEvent, upsert
from activity_day.models.enums import FindingStatus
from activity_day.store.crud import _frame

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


_NO_FINDINGS = pd.DataFrame(columns=FINDING_COLUMNS)
# Built once (building a statement cost more than running it on SQLite): whether a station has any finding.
_ANY_OF_STATION = select(Finding.id).where(Finding.county == bindparam("county"),
                                           Finding.station_code == bindparam("station")).limit(1)


def station_has_findings(*, session: Session, county: str, station: str) -> bool:
    """Whether the station has any finding at all (most stations' pages have none: no frame to build)."""
    return session.connection().execute(_ANY_OF_STATION, {"county": county, "station": station}).first() is not None


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
    if session.exec(select(Finding.id).where(*where).limit(1)).first() is None:
        return _NO_FINDINGS.copy()  # most stations' pages: no finding, no frame to build
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


def apply(*, session: Session, finding: Finding, step: rules.FindingStep) -> Finding:
    """Move a finding one step (report, accept, return) and record the event; FindingError when not allowed.

    The step is conditional on the state read (status and report round): when another transaction moved the
    finding in between, nothing is written and FindingChanged says what it is now. On PostgreSQL the UPDATE waits
    for the other one and then finds no row in the state read; on SQLite writers queue at BEGIN.
    """
    action, actor, note, now, photos = step.action, step.actor, step.note, step.at, step.photos
    read = FindingStatus(finding.status)
    moved = rules.transition(read, action)
    if action == "report":
        values: dict[str, Any] = dict(report=note, photos=list(photos), reported_at=now, rounds=finding.rounds + 1)
    else:
        values = dict(review_note=note, reviewed_by=actor, reviewed_at=now,
                      closed_at=now if action == "accept" else None)
    done = session.execute(update(Finding).where(Finding.id == finding.id, Finding.status == read,
                                                 Finding.rounds == finding.rounds)
                           .values(status=moved.status, **values).execution_options(synchronize_session=False))
    session.refresh(finding)  # what is stored now: ours, or what the other transaction left
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise rules.FindingChanged(rules.changed_message(action, FindingStatus(finding.status)))
    session.add(FindingEvent(county=finding.county, number=finding.number, action=action, actor=actor, note=note,
                             photos=list(photos), at=now))
    return finding


def mark_overdue(*, session: Session, county: str, today: date, now: datetime) -> int:
    """Store `overdue` on every open finding whose deadline passed before `today`, with an event; returns how many.
    Each is conditional on still being open, so a report arriving meanwhile is never overwritten."""
    late = list(session.exec(select(Finding).where(Finding.county == county, Finding.status == FindingStatus.OPEN,
                                                   Finding.deadline < today)))
    marked = 0
    for finding in late:
        done = session.execute(update(Finding).where(Finding.id == finding.id, Finding.status == FindingStatus.OPEN)
                               .values(status=FindingStatus.OVERDUE, overdue_since=today)
                               .execution_options(synchronize_session=False))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            continue
        session.add(FindingEvent(county=county, number=finding.number, action="overdue", actor=SYSTEM,
                                 note=f"整改期限{finding.deadline.isoformat()}已过，未提交整改报告", at=now))
        marked += 1
    return marked
