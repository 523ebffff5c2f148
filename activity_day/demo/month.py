"""A demo month's station plans and inspection scores, as the stations and teams would file them."""

from __future__ import annotations

import random
from datetime import datetime, time

import pandas as pd

from activity_day.demo.habits import Habits
from activity_day.demo.registry import ACTIVITY, PROBLEMS, SUGGESTIONS
from activity_day.intake.headers import H
from activity_day.models.enums import ActionKind, InspectionMode, PracticeTask

SLOTS = [time(8, 30), time(10, 0), time(14, 30), time(16, 0), time(19, 0)]


def activity_name(title: str) -> str:
    """What a station calls an activity of a checklist item: the item's title without the leading 开展."""
    return title.removeprefix("开展")


SKIP_SHARE = 0.07  # without habits: the stations that submit nothing
GAP_SHARE = 0.12  # without habits: the stations that leave a required action out


def station_plans(rng: random.Random, registry: pd.DataFrame, activity_day: datetime, checklist: pd.DataFrame,
                  habits: dict[str, Habits] | None = None) -> pd.DataFrame:
    """Plans for the stations of `registry`: the required actions (the practice class first), then the practice
    activities the station usually runs, a few on the day.

    With `habits`, each station plans as it always does (how many activities, how often it leaves a required action
    out) and every station of `registry` files; without, about `SKIP_SHARE` submit nothing, one in eight leaves a
    required action out, and stations run zero to two activities beyond the required ones.
    """
    required = [item for _, item in checklist[checklist["required"]].iterrows()]
    optional = [item for _, item in checklist[~checklist["required"]].iterrows()]
    rows = []
    for station in registry.to_dict("records"):
        code = station[H.STATION_CODE]
        habit = habits.get(code) if habits else None
        if habit is None and rng.random() < SKIP_SHARE:
            continue
        picks = list(required)
        thorough = habit.thorough if habit else 1 - GAP_SHARE
        if len(picks) > 1 and rng.random() >= thorough:
            # a required action left out: most often not the class
            for _ in range(min(len(picks) - 1, rng.choice([1, 1, 1, 2]))):
                picks.pop(rng.randrange(1, len(picks)) if rng.random() < 0.8 else 0)
        extra = habit.extra if habit else rng.choice([0, 1, 1, 2])
        if rng.random() < 0.2:  # a month a little busier or quieter than usual
            extra = max(0, extra + rng.choice([-1, 1]))
        want = max(len(required), 2) + extra - len(picks)
        picks += rng.sample(optional, min(len(optional), max(0, want)))
        picks = picks[:len(SLOTS)]
        first = rng.choice([0, 0, 1]) if len(picks) <= 3 else 0
        for n, item in enumerate(picks):
            task = PracticeTask(item["task"])
            kind = ActionKind.REQUIRED if item["required"] else rng.choice([ActionKind.SELF_SELECTED,
                                                                            ActionKind.SELF_SELECTED,
                                                                            ActionKind.SIGNATURE])
            slot = SLOTS[first + n]
            rows.append({
                H.STATION_CODE: code, H.ACTIVITY_NAME: activity_name(str(item.get("title") or "")) or
                rng.choice(ACTIVITY[task]), H.TASK: task.value,
                H.ACTION_KIND: kind.value, H.START_TIME: datetime.combine(activity_day.date(), slot),
                H.LOCATION: station[H.STATION_NAME] if rng.random() < 0.7 else f"{station[H.TOWNSHIP]}文化广场",
                H.EXPECTED_PARTICIPANTS: rng.randint(20, 120), H.CHECKLIST_CODE: item["code"],
                H.VOLUNTEER_TEAM: rng.choice(["", "党员志愿服务队", "巾帼志愿服务队", "青年志愿服务队"]),
            })
    return pd.DataFrame(rows)


def inspection_scores(rng: random.Random, drawn: pd.DataFrame, registry: pd.DataFrame,
                      bias: dict[str, float] | None = None) -> pd.DataFrame:
    """Team scores for the drawn stations (a few left unscored), observer scores for many stations.

    `bias` moves each station's scores (its habit) before the teams write problems, so that problems go with the
    scores a station really gets.
    """
    bias = bias or {}
    rows = []
    for s in drawn.itertuples():
        if rng.random() < 0.05:
            continue  # a team that did not send its score
        score = round(min(100, max(40, rng.gauss(84, 8) + bias.get(s.code, 0.0))), 1)
        # Problems go with lower scores: always below 80, sometimes up to 90, never above.
        found = rng.random() < (1.0 if score < 80 else 0.4 if score < 90 else 0.0)
        rows.append({H.STATION_CODE: s.code, H.MODE: InspectionMode(s.mode).label, H.SCORER: s.team,
                     H.SCORE: score, H.PROBLEMS: rng.choice(PROBLEMS[:-1]) if found else "",
                     H.SUGGESTIONS: rng.choice(SUGGESTIONS)})
    observed = registry.sample(frac=0.3, random_state=rng.randrange(1 << 30))
    for s in observed.to_dict("records"):
        score = rng.gauss(86, 6) + bias.get(s[H.STATION_CODE], 0.0)
        rows.append({H.STATION_CODE: s[H.STATION_CODE], H.MODE: InspectionMode.OBSERVER.label, H.SCORER: f"{s[H.TOWNSHIP]}文明观察员",
                     H.SCORE: round(min(100, max(40, score)), 1), H.PROBLEMS: "",
                     H.SUGGESTIONS: rng.choice(SUGGESTIONS)})
    return pd.DataFrame(rows)
