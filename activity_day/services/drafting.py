"""The county's monthly plan (方案): the draft (v1) computed and stored, a version rendered, the dates it sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from activity_day.documents.contexts import plan_context
from activity_day.documents.render import docx_bytes, render_text, write_bytes, write_text
from activity_day.domain.dates import cn_month
from activity_day.domain.outcomes import DraftResult
from activity_day.domain.plan_rules import plan_rule_violations
from activity_day.domain.planning import draft_month
from activity_day.domain.schedules import draft_month as due
from activity_day.models import ChecklistItem, LearningItem, PlanStatus
from activity_day.services import documents
from activity_day.store import crud
from activity_day.store.database import transaction


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    out = frame[columns].to_dict("records")
    for r in out:
        if "festival" in r:
            r["festival"] = r["festival"] or None
    return out


def due_month(county: str, today: date) -> str:
    """The month a scheduled draft of `county` on `today` is for, by its profile's draft date."""
    with transaction(read_only=True) as session:
        profile = crud.load_profile_of(session=session, county=county)
    return due(profile, today)


def draft_plan(county: str, month: str) -> DraftResult:
    """Compute and store plan v1 with its learning list and checklist (one transaction); returns a summary."""
    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
        drafted = draft_month(
            profile, month,
            learning_history=crud.item_history(session=session, model=LearningItem, county=county, before=month),
            checklist_history=crud.item_history(session=session, model=ChecklistItem, county=county, before=month),
        )
        activity_day, content = drafted.activity_day, drafted.plan
        learning, checklist = drafted.learning, drafted.checklist
        hold_to_rules(content, month, 1)
        # The draft for comments is circulated, not issued: it takes no number from the register.
        crud.save_plan(session=session, county=county, month=month, version=1, content=content, doc_number="")
        if crud.get_plan(session=session, county=county, month=month, version=2) is None:
            # Once the plan is official its (possibly edited) lists are the month's; a redraft keeps them.
            crud.replace_month_items(session=session, model=LearningItem, county=county, month=month,
                                     rows=_records(learning, ["code", "category", "seq", "title", "task", "theme",
                                                              "festival", "form"]))
            crud.replace_month_items(session=session, model=ChecklistItem, county=county, month=month,
                                     rows=_records(checklist, ["code", "task", "title", "required", "festival",
                                                               "description"]))
    return {"activity_date": activity_day.isoformat(), "learning": len(learning), "checklist": len(checklist),
            "festivals": sorted({m.name for m in content.marks}), "notes": content.notes,
            "warnings": list(drafted.warnings)}


@dataclass(frozen=True)
class RenderedPlan:
    """A plan version written: its Markdown (the artifact's) and its files."""

    markdown: str
    files: documents.Files


class PlanContradiction(RuntimeError):
    """A plan that would claim what its month does not hold (a festival of another month, a deadline before its
    issue, an adopted comment that changes nothing): a defect of the software, never written."""


def hold_to_rules(content, month: str, version: int) -> None:
    """The rules a plan obeys (domain.plan_rules), held before a version is stored, numbered or announced."""
    found = plan_rule_violations(content)
    if found:
        raise PlanContradiction(f"plan {month} v{version} breaks its rules: " + "; ".join(found))


def render_plan(county: str, month: str, version: int, folder: Path) -> RenderedPlan:
    """Write the plan version as Markdown, HTML and DOCX into `folder` and record them."""
    with transaction(read_only=True) as session:
        profile = crud.load_profile_of(session=session, county=county)
        plan = crud.get_plan(session=session, county=county, month=month, version=version)
        if plan is None:
            raise crud.MissingPrerequisite(
                f"{cn_month(month)}尚无{'方案征求意见稿' if version == 1 else '正式方案'}：请先运行 "
                f"activity-day run {'draft' if version == 1 else 'review'} --month {month}")
    content = crud.plan_content(plan)
    hold_to_rules(content, month, version)  # stored only if it kept them: a defect if it does not now
    context = plan_context(content, profile=profile, version=version, draft=plan.status == PlanStatus.DRAFT,
                           doc_number=plan.doc_number, month=month)
    markdown = render_text("plan.md.j2", **context)
    signed_on = datetime.combine(content.dates.draft if version == 1 else content.dates.review, time())
    files = {
        "md": write_text(folder / f"plan-v{version}.md", markdown),
        "html": write_text(folder / f"plan-v{version}.html", render_text("plan.html.j2", **context)),
        "docx": write_bytes(folder / f"plan-v{version}.docx", docx_bytes(
            "plan-draft.docx" if context["draft"] else "plan.docx", context, dated=signed_on, title=context["title"])),
    }
    documents.record(county, month, f"plan_v{version}", files)
    return RenderedPlan(markdown, files)


def followup_inputs(county: str, month: str) -> tuple[dict[str, str], str]:
    """What the later steps' start times follow: the official plan's dates (ISO) and the plans' deadline time."""
    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
        plan = crud.official_plan(session=session, county=county, month=month)
    return crud.plan_content(plan).dates.model_dump(mode="json"), profile.intake.deadline_time
