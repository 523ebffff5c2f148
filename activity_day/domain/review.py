"""Department review: validating comments and decisions, and applying adopted edits to the plan. Pure."""

from __future__ import annotations

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
from models.enums import Disposition

DECIDABLE = (Disposition.ADOPTED.value, Disposition.PARTLY.value, Disposition.NOT_ADOPTED.value)
APPLIES_EDITS = (Disposition.ADOPTED.value, Disposition.PARTLY.value)


def plan_codes(content: PlanContent | Mapping[str, Any]) -> set[str]:
    """Learning and checklist codes in a plan's content (the model, or a stored row's dict)."""
    return as_plan_content(content).codes()


def check_proposed_codes(add: Iterable[str], remove: Iterable[str], *, catalog_codes: set[str],
                         in_plan: set[str]) -> list[str]:
    """Problems with proposed additions (must exist in the catalogs, not yet in the plan) and removals."""
    errors = []
    for code in add:
        if code not in catalog_codes:
            errors.append(f"建议增加的编号“{code}”不在学习清单或活动清单题库中")
        elif code in in_plan:
            errors.append(f"建议增加的编号“{code}”已在方案中")
    errors += [f"建议删除的编号“{code}”不在本月方案中" for code in remove if code not in in_plan]
    return errors


def check_form_comment(form: dict[str, Any], *, departments: Sequence[str], catalog_codes: set[str],
                       in_plan: set[str]) -> list[str]:
    """Problems with one comment entered in the resume form (empty list when it can be recorded)."""
    errors = []
    if form.get("department") not in departments:
        errors.append(f"部门应为：{'、'.join(departments)}（填写的是“{form.get('department') or ''}”）")
    if not (form.get("comment") or "").strip() and (form.get("add_items") or form.get("remove_items")):
        errors.append("提出增删清单项目时，请在“意见内容”中说明理由")
    errors += check_proposed_codes(_codes(form.get("add_items")), _codes(form.get("remove_items")),
                                   catalog_codes=catalog_codes, in_plan=in_plan)
    return errors


def _codes(values: Iterable[str] | None) -> list[str]:
    return [v.strip().upper() for v in values or [] if v and v.strip()]


def check_decisions(decisions: Sequence[dict[str, Any]], *, comment_ids: set[int], catalog_codes: set[str],
                    in_plan: set[str]) -> list[str]:
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
        if d.get("disposition") in APPLIES_EDITS:
            errors += [f"{label}：{e}" for e in check_proposed_codes(
                _codes(d.get("add_items")), _codes(d.get("remove_items")), catalog_codes=catalog_codes,
                in_plan=in_plan)]
    errors += [f"第{cid}号意见尚未处理" for cid in sorted(comment_ids - seen)]
    return errors


def apply_edits(content: PlanContent, comments: pd.DataFrame, learning_catalog: pd.DataFrame,
                checklist_catalog: pd.DataFrame) -> tuple[PlanContent, list[PlanEdit]]:
    """The plan content with the edits of adopted comments applied, and the list of edits made.

    Additions go to the end of their category (learning) or task (checklist); removals drop the item.
    Comments are applied in their order; a code added twice is added once.
    """
    new = content.model_copy(deep=True)
    applied: list[PlanEdit] = []
    learning = learning_catalog.set_index("code")
    checklist = checklist_catalog.set_index("code")
    for row in comments.itertuples():
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
    new.edits = list(applied)
    return new, applied
