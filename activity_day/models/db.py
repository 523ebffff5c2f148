"""Engine factory and the upsert used for every write."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, create_engine

from activity_day.models import tables  # noqa: F401  (registers the tables on SQLModel.metadata)

READ_ONLY = "activity_day_read_only"  # execution option: a transaction that will not write
# A pooled PostgreSQL connection idle longer than this is pinged before it is handed out (a restart of the server
# or a dropped link is then found before a request uses it); one in use within the last seconds is not, so that
# a busy morning does not pay a round trip per request for it.
PING_IDLE_SECONDS = 10.0


@lru_cache(maxsize=16)
def get_engine(url: str) -> Engine:
    """One engine per database URL for the life of the process."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # WAL lets the API read while an import writes
            dbapi_conn.isolation_level = None  # transactions begin where SQLAlchemy says, as below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _write_lock_first(conn):
            # Several processes write one file when a province runs its counties in parallel. A transaction
            # that read first and then writes fails at once ("database is locked") if another process wrote
            # in between; taking the write lock at BEGIN makes it wait its turn (up to the timeout) instead.
            # Read-only transactions (execution option READ_ONLY) read a snapshot and take no lock (WAL).
            # Straight to the driver: a statement of SQLAlchemy's own, without its execution machinery.
            conn.connection.driver_connection.execute(
                "BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

        return _reads_only_read(engine)
    # One pool per process. A pool keeps only the connections a process has needed at once: a province run's
    # worker keeps one or two; an API worker (`activity-day api --workers N`) serves up to 40 requests in threads
    # and keeps up to 10, so that a busy morning reuses connections instead of opening one per request. N workers
    # open at most N x 15 connections, within PostgreSQL's default max_connections (100) for N <= 6.
    engine = create_engine(url, pool_size=10, max_overflow=5)
    _ping_when_idle(engine)
    return _reads_only_read(engine)


def _reads_only_read(engine: Engine) -> Engine:
    """A transaction opened as read-only that tries to write is a mistake in the code, refused before the
    statement runs: on PostgreSQL such a transaction runs in autocommit (store.database), where its writes would
    not stand or fall together."""

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse_writes(conn, _cursor, statement, _params, context, _executemany):
        if context is not None and (context.isinsert or context.isupdate or context.isdelete) \
                and conn.get_execution_options().get(READ_ONLY):
            raise RuntimeError(f"a write in a read-only transaction: {statement[:80]}")

    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection at checkout only when it has been idle for PING_IDLE_SECONDS or more (what
    `pool_pre_ping` does for every checkout); a dead one is thrown away and another taken (the pool retries on
    DisconnectionError)."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn, record):
        record.info["idle_from"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn, record, _proxy):
        idle_from = record.info.get("idle_from")
        if idle_from is None or time.monotonic() - idle_from < PING_IDLE_SECONDS:
            return  # new, or in use a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as error:  # noqa: BLE001 (any failure of the ping means the connection is gone)
            raise exc.DisconnectionError(f"pooled connection failed its ping: {error}") from error
        if not alive:
            raise exc.DisconnectionError("pooled connection failed its ping")


def upsert(
    session: Session,
    model: type[SQLModel],
    rows: Sequence[Mapping[str, Any]],
    keys: Iterable[str],
    update: bool = True,
) -> int:
    """Insert rows, or update them in place where the natural key already exists (with update=False,
    leave existing rows as they are); returns len(rows)."""
    if not rows:
        return 0
    table = model.__table__  # type: ignore[attr-defined]
    keys = list(keys)
    dialect = session.get_bind().dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect)
    if insert is None:
        raise RuntimeError(f"unsupported database dialect {dialect!r}")
    columns = [c for c in rows[0] if c not in keys and c != "id"]
    stmt = insert(table)
    if columns and update:
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in columns})
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    # One compiled statement, executed for many rows: SQLAlchemy batches them ("insertmanyvalues").
    session.connection().execute(stmt, [dict(r) for r in rows])
    return len(rows)
