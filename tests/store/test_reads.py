"""Read-only transactions: on PostgreSQL they pay no BEGIN and COMMIT, a pooled connection is pinged only after it
idled, and a dead one is replaced before a page uses it; on both databases a read-only transaction cannot write."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from activity_day.context import install
from activity_day.models import County
from activity_day.models import db as models_db
from activity_day.models.db import get_engine
from activity_day.settings import Settings
from activity_day.store import crud
from activity_day.store.database import ensure_schema, transaction
from tests.conftest import DEMO_PROFILE, fresh_postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'reads.sqlite'}"
        previous = install(Settings(database_url=url, out=tmp_path / "out"))
        ensure_schema()
        yield url
        install(previous)
    else:
        yield request.getfixturevalue("postgres")


@pytest.fixture
def postgres(tmp_path: Path):
    with fresh_postgres_database(migrated=True) as url:
        previous = install(Settings(database_url=url, out=tmp_path / "out"))
        yield url
        install(previous)


def _a_county() -> None:
    from activity_day.services.counties import init_county

    init_county(DEMO_PROFILE)


def test_a_read_only_transaction_refuses_to_write(database: str) -> None:
    _a_county()
    with pytest.raises(RuntimeError, match="a write in a read-only transaction"), \
            transaction(read_only=True) as session:
        session.connection().execute(sa.update(County.__table__).values(name="改过的名字"))
    with transaction(read_only=True) as session:
        names = session.connection().execute(sa.select(County.__table__.c.name)).scalars().all()
    assert names and "改过的名字" not in names
    with transaction() as session:  # a writing transaction still writes
        session.connection().execute(sa.update(County.__table__).values(name="改过的名字"))
    with transaction(read_only=True) as session:
        assert session.connection().execute(sa.select(County.__table__.c.name)).scalars().all() == ["改过的名字"]


@pytest.mark.postgres
def test_postgres_reads_open_no_transaction_and_writes_do(postgres: str) -> None:
    _a_county()
    with transaction(read_only=True) as session:
        crud.county_codes(session=session)
        raw = session.connection().connection.dbapi_connection
        assert raw.info.transaction_status.name == "IDLE"  # each statement its own: no BEGIN, no COMMIT
    with transaction() as session:
        crud.county_codes(session=session)
        raw = session.connection().connection.dbapi_connection
        assert raw.info.transaction_status.name == "INTRANS"


@pytest.mark.postgres
def test_a_connection_that_idled_and_died_is_replaced_before_use(postgres: str, monkeypatch) -> None:
    engine = get_engine(postgres)
    with transaction(read_only=True) as session:
        first = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
    # The server drops the pooled connection (a restart, a timeout) while it waits in the pool.
    with sa.create_engine(postgres, isolation_level="AUTOCOMMIT").connect() as admin:
        assert admin.exec_driver_sql(f"SELECT pg_terminate_backend({first})").scalar() is True
    monkeypatch.setattr(models_db, "PING_IDLE_SECONDS", 0.0)  # it has idled long enough to be pinged
    with transaction(read_only=True) as session:
        second = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
    assert second != first
    assert engine.pool.checkedout() == 0


@pytest.mark.postgres
def test_a_connection_used_a_moment_ago_is_not_pinged(postgres: str, monkeypatch) -> None:
    engine = get_engine(postgres)
    pings: list[object] = []
    real = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pings.append(conn) or real(conn))
    for _ in range(3):
        with transaction(read_only=True) as session:
            session.connection().exec_driver_sql("SELECT 1")
    assert pings == []
    monkeypatch.setattr(models_db, "PING_IDLE_SECONDS", 0.0)
    with transaction(read_only=True) as session:
        session.connection().exec_driver_sql("SELECT 1")
    assert len(pings) == 1
