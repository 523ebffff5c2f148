"""The register of document numbers: assigned once, kept on rerun, never reused, moved forward by the office."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from activity_day.context import carried
from activity_day.errors import OperatorError
from activity_day.store import numbers
from activity_day.store.database import ensure_schema, transaction

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def issue(month: str, document: str, *, issuer: str = "泗文明办", year: int = 2026, county: str = "321323"):
    return numbers.Issue(issuer=issuer, year=year, county=county, month=month, document=document)


def assign(*issues: numbers.Issue) -> list[str]:
    with transaction() as session:
        return [numbers.assign(session=session, issue=i, now=NOW) for i in issues]


def test_numbers_follow_on_and_a_rerun_keeps_its_number(settings) -> None:
    ensure_schema()
    assert assign(issue("2026-12", "plan"), issue("2026-12", "circular")) == ["泗文明办〔2026〕1号", "泗文明办〔2026〕2号"]
    assert assign(issue("2026-12", "plan")) == ["泗文明办〔2026〕1号"]  # the same document again
    assert assign(issue("2027-01", "plan")) == ["泗文明办〔2026〕3号"]
    # Another year and another issuer (a second county) have their own series.
    assert assign(issue("2027-02", "plan", year=2027), issue("2026-12", "plan", issuer="示1文明办", county="329001")) \
        == ["泗文明办〔2027〕1号", "示1文明办〔2026〕1号"]
    with transaction() as session:
        listed = [(r.year, r.number, r.month, r.document) for r in numbers.issued(session=session, issuer="泗文明办")]
        assert listed == [(2026, 1, "2026-12", "plan"), (2026, 2, "2026-12", "circular"),
                          (2026, 3, "2027-01", "plan"), (2027, 1, "2027-02", "plan")]
        assert numbers.issued(session=session, issuer="泗文明办", year=2026)[0].issued_at == NOW


def test_the_office_moves_the_next_number_forward_never_back(settings) -> None:
    ensure_schema()
    with transaction() as session:
        numbers.set_next(session=session, issuer="泗文明办", year=2026, next_number=41)
    assert assign(issue("2026-12", "plan"), issue("2026-12", "circular")) == ["泗文明办〔2026〕41号", "泗文明办〔2026〕42号"]
    with pytest.raises(OperatorError, match="泗文明办〔2026〕42号已经使用，下一个文号至少为 43"), transaction() as session:
        numbers.set_next(session=session, issuer="泗文明办", year=2026, next_number=42)
    with pytest.raises(OperatorError, match="正整数"), transaction() as session:
        numbers.set_next(session=session, issuer="泗文明办", year=2026, next_number=0)
    with transaction() as session:
        numbers.set_next(session=session, issuer="泗文明办", year=2026, next_number=50)  # documents issued elsewhere
        assert numbers.next_number(session=session, issuer="泗文明办", year=2026) == 50
    assert assign(issue("2027-01", "plan")) == ["泗文明办〔2026〕50号"]


def test_numbers_on_documents_issued_before_the_register_are_entered_into_it(tmp_path) -> None:
    from activity_day.models.db import get_engine
    from activity_day.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0005")
    with get_engine(url).begin() as conn:
        for month, number in (("2026-11", "泗文明办〔2026〕19号"), ("2026-12", "泗文明办〔2026〕21号")):
            conn.execute(text("INSERT INTO month_plan (county, month, version, status, activity_date, doc_number, "
                              "content, sha256) VALUES ('321323', :m, 2, 'official', '2026-12-05', :n, '{}', '')"),
                         dict(m=month, n=number))
        conn.execute(text("INSERT INTO circular (county, month, doc_number, scored_stations, draw_digest, summary) "
                          "VALUES ('321323', '2026-11', '泗文明办〔2026〕22号', 0, '', '{}')"))
    upgrade(url)
    with get_engine(url).connect() as conn:
        rows = conn.execute(text("SELECT month, document, number FROM issued_number ORDER BY number")).all()
        series = conn.execute(text("SELECT issuer, year, next_number FROM number_series")).all()
    assert [tuple(r) for r in rows] == [("2026-11", "plan", 19), ("2026-12", "plan", 21), ("2026-11", "circular", 22)]
    assert [tuple(s) for s in series] == [("泗文明办", 2026, 23)]


def test_the_same_document_issued_twice_at_once_gets_one_number(settings) -> None:
    import threading

    ensure_schema()
    results, errors = [], []
    start = threading.Barrier(2)

    def issue_it() -> None:
        start.wait()
        try:
            results.extend(assign(issue("2026-12", "plan")))
        except Exception as exc:  # noqa: BLE001  (the test reports it)
            errors.append(exc)

    threads = [threading.Thread(target=carried(issue_it)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and results == ["泗文明办〔2026〕1号", "泗文明办〔2026〕1号"]
    assert assign(issue("2026-12", "circular")) == ["泗文明办〔2026〕2号"]
