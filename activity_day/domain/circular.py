"""The circular's facts: every figure, list and named station the circular (通报) states, built once from the
month's data. Pure: frames and plain values in, one frozen object out.

The three formats (Markdown, HTML, Word) are rendered from these facts only, and `domain.claims` holds the rules
of what may be said against them (who is commended, what is overdue, which dates may be printed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from activity_day.domain import findings as rectification
from activity_day.domain.evidence import EvidenceState
from activity_day.domain.profile import Profile
from activity_day.domain.results import month_results, standing


def draw_record_number(doc_prefix: str, month: str) -> str:
    """The draw record's number as readers see it, like the office's document numbers: 泗文明办抽〔2027〕12号."""
    return f"{doc_prefix}抽〔{int(month[:4])}〕{int(month[5:])}号"


@dataclass(frozen=True)
class CircularFacts:
    """What the month's circular says, before any wording."""

    month: str
    signed: date  # the circular's date (the plan's compile day), set by the office's profile and plan
    deadline: date  # rectification reports and explanations are due by this day
    figures: dict[str, Any]  # domain.results.month_results
    rectification: dict[str, Any]  # domain.findings.summary
    new_findings: list[dict[str, Any]]
    teams: int  # inspection teams the draw assigned
    record_number: str  # the draw record's reader-facing number
    random_draw: bool = True  # False when the draw's value was the office's own (domain.draw.seeded_by_office)
    evidence: dict[str, Any] | None = None  # on-day evidence coverage, where the county collected any
    missing_checkins: list[dict[str, Any]] = field(default_factory=list)  # by township: stations without check-in
    lectures: dict[str, Any] | None = None  # lecture orders, teams and ratings, where the county runs them
    standing: dict[str, Any] | None = None  # demonstration stations and stations to watch among the scores

    @property
    def summary(self) -> dict[str, Any]:
        return self.figures["summary"]

    @property
    def commended_codes(self) -> list[str]:
        return list(self.figures["commended"]["station_code"])


def missing_checkins(by_station: pd.DataFrame, stations: pd.DataFrame) -> list[dict[str, Any]]:
    """The stations whose on-day activities have no check-in at all, by township in the registry's order:
    [{township, count, names, codes}] (`by_station`: services.evidence coverage by station, with its `state`)."""
    if by_station is None or by_station.empty:
        return []
    missing = by_station[by_station["state"].astype(str) == EvidenceState.MISSING.value]
    order = list(dict.fromkeys(stations["township"]))
    rows = []
    for township in sorted(set(missing["township"]), key=lambda t: order.index(t) if t in order else len(order)):
        here = missing[missing["township"] == township].sort_values("station_code")
        rows.append({"township": township, "count": len(here), "names": "、".join(here["name"]),
                     "codes": list(here["station_code"])})
    return rows


def _assigned(assignments: pd.DataFrame, mode: str) -> int:
    """How many teams (on site) or online inspectors the draw assigned stations to."""
    if assignments.empty:
        return 0
    teams = assignments.loc[assignments["mode"].astype(str) == mode, "team"].astype(str)
    return int(teams[teams != ""].nunique())


@dataclass(frozen=True)
class CircularInputs:
    """What the month's circular is built from beside its data and the profile: the day it is signed, the
    findings of earlier months, the on-day evidence, the lecture figures and the stations' standing."""

    signed: date  # the circular's date (the plan's compile day)
    earlier: pd.DataFrame  # the findings of earlier months
    evidence: dict[str, Any] | None = None  # on-day evidence coverage, where the county collected any
    evidence_by_station: pd.DataFrame | None = None  # services.evidence coverage by station, with its `state`
    lectures: dict[str, Any] | None = None  # lecture orders, teams and ratings, where the county runs them
    demo_codes: set[str] | frozenset[str] = frozenset()  # the demonstration stations
    watch_codes: set[str] | frozenset[str] = frozenset()  # the stations to watch
    random_draw: bool = True  # False when the draw's value was the office's own (domain.draw.seeded_by_office)


def build_circular_facts(data: dict[str, pd.DataFrame], profile: Profile, month: str,
                         inputs: CircularInputs) -> CircularFacts:
    """The month's circular facts from its data (see services.circular for what `data` holds), the findings of earlier
    months, the on-day evidence and the lecture figures (`inputs`)."""
    signed, earlier, evidence, random_draw = inputs.signed, inputs.earlier, inputs.evidence, inputs.random_draw
    deadline = signed + timedelta(days=profile.rectification.deadline_days)
    overdue = rectification.overdue_codes(earlier, signed)
    stations = data["stations"]
    checkins = missing_checkins(inputs.evidence_by_station, stations) if evidence else []
    unchecked = {code for row in checkins for code in row["codes"]} if evidence else None
    figures = month_results(data, profile, month, overdue_codes=overdue, unchecked_codes=unchecked)
    new = rectification.finding_rows(data["scores"], figures["results"], stations,
                                     threshold=profile.scoring.rectify_threshold, deadline=deadline)
    summary = rectification.summary(new, earlier, stations, month=month, on=signed, deadline=deadline)
    assignments = data["assignments"]
    figures["summary"] |= {
        "teams": _assigned(assignments, "onsite"), "inspectors": _assigned(assignments, "online"),
        "observer_scored": int(figures["observed"].shape[0] + figures["results"]["observer_score"].notna().sum()),
        "random_draw": random_draw,
    }
    last_year = str(int(month[:4]) - 1)
    return CircularFacts(
        month=month, signed=signed, deadline=deadline, figures=figures, rectification=summary, new_findings=new,
        teams=figures["summary"]["teams"], record_number=draw_record_number(profile.county.doc_prefix, month),
        random_draw=random_draw,
        evidence=evidence, missing_checkins=checkins,
        lectures=inputs.lectures,
        standing=standing(figures["results"], stations, set(inputs.demo_codes), set(inputs.watch_codes), last_year,
                          profile.scoring.rectify_threshold),
    )
