"""The demo county's generated inputs tell a believable story (issue 26: a believable demo year).

The generators are tested on their own here, month after month where habits matter; tests/demo/test_demo_habits.py
reads one generated year.
"""

from __future__ import annotations

import random
import statistics
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from activity_day.demo import (
    answer_rounds,
    comment_catalog,
    department_comments,
    filing_stations,
    inspection_scores,
    on_day_evidence,
    station_habits,
    station_plans,
    station_registry,
)
from activity_day.domain.planning import draft_month, foreign_festival_codes
from activity_day.domain.profile import load_profile
from activity_day.domain.review import check_proposed_codes
from activity_day.intake import H
from tests.conftest import DEMO_PROFILE

PROFILE = load_profile(DEMO_PROFILE)
YEAR = [f"2027-{m:02d}" for m in range(1, 13)]


@pytest.fixture(scope="module")
def county() -> tuple[pd.DataFrame, dict]:
    """The demo's 248 stations and their habits."""
    rng = random.Random("demo habits")
    registry = station_registry(rng)
    return registry, station_habits(rng, registry)


def test_most_stations_plan_every_required_action() -> None:
    rng = random.Random("demo data")
    registry = station_registry(rng)
    checklist = pd.DataFrame({"code": ["R1", "R2", "R3", "O1", "O2"], "task": ["学习实践科学理论"] * 5,
                              "required": [True, True, True, False, False]})
    plans = station_plans(rng, registry, datetime(2026, 12, 5), checklist)
    covered = plans.groupby(H.STATION_CODE)[H.CHECKLIST_CODE].agg(lambda c: {"R1", "R2", "R3"} <= set(c))
    assert len(plans[H.STATION_CODE].unique()) > 0.85 * len(registry)  # about 7% submit nothing
    assert 0.75 < covered.mean() < 0.97  # a realistic minority leave a required action out


def test_the_required_actions_are_the_practice_class_and_a_volunteer_service() -> None:
    """Two 规定动作 a month, whatever the month: a station's day is the class and one to three activities."""
    assert {m: draft_month(PROFILE, m).plan.required_codes for m in ("2027-01", "2027-06")} == {
        "2027-01": ["LL-01", "JZ-02"], "2027-06": ["LL-01", "JZ-02"]}


def test_the_day_has_a_few_activities_per_station(county) -> None:
    registry, habits = county
    rng = random.Random("demo day")
    checklist = draft_month(PROFILE, "2027-06").checklist
    plans = station_plans(rng, filing_stations(rng, registry, habits), datetime(2027, 6, 5), checklist, habits)
    per_station = plans.groupby(H.STATION_CODE).size()
    assert per_station.between(2, 5).all()
    assert 2.5 <= per_station.mean() <= 3.6
    assert 600 <= len(plans) <= 900  # the county's day, not 2,500 activities
    # the practice class opens the day; a minority leave one required action out
    first = plans.groupby(H.STATION_CODE).first()
    assert (first[H.CHECKLIST_CODE] == "LL-01").mean() > 0.9
    covered = plans.groupby(H.STATION_CODE)[H.CHECKLIST_CODE].agg(lambda c: {"LL-01", "JZ-02"} <= set(c))
    assert 0.85 < covered.mean() < 0.99
    # named after the checklist item, at distinct times
    assert (plans[H.ACTIVITY_NAME] == "“文明实践课堂”集中学习").sum() >= 0.9 * len(per_station)
    assert not plans.duplicated([H.STATION_CODE, H.START_TIME]).any()


def test_stations_keep_their_habits_month_after_month(county) -> None:
    registry, habits = county
    rng = random.Random("demo year")
    counts: dict[str, list[int]] = {}
    for month in YEAR:
        checklist = draft_month(PROFILE, month).checklist
        plans = station_plans(rng, filing_stations(rng, registry, habits), datetime(2027, int(month[5:]), 5),
                              checklist, habits)
        for code, n in plans.groupby(H.STATION_CODE).size().items():
            counts.setdefault(code, []).append(int(n))
    lax = [c for c, h in habits.items() if h.files < 0.5]
    assert 3 <= len(lax) <= 20
    assert statistics.mean(len(counts.get(c, [])) for c in lax) < 7  # a lax station files a few months
    assert statistics.mean(len(counts.get(c, [])) for c in habits if c not in lax) > 10
    # how many activities a station runs is its habit: it varies less within a station than between stations
    steady = {c: v for c, v in counts.items() if len(v) >= 6}
    within = statistics.mean(statistics.pstdev(v) for v in steady.values())
    between = statistics.pstdev([statistics.mean(v) for v in steady.values()])
    assert within < between
    # and the scores it gets
    drawn = pd.DataFrame({"code": registry[H.STATION_CODE], "mode": "onsite", "team": "第一检查组"})
    scores = pd.concat([inspection_scores(rng, drawn, registry, {c: h.bias for c, h in habits.items()})
                        for _ in range(3)])
    team = scores[scores[H.MODE] == "线下"].groupby(H.STATION_CODE)[H.SCORE].mean()
    assert team[team.index.isin(lax)].mean() < team[~team.index.isin(lax)].mean() - 10


