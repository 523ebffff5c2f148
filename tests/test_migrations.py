"""The Alembic migrations build exactly the schema the tables describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from activity_day.store.migrate import alembic_config, upgrade
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


def assert_department_round_trip(url: str) -> None:
    """0003 drops the unread department table; its downgrade refills it from each county's profile."""
    upgrade(url)
    engine = get_engine(url)
    profile = json.dumps({"departments": ["理论科", "宣教科"]}, ensure_ascii=False)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO county (code, name, office_name, doc_prefix, profile) "
                          "VALUES ('990001', '测试县', '测试县文明办', '测文明办', :p)"), {"p": profile})
    try:
        assert "department" not in inspect(engine).get_table_names()
        command.downgrade(alembic_config(url), "0002")
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT county, name, seq FROM department ORDER BY seq")).all()
        assert [tuple(r) for r in rows] == [("990001", "理论科", 0), ("990001", "宣教科", 1)]
        upgrade(url)
        assert "department" not in inspect(engine).get_table_names()
    finally:
        upgrade(url)
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM county WHERE code = '990001'"))


def test_department_round_trip_on_sqlite(tmp_path: Path) -> None:
    assert_department_round_trip(f"sqlite:///{tmp_path / 'm.db'}")


@pytest.mark.postgres
def test_department_round_trip_on_postgres(postgres_url: str) -> None:
    assert_department_round_trip(postgres_url)
