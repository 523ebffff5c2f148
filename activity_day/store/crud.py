"""Reads and writes of the application database. Every function takes a keyword-only `session`;
writes are upserts on natural keys and never commit: the caller owns the transaction.

The reads and writes live in one module per subject (counties, stations, plans, station_plans, inspection,
evaluation); this module keeps the documents and the counts, and re-exports the rest, so `crud.<name>` serves
every subject."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from activity_day.errors import MissingPrerequisite
from activity_day.models import Document, upsert
from activity_day.store.counties import (
    county_codes,
    load_profile_of,
    save_profile,
)
from activity_day.store.evaluation import (
    activities_in,
    assessed_in,
    feedback_in,
    official_plans_in,
    save_assessed,
    save_evaluations,
    station_plans_in,
)
from activity_day.store.frames import _frame
from activity_day.store.inspection import (
    assignments_frame,
    drawn_months,
    feedback_frame,
    get_draw,
    require_draw,
    save_circular,
    save_draw,
    save_feedback,
    save_scores,
    scores_between,
    scores_frame,
    set_feedback_status,
    team_assignments,
)
from activity_day.store.plans import (
    cached_plan_content,
    checklist_codes,
    comments_frame,
    drop_silence,
    get_plan,
    item_history,
    official_plan,
    plan_content,
    replace_month_items,
    save_comments,
    save_plan,
    set_dispositions,
)
from activity_day.store.station_plans import (
    ACTIVITY_COLUMNS,
    Receipt,
    activities_frame,
    save_station_plans,
    station_activities,
    station_plan,
    station_plans_frame,
)
from activity_day.store.stations import (
    LIFETIME_COLUMNS,
    STATION_COLUMNS,
    registered_codes,
    replace_registry,
    set_lifetime,
    station_directory,
    station_entry,
    stations_ever,
    stations_frame,
)

__all__ = [
    "ACTIVITY_COLUMNS",
    "LIFETIME_COLUMNS",
    "MissingPrerequisite",
    "Receipt",
    "STATION_COLUMNS",
    "_frame",
    "activities_frame",
    "activities_in",
    "assessed_in",
    "assignments_frame",
    "cached_plan_content",
    "checklist_codes",
    "comments_frame",
    "count",
    "county_codes",
    "documents",
    "drawn_months",
    "drop_silence",
    "feedback_frame",
    "feedback_in",
    "get_draw",
    "get_plan",
    "item_history",
    "load_profile_of",
    "official_plan",
    "official_plans_in",
    "plan_content",
    "record_documents",
    "registered_codes",
    "replace_month_items",
    "replace_registry",
    "require_draw",
    "save_assessed",
    "save_circular",
    "save_comments",
    "save_draw",
    "save_evaluations",
    "save_feedback",
    "save_plan",
    "save_profile",
    "save_scores",
    "save_station_plans",
    "scores_between",
    "scores_frame",
    "set_dispositions",
    "set_feedback_status",
    "set_lifetime",
    "station_activities",
    "station_directory",
    "station_entry",
    "station_plan",
    "station_plans_frame",
    "station_plans_in",
    "stations_ever",
    "stations_frame",
    "team_assignments",
]


# --- documents and status ---------------------------------------------------------------------------------------

def record_documents(*, session: Session, county: str, month: str, kind: str, files: dict[str, tuple[str, str]]) -> None:
    """files: fmt -> (path, sha256)."""
    upsert(session, Document,
           [dict(county=county, month=month, kind=kind, fmt=fmt, path=path, sha256=sha)
            for fmt, (path, sha) in sorted(files.items())],
           ["county", "month", "kind", "fmt"])


def documents(*, session: Session, county: str, month: str) -> list[Document]:
    return list(session.exec(select(Document).where(Document.county == county, Document.month == month)
                             .order_by(Document.kind, Document.fmt)).all())


def count(*, session: Session, model: type, county: str, month: str | None = None, **where: Any) -> int:
    query = select(func.count()).select_from(model).where(model.county == county)
    if month is not None:
        query = query.where(model.month == month)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return int(session.exec(query).one())
