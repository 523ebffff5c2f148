"""Closing the department review: silence as 无意见, undecided comments defaulted, the official content. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from activity_day.domain.plan import PlanComment, PlanContent, PlanEdit
from activity_day.domain.review import apply_edits
from models.enums import CommentSource, Disposition, PlanStatus

SILENCE_TEXT = "无意见"


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
    """The official plan: the draft with adopted edits applied and every comment with its disposition attached."""
    content, edits = apply_edits(drafted, comments, learning_catalog, checklist_catalog)
    content.comments = [PlanComment.model_validate(r) for r in
                        comments[["department", "content", "disposition", "reason"]].to_dict("records")]
    content.status = PlanStatus.OFFICIAL.value
    return content, edits


def month_item_rows(content: PlanContent) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The month's learning items and checklist items of a plan, as rows for their tables."""
    learning = [i.model_dump(exclude={"category_name"}) for cat in content.learning for i in cat.items]
    return learning, [i.model_dump() for block in content.checklist for i in block.items]
