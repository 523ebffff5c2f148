"""A read that joins the caller's transaction when it has one (a page read in one transaction), else opens its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from activity_day.store.database import transaction


@contextmanager
def reading(session: Session | None) -> Iterator[Session]:
    """`session` itself, or a read-only transaction of its own when there is none."""
    if session is not None:
        yield session
        return
    with transaction(read_only=True) as own:
        yield own
