"""The facts the risk-aware draw weighs (docs/draw.md), each with the profile's points: recorded, never guessed."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlmodel import Session

from activity_day.domain import aggregate
from activity_day.domain.dates import shift_month
from activity_day.domain.profile import Profile
from activity_day.models import EvidenceRecord
from activity_day.services.evidence import evidence_states
from activity_day.services.findings import overdue_by_station
from activity_day.store import crud

Facts = dict[str, list[tuple[str, int]]]


def risk_facts(session: Session, county: str, month: str, *, profile: Profile, stations: pd.DataFrame,
               on: date) -> Facts:
    """For each station with any: (label, points) per fact, as of `on` (the month's sample date).

    Overdue 整改通知 (each counts), last month's final score below the rectify line, this month's plan late or
    missing, last month's on-day evidence missing or doubtful (where the county collected any that month).
    Points of 0 leave a fact out.
    """
    w, s = profile.sampling.risk, profile.scoring
    facts: Facts = {}

    def add(code: str, label: str, points: int) -> None:
        if points > 0:
            facts.setdefault(code, []).append((label, points))

    for code, n in sorted(overdue_by_station(session, county, on).items()):
        add(code, f"整改逾期{n}次", w.overdue_finding * n)
    previous = shift_month(month, -1)
    results = aggregate.station_scores(crud.scores_frame(session=session, county=county, month=previous), stations,
                                       team_weight=s.team_weight, observer_weight=s.observer_weight)
    for code in sorted(results.loc[results["final"] < s.rectify_threshold, "station_code"]):
        add(code, "上月得分低于整改线", w.low_score)
    plans = crud.station_plans_frame(session=session, county=county, month=month)
    for code in sorted(plans.loc[plans["late"].astype(bool), "station_code"]):
        add(code, "本月计划迟报", w.late_plan)
    for code in sorted(set(stations["code"]) - set(plans["station_code"])):
        add(code, "本月未报送计划", w.missing_plan)
    # Evidence counts only in a county that collects it: a month without a single check-in says nothing.
    in_use = crud.count(session=session, model=EvidenceRecord, county=county, month=previous) > 0
    for code, state in sorted(evidence_states(session, county, previous).items() if in_use else []):
        if state == "缺失":
            add(code, "上月活动纪实缺失", w.evidence_missing)
        elif state == "存疑":
            add(code, "上月活动纪实存疑", w.evidence_doubtful)
    return facts
