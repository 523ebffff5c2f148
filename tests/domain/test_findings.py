"""Findings from a month's scores, their states and the notices: pure rules."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from activity_day.domain import findings
from activity_day.domain.findings import FindingError
from activity_day.models.enums import FindingStatus

STATIONS = pd.DataFrame([{"code": "001", "name": "甲站", "township": "A镇", "leader": "张", "phone": "1"},
                         {"code": "002", "name": "乙站", "township": "B镇", "leader": "李", "phone": "2"}])
DEADLINE = date(2027, 1, 20)


def scores(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"station_code": c, "mode": m, "problems": p, "category": k} for c, m, p, k in rows])


def test_each_problem_and_each_low_score_is_a_finding_once() -> None:
    frame = scores(("001", "online", "活动记录不完整", ""), ("001", "observer", "活动记录不完整", ""),
                   ("001", "onsite", "活动记录不完整", ""), ("002", "onsite", "  ", ""), ("002", "onsite", "群众少", "群众参与"))
    results = pd.DataFrame({"station_code": ["001", "002"], "final": [65.5, 80.0]})
    rows = findings.finding_rows(frame, results, STATIONS, threshold=70, deadline=DEADLINE)
    assert [(r["station_code"], r["source"], r["text"]) for r in rows] == [
        ("001", "低分", "综合得分65.5分，低于整改线70分"), ("001", "线上", "活动记录不完整"),
        ("001", "线下", "活动记录不完整"), ("001", "观察员", "活动记录不完整"), ("002", "线下", "群众少")]
    assert rows[-1]["category"] == "群众参与" and rows[-1]["township"] == "B镇"
    assert all(r["deadline"] == DEADLINE for r in rows)
    again = findings.finding_rows(frame, results, STATIONS, threshold=70, deadline=DEADLINE)
    assert [r["digest"] for r in again] == [r["digest"] for r in rows]


@pytest.mark.parametrize(("status", "action", "after"), [
    ("open", "report", "answered"), ("overdue", "report", "answered"), ("answered", "report", "answered"),
    ("answered", "accept", "accepted"), ("answered", "return", "open")])
def test_allowed_steps(status: str, action: str, after: str) -> None:
    assert findings.transition(status, action).status == FindingStatus(after)


@pytest.mark.parametrize(("status", "action", "says"), [
    ("open", "accept", "尚无待审核的整改报告"), ("overdue", "return", "已逾期"), ("accepted", "report", "已销号"),
    ("accepted", "accept", "已销号")])
def test_refused_steps_say_why(status: str, action: str, says: str) -> None:
    with pytest.raises(FindingError, match=says):
        findings.transition(status, action)


def test_overdue_is_open_past_the_deadline_and_counts_notices_per_station() -> None:
    assert findings.effective_status("open", DEADLINE, DEADLINE) == FindingStatus.OPEN  # the deadline day is allowed
    assert findings.effective_status("open", DEADLINE, date(2027, 1, 21)) == FindingStatus.OVERDUE
    assert findings.effective_status("answered", DEADLINE, date(2027, 3, 1)) == FindingStatus.ANSWERED
    frame = pd.DataFrame([
        {"month": "2026-12", "station_code": "001", "status": "open", "deadline": DEADLINE},
        {"month": "2026-12", "station_code": "001", "status": "overdue", "deadline": DEADLINE},
        {"month": "2027-01", "station_code": "001", "status": "open", "deadline": date(2027, 2, 20)},
        {"month": "2026-12", "station_code": "002", "status": "accepted", "deadline": DEADLINE},
    ])
    assert findings.overdue_by_station(frame, date(2027, 2, 1)) == {"001": 1}
    assert findings.overdue_by_station(frame, date(2027, 3, 1)) == {"001": 2}
    assert findings.counts(frame, date(2027, 2, 1)) == {"open": 1, "answered": 0, "accepted": 1, "overdue": 2}
