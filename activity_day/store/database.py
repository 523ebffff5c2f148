"""The application database the context names: one transaction helper for tasks and commands."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

try:
    import fcntl
except ImportError:  # not on Windows: the process's threads still take turns
    fcntl = None  # type: ignore[assignment]

from activity_day.context import current
from activity_day.models import get_engine
from activity_day.models.db import READ_ONLY

T = TypeVar("T")
SNAPSHOT = "activity_day.snapshot"  # session.info key: what a read-only transaction has read once


@contextmanager
def transaction(read_only: bool = False) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error.

    On SQLite a transaction takes the database's write lock when it begins, so that parallel county runs
    queue instead of failing (models.db); `read_only` transactions take none and never wait for a writer. Writers
    take their turn when the block starts (`writers_in_turn`). Render documents between a read-only transaction
    and a short write, not inside a write.
    """
    engine = current().engine
    if read_only:
        engine = _reader(engine)
    with nullcontext() if read_only else writers_in_turn(engine), \
            Session(engine, expire_on_commit=False) as session, session.begin():
        if read_only:
            session.info[SNAPSHOT] = {}
        yield session


@lru_cache(maxsize=16)
def _reader(engine: Engine) -> Engine:
    """The engine of read-only transactions. On SQLite a read transaction (a snapshot, no write lock, see
    models.db). On PostgreSQL in autocommit: each statement sees what was committed when it began, as it would
    in a READ COMMITTED transaction (PostgreSQL's default, the writers' level), without the BEGIN and COMMIT round
    trips that a page of several short reads would pay on top of them."""
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    return engine.execution_options(**options)


WRITER_WAIT_SECONDS = 60  # as long as SQLite's own wait for its write lock (models.db)
WRITER_POLL_SECONDS = 0.001  # between tries of another process's turn: short, unlike SQLite's back-off
log = logging.getLogger(__name__)


class _Turn:
    """One SQLite database's turn to write, for this process: a lock for its threads and, where the system has
    fcntl, a lock on a file beside the database (`<database>.writers`) for the processes, opened and closed with
    each turn (so no handle outlives it, and a process made by fork inherits none)."""

    def __init__(self, path: str | None) -> None:
        self.threads = threading.RLock()
        self.depth = threading.local()
        self.path = f"{path}.writers" if path and fcntl is not None else None

    def take(self, deadline: float) -> bool:
        if not self.threads.acquire(timeout=max(0.0, deadline - time.monotonic())):
            return False
        try:
            depth = getattr(self.depth, "n", 0)
            if depth == 0 and self.path is not None:
                self.depth.file = self._file_turn(deadline)
                if self.depth.file is False:
                    self.threads.release()
                    return False
            self.depth.n = depth + 1
            return True
        except BaseException:
            self.threads.release()
            raise

    def _file_turn(self, deadline: float):
        """The file's lock, held by an open file (None: this file system has no such locks; False: not before the
        deadline)."""
        try:
            file = open(self.path, "a+b")  # noqa: SIM115  (closed when the turn is given)
        except OSError as exc:
            return self._without_file(exc)
        try:
            while True:
                try:
                    fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return file
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        file.close()
                        return False
                    time.sleep(WRITER_POLL_SECONDS)
        except OSError as exc:  # ENOLCK, EOPNOTSUPP…: a file system without flock
            file.close()
            return self._without_file(exc)
        except BaseException:
            file.close()
            raise

    def _without_file(self, exc: OSError) -> None:
        log.warning("no writers' lock file at %s (%s): the processes' writers wait at SQLite's lock", self.path, exc)
        self.path = None  # from now on this process's threads take turns, and SQLite decides between processes
        return None

    def give(self) -> None:
        self.depth.n -= 1
        if self.depth.n == 0:
            file, self.depth.file = getattr(self.depth, "file", None), None
            if file:
                file.close()  # closing the file releases its lock
        self.threads.release()


_turns: dict[str, _Turn] = {}
_turns_made = threading.Lock()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_turns.clear)  # a lock held in the parent is not the child's


@contextmanager
def writers_in_turn(engine: Engine) -> Iterator[None]:
    """On SQLite, write transactions take turns before they ask for the database's write lock.

    SQLite lets a writer that finds the lock taken sleep and try again, longer each time (up to 100 ms a try), so
    among many waiting writers a newcomer often overtakes one that has waited for seconds: on the activity-day
    morning the slowest plan or score write waited 1 to 8 s. Here a process's threads take turns on a lock that
    hands over at once, and the processes (API workers, a province run's) on a lock on a file beside the
    database (`<database>.writers`), tried every millisecond; SQLite's lock then finds no one waiting. Neither
    lock serves strictly in order of arrival, but no waiter sleeps through a free turn. Reentrant, so a write
    opened inside another in the same thread behaves as it did without it. The turn is held from the start of the
    `with transaction()` block: do no slow work in a write block before its first statement either. Other
    databases queue writers themselves: nothing to do."""
    if engine.dialect.name != "sqlite":
        yield
        return
    database = engine.url.database
    path = os.path.realpath(database) if database and database != ":memory:" else None
    key = path or str(engine.url)  # one turn per file, however its URL spells it
    turn = _turns.get(key)
    if turn is None:
        with _turns_made:
            turn = _turns.setdefault(key, _Turn(path))
    if not turn.take(time.monotonic() + WRITER_WAIT_SECONDS):
        raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
    try:
        yield
    finally:
        turn.give()


def once_per_read(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per read-only transaction: a page that asks for the month's plan or the county's profile
    twice reads it once. A writing transaction computes every time (what it wrote must be read back)."""
    memo = session.info.get(SNAPSHOT)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def ensure_schema() -> None:
    """Bring the application schema up to date (Alembic migrations), once per database and process."""
    _migrated(current().database_url)


@lru_cache(maxsize=16)
def _migrated(url: str) -> None:
    from sqlalchemy import inspect

    from activity_day.store.dump import revision
    from activity_day.store.migrate import stamp, upgrade

    engine = get_engine(url)
    names = set(inspect(engine).get_table_names())
    if "county" in names and "alembic_version" not in names:
        stamp(url)  # a database made before migrations existed: it already has the first schema
    elif "alembic_version" in names:
        with engine.connect() as conn:
            if revision(conn) == _head():
                return  # up to date: no need to start Alembic (about 0.8 s a process and database)
    upgrade(url)


@lru_cache(maxsize=1)
def _head() -> str:
    from activity_day.store.migrate import head

    return head()


def schema_revision() -> str | None:
    """The application schema's revision in the database (None: no migration applied yet)."""
    from activity_day.store.dump import revision

    with current().engine.connect() as conn:
        return revision(conn)


def upgrade_schema() -> str | None:
    """Apply the migrations now (`activity-day migrate`, after an upgrade); the revision the database is at."""
    _migrated.cache_clear()
    ensure_schema()
    return schema_revision()
