"""Reads and writes of the year-round evaluation. The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import delete
from sqlmodel import Session, select

from activity_day.models import (
    AssessedScore,
    FeedbackItem,
    MonthPlan,
    PlannedActivity,
    StationEvaluation,
    StationPlan,
    upsert,
)
from activity_day.models.enums import PlanStatus
from activity_day.store.frames import _frame


def official_plans_in(*, session: Session, county: str, months: list[str]) -> dict[str, MonthPlan]:
    """month -> official plan, for the months given that have one."""
    rows = session.exec(select(MonthPlan).where(MonthPlan.county == county, MonthPlan.month.in_(months),  # type: ignore[attr-defined]
                                                MonthPlan.status == PlanStatus.OFFICIAL.value)).all()
    return {row.month: row for row in rows}


def station_plans_in(*, session: Session, county: str, months: list[str]) -> pd.DataFrame:
    return _frame(session, StationPlan, ["month", "station_code", "late", "activity_count"],
                  StationPlan.county == county, StationPlan.month.in_(months),  # type: ignore[attr-defined]
                  order=["month", "station_code"])


def activities_in(*, session: Session, county: str, months: list[str]) -> pd.DataFrame:
    return _frame(session, PlannedActivity, ["month", "station_code", "seq", "task", "checklist_code",
                                             "expected_participants", "volunteer_team"],
                  PlannedActivity.county == county, PlannedActivity.month.in_(months),  # type: ignore[attr-defined]
                  order=["month", "station_code", "seq"])


def feedback_in(*, session: Session, county: str, months: list[str]) -> pd.DataFrame:
    return _frame(session, FeedbackItem, ["id", "month", "station_code", "status"],
                  FeedbackItem.county == county, FeedbackItem.month.in_(months),  # type: ignore[attr-defined]
                  order=["month", "station_code", "id"])


def assessed_in(*, session: Session, county: str, months: list[str]) -> pd.DataFrame:
    return _frame(session, AssessedScore, ["month", "station_code", "indicator", "assessor", "score"],
                  AssessedScore.county == county, AssessedScore.month.in_(months),  # type: ignore[attr-defined]
                  order=["month", "station_code", "indicator", "assessor"])


def save_assessed(*, session: Session, county: str, rows: Sequence[dict[str, Any]], source_ref: str) -> int:
    records = [dict(county=county, month=r["month"], station_code=r["station_code"], indicator=r["indicator"],
                    assessor=r["assessor"], score=r["score"], note=r.get("note", ""),
                    source_ref=f"{source_ref}:{r['_row']}" if "_row" in r else source_ref) for r in rows]
    return upsert(session, AssessedScore, records, ["county", "month", "station_code", "indicator", "assessor"])


def save_evaluations(*, session: Session, county: str, period: str, rows: Sequence[dict[str, Any]]) -> int:
    """Store a period's evaluation, replacing the stations' earlier one for the same period."""
    records = [dict(r, county=county, period=period) for r in rows]
    session.exec(delete(StationEvaluation).where(StationEvaluation.county == county,
                                                 StationEvaluation.period == period))
    return upsert(session, StationEvaluation, records, ["county", "period", "station_code"]) if records else 0
