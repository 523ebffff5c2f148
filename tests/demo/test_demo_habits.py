"""A generated demo year read for believability (issue 26): a few activities per station on each activity day,
stations that keep their habits, overdue findings that level off at a few dozen, and every answer to a finding
recorded at a time it could have happened. The year comes from tests/demo/conftest.py (`demo_year`)."""

from __future__ import annotations

import re
import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import select

from activity_day.models import Finding, FindingEvent, PlannedActivity, StationPlan

pytestmark = pytest.mark.flow
MONTHS = [f"2027-{m:02d}" for m in range(1, 13)]


def circular(demo_year: Path, month: str) -> str:
    return (demo_year / "out" / month / "circular.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def records(demo_year: Path) -> dict:
    """The year's station plans, planned activities, findings and finding events, and the profile."""
    from activity_day.context import bound, current
    from activity_day.demo import workspace_settings
    from activity_day.store import crud
    from activity_day.store.database import transaction

    with bound(workspace_settings(demo_year, current().settings)), transaction(read_only=True) as session:
        [county] = crud.county_codes(session=session)
        frame = {model.__name__: pd.DataFrame([r.model_dump() for r in session.exec(select(model)).all()])
                 for model in (StationPlan, PlannedActivity, Finding, FindingEvent)}
        return frame | {"profile": crud.load_profile_of(session=session, county=county)}


def test_each_activity_day_has_a_few_activities_per_station(demo_year: Path) -> None:
    ratios = []
    for month in MONTHS:
        found = re.search(r"(\d+)\s*个报送了活动计划，共计划开展活动\s*(\d+)\s*场", circular(demo_year, month))
        assert found, month
        stations, activities = int(found.group(1)), int(found.group(2))
        assert 200 <= stations <= 248 and 2 <= activities / stations <= 5, month
        ratios.append(activities / stations)
    assert 2.5 <= statistics.mean(ratios) <= 3.6


def test_stations_keep_their_habits(records: dict) -> None:
    plans, activities = records["StationPlan"], records["PlannedActivity"]
    filed = plans.groupby("station_code")["month"].nunique()
    assert (filed >= 10).mean() > 0.75 and (filed <= 6).sum() >= 3  # most file every month, a few seldom
    late = plans.groupby("month")["late"].mean()
    assert late.between(0.005, 0.15).all()  # some plans arrive after the deadline, every month
    per = activities.groupby(["station_code", "month"]).size()
    steady = per.groupby(level=0).filter(lambda s: len(s) >= 6).groupby(level=0)
    assert steady.std(ddof=0).mean() < steady.mean().std(ddof=0)  # a station's own count, month after month


def test_overdue_findings_level_off_at_a_few_dozen(demo_year: Path) -> None:
    counts = []
    for month in MONTHS:
        found = re.search(r"(\d+)\s*条问题逾期未整改", circular(demo_year, month))
        counts.append(int(found.group(1)) if found else 0)
    assert counts[0] == 0 and 3 <= counts[-1] <= 45, counts
    assert max(counts) <= 50 and counts[-1] <= max(counts[3:9]) + 10, counts  # a plateau, not a pile


def test_answers_to_findings_come_after_the_notice_and_reviews_after_the_reports(records: dict) -> None:
    findings = records["Finding"].set_index("number")
    days = records["profile"].rectification.deadline_days
    events = records["FindingEvent"]
    steps = events[events["action"].isin(["report", "accept", "return"])].sort_values("id")
    assert {"report", "accept", "return"} <= set(steps["action"])

    def utc(at: datetime) -> datetime:
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)

    late = 0
    for number, mine in steps.groupby("number"):
        issued = datetime.combine(findings.loc[number, "deadline"] - timedelta(days=days), datetime.min.time(),
                                  tzinfo=UTC)
        times = [utc(t) for t in mine["at"]]
        assert times[0] > issued and mine["action"].iloc[0] == "report", number
        assert times == sorted(times), number
        # report, review, report, review…: every review follows a report
        assert list(mine["action"].iloc[::2]) == ["report"] * len(mine["action"].iloc[::2]), number
        late += times[0].date() > findings.loc[number, "deadline"]
    answered = steps.groupby("number").ngroups
    assert 0.1 < late / answered < 0.5  # most answer by the deadline, some late, and the late are accepted too
    accepted = findings[findings["status"] == "accepted"]
    assert len(accepted) > 0.6 * len(findings[findings["month"] < MONTHS[-1]])
