"""The Alembic migrations build exactly the schema the tables describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from activity_day.models.db import get_engine
from activity_day.store.migrate import alembic_config, upgrade


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


def _mode_round_trip(url: str) -> None:
    """0004 stores inspection modes as codes (online/onsite/observer); its downgrade restores the labels."""
    upgrade(url, "0003")
    engine = create_engine(url)
    insert = text("INSERT INTO inspection_score (county, month, station_code, mode, scorer, score, items, problems,"
                     " category, suggestions, source_ref) VALUES ('1', '2026-12', :code, :mode, 's', 90, '{}', '', '',"
                     " '', '')")
    with engine.begin() as conn:
        for code, mode in (("001", "线上"), ("002", "线下"), ("003", "观察员")):
            conn.execute(insert, {"code": code, "mode": mode})
    upgrade(url)
    read = text("SELECT station_code, mode FROM inspection_score ORDER BY station_code")
    with engine.connect() as conn:
        assert conn.execute(read).all() == [("001", "online"), ("002", "onsite"), ("003", "observer")]
    command.downgrade(alembic_config(url), "0003")
    with engine.connect() as conn:
        assert conn.execute(read).all() == [("001", "线上"), ("002", "线下"), ("003", "观察员")]
    engine.dispose()


def test_inspection_mode_codes_on_sqlite(tmp_path: Path) -> None:
    _mode_round_trip(f"sqlite:///{tmp_path / 'm.db'}")


@pytest.mark.postgres
def test_inspection_mode_codes_on_postgres(postgres_url: str) -> None:
    import uuid

    import sqlalchemy as sa_

    name = f"ad_modes_{uuid.uuid4().hex[:8]}"
    admin = sa_.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa_.text(f'CREATE DATABASE "{name}"'))
    url = sa_.engine.make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        _mode_round_trip(url)
    finally:
        with admin.connect() as conn:
            conn.execute(sa_.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_township_table_is_dropped_and_refilled_on_downgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        for code, town in (("001", "王集镇"), ("002", "王集镇"), ("003", "裴圩镇")):
            conn.execute(text("INSERT INTO station (county, code, name, kind, township, leader, phone, active) "
                              "VALUES ('1', :c, 'x', '站', :t, '', '', 1)"), {"c": code, "t": town})
    assert "township" not in inspect(engine).get_table_names()
    command.downgrade(alembic_config(url), "0004")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, station_count FROM township ORDER BY name")).all()
    assert sorted(tuple(r) for r in rows) == [("王集镇", 2), ("裴圩镇", 1)]
    engine.dispose()


def test_photo_holders_start_with_each_photos_first_uploader(tmp_path: Path) -> None:
    """0017 records who holds a photo; the photos already kept are held by the station that uploaded them."""
    url = f"sqlite:///{tmp_path / 'h.db'}"
    upgrade(url, "0016")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO photo (county, sha256, size, media_type, station_code, store, location,"
                          " received_at) VALUES ('1', :sha, 10, 'image/jpeg', :code, 'file', 'x', '2026-12-05 01:00:00')"),
                     [{"sha": "a" * 64, "code": "001"}, {"sha": "b" * 64, "code": "002"}])
    upgrade(url)
    with engine.connect() as conn:
        held = conn.execute(text("SELECT sha256, station_code FROM photo_holder ORDER BY sha256")).all()
    assert held == [("a" * 64, "001"), ("b" * 64, "002")]
    command.downgrade(alembic_config(url), "0016")
    assert "photo_holder" not in inspect(engine).get_table_names()
    engine.dispose()
