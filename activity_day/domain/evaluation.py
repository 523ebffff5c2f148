"""Year-round evaluation of the stations: pure pandas functions, the period's records in, scores out.

Every indicator value is 0 to 100 and carries its evidence: the months it looked at, the records it used
(with their natural keys, so each can be found again) and what was missing. An indicator without any record
or event (a station never inspected in the period, an assessed item nobody entered, no suggestion to close)
has no value: its weight goes to the other indicators of its dimension, and a dimension without any value
gives its weight to the others. So totals stay between 0 and 100 and no station is marked down for what the
office did not do.

A station is judged only on its own months: the period's months in which it was registered on the activity
day (`station_months`, from its `joined_on` and `left_on`). A station that joined in September is not missing
January's plan, and one removed in September keeps January to August. A station with no month in the period is
not evaluated; one with months but no record in them (no plan, activity, inspection, suggestion, site visit or
lecture) has no dimension, no total and no stars (无记录).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import pandas as pd

from activity_day.domain.aggregate import station_scores, township_order
from activity_day.domain.dates import shift_month
from activity_day.domain.indicators import DIMENSIONS, EvaluationRules, Indicator
from activity_day.errors import OperatorError
from activity_day.models.enums import PracticeTask

FIVE_TASKS = len(PracticeTask)
LECTURE_COLUMNS = ["month", "station_code", "menu_code", "status"]
RATING_COLUMNS = ["month", "station_code", "menu_code", "rater", "score"]
# An order the centre served with a team; `delivered` once the lecture is rated (评单).
SERVED = ("dispatched", "confirmed", "delivered")


class PeriodError(OperatorError, ValueError):
    """A period the evaluation does not know."""


def report_date(period: str, report_days: int) -> date:
    """The date an evaluation report of `period` carries: `report_days` after the period's last day, so a report
    is never dated before the months it judges are over, nor by the day it happened to be generated."""
    last = period_months(period)[-1]
    year, month = int(last[:4]), int(last[5:])
    end = date(year, month, calendar.monthrange(year, month)[1])
    return end + timedelta(days=report_days)


def period_months(period: str) -> list[str]:
    """The months of a period: 2027, 2027-Q1 … Q4, 2027-H1 / H2, or one month 2027-03."""
    text = period.strip().upper()
    if m := re.fullmatch(r"(\d{4})", text):
        first, count = f"{m[1]}-01", 12
    elif m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        first, count = f"{m[1]}-{(int(m[2]) - 1) * 3 + 1:02d}", 3
    elif m := re.fullmatch(r"(\d{4})-H([12])", text):
        first, count = f"{m[1]}-{(int(m[2]) - 1) * 6 + 1:02d}", 6
    elif (m := re.fullmatch(r"(\d{4})-(\d{2})", text)) and 1 <= int(m[2]) <= 12:
        first, count = text, 1
    else:
        raise PeriodError(f"评价期间“{period}”无效：应为 2027（全年）、2027-Q1（季度）、2027-H1（半年）或 2027-03（单月）")
    return [shift_month(first, i) for i in range(count)]


@dataclass
class PeriodRecords:
    """What the evaluation reads, for one county and the months of a period.

    months: the period's months in which the county ran the activity day (an official plan exists);
    required: month -> the checklist codes required that month; stations: code, name, township, and optionally
    joined_on, left_on (dates or None) and active (registered today; a station out of the registry without a
    left_on left after its last plan); activity_days: month -> its activity day (default: the month's first day);
    plans: month, station_code, late; activities: month, station_code, task, checklist_code,
    expected_participants, volunteer_team; scores: month, station_code, mode, scorer, score;
    feedback: id, month, station_code, status; assessed: station_code, indicator, score, assessor, month;
    lectures: month, station_code, menu_code, status (the stations' lecture orders, 点单);
    ratings: month, station_code, menu_code, rater, score (1 to 5, 评单).
    """

    months: list[str]
    required: dict[str, list[str]]
    stations: pd.DataFrame
    plans: pd.DataFrame
    activities: pd.DataFrame
    scores: pd.DataFrame
    feedback: pd.DataFrame
    assessed: pd.DataFrame
    team_weight: float = 0.7
    observer_weight: float = 0.3
    period_months: list[str] | None = None  # every month of the period (site visits count in any); default months
    lectures: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LECTURE_COLUMNS))
    ratings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RATING_COLUMNS))
    activity_days: dict[str, date] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def _day(value: Any) -> date | None:
    if value is None or (not isinstance(value, date) and pd.isna(value)):
        return None
    return value.date() if isinstance(value, pd.Timestamp) else value


def station_months(r: PeriodRecords) -> dict[str, list[str]]:
    """station code -> the months of `r.months` in which the station existed: registered on that month's activity
    day (joined on or before it, left after it). A station out of the registry whose leaving day nobody recorded
    (before lifetimes were kept) left after the last month it filed a plan."""
    plans = _plans_by_station(r)
    out: dict[str, list[str]] = {}
    for st in r.stations.to_dict("records"):
        joined, left = _day(st.get("joined_on")), _day(st.get("left_on"))
        mine = []
        for m in r.months:
            day = r.activity_days.get(m) or date(int(m[:4]), int(m[5:]), 1)
            if (joined is None or joined <= day) and (left is None or day < left):
                mine.append(m)
        if left is None and not st.get("active", True):
            last = max(plans.get(st["code"], {}), default="")
            mine = [m for m in mine if m <= last]
        out[st["code"]] = mine
    return out


def recorded(r: PeriodRecords, lives: dict[str, list[str]]) -> set[str]:
    """The stations with any record in their own months (a plan, an activity, an inspection score, a suggestion,
    a lecture order or rating) or a site-visit score in the period."""
    found: set[str] = set(r.assessed["station_code"]) if len(r.assessed) else set()
    for frame in (r.plans, r.activities, r.scores, r.feedback, r.lectures, r.ratings):
        for code, month in zip(frame["station_code"], frame["month"], strict=True):
            if month in lives.get(code, ()):
                found.add(code)
    return found


def _share(hits: int, of: int) -> float | None:
    return None if of == 0 else round(100.0 * hits / of, 2)


def _capped(value: float, target: float) -> float:
    return round(min(100.0, 100.0 * value / target), 2)


def _evidence(value: float | None, months: list[str], records: list[dict], missing: list[str], note: str = "") -> dict:
    return {"value": value, "months": months, "records": records, "missing": missing, **({"note": note} if note else {})}


def _plans_by_station(r: PeriodRecords) -> dict[str, dict[str, bool]]:
    out: dict[str, dict[str, bool]] = {}
    for row in r.plans[r.plans["month"].isin(r.months)].itertuples():
        out.setdefault(row.station_code, {})[row.month] = bool(row.late)
    return out


@dataclass(frozen=True)
class _Derivation:
    """What a derived indicator's metric reads: the period's records, the indicator, the stations, each station's
    own months, and the period's activities by station."""

    r: PeriodRecords
    indicator: Indicator
    codes: list[str]
    lives: dict[str, list[str]]
    by_station: dict[str, pd.DataFrame]
    empty: pd.DataFrame


def derived_values(r: PeriodRecords, indicator: Indicator,
                   lives: dict[str, list[str]] | None = None) -> dict[str, dict]:
    """station code -> evidence (with its value) of one derived indicator, over each station's own months
    (`lives`, default `station_months`)."""
    lives = station_months(r) if lives is None else lives
    acts = r.activities[r.activities["month"].isin(r.months)]
    d = _Derivation(r, indicator, list(r.stations["code"]), lives, dict(list(acts.groupby("station_code"))),
                    acts.iloc[0:0])
    metric = _METRICS.get(indicator.metric)
    return metric(d) if metric else {}


def _plan_values(d: _Derivation) -> dict[str, dict]:
    """plan_submitted, plan_on_time: the share of a station's months with a plan (on time)."""
    plans, out = _plans_by_station(d.r), {}
    for code in d.codes:
        months, mine = d.lives.get(code, []), plans.get(code, {})
        hit = [m for m in months if m in mine and (d.indicator.metric == "plan_submitted" or not mine[m])]
        records = [{"month": m, "late": mine[m]} for m in months if m in mine]
        missing = [m for m in months if m not in mine]
        out[code] = _evidence(_share(len(hit), len(months)), months, records, missing)
    return out


def _coverage_values(d: _Derivation) -> dict[str, dict]:
    """required_coverage: the share of a station's months whose required checklist items it all planned."""
    r, out = d.r, {}
    for code in d.codes:
        mine = d.by_station.get(code, d.empty)
        checked = [m for m in d.lives.get(code, []) if r.required.get(m)]
        covered, records = [], []
        for m in checked:
            have = set(mine.loc[mine["month"] == m, "checklist_code"].dropna())
            lacking = [c for c in r.required[m] if c not in have]
            records.append({"month": m, "required": r.required[m], "lacking": lacking})
            if not lacking:
                covered.append(m)
        out[code] = _evidence(_share(len(covered), len(checked)), checked, records,
                              [x["month"] for x in records if x["lacking"]])
    return out


def _activity_values(d: _Derivation) -> dict[str, dict]:
    """activities_per_month, participation, task_breadth, volunteer_teams: from a station's planned activities."""
    metric, target, out = d.indicator.metric, d.indicator.target or 1, {}
    for code in d.codes:
        months = d.lives.get(code, [])
        mine = d.by_station.get(code, d.empty)
        mine = mine[mine["month"].isin(months)]
        per_month = mine.groupby("month").size().to_dict()
        records = [{"month": m, "activities": int(per_month.get(m, 0))} for m in months]
        missing = [m for m in months if not per_month.get(m)]
        if metric == "activities_per_month":
            value = _capped(len(mine) / len(months), target) if months else None
        elif mine.empty:
            value = None
        elif metric == "participation":
            value = _capped(float(mine["expected_participants"].mean()), target)
        elif metric == "task_breadth":
            value = _share(mine["task"].astype(str).nunique(), FIVE_TASKS)
        else:
            teams = mine["volunteer_team"].fillna("").astype(str).str.strip() != ""
            value = _share(int(teams.sum()), len(mine))
        out[code] = _evidence(value, months, records, missing)
    return out


def _inspection_values(d: _Derivation) -> dict[str, dict]:
    """inspection_score: the mean of a station's final inspection scores in the months it was drawn."""
    r = d.r
    scores = _own(r.scores[r.scores["month"].isin(r.months)], d.lives)
    finals = []
    for m, frame in scores.groupby("month"):
        result = station_scores(frame, r.stations, team_weight=r.team_weight, observer_weight=r.observer_weight)
        finals.append(result.assign(month=m)[["month", "station_code", "final"]])
    final = pd.concat(finals) if finals else pd.DataFrame(columns=["month", "station_code", "final"])
    rows, out = dict(list(scores.groupby("station_code"))), {}
    for code in d.codes:
        mine = final[final["station_code"] == code]
        records = [{"month": s.month, "mode": s.mode, "scorer": s.scorer, "score": float(s.score)}
                   for s in rows.get(code, scores.iloc[0:0]).sort_values(["month", "mode", "scorer"]).itertuples()]
        value = round(float(mine["final"].mean()), 2) if len(mine) else None
        out[code] = _evidence(value, sorted(mine["month"]), records, [],
                              "" if len(mine) else "期内未被抽中督查")
    return out


def _feedback_values(d: _Derivation) -> dict[str, dict]:
    """feedback_closed: the share of a station's suggestions closed."""
    items, out = d.r.feedback[d.r.feedback["month"].isin(d.r.months)], {}
    for code in d.codes:
        months = d.lives.get(code, [])
        mine = items[(items["station_code"] == code) & items["month"].isin(months)]
        closed = mine["status"].astype(str) == "closed"
        records = [{"id": int(f.id), "month": f.month, "status": str(f.status)} for f in mine.itertuples()]
        # No suggestion, nothing to close: no value (not 100), the weight goes to the dimension's others.
        out[code] = _evidence(_share(int(closed.sum()), len(mine)), months, records,
                              [x["month"] for x in records if x["status"] != "closed"],
                              "期内无意见建议" if mine.empty else "")
    return out


def _lecture_metric(d: _Derivation) -> dict[str, dict]:
    return _lecture_values(d.r, d.indicator.metric, d.codes, d.lives)


def _own(frame: pd.DataFrame, lives: dict[str, list[str]]) -> pd.DataFrame:
    """The rows of `frame` (station_code, month) in their station's own months."""
    mask = [m in lives.get(c, ()) for c, m in zip(frame["station_code"], frame["month"], strict=True)]
    return frame[pd.Series(mask, index=frame.index, dtype=bool)]


def _lecture_values(r: PeriodRecords, metric: str, codes: list[str], lives: dict[str, list[str]]) -> dict[str, dict]:
    """A station that ordered no lecture, or whose orders were not served, has no value: lectures are ordered
    (点单), not required, and a station is not marked down for a team the centre could not form."""
    if metric == "lectures_delivered":
        orders = _own(r.lectures[r.lectures["status"].isin(SERVED)], lives)
        by_station = dict(list(orders.groupby("station_code")))
        out = {}
        for code in codes:
            months = lives.get(code, [])
            mine = by_station.get(code)
            if mine is None:
                out[code] = _evidence(None, months, [], [], "期内未点单或点单未派出宣讲队")
                continue
            mine = mine.sort_values(["month", "menu_code"])
            records = [{"month": o.month, "menu_code": o.menu_code, "status": o.status} for o in mine.itertuples()]
            delivered = int((mine["status"] == "delivered").sum())
            out[code] = _evidence(_share(delivered, len(mine)), months, records,
                                  [f"{x['month']} {x['menu_code']}" for x in records if x["status"] != "delivered"])
        return out
    ratings = _own(r.ratings, lives)
    by_station = dict(list(ratings.groupby("station_code")))
    out = {}
    for code in codes:
        months = lives.get(code, [])
        mine = by_station.get(code)
        if mine is None:
            out[code] = _evidence(None, months, [], [], "期内无宣讲评单")
            continue
        mine = mine.sort_values(["month", "menu_code", "rater"])
        records = [{"month": x.month, "menu_code": x.menu_code, "rater": x.rater, "score": int(x.score)}
                   for x in mine.itertuples()]
        out[code] = _evidence(round(20.0 * float(mine["score"].mean()), 2), months, records, [])
    return out


def assessed_values(r: PeriodRecords, indicator: Indicator) -> dict[str, dict]:
    """station code -> evidence of an assessed indicator: the latest entry in the period (several on the same
    month are averaged)."""
    rows = r.assessed[(r.assessed["indicator"] == indicator.code)
                      & r.assessed["month"].isin(r.period_months or r.months)]
    out = {}
    for code in r.stations["code"]:
        mine = rows[rows["station_code"] == code]
        if mine.empty:
            out[code] = _evidence(None, [], [], [], "未评估")
            continue
        latest = mine[mine["month"] == mine["month"].max()]
        records = [{"month": a.month, "assessor": a.assessor, "score": float(a.score)} for a in mine.itertuples()]
        out[code] = _evidence(round(float(latest["score"].mean()), 2), sorted(set(mine["month"])), records, [])
    return out


def indicator_values(r: PeriodRecords, rules: EvaluationRules,
                     lives: dict[str, list[str]] | None = None) -> dict[str, dict[str, dict]]:
    """indicator code -> station code -> evidence (with the value, or None where there is no record)."""
    lives = station_months(r) if lives is None else lives
    return {i.code: (derived_values(r, i, lives) if i.source == "derived" else assessed_values(r, i))
            for d in rules.dimensions for i in d.indicators}


def _weighted(parts: list[tuple[float | None, float]]) -> float | None:
    known = [(v, w) for v, w in parts if v is not None]
    weight = sum(w for _, w in known)
    return None if weight == 0 else round(sum(v * w for v, w in known) / weight, 2)


def stars_for(total: float | None, thresholds: list[float]) -> int | None:
    """5 stars at or above the first threshold, 4 at the second … 1 below the last; none without a total."""
    if total is None:
        return None
    for stars, line in zip(range(5, 1, -1), thresholds, strict=True):
        if total >= line:
            return stars
    return 1


def score_stations(values: dict[str, dict[str, dict]], stations: pd.DataFrame, rules: EvaluationRules,
                   recorded: set[str] | None = None) -> pd.DataFrame:
    """One row per station: code, name, township, the six dimensions, total and stars (nullable), best first.

    A dimension is the weighted mean of its indicators that have a value; the total, of the dimensions that do.
    A station outside `recorded` (no record in its months: 无记录) has none of them, whatever zeros its
    indicators show (a share of plans filed, 0 of 12, is a value; it is not a record).
    """
    rows = []
    for st in stations.itertuples():
        dims = {d.name: _weighted([(values[i.code][st.code]["value"], i.weight) for i in d.indicators])
                if recorded is None or st.code in recorded else None for d in rules.dimensions}
        total = _weighted([(dims[d.name], d.weight) for d in rules.dimensions])
        rows.append({"code": st.code, "name": st.name, "township": st.township, **{n: dims[n] for n in DIMENSIONS},
                     "total": total, "stars": stars_for(total, rules.stars)})
    out = pd.DataFrame(rows, columns=["code", "name", "township", *DIMENSIONS, "total", "stars"])
    out["stars"] = out["stars"].astype("Int64")
    return out.sort_values(["total", "code"], ascending=[False, True], na_position="last", kind="stable").reset_index(drop=True)


def watch_list(scored: pd.DataFrame, r: PeriodRecords, rules: EvaluationRules) -> pd.DataFrame:
    """Stations to watch, each with its reasons: the lowest totals (a share of the stations, at least one) and
    a run of consecutive months without a plan, counted in the station's own months (`r.months` when the stations
    carry no lifetime)."""
    lives = station_months(r)
    reasons: dict[str, list[str]] = {}
    ranked = scored.dropna(subset=["total"]).sort_values(["total", "code"], kind="stable")
    count = int(len(ranked) * rules.watch.bottom_share + 0.999999) if rules.watch.bottom_share else 0
    for row in ranked.head(count).itertuples():
        reasons.setdefault(row.code, []).append(f"综合得分 {row.total:.2f}，位列后 {rules.watch.bottom_share:.0%}")
    plans = _plans_by_station(r)
    for code in scored["code"]:
        run = longest = 0
        for m in lives.get(code, r.months):
            run = 0 if m in plans.get(code, {}) else run + 1
            longest = max(longest, run)
        if longest >= rules.watch.months_without_plan:
            reasons.setdefault(code, []).append(f"连续 {longest} 个月未报送活动计划")
    info = scored.set_index("code")
    rows = [{"code": c, "name": info.loc[c, "name"], "township": info.loc[c, "township"],
             "total": info.loc[c, "total"], "reasons": "；".join(rs)} for c, rs in reasons.items()]
    place = {t: i for i, t in enumerate(township_order(r.stations))}  # the registry's order, as every list
    return pd.DataFrame(rows, columns=["code", "name", "township", "total", "reasons"]).sort_values(
        ["township", "code"], key=lambda c: c.map(lambda t: place.get(t, len(place))) if c.name == "township" else c,
        kind="stable").reset_index(drop=True)


def township_profile(scored: pd.DataFrame) -> pd.DataFrame:
    """Per township: stations, the mean of each dimension and of the total, and the stars' distribution
    (`stars_0`: the stations without stars, 无记录)."""
    means = scored.groupby("township")[[*DIMENSIONS, "total"]].mean().round(2)
    count = scored.groupby("township")["code"].count().rename("stations")
    stars = scored.assign(stars=scored["stars"].fillna(0).astype(int)).pivot_table(index="township", columns="stars", values="code", aggfunc="count", fill_value=0)
    stars = stars.reindex(columns=range(5, -1, -1), fill_value=0).rename(columns=lambda s: f"stars_{s}")
    out = pd.concat([count, means, stars], axis=1).reset_index(names="township")
    return out.sort_values(["total", "township"], ascending=[False, True], na_position="last").reset_index(drop=True)


def evaluate(r: PeriodRecords, rules: EvaluationRules) -> tuple[pd.DataFrame, dict[str, dict[str, dict]], pd.DataFrame]:
    """(scores per station, evidence per indicator and station, the watch list), for the stations that existed in
    the period (at least one month of their own: `station_months`)."""
    lives = station_months(r)
    r = replace(r, stations=r.stations[r.stations["code"].map(lambda c: bool(lives.get(c)))].reset_index(drop=True))
    values = indicator_values(r, rules, lives)
    scored = score_stations(values, r.stations, rules, recorded(r, lives))
    return scored, values, watch_list(scored, r, rules)


# Each derived metric (indicators.py names them) and the function that computes it for every station.
_METRICS: dict[str, Callable[[_Derivation], dict[str, dict]]] = {
    "plan_submitted": _plan_values, "plan_on_time": _plan_values,
    "required_coverage": _coverage_values,
    "activities_per_month": _activity_values, "participation": _activity_values,
    "task_breadth": _activity_values, "volunteer_teams": _activity_values,
    "inspection_score": _inspection_values,
    "feedback_closed": _feedback_values,
    "lectures_delivered": _lecture_metric, "lecture_rating": _lecture_metric,
}
