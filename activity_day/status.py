"""What has been done for a month, for `activity-day status`."""

from __future__ import annotations

from typing import Any

from activity_day import crud
from activity_day.database import transaction
from models import (
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
        return {"month": month, "county": county, "steps": steps, "counts": counts,
                "documents": [d.path for d in docs]}
