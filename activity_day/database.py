"""The application database as the settings name it: one transaction helper for tasks and commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from activity_day.settings import get_settings
from models import create_schema, get_engine


@contextmanager
def transaction() -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    engine = get_engine(get_settings().database_url)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def ensure_schema() -> None:
    create_schema(get_engine(get_settings().database_url))
