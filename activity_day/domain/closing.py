"""Closing the department review: silence as 无意见, undecided comments defaulted, the official content. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from activity_day.domain.plan import PlanComment, PlanContent, PlanEdit
from activity_day.domain.review import SILENCE_TEXT, apply_comment_edits, plan_amendment
from activity_day.models.enums import CommentSource, Disposition, PlanStatus

__all__ = ["SILENCE_TEXT"]


def check_default_disposition(disposition: str) -> None:
    """Refuse a default for undecided comments other than 采纳: only 采纳 needs no reason."""
    if disposition != Disposition.ADOPTED.value:
        raise ValueError("the default disposition for undecided comments can only be 采纳 (it needs no reason)")


def answered_departments(comments: pd.DataFrame) -> set[str]:
    """Departments that sent a comment of their own (silence recorded for them does not count)."""
    return set(comments.loc[comments["source"] != CommentSource.SILENCE.value, "department"])


def silent_departments(departments: Sequence[str], comments: pd.DataFrame) -> list[str]:
    """The profile's departments that have not answered, in the profile's order."""
    answered = answered_departments(comments)
    return [d for d in departments if d not in answered]


def without_comment(departments: Sequence[str], comments: pd.DataFrame) -> list[str]:
    """The departments recorded as 无意见 only (silent, or saying only 无意见), in the profile's order."""
    spoken = set(comments.loc[comments["disposition"] != Disposition.NO_COMMENT.value, "department"])
    return [d for d in departments if d not in spoken]


def for_the_record(comments: pd.DataFrame) -> pd.DataFrame:
    """The comments without a department's 无意见 once that department also sent a comment."""
    silence = comments["disposition"] == Disposition.NO_COMMENT.value
    spoken = set(comments.loc[~silence, "department"])
    return comments[~(silence & comments["department"].isin(spoken))]


def silence_rows(silent: Sequence[str], *, review_day_cn: str) -> list[dict[str, Any]]:
    """One 无意见 comment row for each silent department, noting the review day it was recorded at."""
    return [dict(department=d, content=SILENCE_TEXT, source=CommentSource.SILENCE.value,
                 source_ref=f"截至{review_day_cn}未反馈", disposition=Disposition.NO_COMMENT.value)
            for d in silent]


def default_decisions(comments: pd.DataFrame, disposition: str) -> list[dict[str, Any]]:
    """The disposition for each undecided comment (no reason: only 采纳 is allowed, see check_default_disposition)."""
    undecided = comments[comments["disposition"].isna()]
    return [dict(id=int(i), disposition=disposition, reason="") for i in undecided["id"]]


def in_department_order(comments: pd.DataFrame, departments: Sequence[str]) -> pd.DataFrame:
    """The comments in the profile's department order, each department's in the order they came."""
    order = {d: i for i, d in enumerate(departments)}
    return comments.assign(_o=comments["department"].map(order)).sort_values(["_o", "id"], kind="stable")


def official_content(drafted: PlanContent, comments: pd.DataFrame, learning_catalog: pd.DataFrame,
                     checklist_catalog: pd.DataFrame) -> tuple[PlanContent, list[PlanEdit]]:
    """The official plan: the draft with adopted edits applied, and every comment with its disposition and what
    it changed (its edits, or the amendment the plan states for it) attached."""
    comments = for_the_record(comments)
    content, by_comment = apply_comment_edits(drafted, comments, learning_catalog, checklist_catalog)
    given = comments["amendment"] if "amendment" in comments else pd.Series([""] * len(comments))
    content.comments = [
        PlanComment(department=r["department"], content=r["content"], disposition=r["disposition"],
                    reason=r["reason"], edits=edits or None,
                    amendment=plan_amendment(r["disposition"], r["content"], amendment, edits))
        for r, edits, amendment in zip(comments.to_dict("records"), by_comment, given, strict=True)
    ]
    content.status = PlanStatus.OFFICIAL.value
    return content, [edit for edits in by_comment for edit in edits]


def month_item_rows(content: PlanContent) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The month's learning items and checklist items of a plan, as rows for their tables."""
    learning = [i.model_dump(exclude={"category_name"}) for cat in content.learning for i in cat.items]
    return learning, [i.model_dump() for block in content.checklist for i in block.items]
