"""What has been done for a month, for `activity-day status`."""

from __future__ import annotations

from typing import Any

from activity_day.documents.render import records
from activity_day.domain import aggregate
from activity_day.models import (
    Circular,
    DepartmentComment,
    Draw,
    DrawAssignment,
    InspectionScore,
    MonthPlan,
    PlannedActivity,
    Station,
    StationPlan,
)
from activity_day.store import crud
from activity_day.store.database import transaction


def month_status(county: str, month: str) -> dict[str, Any]:
    with transaction() as session:
        def n(model: type, **where: Any) -> int:
            return crud.count(session=session, model=model, county=county, month=month, **where)

        docs = crud.documents(session=session, county=county, month=month)
        kinds = {d.kind for d in docs}
        steps = {
            "draft": "done" if n(MonthPlan, version=1) else "pending",
            "review": "done" if n(MonthPlan, status="official") else "pending",
            "collect": "done" if "collect_report" in kinds else "pending",
            "sample": "done" if n(Draw) else "pending",
            "compile": "done" if n(Circular) else "pending",
        }
        counts = {
            "stations": crud.count(session=session, model=Station, county=county, active=True),
            "station_plans": n(StationPlan),
            "activities": n(PlannedActivity),
            "comments": n(DepartmentComment),
            "drawn": n(DrawAssignment),
            "scores": n(InspectionScore),
        }
        stations = crud.stations_frame(session=session, county=county)
        plans = crud.station_plans_frame(session=session, county=county, month=month)
        activities = crud.activities_frame(session=session, county=county, month=month)
        plan = crud.get_plan(session=session, county=county, month=month)
        required = crud.plan_content(plan).required_codes if plan else []
        completeness = {
            "missing": records(aggregate.missing_stations(stations, plans)),
            "uncovered_required": records(aggregate.uncovered_required(activities, plans, stations, required)),
            "late": records(aggregate.late_submissions(plans, stations)),
        }
        return {"month": month, "county": county, "steps": steps, "counts": counts,
                "documents": [d.path for d in docs], "completeness": completeness}
