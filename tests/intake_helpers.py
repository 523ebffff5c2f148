"""Helpers for intake tests: an official plan without Prefect, tokens, and a valid activity."""

from __future__ import annotations

from datetime import date
from typing import Any

from activity_day.domain.planning import draft_month
from activity_day.domain.profile import revised
from activity_day.models import ChecklistItem
from activity_day.services.submissions import issue_tokens, utcnow
from activity_day.store import crud
from activity_day.store.database import transaction


def official_plan(county: str, month: str) -> dict:
    """Store an official plan for the month directly (the flows are tested elsewhere); returns its content."""
    with transaction() as session:
        drafted = draft_month(crud.load_profile_of(session=session, county=county), month)
        content, checklist = drafted.content, drafted.checklist
        for version in (1, 2):
            crud.save_plan(session=session, county=county, month=month, version=version, content=content,
                           doc_number="x")
        crud.replace_month_items(session=session, model=ChecklistItem, county=county, month=month, rows=[
            {k: (r[k] or None) if k == "festival" else r[k]
             for k in ("code", "task", "title", "required", "festival", "description")}
            for r in checklist.to_dict("records")])
    return content


def tokens_for(county: str, stations: list[str]) -> dict[str, str]:
    with transaction() as session:
        return issue_tokens(session=session, county=county, stations=stations, now=utcnow())


def activity(day: date, code: str | None = None, **over) -> dict:
    return {"name": "文明实践课堂", "task": "学习实践科学理论", "action_kind": "规定动作",
            "start_time": f"{day.isoformat()}T09:00", "location": "村综合服务中心", "expected_participants": 40,
            "checklist_code": code} | over


def change_profile(county: str, changes: dict[str, Any]) -> None:
    """Change some of the county's profile settings, by dotted path ("intake.late_submissions"), as
    `activity-day init` with an edited profile would."""
    with transaction() as session:
        crud.save_profile(session=session, profile=revised(crud.load_profile_of(session=session, county=county),
                                                           changes))
