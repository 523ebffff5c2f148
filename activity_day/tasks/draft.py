"""Draft the month's plan (v1, 征求意见稿) and render plan documents."""

from __future__ import annotations

from datetime import datetime

from prefect import task
from prefect.artifacts import create_markdown_artifact

from activity_day.context import current
from activity_day.domain.dates import cn_month
from activity_day.domain.outcomes import DraftResult
from activity_day.services import documents, drafting
from activity_day.tasks.common import STEP, artifact, artifact_key, month_dir, run_logger


def due_month(county: str, today: datetime | None = None) -> str:
    """The month a scheduled draft of `county` (no month given) is for, by its profile's draft date."""

    return drafting.due_month(county, (today or current().local_now()).date())


@task(name="draft-plan", **STEP)
def draft_plan(county: str, month: str) -> DraftResult:
    """Compute and store plan v1 with its learning list and checklist; returns a summary."""
    drafted = drafting.draft_plan(county, month)
    for warning in drafted["warnings"]:  # the operator's to settle; the plan says nothing of it
        run_logger().warning("%s", warning)
    return drafted


@task(name="render-plan", **STEP)
def render_plan(county: str, month: str, version: int, county_folder: bool = False) -> dict[str, str]:
    """Write the plan version as Markdown and HTML under out/YYYY-MM/; returns fmt -> path."""
    rendered = drafting.render_plan(county, month, version, month_dir(county, month, county_folder))
    artifact(create_markdown_artifact,
        key=artifact_key("plan", county, month, f"v{version}"), markdown=rendered.markdown,
        description=f"{cn_month(month)}集中活动日方案（{'征求意见稿' if version == 1 else '正式稿'}）",
    )
    return documents.paths(rendered.files)
