"""Department review: comments from the resume form, decisions, silence as 无意见, and the official plan (v2)."""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from activity_day.domain.dates import cn_month
from activity_day.domain.outcomes import ReviewResult
from activity_day.models import Disposition
from activity_day.services import documents, review
from activity_day.services.review import REVIEW_CLOSES_AT, catalog_codes, foreign_codes
from activity_day.tasks.common import STEP, month_dir, run_logger

__all__ = ["REVIEW_CLOSES_AT", "catalog_codes", "close_review", "foreign_codes", "record_decisions",
           "record_form_comment", "render_dispositions", "review_state"]


@task(name="review-state", cache_policy=NO_CACHE)
def review_state(county: str, month: str) -> dict[str, Any]:
    """Departments still to answer, comments still to decide, and the review deadline."""
    return review.review_state(county, month)


@task(name="record-form-comment", cache_policy=NO_CACHE)
def record_form_comment(county: str, month: str, form: dict[str, Any], source_ref: str) -> list[str]:
    """Validate and store one comment from the resume form; returns the problems (nothing stored if any)."""
    return review.record_form_comment(county, month, form, source_ref)


@task(name="record-decisions", cache_policy=NO_CACHE)
def record_decisions(county: str, month: str, decisions: list[dict[str, Any]]) -> list[str]:
    """Validate and store the approval form's dispositions; returns the problems (nothing stored if any)."""
    return review.record_decisions(county, month, decisions)


@task(name="close-review", **STEP)
def close_review(county: str, month: str, default_disposition: str = Disposition.ADOPTED.value,
                 comments_digest: str = "") -> ReviewResult:
    """Record silence as 无意见, settle undecided comments, apply adopted edits and store plan v2.

    Unattended runs have no one to decide: an undecided comment takes `default_disposition`
    (only 采纳 needs no reason, so only 采纳 is allowed here). `comments_digest` (from review_state)
    is part of the cache key: a retried run whose comments changed closes the review again.
    """
    closed = review.close_review(county, month, default_disposition)
    run_logger().info("%s征求意见已结束：部门意见 %d 条，%d 个部门无意见，清单调整 %d 处，工作要求增写 %d 条",
                      cn_month(month), closed["comments"], len(closed["silent"]), len(closed["edits"]),
                      len(closed["amendments"]))
    return closed


@task(name="render-dispositions", **STEP)
def render_dispositions(county: str, month: str, county_folder: bool = False) -> dict[str, str]:
    """Write the disposition table (部门意见处理情况表) beside the official plan; returns fmt -> path.

    It is the office's record of the review, not part of the plan sent to the stations: review-dispositions.*.
    """
    return documents.paths(review.render_dispositions(county, month, month_dir(county, month, county_folder)))
