"""Collect station plans: who is missing, what is planned, as artifacts and an xlsx report."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, create_table_artifact

from activity_day.context import current
from activity_day.documents.contexts import reminder_list
from activity_day.domain.outcomes import CollectResult, InboxResult
from activity_day.services import collect, documents
from activity_day.tasks.common import STEP, artifact, artifact_key, month_dir

__all__ = ["completeness_report", "read_inbox", "reminder_list"]  # reminder_list: its home is documents.contexts


@task(name="read-inbox", **STEP)
def read_inbox(county: str, month: str, county_folder: bool = False) -> InboxResult:
    """Import the plan files waiting in the county's inbox; each moves to processed/ beside its report."""
    # Each county's files go in inbox/<county code>/; unless the run keeps counties apart, inbox/ itself too.
    ctx = current()
    reports = collect.read_inbox(ctx.inbox, county, month, shared=not (county_folder or ctx.county_folders))
    return {"files": len(reports), "stations_accepted": sum(len(r.accepted) for r in reports),
            "stations_refused": sum(len(r.refused) for r in reports),
            "unusable": [r.file for r in reports if r.exit_code == 2]}


@task(name="completeness-report", **STEP)
def completeness_report(county: str, month: str, county_folder: bool = False) -> CollectResult:
    """Missing stations, activities by task, kind and township; xlsx + markdown + Prefect artifacts."""
    written = collect.completeness_report(county, month, month_dir(county, month, county_folder))
    report, markdown = written.report, written.markdown
    key = artifact_key("collect", county, month)
    artifact(create_markdown_artifact, key=key, markdown=markdown, description=report.title)
    for suffix, table, description in report.tables:
        artifact(create_table_artifact, key=f"{key}-{suffix}", table=table, description=description)
    if report.progress is not None:
        progress, description = report.progress
        artifact(create_progress_artifact, progress=progress, description=description)
    return report.summary | {"files": documents.paths(written.files)}
