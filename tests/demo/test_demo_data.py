"""The demo county's generated inputs tell a believable story (issue: documents an office can issue)."""

from __future__ import annotations

import random
from datetime import datetime

import pandas as pd

from activity_day.demo import inspection_scores, station_plans, station_registry
from activity_day.intake import H


def test_most_stations_plan_every_required_action() -> None:
    rng = random.Random("demo data")
    registry = station_registry(rng)
    checklist = pd.DataFrame({"code": ["R1", "R2", "R3", "O1", "O2"], "task": ["学习实践科学理论"] * 5,
                              "required": [True, True, True, False, False]})
    plans = station_plans(rng, registry, datetime(2026, 12, 5), checklist)
    covered = plans.groupby(H.STATION_CODE)[H.CHECKLIST_CODE].agg(lambda c: {"R1", "R2", "R3"} <= set(c))
    assert len(plans[H.STATION_CODE].unique()) > 0.85 * len(registry)  # about 7% submit nothing
    assert 0.75 < covered.mean() < 0.97  # a realistic minority leave a required action out


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
