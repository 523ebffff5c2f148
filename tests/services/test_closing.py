"""Scores and ratings close when the circular reads them, not only once it is stored: a write that arrives while
the circular is being compiled would otherwise be answered 200 and be missing from the issued circular. On
PostgreSQL the race is forced: a connection holds the circular's read (its lock and its number) while a score is
written, which must wait, and is then refused."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from activity_day.context import carried, current
from activity_day.domain.lectures import LectureRef
from activity_day.models import Circular
from activity_day.models.db import get_engine
from activity_day.services import lecture_ratings, scoring
from activity_day.services.circular import _given_back_unless_issued
from activity_day.store import closing, numbers
from activity_day.store.database import transaction
from tests.services.test_findings_state import settings  # noqa: F401 - both databases

MONTH = "2026-12"
NOW = datetime(2026, 12, 16, 2, tzinfo=UTC)


def issue_of(county: str) -> numbers.Issue:
    return numbers.Issue(issuer="泗文明办", year=2026, county=county, month=MONTH, document="circular")


def take_number(session, county: str) -> str:
    """What the circular's first transaction does after its read: take the circular's number."""
    return numbers.assign(session=session, now=NOW, issue=issue_of(county))


def test_the_month_closes_when_the_circular_takes_its_number(settings, county) -> None:  # noqa: F811
    with transaction() as session:
        assert closing.state(session, county, MONTH) is None
        scoring.ensure_open(session, county, MONTH)  # open: nothing raised
    with transaction() as session:
        closing.begin_closing(session, county, MONTH)
        take_number(session, county)
    with transaction() as session, pytest.raises(scoring.ScoresClosed, match="通报正在汇编，评分已截止"):
        scoring.ensure_open(session, county, MONTH)
    with pytest.raises(lecture_ratings.RatingRefused) as refused:  # ratings close with the scores, before any lookup
        lecture_ratings.rate_lecture(LectureRef(county, MONTH, "001", "M01"), "所站001", 5, "", now=NOW)
    assert refused.value.status == 409 and "通报正在汇编，宣讲评价已截止" in str(refused.value)
    with transaction() as session:  # issued: the message says so
        session.add(Circular(county=county, month=MONTH, doc_number="泗文明办〔2026〕1号", summary={}))
    with transaction() as session, pytest.raises(scoring.ScoresClosed, match="通报已汇编"):
        scoring.ensure_open(session, county, MONTH)
    with transaction() as session:
        assert closing.state(session, county, "2027-01") is None  # another month stays open


def test_a_score_written_during_the_circulars_read_waits_and_is_refused(settings, county) -> None:  # noqa: F811
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite queues every write transaction at BEGIN: the race cannot happen there")
    got: list[object] = []

    def write() -> None:  # a phone's score, in its own transaction (the test's context, carried)
        try:
            with transaction() as session:
                scoring.ensure_open(session, county, MONTH)
            got.append("open")
        except scoring.ScoresClosed as exc:
            got.append(exc)

    engine = get_engine(current().settings.database_url)
    writer = threading.Thread(target=carried(write))
    with transaction() as session:  # the circular's read, held open
        closing.begin_closing(session, county, MONTH)
        take_number(session, county)
        writer.start()
        deadline, waiting = time.monotonic() + 30, 0
        with engine.connect() as watch:
            while time.monotonic() < deadline and not waiting:
                waiting = watch.execute(sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")).scalar()
                watch.commit()
                time.sleep(0.05)
        assert waiting == 1 and got == [], "the score did not wait for the circular's read"
    writer.join(30)
    assert len(got) == 1 and isinstance(got[0], scoring.ScoresClosed), got


def test_a_compile_that_fails_gives_its_number_back_and_opens_the_month(settings, county) -> None:  # noqa: F811
    with transaction() as session:
        first = take_number(session, county)
    with pytest.raises(RuntimeError, match="rendering failed"), _given_back_unless_issued(issue_of(county)):
        raise RuntimeError("rendering failed")
    with transaction() as session:
        assert closing.state(session, county, MONTH) is None  # scores are taken again
        assert take_number(session, county) == first  # the rerun takes the same number: no gap in the register
    # once the circular is issued, a failing rerun gives nothing back
    with transaction() as session:
        session.add(Circular(county=county, month=MONTH, doc_number=first, summary={}))
    with pytest.raises(RuntimeError), _given_back_unless_issued(issue_of(county)):
        raise RuntimeError("a rerun failed")
    with transaction() as session:
        assert closing.state(session, county, MONTH) == closing.ISSUED
        assert take_number(session, county) == first
