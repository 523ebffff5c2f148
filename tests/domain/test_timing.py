"""Time as a rule, on literal moments: what cannot have happened yet, or can no longer happen."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from activity_day.domain import timing
from activity_day.domain.months import TZ
from activity_day.domain.profile import EvidenceRules

DAY = date(2027, 2, 5)


def beijing(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in February 2027 given in Beijing time, as UTC (what the API's clock hands over)."""
    return datetime(2027, 2, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def test_a_lecture_is_rated_from_its_day_on() -> None:
    assert timing.rating_refusal(DAY, datetime(2026, 12, 6, 2, tzinfo=UTC)) == \
        "这场宣讲定于2027年2月5日，尚未开讲；宣讲当天及以后才能评价"
    assert timing.rating_refusal(DAY, beijing(4, 23, 59)) is not None
    assert timing.rating_refusal(DAY, beijing(5, 0, 1)) is None  # 00:01 in Beijing is the day, 16:01 UTC the day before
    assert timing.rating_refusal(DAY, beijing(20, 9)) is None


@pytest.mark.parametrize(("days_before", "last_ok", "first_refused"), [(1, 4, 5), (0, 5, 6), (3, 2, 3)])
def test_a_speaker_answers_until_the_profiles_day(days_before: int, last_ok: int, first_refused: int) -> None:
    assert timing.answer_refusal(DAY, beijing(last_ok, 23, 59), days_before) is None
    refused = timing.answer_refusal(DAY, beijing(first_refused, 8), days_before)
    assert refused is not None and "2027年2月5日" in refused and "接单或谢绝" in refused
    assert ("宣讲当天" in refused) == (days_before == 0)


RULES = EvidenceRules()  # 120 minutes before the start, 24 hours after it
START = datetime(2027, 2, 5, 9, 0)  # local wall time


@pytest.mark.parametrize(("taken", "received", "says"), [
    (datetime(2027, 2, 5, 8, 55), beijing(5, 8, 56), None),
    (datetime(2027, 2, 5, 7, 0), beijing(5, 7, 0), None),  # the window's first minute
    (datetime(2027, 2, 5, 8, 55), beijing(6, 8, 59), None),  # sent from a phone that was offline: in time
    (datetime(2027, 2, 5, 8, 55), datetime(2026, 12, 6, 2, tzinfo=UTC), "活动尚未开始，不能签到"),
    (datetime(2027, 2, 5, 6, 59), beijing(5, 6, 59), "最早可在2027年2月5日 7:00"),
    (datetime(2027, 2, 5, 8, 55), beijing(6, 9, 1), "已过签到时限"),
    (datetime(2026, 12, 6, 10, 0), beijing(5, 9, 30), "签到时间2026年12月6日 10:00不在活动的时间范围内"),
])
def test_a_check_in_is_taken_only_in_its_window(taken: datetime, received: datetime, says: str | None) -> None:
    refused = timing.evidence_refusal("签到", 1, START, taken, received, RULES)
    assert (refused is None) == (says is None), refused
    if says is not None:
        assert refused is not None and says in refused and "第1项活动定于2027年2月5日 9:00开始" in refused


def test_the_window_taken_never_refuses_a_check_in_judged_on_time() -> None:
    with pytest.raises(ValueError, match="accept_from_minutes"):
        EvidenceRules(early_minutes=90, accept_from_minutes=60)
    with pytest.raises(ValueError, match="accept_until_hours"):
        EvidenceRules(planned_minutes=180, accept_until_hours=2)


def test_scores_and_ratings_close_with_the_circular() -> None:
    assert timing.closed_message("2027-02") == "2027年2月的通报已汇编，评分不能再修改；如需更正请联系县文明办"
    assert "宣讲评价不能再修改" in timing.closed_message("2027-02", "宣讲评价")


def test_an_event_a_document_dates_is_never_recorded_before_that_day() -> None:
    now = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
    # run ahead of the circular's day (a rehearsal, the demo's months): the start of that day, in Shanghai
    ahead = timing.recorded_at(now, date(2027, 3, 10))
    assert ahead == datetime(2027, 3, 10, tzinfo=TZ) and ahead.tzinfo == UTC
    assert ahead.isoformat() == "2027-03-09T16:00:00+00:00"
    # on the day or after it: the moment itself
    assert timing.recorded_at(now, date(2026, 12, 6)) == now
    assert timing.recorded_at(now, date(2026, 11, 30)) == now
    # early on the day in Shanghai (still the day before in UTC) is already that day
    assert timing.recorded_at(datetime(2026, 12, 5, 17, 0, tzinfo=UTC), date(2026, 12, 6)) == datetime(
        2026, 12, 5, 17, 0, tzinfo=UTC)
