"""Collect station plans: who is missing, what is planned, as artifacts and an xlsx report."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, create_table_artifact

from activity_day.documents.contexts import collect_report, reminder_list
from activity_day.documents.render import records, render_text, write_bytes, write_text, xlsx_bytes
from activity_day.domain.outcomes import CollectResult, InboxResult
from activity_day.services.evidence import coverage
from activity_day.services.inbox import process_inbox
from activity_day.settings import get_settings
from activity_day.store import crud
from activity_day.tasks.common import STEP, artifact, artifact_key, month_dir, transaction

__all__ = ["completeness_report", "read_inbox", "reminder_list"]  # reminder_list: its home is documents.contexts


@task(name="read-inbox", **STEP)
def read_inbox(county: str, month: str, county_folder: bool = False) -> InboxResult:
    """Import the plan files waiting in the county's inbox; each moves to processed/ beside its report."""
    with transaction() as session:
        crud.official_plan(session=session, county=county, month=month)  # files wait until the plan is out
    inbox = Path(get_settings().inbox)
    # Each county's files go in inbox/<county code>/; unless the run keeps counties apart, inbox/ itself too.
    reports = process_inbox(inbox / county, county=county, month=month)
    if not (county_folder or get_settings().county_folders):
        reports += process_inbox(inbox, county=county, month=month)
    return {"files": len(reports), "stations_accepted": sum(len(r.accepted) for r in reports),
            "stations_refused": sum(len(r.refused) for r in reports),
            "unusable": [r.file for r in reports if r.exit_code == 2]}


@task(name="completeness-report", **STEP)
def completeness_report(county: str, month: str, county_folder: bool = False) -> CollectResult:
    """Missing stations, activities by task, kind and township; xlsx + markdown + Prefect artifacts."""
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
        "xlsx": write_bytes(month_dir(county, month, county_folder) / "collect-report.xlsx",
                            xlsx_bytes(report.sheets, title=report.title)),
        "md": write_text(month_dir(county, month, county_folder) / "collect-report.md", markdown),
    }
    with transaction() as session:
        crud.record_documents(session=session, county=county, month=month, kind="collect_report", files=files)
    key = artifact_key("collect", county, month)
    artifact(create_markdown_artifact, key=key, markdown=markdown, description=report.title)
    for suffix, table, description in report.tables:
        artifact(create_table_artifact, key=f"{key}-{suffix}", table=table, description=description)
    if report.progress is not None:
        progress, description = report.progress
        artifact(create_progress_artifact, progress=progress, description=description)
    return report.summary | {"files": {fmt: path for fmt, (path, _) in files.items()}}
