"""Reads and writes of the stations' plans and their activities. The caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from activity_day.domain.activities import carried_uids
from activity_day.models import PlannedActivity, StationPlan, upsert
from activity_day.models.enums import Channel
from activity_day.store.frames import _frame


@dataclass(frozen=True)
class Receipt:
    """How a batch of station plans arrived: the same for every station of one file or one submission."""

    channel: Channel
    source_ref: str
    received_at: datetime | None = None
    late: bool = False
    submission_id: str | None = None  # the API client's id; files have none


def save_station_plans(*, session: Session, county: str, month: str, units: dict[str, list[dict[str, Any]]],
                       receipt: Receipt) -> int:
    """Replace each station's plan for the month with the given activities; returns activities written.

    The plan rows are upserted first: that locks each station's plan row, so two submissions of one
    station never interleave their activities. Then the old activities go and the new ones are
    inserted, in batches for the whole file.
    """
    if not units:
        return 0
    stations = sorted(units)
    upsert(session, StationPlan,
           [dict(county=county, month=month, station_code=station, channel=receipt.channel,
                 source_ref=receipt.source_ref, submission_id=receipt.submission_id,
                 activity_count=len(units[station]), late=receipt.late, received_at=receipt.received_at)
            for station in stations],
           ["county", "month", "station_code"])
    before: dict[str, list[tuple[str, datetime, str]]] = {}
    for start in range(0, len(stations), 500):
        chunk = stations[start:start + 500]
        for code, name, begins, uid in session.exec(select(
                PlannedActivity.station_code, PlannedActivity.name, PlannedActivity.start_time, PlannedActivity.uid)
                .where(PlannedActivity.county == county, PlannedActivity.month == month,
                       PlannedActivity.station_code.in_(chunk)).order_by(PlannedActivity.seq)):  # type: ignore[attr-defined]
            before.setdefault(code, []).append((name, begins, uid))
        session.exec(delete(PlannedActivity).where(
            PlannedActivity.county == county, PlannedActivity.month == month,
            PlannedActivity.station_code.in_(chunk)))  # type: ignore[attr-defined]
    rows = []
    for station in stations:
        uids = carried_uids(before.get(station, []), [(r["name"], r["start_time"]) for r in units[station]])
        rows += [dict(county=county, month=month, station_code=station, seq=i, uid=uid, name=r["name"],
                      task=r["task"], action_kind=r["action_kind"], start_time=r["start_time"],
                      location=r["location"], expected_participants=r["expected_participants"],
                      checklist_code=r.get("checklist_code"), volunteer_team=r.get("volunteer_team"))
                 for i, (r, uid) in enumerate(zip(units[station], uids, strict=True), start=1)]
    return upsert(session, PlannedActivity, rows, ["county", "month", "station_code", "seq"])


def station_plans_frame(*, session: Session, county: str, month: str, station: str | None = None) -> pd.DataFrame:
    """The month's station plans (one station's, with `station`)."""
    where = [StationPlan.station_code == station] if station is not None else []
    return _frame(session, StationPlan, ["station_code", "channel", "activity_count", "late"],
                  StationPlan.county == county, StationPlan.month == month, *where, order=["station_code"])


ACTIVITY_COLUMNS = ["station_code", "seq", "name", "task", "action_kind", "start_time", "location",
                    "expected_participants", "checklist_code", "volunteer_team"]


# A page's reads, built once (bound values as parameters).
_ONE_PLAN = sa_select(StationPlan.channel, StationPlan.activity_count, StationPlan.late).where(
    StationPlan.county == bindparam("county"), StationPlan.month == bindparam("month"),
    StationPlan.station_code == bindparam("station"))
_ONE_STATIONS_ACTIVITIES = sa_select(*(getattr(PlannedActivity, c) for c in ACTIVITY_COLUMNS), PlannedActivity.uid).where(
    PlannedActivity.county == bindparam("county"), PlannedActivity.month == bindparam("month"),
    PlannedActivity.station_code == bindparam("station")).order_by(PlannedActivity.seq)


def station_plan(*, session: Session, county: str, month: str, station: str) -> Any | None:
    """One station's plan of the month as a plain row (channel, activity_count, late), or None."""
    return session.connection().execute(_ONE_PLAN, {"county": county, "month": month, "station": station}).first()


def station_activities(*, session: Session, county: str, month: str, station: str) -> list[Any]:
    """One station's planned activities of the month in plan order, as plain rows with their stable identity
    (`uid`): a page's read, no frame."""
    return list(session.connection().execute(_ONE_STATIONS_ACTIVITIES,
                                             {"county": county, "month": month, "station": station}))


def activities_frame(*, session: Session, county: str, month: str, station: str | None = None) -> pd.DataFrame:
    """The month's planned activities (one station's, with `station`), by station and position."""
    where = [PlannedActivity.station_code == station] if station is not None else []
    return _frame(session, PlannedActivity, ACTIVITY_COLUMNS, PlannedActivity.county == county, PlannedActivity.month == month,
                  *where, order=["station_code", "seq"])
