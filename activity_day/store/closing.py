"""When a month's scores and ratings close: from the moment the circular reads them, not only once it is stored.

The circular's first transaction reads the month's scores and ratings and takes the circular's number from the
register (`issued_number`, document "circular"); a score or a rating written after that read would be missing
from the issued circular, so the month counts as closed from then on. The read and the writes meet on one lock:
PostgreSQL, a transaction-level advisory lock on the county's month, exclusive for the circular's read and shared
for each write (writes do not wait for each other); SQLite, nothing to do, a write transaction holds the
database's lock from its BEGIN (models.db). Like crud, nothing here commits: the caller owns the transaction.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlmodel import Session, func, select

from activity_day.models import Circular, IssuedNumber


def _hold(session: Session, county: str, month: str, *, shared: bool) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"close|{county}|{month}".encode()).digest()
    session.execute(text(f"SELECT pg_advisory_xact_lock{'_shared' if shared else ''}(:key)"),
                    {"key": int.from_bytes(digest[:8], "big", signed=True)})


def begin_closing(session: Session, county: str, month: str) -> None:
    """The circular's read: wait for the writes in flight, and keep new ones out until this transaction ends (it
    then holds the circular's number, and they find the month closed)."""
    _hold(session, county, month, shared=False)


def closed(session: Session, county: str, month: str) -> bool:
    """Whether the month's scores and ratings are closed (a write checks this first, and then may write until its
    transaction ends): its circular is issued, or being compiled (the circular's number is taken)."""
    _hold(session, county, month, shared=True)
    if session.exec(select(func.count()).select_from(Circular).where(
            Circular.county == county, Circular.month == month)).one():
        return True
    return bool(session.exec(select(func.count()).select_from(IssuedNumber).where(
        IssuedNumber.county == county, IssuedNumber.month == month, IssuedNumber.document == "circular")).one())
