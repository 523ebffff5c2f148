"""The collect step's services: the inbox read once the plan is out, and the completeness report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from activity_day.documents.contexts import CollectReport, collect_report
from activity_day.documents.render import records, render_text, write_bytes, write_text, xlsx_bytes
from activity_day.services import documents
from activity_day.services.evidence import coverage
from activity_day.services.imports import ImportReport
from activity_day.services.inbox import process_inbox
from activity_day.store import crud
from activity_day.store.database import transaction


def read_inbox(inbox: Path, county: str, month: str, *, shared: bool) -> list[ImportReport]:
    """Import the plan files in inbox/<county>/ (and inbox/ itself when `shared`) once the month's plan is out."""
    with transaction() as session:
        crud.official_plan(session=session, county=county, month=month)  # files wait until the plan is out
    reports = process_inbox(inbox / county, county=county, month=month)
    if shared:
        reports += process_inbox(inbox, county=county, month=month)
    return reports


@dataclass(frozen=True)
class Completeness:
    """The completeness report written: its facts (tables, progress, summary), its Markdown and its files."""

    report: CollectReport
    markdown: str
    files: documents.Files


def completeness_report(county: str, month: str, folder: Path) -> Completeness:
    """Load the month's plans and activities, build the report, write collect-report.xlsx/.md and record them."""
    with transaction(read_only=True) as session:
        profile = crud.load_profile_of(session=session, county=county)
        plan = crud.plan_content(crud.official_plan(session=session, county=county, month=month))
        stations = crud.stations_frame(session=session, county=county)
        plans = crud.station_plans_frame(session=session, county=county, month=month)
        activities = crud.activities_frame(session=session, county=county, month=month)
        evidence = coverage(session, county, month)  # the activity day's 活动纪实, once it has begun
    report = collect_report(stations, plans, activities, plan=plan, profile=profile, month=month)
    markdown = render_text("collect.md.j2", **report.markdown,
                           evidence={"s": evidence.summary, "by_township": records(evidence.by_township)})
    files = {
        "xlsx": write_bytes(folder / "collect-report.xlsx", xlsx_bytes(report.sheets, title=report.title)),
        "md": write_text(folder / "collect-report.md", markdown),
    }
    documents.record(county, month, "collect_report", files)
    return Completeness(report, markdown, files)
