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

ISSUED, COMPILING = "issued", "compiling"


def advisory_xact_lock(session: Session, *parts: str, shared: bool = False) -> None:
    """PostgreSQL: hold, until the caller's transaction ends, an advisory lock on the key the parts make (shared
    locks do not wait for each other, an exclusive one waits for all). SQLite: nothing to do, a write transaction
    holds the database's lock from its BEGIN (models.db)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    session.execute(text(f"SELECT pg_advisory_xact_lock{'_shared' if shared else ''}(:key)"),
                    {"key": int.from_bytes(digest[:8], "big", signed=True)})


def begin_closing(session: Session, county: str, month: str) -> None:
    """The circular's read: wait for the writes in flight, and keep new ones out until this transaction ends (it
    then holds the circular's number, and they find the month closed)."""
    advisory_xact_lock(session, "close", county, month)


def state(session: Session, county: str, month: str) -> str | None:
    """Whether the month's scores and ratings are closed, and why (a write checks this first, and then may write
    until its transaction ends): ISSUED, its circular is issued; COMPILING, it is being compiled, or a compile was
    killed before it issued (the circular's number is taken; a rerun of the step issues it); None, open."""
    advisory_xact_lock(session, "close", county, month, shared=True)
    if session.exec(select(func.count()).select_from(Circular).where(
            Circular.county == county, Circular.month == month)).one():
        return ISSUED
    taken = session.exec(select(func.count()).select_from(IssuedNumber).where(
        IssuedNumber.county == county, IssuedNumber.month == month, IssuedNumber.document == "circular")).one()
    return COMPILING if taken else None
