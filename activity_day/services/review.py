"""Department review (征求意见) of the month's plan: its state, comments from the form, the office's decisions, and
the review closed (silence as 无意见, undecided comments settled, adopted edits applied: the official plan, v2)."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

from activity_day.context import current
from activity_day.documents.contexts import plan_context, plan_title
from activity_day.documents.render import docx_bytes, environment, render_text, write_bytes, write_text
from activity_day.domain import menu
from activity_day.domain.closing import (
    answered_departments,
    check_default_disposition,
    default_decisions,
    in_department_order,
    month_item_rows,
    official_content,
    silence_rows,
    silent_departments,
    without_comment,
)
from activity_day.domain.dates import cn_month
from activity_day.domain.hashing import canonical_json, sha256_hex
from activity_day.domain.months import TZ
from activity_day.domain.names import normalize_name, strip_control
from activity_day.domain.notices import Occasion
from activity_day.domain.outcomes import ReviewResult
from activity_day.domain.planning import (
    foreign_festival_codes,
    key_dates,
    load_checklist_catalog,
    load_learning_catalog,
)
from activity_day.domain.review import check_decisions, check_form_comment, recorded_comment
from activity_day.errors import OperatorError
from activity_day.models import ChecklistItem, CommentSource, Disposition, LearningItem
from activity_day.services import commitments, documents, notices
from activity_day.services.drafting import hold_to_rules
from activity_day.store import crud, numbers
from activity_day.store import lectures as lecture_store
from activity_day.store.database import transaction

REVIEW_CLOSES_AT = time(17, 0)  # the review deadline is 17:00 on the review day, Asia/Shanghai


def catalog_codes() -> set[str]:
    return set(load_learning_catalog()["code"]) | set(load_checklist_catalog()["code"])


def foreign_codes(plan) -> dict[str, str]:
    """The catalog codes a comment may not add to this plan: tied to another month's festival."""
    return foreign_festival_codes(plan, load_learning_catalog(), load_checklist_catalog())


def _draft(session, county: str, month: str):
    draft = crud.get_plan(session=session, county=county, month=month, version=1)
    if draft is None:
        raise crud.MissingPrerequisite(
            f"{cn_month(month)}尚无方案征求意见稿：请先运行 activity-day run draft --month {month}")
    return draft


def review_state(county: str, month: str) -> dict[str, Any]:
    """Departments still to answer, comments still to decide, and the review deadline."""
    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
        draft = _draft(session, county, month)
        plan = crud.plan_content(draft)
        comments = crud.comments_frame(session=session, county=county, month=month)
    spoken = comments[comments["source"] != CommentSource.SILENCE.value]
    deadline = datetime.combine(key_dates(profile, draft.activity_date)["review"], REVIEW_CLOSES_AT, TZ)
    undecided = spoken[spoken["disposition"].isna()]
    table = comments[["department", "content", "disposition", "reason", "proposes_add", "proposes_remove",
                      "amendment"]]
    return {
        "digest": sha256_hex(canonical_json(table.to_dict("records"))),
        "departments": profile.departments,
        "pending": [d for d in profile.departments if d not in set(spoken["department"])],
        "deadline": deadline.isoformat(),
        "deadline_cn": f"{plan.dates_cn.review}{REVIEW_CLOSES_AT:%H:%M}",
        "undecided": [
            {"comment_id": int(r.id), "department": r.department, "comment": r.content,
             "add_items": list(r.proposes_add), "remove_items": list(r.proposes_remove)}
            for r in undecided.itertuples()
        ],
        "plan_codes": sorted(plan.codes()),
    }


def record_form_comment(county: str, month: str, form: dict[str, Any], source_ref: str) -> list[str]:
    """Validate and store one comment from the resume form; returns the problems (nothing stored if any)."""
    form = dict(form, department=normalize_name(form.get("department") or ""),
                comment=strip_control(form.get("comment") or ""))
    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
        draft = _draft(session, county, month)
        drafted = crud.plan_content(draft)
        errors = check_form_comment(form, departments=profile.departments, catalog_codes=catalog_codes(),
                                    in_plan=drafted.codes(), foreign=foreign_codes(drafted))
        commitment = (form.get("draw_commitment") or "").strip()
        if commitment and not errors:
            try:
                commitments.commit_in(session, county, month, form["department"], commitment, current().now())
            except OperatorError as exc:
                errors = [f"抽样承诺值：{exc}"]
        if errors:  # nothing written: the commitment's checks all come before its write
            return errors
        content, disposition = recorded_comment(form.get("comment"))  # 无意见, 同意…: silence, as in a file
        crud.save_comments(session=session, county=county, month=month, rows=[{
            "department": form["department"],
            "content": content,
            "proposes_add": [c.strip().upper() for c in form.get("add_items") or [] if c.strip()],
            "proposes_remove": [c.strip().upper() for c in form.get("remove_items") or [] if c.strip()],
            "source": CommentSource.FORM.value,
            "source_ref": source_ref,
            "disposition": disposition,
        }])
    return []


