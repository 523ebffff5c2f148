"""The year-round evaluation of a county's stations for a period, read from the monthly records and stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from activity_day.domain.evaluation import PeriodRecords, evaluate, period_months, township_profile
from activity_day.domain.indicators import DIMENSIONS
from activity_day.domain.profile import Profile
from activity_day.errors import MissingPrerequisite
from activity_day.store import crud
from activity_day.store import lectures as lecture_store
from activity_day.store.database import transaction


@dataclass
class Evaluation:
    county: str
    period: str
    months: list[str]  # the period's months with an official plan
    profile: Profile
    scored: pd.DataFrame  # code, name, township, six dimensions, total, stars; best first
    evidence: dict[str, dict[str, dict]]  # indicator -> station -> evidence
    watch: pd.DataFrame  # code, name, township, total, reasons
    townships: pd.DataFrame

    def station_rows(self) -> list[dict[str, Any]]:
        """The JSON form: one entry per station, its six dimensions, total, stars and each indicator's evidence."""
        watch = dict(zip(self.watch["code"], self.watch["reasons"], strict=True))
        return [{"code": r.code, "name": r.name, "township": r.township,
                 "dimensions": {d: _num(getattr(r, d)) for d in DIMENSIONS}, "total": _num(r.total),
                 "stars": None if pd.isna(r.stars) else int(r.stars), "watch": watch.get(r.code, ""),
                 "evidence": {code: by_station[r.code] for code, by_station in self.evidence.items()}}
                for r in self.scored.itertuples()]


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def load_records(county: str, months: list[str]) -> tuple[Profile, PeriodRecords]:
    with transaction(read_only=True) as session:
        profile = crud.load_profile_of(session=session, county=county)
        plans = crud.official_plans_in(session=session, county=county, months=months)
        ran = [m for m in months if m in plans]
        records = PeriodRecords(
            months=ran,
            required={m: list(crud.plan_content(plans[m]).required_codes) for m in ran},
            stations=crud.stations_ever(session=session, county=county),
            activity_days={m: plans[m].activity_date for m in ran},
            plans=crud.station_plans_in(session=session, county=county, months=ran),
            activities=crud.activities_in(session=session, county=county, months=ran),
            scores=crud.scores_between(session=session, county=county, first=months[0], last=months[-1]),
            feedback=crud.feedback_in(session=session, county=county, months=ran),
            assessed=crud.assessed_in(session=session, county=county, months=months),
            lectures=lecture_store.orders_in(session=session, county=county, months=ran),
            ratings=lecture_store.ratings_in(session=session, county=county, months=ran),
            team_weight=profile.scoring.team_weight, observer_weight=profile.scoring.observer_weight,
            period_months=months)
    return profile, records


def evaluate_period(county: str, period: str) -> Evaluation:
    """Evaluate every station that was registered in the period, each on its own months (a station removed since
    keeps its months; one that joined later has only its own), and store the result (a rerun replaces it)."""
    months = period_months(period)
    profile, records = load_records(county, months)
    if not records.months:
        raise MissingPrerequisite(f"{period}期间内没有任何一个月印发了正式方案，没有可供评价的月度记录：请换一个期间")
    if not records.stations["active"].any():
        raise MissingPrerequisite("还没有所站名录：请先导入（activity-day import stations 所站名录.xlsx）")
    scored, evidence, watch = evaluate(records, profile.evaluation)
    result = Evaluation(county=county, period=period.upper(), months=records.months, profile=profile, scored=scored,
                        evidence=evidence, watch=watch, townships=township_profile(scored))
    rows = [{"station_code": s["code"], "township": s["township"], "dimensions": s["dimensions"], "total": s["total"],
             "stars": s["stars"], "watch": s["watch"], "evidence": s["evidence"]} for s in result.station_rows()]
    with transaction() as session:
        crud.save_evaluations(session=session, county=county, period=result.period, rows=rows)
    return result