def test_the_same_stations_check_in_every_month(county) -> None:
    registry, habits = county
    stations = registry.rename(columns={H.STATION_CODE: "code", H.LONGITUDE: "longitude", H.LATITUDE: "latitude"})
    day = datetime(2027, 6, 5)
    activities = pd.DataFrame({"station_code": stations["code"], "seq": 1,
                               "start_time": datetime(2027, 6, 5, 8, 30)})
    posting = [{p["station_code"] for p in on_day_evidence(random.Random(n), activities, stations, day, habits)}
               for n in range(2)]
    never = {c for c, h in habits.items() if h.checks_in == 0}
    assert 0.1 * len(habits) < len(never) < 0.4 * len(habits)
    assert not (posting[0] | posting[1]) & never
    assert len(posting[0] & posting[1]) > 0.8 * len(posting[0] | posting[1])


def test_answers_to_a_finding_never_come_before_they_could(county) -> None:
    _registry, habits = county
    on_time = []
    for n, (code, habit) in enumerate(sorted(habits.items())):
        issued = date(2027, 3, 10) + timedelta(days=n % 20)
        deadline = issued + timedelta(days=15)
        rounds = answer_rounds(random.Random(n), habit, issued, deadline)
        previous = datetime.combine(issued + timedelta(days=1), datetime.min.time())
        for r in rounds:
            assert previous < r.reported < r.reviewed, code
            assert r.reviewed.weekday() < 5 and 9 <= r.reviewed.hour < 17
            previous = r.reviewed
        assert all(not r.accepted for r in rounds[:-1])
        if habit.files > 0.8:
            on_time.append(bool(rounds) and rounds[0].reported.date() <= deadline)
    assert 0.75 < statistics.mean(on_time) < 0.95


def overdue_by_month(habits: dict, months: int = 12, per_month: int = 48) -> list[int]:
    """Overdue findings at each month's circular in a simulated county: `per_month` findings a month (the lax
    stations, drawn for their risk, get more of them), answered by answer_rounds."""
    rng = random.Random("demo findings")
    codes = sorted(habits)
    weights = [8 if habits[c].files < 0.5 else 1 for c in codes]
    findings = []  # (deadline, rounds)
    counts = []
    for m in range(months):
        circular = date(2027, 1, 10) + timedelta(days=30 * m)
        at = datetime.combine(circular, datetime.min.time())
        late = 0
        for deadline, rounds in findings:
            done = [r for r in rounds if r.reported < at]
            pending = not done or (done[-1].reviewed < at and not done[-1].accepted)
            late += pending and deadline < circular
        counts.append(late)
        deadline = circular + timedelta(days=15)
        findings += [(deadline, answer_rounds(rng, habits[code], circular, deadline))
                     for code in rng.choices(codes, weights, k=per_month)]
    return counts


def test_overdue_findings_level_off_at_a_few_dozen(county) -> None:
    _registry, habits = county
    counts = overdue_by_month(habits)
    assert counts[0] == 0 and 3 <= counts[-1] <= 35
    assert max(counts) <= 45
    assert counts[-1] <= max(counts[4:8]) + 10  # a plateau, not a pile growing every month


def test_department_comments_vary_and_propose_codes_valid_for_the_draft() -> None:
    catalog = comment_catalog()
    learning, checklist = catalog[catalog["category"] != ""], catalog[catalog["category"] == ""]
    texts, added, removed, answered = set(), 0, 0, []
    for month in YEAR:
        draft = draft_month(PROFILE, month)
        plan = draft.plan
        comments = department_comments(random.Random(f"comments {month}"), month, PROFILE.departments,
                                       in_plan=plan.codes(), festivals={m.name for m in plan.marks}, catalog=catalog)
        foreign = foreign_festival_codes(plan, learning, checklist)
        for row in comments.to_dict("records"):
            add = [c for c in row[H.PROPOSES_ADD].split("、") if c]
            remove = [c for c in row[H.PROPOSES_REMOVE].split("、") if c]
            assert check_proposed_codes(add, remove, catalog_codes=set(catalog["code"]), in_plan=plan.codes(),
                                        foreign=foreign) == [], (month, row)
            assert not set(remove) & set(plan.required_codes)
            assert all(code in row[H.CONTENT] for code in add + remove)
            added, removed = added + len(add), removed + len(remove)
            texts.add(row[H.CONTENT])
        answered.append(len(comments))
    assert added >= 8 and removed >= 1
    assert len(texts) >= 15  # not the same two texts every month
    assert min(answered) >= 1  # one to four sections answer
    assert sum(answered) < 4 * len(YEAR)  # some sections stay silent
    assert "无意见" in texts


def test_without_the_draft_no_section_proposes_codes() -> None:
    comments = department_comments(random.Random("province"), "2027-01", PROFILE.departments)
    assert len(comments) and (comments[H.PROPOSES_ADD] == "").all() and (comments[H.PROPOSES_REMOVE] == "").all()


def test_problems_go_with_lower_scores() -> None:
    rng = random.Random("demo scores")
    registry = station_registry(rng)
    drawn = pd.DataFrame({"code": registry[H.STATION_CODE], "mode": "onsite", "team": "第一检查组"})
    scores = inspection_scores(rng, drawn, registry)
    teams = scores[scores[H.MODE] == "线下"]
    with_problems = teams[H.PROBLEMS] != ""
    assert with_problems[teams[H.SCORE] < 80].all()
    assert not with_problems[teams[H.SCORE] >= 90].any()
    assert teams.loc[with_problems, H.SCORE].mean() < teams.loc[~with_problems, H.SCORE].mean() - 5
