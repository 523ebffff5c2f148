"""The Alembic migrations build exactly the schema the tables describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from activity_day.store.migrate import upgrade
from models.db import get_engine


def assert_matches_tables(url: str) -> None:
    upgrade(url)
    upgrade(url)  # a second run is a no-op
    engine = get_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
    names = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= names and "alembic_version" in names


def test_migrations_on_sqlite(tmp_path: Path) -> None:
    assert_matches_tables(f"sqlite:///{tmp_path / 'm.db'}")


@pytest.mark.postgres
def test_migrations_on_postgres(postgres_url: str) -> None:
    assert_matches_tables(postgres_url)
