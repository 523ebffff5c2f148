"""Each demo station's habits across months: who files, who is late, how it answers 整改 findings, how it scores."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from activity_day.intake.headers import H

if TYPE_CHECKING:
    from activity_day.domain.profile import Profile


@dataclass(frozen=True)
class Habits:
    """How one station behaves, month after month: drawn once from the demo's seed."""

    files: float  # the chance it files a plan in a month
    punctual: float  # the chance a plan it files arrives before the deadline
    extra: int  # practice activities it usually runs on the day beyond the required ones
    thorough: float  # the chance its plan has every required action (规定动作)
    checks_in: float  # the chance it posts check-ins on the day (0: not on the mini program)
    answers: float  # the chance it answers a 整改 finding by the deadline (and again after a returned report)
    catches_up: float  # the chance, each month, that it answers an overdue finding late
    bias: float  # added to every score it gets


@dataclass(frozen=True)
class DemoCounty:
    """The demo county: its profile, the registry of its stations and each station's habits (by code)."""

    profile: Profile
    registry: pd.DataFrame
    habits: dict[str, Habits]


def _clip(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def station_habits(rng: random.Random, registry: pd.DataFrame) -> dict[str, Habits]:
    """Each station's habits, from one diligence: most stations are diligent, about one in 25 is lax.

    A diligent station files nearly every month and on time, runs the class and one to three activities, answers
    most findings in time and the rest a month or two late, and scores above the county's average; a lax one
    files about one month in three, answers half its findings and rarely catches up, and scores low. A 所
    (township institute) runs more activities than a village station. One station in five (and every lax one)
    does not use the mini program to check in.
    """
    habits = {}
    for station in registry.to_dict("records"):
        lax = rng.random() < 0.04
        d = 0.35 if lax else _clip(rng.gauss(0.94, 0.05), 0.6, 1.0)
        if station.get(H.STATION_KIND) == "所":
            extra = rng.choice([2, 2, 3])
        else:
            extra = rng.choices([0, 1, 2], weights=[3, 5, 2] if d >= 0.8 else [6, 3, 1])[0]
        habits[station[H.STATION_CODE]] = Habits(
            files=d, punctual=_clip(0.55 + 0.45 * d + rng.gauss(0, 0.04), 0.3, 1.0), extra=extra,
            thorough=_clip(d + rng.gauss(0, 0.04), 0.3, 1.0),
            checks_in=0.0 if lax or rng.random() < 0.2 else _clip(rng.gauss(0.93, 0.05), 0.6, 1.0),
            answers=_clip(0.25 + 0.65 * d + rng.gauss(0, 0.06), 0.1, 0.98),
            catches_up=_clip(0.2 + 0.55 * d * d + rng.gauss(0, 0.06), 0.1, 0.9),
            bias=rng.gauss(0, 4) + (d - 0.9) * 30)
    return habits


def filing_stations(rng: random.Random, registry: pd.DataFrame, habits: dict[str, Habits]) -> pd.DataFrame:
    """The stations that file a plan this month, each by its habit."""
    return registry[[rng.random() < habits[c].files for c in registry[H.STATION_CODE]]]


def late_filers(rng: random.Random, filing: pd.DataFrame, habits: dict[str, Habits]) -> set[str]:
    """Of the filing stations, those whose plan arrives after the deadline, each by its habit."""
    return {c for c in filing[H.STATION_CODE] if rng.random() >= habits[c].punctual}


@dataclass(frozen=True)
class AnswerRound:
    """One round of a station's 整改报告 on a finding: when it reports, when the office reviews, and the outcome."""

    reported: datetime
    photos: int
    reviewed: datetime
    accepted: bool


def _working(day: datetime) -> datetime:
    """The next working day (Monday to Friday) at the same time, or the day itself."""
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


def _at(day: date, rng: random.Random, first: int = 9, last: int = 17) -> datetime:
    return datetime.combine(day, time(rng.randint(first, last - 1), rng.choice([0, 10, 20, 30, 40, 50])))


def answer_rounds(rng: random.Random, habits: Habits, issued: date, deadline: date,
                  horizon: int = 24) -> list[AnswerRound]:
    """How a station answers one finding: its reports and the office's reviews, in time order.

    The station reports by the deadline (from two days after the notice was issued) by its `answers` habit;
    otherwise late: in the first month after the deadline it catches up by its `catches_up` habit, each later
    month a little more likely (the township presses), up to `horizon` months, after which it never answers. The office reviews a report one to five days later on a working day:
    a report with photos is mostly accepted, one without is returned; after a return the station reports again
    within ten days by its `answers` habit, or falls behind as before. The last round is accepted, or the
    finding stays open (returned, or never answered: an empty list).
    """
    rounds: list[AnswerRound] = []
    earliest = issued + timedelta(days=2)
    on_time = rng.random() < habits.answers and earliest <= deadline
    while True:
        if on_time:
            when = _at(earliest + timedelta(days=rng.randint(0, max(0, (deadline - earliest).days))), rng)
        else:
            months, chance = 0, habits.catches_up
            while rng.random() >= chance:
                months += 1
                if months >= horizon:
                    return rounds
                chance = 1 - (1 - chance) * 0.75  # the longer it is overdue, the harder the township presses
            start = max(deadline, earliest) + timedelta(days=1 + 30 * months)
            when = _at(start + timedelta(days=rng.randint(0, 29)), rng)
        if rounds and when <= rounds[-1].reviewed:
            when = rounds[-1].reviewed + timedelta(days=rng.randint(2, 10))
        photos = rng.choice([1, 2, 2, 3]) if rng.random() < 0.5 + 0.45 * habits.thorough else 0
        reviewed = _working(_at((when + timedelta(days=rng.randint(1, 5))).date(), rng))
        accepted = rng.random() < (0.9 if photos else 0.25)
        rounds.append(AnswerRound(when, photos, reviewed, accepted))
        if accepted or len(rounds) >= 4:
            return rounds
        # returned: again within ten days, or later
        on_time = rng.random() < habits.answers
        earliest = reviewed.date() + timedelta(days=2)
        deadline = earliest + timedelta(days=8)


def assessed_scores(rng: random.Random, registry: pd.DataFrame, habits: dict[str, Habits],
                    indicators: list[str], assessors: list[tuple[str, str]], month: str) -> pd.DataFrame:
    """Site-visit scores of the assessed indicators, each station by an assessor from another township (回避)."""
    rows = []
    for station in registry.to_dict("records"):
        allowed = [name for name, home in assessors if home != station[H.TOWNSHIP]]
        assessor = allowed[rng.randrange(len(allowed))]
        for code in indicators:
            score = min(100.0, max(30.0, rng.gauss(82, 8) + habits[station[H.STATION_CODE]].bias))
            rows.append({H.STATION_CODE: station[H.STATION_CODE], H.INDICATOR: code, H.ASSESS_MONTH: month,
                         H.SCORE: round(score, 1), H.ASSESSOR: assessor, H.NOTE: ""})
    return pd.DataFrame(rows)
