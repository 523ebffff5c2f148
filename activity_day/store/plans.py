"""Reads and writes of the month's plans, their learning and checklist items, and the departments' comments.

The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, delete, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from activity_day.domain.dates import cn_month
from activity_day.domain.hashing import sha256_hex
from activity_day.domain.plan import PlanContent, as_plan_content
from activity_day.errors import MissingPrerequisite
from activity_day.models import ChecklistItem, DepartmentComment, MonthPlan, upsert
from activity_day.models.enums import CommentSource, PlanStatus
from activity_day.store.database import once_per_read


def get_plan(*, session: Session, county: str, month: str, version: int | None = None) -> MonthPlan | None:
    """The given version of the month's plan, or the latest one."""
    query = select(MonthPlan).where(MonthPlan.county == county, MonthPlan.month == month)
    if version is not None:
        query = query.where(MonthPlan.version == version)
    return session.exec(query.order_by(MonthPlan.version.desc())).first()  # type: ignore[attr-defined]


def plan_content(plan: MonthPlan) -> PlanContent:
    """The plan row's content as the typed model (rows keep the stored JSON form in `.content`)."""
    return PlanContent.model_validate(plan.content)


def official_plan(*, session: Session, county: str, month: str) -> MonthPlan:
    plan = session.exec(select(MonthPlan).where(MonthPlan.county == county, MonthPlan.month == month,
                                                MonthPlan.status == PlanStatus.OFFICIAL.value)).first()
    if plan is None:
        raise MissingPrerequisite(
            f"{cn_month(month)}尚无正式方案：请先运行 activity-day run draft --month {month}，"
            f"再运行 activity-day run review --month {month}"
        )
    return plan


def save_plan(*, session: Session, county: str, month: str, version: int, content: PlanContent | dict[str, Any],
              doc_number: str) -> None:
    """Store version 1 (the draft for comment) or 2 (the official plan); the date and checksum come from the
    content."""
    plan = as_plan_content(content)
    upsert(session, MonthPlan,
           [dict(county=county, month=month, version=version,
                 status=PlanStatus.DRAFT if version == 1 else PlanStatus.OFFICIAL,
                 activity_date=plan.activity_date, doc_number=doc_number, content=plan.stored(),
                 sha256=plan.sha256())],
           ["county", "month", "version"])


# Per process, for the pages and the API: an official plan's content validated once per checksum.
_plans: dict[tuple[int, str], PlanContent] = {}


def cached_plan_content(*, session: Session, county: str, month: str, version: int = 2) -> PlanContent | None:
    """That version of the month's plan (the official one by default) as content, or None; validated once per
    stored checksum (save_plan writes the checksum of the content with it), read once per read-only transaction.
    Callers must not change it."""
    return once_per_read(session, ("plan", county, month, version),
                         lambda: _plan_content_by_checksum(session, county, month, version))


_PLAN_CHECKSUM = sa_select(MonthPlan.id, MonthPlan.sha256).where(  # type: ignore[call-overload]
    MonthPlan.county == bindparam("county"), MonthPlan.month == bindparam("month"),
    MonthPlan.version == bindparam("version"))


def _plan_content_by_checksum(session: Session, county: str, month: str, version: int) -> PlanContent | None:
    row = session.connection().execute(_PLAN_CHECKSUM,
                                       {"county": county, "month": month, "version": version}).first()
    if row is None:
        return None
    key = (row.id, row.sha256)
    content = _plans.get(key) if row.sha256 else None
    if content is None:
        plan = session.get(MonthPlan, row.id)
        assert plan is not None
        content = plan_content(plan)
        if row.sha256:
            if len(_plans) > 256:
                _plans.clear()
            _plans[key] = content
    return content


def replace_month_items(*, session: Session, model: type, county: str, month: str,
                        rows: Sequence[dict[str, Any]]) -> None:
    """Make the month's learning or checklist items exactly `rows`."""
    records = [dict(r, county=county, month=month) for r in rows]
    upsert(session, model, records, ["county", "month", "code"])
    session.exec(delete(model).where(model.county == county, model.month == month,
                                     model.code.not_in([r["code"] for r in rows])))


def item_history(*, session: Session, model: type, county: str, before: str) -> pd.DataFrame:
    rows = session.exec(select(model.code, model.month).where(model.county == county,
                                                              model.month < before)).all()
    return pd.DataFrame(rows, columns=["code", "month"])


def checklist_codes(*, session: Session, county: str, month: str) -> set[str] | None:
    """The month's checklist codes, or None when the month has no plan yet."""
    codes = set(session.exec(select(ChecklistItem.code).where(ChecklistItem.county == county,
                                                              ChecklistItem.month == month)).all())
    return codes or None


def save_comments(*, session: Session, county: str, month: str, rows: Sequence[dict[str, Any]],
                  update: bool = True) -> int:
    """Store comments keyed by department and text; with update=False an existing one is left as it is."""
    records = [
        dict(county=county, month=month, department=r["department"], digest=sha256_hex(r["content"]),
             content=r["content"], proposes_add=r.get("proposes_add", []),
             proposes_remove=r.get("proposes_remove", []), source=r["source"], source_ref=r.get("source_ref", ""),
             disposition=r.get("disposition"), reason=r.get("reason", ""), amendment=r.get("amendment", ""))
        for r in rows
    ]
    return upsert(session, DepartmentComment, records, ["county", "month", "department", "digest"], update=update)


def comments_frame(*, session: Session, county: str, month: str) -> pd.DataFrame:
    rows = session.exec(select(DepartmentComment).where(DepartmentComment.county == county,
                                                        DepartmentComment.month == month)
                        .order_by(DepartmentComment.id)).all()
    cols = ["id", "department", "content", "proposes_add", "proposes_remove", "source", "source_ref",
            "disposition", "reason", "amendment"]
    return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in rows], columns=cols)


def drop_silence(*, session: Session, county: str, month: str, departments: Sequence[str]) -> None:
    session.exec(delete(DepartmentComment).where(
        DepartmentComment.county == county, DepartmentComment.month == month,
        DepartmentComment.source == CommentSource.SILENCE.value,
        DepartmentComment.department.in_(departments)))  # type: ignore[attr-defined]


def set_dispositions(*, session: Session, decisions: Sequence[dict[str, Any]]) -> None:
    """Store decisions by comment id; a decision may also narrow the comment's proposed edits."""
    for d in decisions:
        values = {"disposition": d["disposition"], "reason": d.get("reason", "")}
        values |= {k: d[k] for k in ("proposes_add", "proposes_remove", "amendment") if k in d}
        session.exec(update(DepartmentComment).where(DepartmentComment.id == d["id"]).values(**values))
