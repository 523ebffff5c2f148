"""The tasks of a demonstration-station round: review and site visits, and the notices (公示, 命名)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from activity_day.services import demonstration as service
from activity_day.services import demonstration_documents
from activity_day.services.demonstration import (  # the forms' views, found here too
    candidates,
    objections_state,
)
from activity_day.tasks.common import STEP, artifact, artifact_key, output_dir, run_logger

__all__ = ["candidates", "objections_state", "open_publicity", "render_notice", "review_and_assign", "round_dir"]


def round_dir(county: str, round_: str) -> Path:
    """A demonstration round's documents: OUT/demonstration/<round>/ (output_dir)."""
    return output_dir(county, "demonstration", round_)


@task(name="review-and-assign", **STEP)
def review_and_assign(county: str, round_: str, period: str, public_random: str | None = None,
                      public_random_source: str = "") -> dict:
    """资料审核 and the site-visit draw (with a published public random value when given); writes the review and
    the assessors' arrangement (xlsx)."""
    done = demonstration_documents.review_and_assign(county, round_, period, round_dir(county, round_),
                                                     public_random, public_random_source)
    reviewed, seed = done.reviewed, done.seed
    artifact(create_table_artifact, key=artifact_key("demonstration", county, round_, "review"),
             table=done.sheet.fillna("").to_dict("records"),
             description=f"{round_}年度示范所站资料审核与实地评估安排（抽取种子 {seed[:16]}）")
    run_logger().info("%s 年度示范所站：申报 %d 个，资料审核通过 %d 个", round_, len(reviewed), int(reviewed["eligible"].sum()))
    for warning in done.warnings:  # for the operator: never in a document
        run_logger().warning("%s", warning)
    return {"applications": len(reviewed), "eligible": int(reviewed["eligible"].sum()), "file": done.path, "seed": seed,
            "warnings": done.warnings}


@task(name="open-publicity", **STEP)
def open_publicity(county: str, round_: str, start: str) -> str:
    """媒体公示 opens on `start` (YYYY-MM-DD); returns its last day. Cached per run: a run that waited suspended and
    starts over keeps the dates it opened with."""
    return service.open_publicity(county, round_, date.fromisoformat(start)).isoformat()


@task(name="render-notice")
def render_notice(county: str, round_: str, kind: str) -> dict[str, str]:
    """The 公示 notice (kind "publicity": the panel's approved list) or the 命名 notice ("naming": the final list,
    issued with a number from the office's register, which a rerun keeps)."""
    notice = demonstration_documents.render_notice(county, round_, kind, round_dir(county, round_))
    artifact(create_markdown_artifact, key=artifact_key("demonstration", county, round_, kind),
             markdown=notice.markdown, description=notice.description)
    return {f"{kind}_{fmt}": path for fmt, (path, _) in notice.files.items()}
