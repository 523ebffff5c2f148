"""Review decisions are conditional on the state read: two operators accepting one 整改报告 at the same moment leave
exactly one accept event, and the other is told what the finding is now. On PostgreSQL the race is forced: a third
connection holds the finding's row while both reviewers read it, so both read 待审核 and both try to write."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from activity_day.context import bound, carried, current
from activity_day.models import FindingEvent
from activity_day.models.db import get_engine
from activity_day.services import findings
from activity_day.settings import Settings
from activity_day.store.database import transaction
from tests.services.test_reports_import import raise_findings

NOW = datetime(2026, 12, 16, 2, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path: Path):
    """Both databases: a temp SQLite file, and a fresh PostgreSQL database where configured."""
    from tests.conftest import fresh_postgres_database

    if request.param == "sqlite":
        with bound(Settings(database_url=f"sqlite:///{tmp_path / 'var' / 'test.db'}",
                                        out=tmp_path / "out")) as chosen:
            yield chosen.settings
        return
    with fresh_postgres_database(migrated=True) as url, bound(Settings(database_url=url, out=tmp_path / "out")) as chosen:
        yield chosen.settings


def accept_events(number: int) -> list[FindingEvent]:
    with transaction() as session:
        return list(session.exec(select(FindingEvent).where(FindingEvent.number == number,
                                                            FindingEvent.action == "accept")))


def race(actions: list[tuple[str, str]], number: int, county: str, *, hold_row: bool) -> list[object]:
    """Run each (action, reviewer) in its own thread at once; returns each one's result or exception. With
    `hold_row` (PostgreSQL) the finding's row is locked by another connection until every reviewer has read it and
    waits on the lock, so their reads certainly come before either write."""
    results: list[object] = [None] * len(actions)
    start = threading.Barrier(len(actions) + 1)

    def run(i: int, action: str, reviewer: str) -> None:  # in the test's context (carried)
        start.wait()
        try:
            results[i] = findings.review(county, number, findings.FindingStep(action, reviewer, "", NOW))
        except Exception as exc:  # noqa: BLE001 - the test reads what each reviewer got
            results[i] = exc

    threads = [threading.Thread(target=carried(run), args=(i, a, r)) for i, (a, r) in enumerate(actions)]
    engine = get_engine(current().settings.database_url)
    with engine.connect() as holder:
        if hold_row:
            holder.execute(sa.text("BEGIN"))
            holder.execute(sa.text("SELECT id FROM finding WHERE number = :n FOR UPDATE"), {"n": number})
        for t in threads:
            t.start()
        start.wait()
        if hold_row:
            deadline = time.monotonic() + 30
            with engine.connect() as watch:
                while time.monotonic() < deadline:
                    waiting = watch.execute(sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock'")).scalar()
                    watch.commit()  # pg_stat_activity is a snapshot per transaction
                    if waiting == len(actions):
                        break
                    time.sleep(0.05)
                assert waiting == len(actions), ("the reviewers never both waited on the finding's row", results)
            holder.execute(sa.text("COMMIT"))
        for t in threads:
            t.join(60)
    return results


def test_two_simultaneous_accepts_leave_one_accept(settings, registry, county) -> None:
    first, second, _ = raise_findings(county)
    for number in (first, second):
        findings.report(county, "001" if number == first else "002", number, findings.StationReport("已整改", [], at=NOW, actor="所站"))
    postgres = settings.database_url.startswith("postgresql")

    results = race([("accept", "张三"), ("accept", "李四")], first, county, hold_row=postgres)
    won = [r for r in results if isinstance(r, dict)]
    lost = [r for r in results if isinstance(r, findings.ReviewRefused)]
    assert len(won) == 1 and len(lost) == 1, results
    # PostgreSQL: both read 待审核, the second write finds the row changed; SQLite queues writers at BEGIN, so the
    # second reads 已销号. Either way the loser is told.
    assert lost[0].status == 409 and "已销号" in lost[0].message
    if postgres:
        assert "已被他人处理" in lost[0].message
    assert len(accept_events(first)) == 1
    assert findings.show(county, first)["status"] == "accepted"

    # An accept and a return at once: one of them, never both.
    results = race([("accept", "张三"), ("return", "李四")], second, county, hold_row=postgres)
    assert sum(isinstance(r, dict) for r in results) == 1, results
    shown = findings.show(county, second)
    actions = [e["action"] for e in shown["events"]]
    assert actions.count("accept") + actions.count("return") == 1
    assert shown["status"] == ("accepted" if "accept" in actions else "open")


def test_a_report_replaced_since_it_was_read_is_not_decided_unseen(settings, registry, county) -> None:
    first, *_ = raise_findings(county)
    shown = findings.report(county, "001", first, findings.StationReport("已整改", [], at=NOW, actor="所站001"))
    findings.report(county, "001", first, findings.StationReport("已整改，补充了签到表", [], at=NOW, actor="所站001"))
    with pytest.raises(findings.ReviewRefused, match="所站已更新整改报告（第2次），请重新审核"):
        findings.review(county, first, findings.FindingStep("accept", "张三", "", NOW), seen_round=shown["rounds"])
    assert findings.show(county, first)["status"] == "answered"
    accept = findings.FindingStep("accept", "张三", "", NOW)
    assert findings.review(county, first, accept, seen_round=2)["status"] == "accepted"