def record_decisions(county: str, month: str, decisions: list[dict[str, Any]]) -> list[str]:
    """Validate and store the approval form's dispositions; returns the problems (nothing stored if any)."""
    decisions = [dict(d, reason=strip_control(d.get("reason") or "")) for d in decisions]
    with transaction() as session:
        draft = _draft(session, county, month)
        comments = crud.comments_frame(session=session, county=county, month=month)
        open_ids = {int(i) for i in comments[comments["disposition"].isna()]["id"]}
        drafted = crud.plan_content(draft)
        errors = check_decisions(decisions, comment_ids=open_ids, catalog_codes=catalog_codes(),
                                 in_plan=drafted.codes(), foreign=foreign_codes(drafted))
        if errors:
            return errors
        crud.set_dispositions(session=session, decisions=[
            {"id": d["comment_id"], "disposition": d["disposition"], "reason": (d.get("reason") or "").strip(),
             "proposes_add": [c.strip().upper() for c in d.get("add_items") or [] if c.strip()],
             "proposes_remove": [c.strip().upper() for c in d.get("remove_items") or [] if c.strip()],
             "amendment": strip_control(d.get("amendment") or "").strip()}
            for d in decisions
        ])
    return []


def close_review(county: str, month: str, default_disposition: str = Disposition.ADOPTED.value) -> ReviewResult:
    """Record silence as 无意见, settle undecided comments, apply adopted edits and store plan v2.

    Unattended runs have no one to decide: an undecided comment takes `default_disposition`
    (only 采纳 needs no reason, so only 采纳 is allowed here). One transaction, the plan's number with it.
    """
    check_default_disposition(default_disposition)
    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
        draft = _draft(session, county, month)
        drafted = crud.plan_content(draft)
        comments = crud.comments_frame(session=session, county=county, month=month)
        silent = silent_departments(profile.departments, comments)
        defaulted = default_decisions(comments, default_disposition)
        # A comment that arrived after an earlier close replaces that department's 无意见.
        crud.drop_silence(session=session, county=county, month=month,
                          departments=sorted(answered_departments(comments)))
        crud.save_comments(session=session, county=county, month=month,
                           rows=silence_rows(silent, review_day_cn=drafted.dates_cn.review))
        crud.set_dispositions(session=session, decisions=defaulted)
        session.flush()
        comments = in_department_order(crud.comments_frame(session=session, county=county, month=month),
                                       profile.departments)
        content, edits = official_content(drafted, comments, load_learning_catalog(), load_checklist_catalog())
        pool = lecture_store.pool_frame(session=session, county=county)
        if len(pool):  # a county with a lecture pool publishes the month's menu (宣讲菜单) in the official plan
            content.lecture_menu = menu.build_menu(content, menu.stories_by_topic(zip(pool["topics"], pool["stories"],
                                                                                   strict=True)),
                                                   per_item=profile.lectures.stories_per_item)
        hold_to_rules(content, month, 2)  # before it takes a number, is stored or announced
        number = numbers.assign(session=session, now=current().now(), issue=numbers.Issue(
            issuer=profile.county.doc_prefix, year=content.dates.review.year, county=county, month=month,
            document="plan"))
        crud.save_plan(session=session, county=county, month=month, version=2, content=content, doc_number=number)
        learning, checklist = month_item_rows(content)
        crud.replace_month_items(session=session, model=LearningItem, county=county, month=month, rows=learning)
        crud.replace_month_items(session=session, model=ChecklistItem, county=county, month=month, rows=checklist)
        # The plan is issued: its notices go into the outbox with it (the notices run sends them).
        notices.enqueue_issued(session, county, month, notices.IssuedDocument(
            Occasion.PLAN_ISSUED, plan_title(month), number, ["plan-v2.docx", "plan-v2.html"]))
    quiet = without_comment(profile.departments, comments)
    spoken = [c for c in content.comments or [] if c.disposition != Disposition.NO_COMMENT.value]
    amended = content.amendments()
    return {"comments": len(spoken), "silent": quiet, "defaulted": len(defaulted),
            "edits": [e.model_dump() for e in edits], "amendments": [c.amendment or "" for c in amended]}


def render_dispositions(county: str, month: str, folder: Path) -> documents.Files:
    """Write the disposition table (部门意见处理情况表) beside the official plan; returns fmt -> path.

    It is the office's record of the review, not part of the plan sent to the stations: review-dispositions.*.
    """
    with transaction(read_only=True) as session:
        profile = crud.load_profile_of(session=session, county=county)
        plan = crud.get_plan(session=session, county=county, month=month, version=2)
        if plan is None:
            raise crud.MissingPrerequisite(
                f"{cn_month(month)}尚无正式方案：请先运行 activity-day run review --month {month}")
    content = crud.plan_content(plan)
    # an internal record: no masthead, whatever the plan's context carries for the plan itself
    context = plan_context(content, profile=profile, version=2, draft=False, doc_number=plan.doc_number,
                           month=month) | {"issuer": None, "mark": None}
    title = str(environment().get_template("_plan_prose.j2").module.dispositions_title(context["p"]))
    files = {
        "md": write_text(folder / "review-dispositions.md", render_text("review-dispositions.md.j2", **context)),
        "html": write_text(folder / "review-dispositions.html", render_text("review-dispositions.html.j2", **context)),
        "docx": write_bytes(folder / "review-dispositions.docx", docx_bytes(
            "review-dispositions.docx", context, dated=datetime.combine(content.dates.review, time()), title=title)),
    }
    documents.record(county, month, "review_dispositions", files)
    return files
