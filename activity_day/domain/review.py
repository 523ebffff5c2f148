"""Department review: validating comments and decisions, and applying adopted edits to the plan. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from activity_day.domain.plan import (
    ChecklistEntry,
    LearningCategory,
    LearningEntry,
    PlanContent,
    PlanEdit,
    as_plan_content,
)
from activity_day.models.enums import Disposition

DECIDABLE = (Disposition.ADOPTED.value, Disposition.PARTLY.value, Disposition.NOT_ADOPTED.value)
APPLIES_EDITS = (Disposition.ADOPTED.value, Disposition.PARTLY.value)
SILENCE_TEXT = Disposition.NO_COMMENT.value  # how a department without a comment is recorded

# One clause that says there is nothing to say: 无意见, 没有意见, 无修改意见, 无异议, 同意, 原则同意该方案, 无…
_NO_COMMENT_CLAUSE = re.compile(
    r"(?:暂|均|本科室?|我科|本部门)?(?:无|没有|没)(?:任何|其他|其它|不同|修改|补充|新的)?"
    r"(?:意见建议|修改意见|意见|建议|异议|修改|问题)?"
    r"|(?:原则|完全|一致)?同意(?:该|本|此)?(?:方案|稿)?|无需修改|不需修改|没问题")
_CLAUSE_BREAKS = re.compile(r"[\s。，,、；;：:！!？?．.…—\-/／（）()“”\"'‘’]+")
_ASKING = re.compile(r"^(?:建议|请|希望|拟)+")
_ATTRIBUTED = re.compile(r"^根据[^，,。]{0,20}意见[，,]")


def means_no_comment(text: str | None) -> bool:
    """Whether a comment says only that the department has none (无意见, 同意, 无异议…, or nothing at all).

    Every channel (the comments file, the resume form) records such a comment as silence: 无意见, needing no
    disposition, exactly as a department that did not answer.
    """
    return all(_NO_COMMENT_CLAUSE.fullmatch(part) for part in _CLAUSE_BREAKS.split(text or "") if part)


def recorded_comment(text: str | None) -> tuple[str, str | None]:
    """The text and disposition a comment is stored with: (无意见, 无意见) for silence, else (text, undecided)."""
    text = (text or "").strip()
    return (SILENCE_TEXT, Disposition.NO_COMMENT.value) if means_no_comment(text) else (text, None)


def amendment_text(text: str) -> str:
    """The sentence the plan states for an adopted comment (after “根据…意见，”): no leading 建议, ending in 。"""
    body = _ATTRIBUTED.sub("", text.strip())
    body = _ASKING.sub("", body).strip().rstrip("。；;，,.！! ")
    return f"{body}。" if body else ""


def plan_amendment(disposition: str | None, comment: str, given: str | None, edits: Sequence[PlanEdit]) -> str | None:
    """What the plan says for a comment under 工作要求, or None.

    An adopted (or partly adopted) comment changes the plan: the office's own text (修改内容) when given;
    otherwise, when its codes changed no list, a sentence made from the comment itself.
    """
    if disposition not in APPLIES_EDITS:
        return None
    if (given or "").strip():
        return amendment_text(given or "") or None
    return None if edits else amendment_text(comment) or None


def amendment_problem(disposition: str | None, add: Iterable[str] | None, remove: Iterable[str] | None,
                      amendment: str | None) -> str | None:
    """Why a decision cannot stand for want of a 修改内容: a partial adoption without codes says what it adopts."""
    if disposition == Disposition.PARTLY.value and not (_codes(add) or _codes(remove)) and not (amendment or "").strip():
        return f"“{Disposition.PARTLY.value}”且不增删清单编号时，须填写“修改内容”（写入正式方案的内容）"
    return None


def plan_codes(content: PlanContent | Mapping[str, Any]) -> set[str]:
    """Learning and checklist codes in a plan's content (the model, or a stored row's dict)."""
    return as_plan_content(content).codes()


def check_proposed_codes(add: Iterable[str], remove: Iterable[str], *, catalog_codes: set[str],
                         in_plan: set[str], foreign: Mapping[str, str] | None = None) -> list[str]:
    """Problems with proposed additions (must exist in the catalogs, not yet in the plan, not tied to another
    month's festival: `foreign` maps such codes to their festival) and removals."""
    errors = []
    for code in add:
        if code not in catalog_codes:
            errors.append(f"建议增加的编号“{code}”不在学习清单或活动清单题库中")
        elif code in in_plan:
            errors.append(f"建议增加的编号“{code}”已在方案中")
        elif code in (foreign or {}):
            errors.append(f"建议增加的编号“{code}”对应{(foreign or {})[code]}，不是本月的节日或纪念日，方案只列本月的节日")
    errors += [f"建议删除的编号“{code}”不在本月方案中" for code in remove if code not in in_plan]
    return errors


def check_form_comment(form: dict[str, Any], *, departments: Sequence[str], catalog_codes: set[str],
                       in_plan: set[str], foreign: Mapping[str, str] | None = None) -> list[str]:
    """Problems with one comment entered in the resume form (empty list when it can be recorded)."""
    errors = []
    if form.get("department") not in departments:
        errors.append(f"部门应为：{'、'.join(departments)}（填写的是“{form.get('department') or ''}”）")
    if means_no_comment(form.get("comment")) and (_codes(form.get("add_items")) or _codes(form.get("remove_items"))):
        errors.append("提出增删清单项目时，请在“意见内容”中说明理由")
    errors += check_proposed_codes(_codes(form.get("add_items")), _codes(form.get("remove_items")),
                                   catalog_codes=catalog_codes, in_plan=in_plan, foreign=foreign)
    return errors


def _codes(values: Iterable[str] | None) -> list[str]:
    return [v.strip().upper() for v in values or [] if v and v.strip()]


def check_decisions(decisions: Sequence[dict[str, Any]], *, comment_ids: set[int], catalog_codes: set[str],
                    in_plan: set[str], foreign: Mapping[str, str] | None = None) -> list[str]:
    """Problems with the approval form: every open comment decided, a reason where one is required."""
    errors = []
    seen = set()
    for d in decisions:
        cid = d.get("comment_id")
        label = f"第{cid}号意见（{d.get('department', '')}）"
        if cid not in comment_ids:
            errors.append(f"{label}不是待处理的意见")
            continue
        seen.add(cid)
        if d.get("disposition") not in DECIDABLE:
            errors.append(f"{label}的处理结果应为：{'、'.join(DECIDABLE)}")
        elif d["disposition"] != Disposition.ADOPTED.value and not (d.get("reason") or "").strip():
            errors.append(f"{label}处理结果为“{d['disposition']}”，必须填写理由")
        missing = amendment_problem(d.get("disposition"), d.get("add_items"), d.get("remove_items"),
                                    d.get("amendment"))
        if missing:
            errors.append(f"{label}：{missing}")
        if d.get("disposition") in APPLIES_EDITS:
            errors += [f"{label}：{e}" for e in check_proposed_codes(
                _codes(d.get("add_items")), _codes(d.get("remove_items")), catalog_codes=catalog_codes,
                in_plan=in_plan, foreign=foreign)]
    errors += [f"第{cid}号意见尚未处理" for cid in sorted(comment_ids - seen)]
    return errors


def apply_edits(content: PlanContent, comments: pd.DataFrame, learning_catalog: pd.DataFrame,
                checklist_catalog: pd.DataFrame) -> tuple[PlanContent, list[PlanEdit]]:
    """The plan content with the edits of adopted comments applied, and the list of edits made.

    Additions go to the end of their category (learning) or task (checklist); removals drop the item.
    Comments are applied in their order; a code added twice is added once.
    """
    new, by_comment = apply_comment_edits(content, comments, learning_catalog, checklist_catalog)
    return new, [edit for edits in by_comment for edit in edits]


def apply_comment_edits(content: PlanContent, comments: pd.DataFrame, learning_catalog: pd.DataFrame,
                        checklist_catalog: pd.DataFrame) -> tuple[PlanContent, list[list[PlanEdit]]]:
    """As apply_edits, with the edits each comment made (one list per row of `comments`, in its order)."""
    new = content.model_copy(deep=True)
    by_comment: list[list[PlanEdit]] = []
    learning = learning_catalog.set_index("code")
    checklist = checklist_catalog.set_index("code")
    for row in comments.itertuples():
        applied: list[PlanEdit] = []
        by_comment.append(applied)
        if row.disposition not in APPLIES_EDITS:
            continue
        for code in _codes(row.proposes_remove):
            for group in [*new.learning, *new.checklist]:
                before = len(group.items)
                group.items = [i for i in group.items if i.code != code]  # type: ignore[assignment]
                if len(group.items) < before:
                    applied.append(PlanEdit(action="删除", code=code, department=row.department))
        present = new.codes()
        for code in _codes(row.proposes_add):
            if code in present:
                continue
            if code in learning.index:
                item = learning.loc[code]
                target = next((c for c in new.learning if c.name == item["category_name"]), None)
                if target is None:
                    target = LearningCategory(name=item["category_name"], items=[])
                    new.learning.append(target)
                target.items.append(LearningEntry(code=code, category=item["category"],
                                                  category_name=item["category_name"], task=item["task"],
                                                  title=item["title"], theme=item["theme"],
                                                  festival=item["festival"], form=item["form"], seq=0))
            elif code in checklist.index:
                item = checklist.loc[code]
                block = next(b for b in new.checklist if b.task == item["task"])
                block.items.append(ChecklistEntry(code=code, task=item["task"], title=item["title"],
                                                  required=bool(item["required"]), festival=item["festival"],
                                                  description=item["description"]))
            else:
                continue
            present.add(code)
            applied.append(PlanEdit(action="增加", code=code, department=row.department))
    for cat in new.learning:
        for seq, entry in enumerate(cat.items, start=1):
            entry.seq = seq
    new.learning_count = sum(len(c.items) for c in new.learning)
    new.checklist_count = sum(len(b.items) for b in new.checklist)
    new.required_codes = [i.code for b in new.checklist for i in b.items if i.required]
    new.edits = [edit for edits in by_comment for edit in edits]
    return new, by_comment
