"""Reads and writes of the notice outbox. The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from activity_day.models import upsert
from activity_day.models.tables import Notice

KEY = ["county", "key", "channel"]


def add(*, session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert the notices not in the outbox yet (same county, key and channel: left as it is); returns how many
    were new."""
    if not rows:
        return 0
    county = rows[0]["county"]
    before = set(session.exec(select(Notice.key, Notice.channel).where(
        Notice.county == county, Notice.key.in_({r["key"] for r in rows}))).all())  # type: ignore[attr-defined]
    upsert(session, Notice, rows, KEY, update=False)
    return len({(r["key"], r["channel"]) for r in rows} - before)


def notices(*, session: Session, county: str, month: str | None = None, state: str | None = None,
            key: str | None = None, channel: str | None = None) -> list[Notice]:
    """The county's notices (of a month, in a state, with a key, through a channel), in the order they were
    written."""
    query = select(Notice).where(Notice.county == county)
    if channel:
        query = query.where(Notice.channel == channel)
    if month:
        query = query.where(Notice.month == month)
    if state:
        query = query.where(Notice.state == state)
    if key:
        query = query.where(Notice.key == key)
    return list(session.exec(query.order_by(Notice.id)))


def claim(*, session: Session, notice_id: int, attempts: int) -> bool:
    """Take the next attempt at a pending notice: false when another sender took it first (or it was sent)."""
    taken = session.connection().execute(
        update(Notice).where(Notice.id == notice_id, Notice.state == "pending", Notice.attempts == attempts)
        .values(attempts=attempts + 1))
    return taken.rowcount == 1


def record(*, session: Session, notice_id: int, delivered: bool, error: str, now: datetime,
           max_attempts: int) -> Notice | None:
    """The outcome of the attempt just claimed: sent, pending for another try, or failed after `max_attempts`."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        return None
    if delivered:
        notice.state, notice.sent_at, notice.last_error = "sent", now, ""
    else:
        notice.last_error = error[:2000]
        notice.state = "failed" if notice.attempts >= max_attempts else "pending"
    session.add(notice)
    return notice


def postpone(*, session: Session, notice_id: int, error: str) -> None:
    """A pending notice not tried this round (its channel did not answer): it keeps its attempts and says why."""
    session.connection().execute(update(Notice).where(Notice.id == notice_id, Notice.state == "pending")
                                 .values(last_error=error[:2000]))


def reset_failed(*, session: Session, county: str, month: str | None = None, key: str | None = None,
                 channel: str | None = None) -> int:
    """Put failed notices back to pending with a fresh count of attempts; returns how many."""
    failed = notices(session=session, county=county, month=month, state="failed", key=key, channel=channel)
    for notice in failed:
        notice.state, notice.attempts = "pending", 0
        session.add(notice)
    return len(failed)
