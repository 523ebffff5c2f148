"""On SQLite a process's writers take turns in the process before they ask for the database's write lock, so a
waiting writer is handed the turn at once instead of sleeping in SQLite's back-off; readers never wait."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from activity_day.models import get_engine
from activity_day.settings import Settings
from activity_day.store import database
from activity_day.store.database import transaction


def _begins(settings: Settings) -> tuple[list[int], tuple]:
    seen: list[int] = []
    listen = (get_engine(settings.database_url), "begin", lambda conn: seen.append(1))
    event.listen(*listen)
    return seen, listen


def test_a_second_writer_waits_in_the_process_and_a_reader_does_not(settings: Settings, county: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL queues writers itself")
    holding, done = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def first_writer() -> None:
        try:
            with transaction() as session:
                session.execute(text("SELECT 1"))  # a session begins at its first statement: BEGIN IMMEDIATE
                holding.set()
                done.wait(60)
        except BaseException as exc:  # shown by the assertion below
            failed.append(exc)
            holding.set()

    from activity_day.context import carried

    writer = threading.Thread(target=carried(first_writer))
    writer.start()
    assert holding.wait(90) and not failed, failed
    monkeypatch.setattr(database, "WRITER_WAIT_SECONDS", 0.2)
    seen, listen = _begins(settings)
    try:
        with pytest.raises(OperationalError, match="database is locked"), transaction():
            pass  # refused before its first statement: without the turn it would not even have asked SQLite
        began_by_writer = len(seen)
        with transaction(read_only=True) as session:  # a reader is not held up by the writer
            assert session.execute(text("SELECT count(*) FROM county")).scalar() == 1
    finally:
        event.remove(*listen)
        done.set()
        writer.join(30)
    assert began_by_writer == 0  # the refused writer waited in the process: it never began at SQLite
    assert len(seen) == 1  # the reader's transaction

    with transaction() as session:  # and the turn is handed on once the first writer is done
        session.execute(text("SELECT 1"))


def test_writes_from_many_threads_all_land(settings: Settings, county: str) -> None:
    from sqlmodel import select

    from activity_day.context import carried
    from activity_day.models import County

    def rename(i: int) -> None:
        with transaction() as session:
            row = session.exec(select(County).where(County.code == county)).one()
            row.office_name = f"{row.office_name.split('#')[0]}#{i}"
            session.add(row)

    threads = [threading.Thread(target=carried(rename), args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with transaction(read_only=True) as session:
        name = session.exec(select(County.office_name).where(County.code == county)).one()
    assert name.split("#")[1] in {str(i) for i in range(12)}
    assert not any(t.is_alive() for t in threads)


def test_another_process_s_turn_is_waited_for_at_the_file(settings: Settings, county: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process's writer holds the lock on the file beside the database (a second open file stands in for
    it: such locks belong to the open file, not the process): a writer here waits for it, not at SQLite."""
    fcntl = pytest.importorskip("fcntl")
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL queues writers itself")
    path = get_engine(settings.database_url).url.database
    monkeypatch.setattr(database, "WRITER_WAIT_SECONDS", 0.2)
    seen, listen = _begins(settings)
    with open(f"{path}.writers", "a+b") as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        try:
            with pytest.raises(OperationalError, match="database is locked"), transaction():
                pass
        finally:
            fcntl.flock(other, fcntl.LOCK_UN)
    try:
        assert seen == []  # it never began at SQLite
        monkeypatch.setattr(database, "WRITER_WAIT_SECONDS", 5)
        with transaction() as session:  # the other's turn over, this one writes
            session.execute(text("SELECT 1"))
        assert len(seen) == 1
    finally:
        event.remove(*listen)


def test_without_a_lock_file_the_threads_still_take_turns(settings: Settings, county: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder where the lock file cannot be made (a file system without such locks answers alike): writes go on,
    the process's threads taking turns, SQLite deciding between processes."""
    turn = database._Turn("/nonexistent-folder/activity_day.db")
    assert turn.take(time.monotonic() + 1) and turn.path is None  # told once, in the log
    turn.give()
    assert turn.take(time.monotonic() + 1)
    turn.give()
    assert turn.threads.acquire(blocking=False)  # given back every time
    turn.threads.release()
