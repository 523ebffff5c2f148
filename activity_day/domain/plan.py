"""The month's plan content as a typed model: what draft_month builds and close_review completes.

Stored in the JSON column `month_plan.content` as `model_dump(mode="json")`. Field order is the stored key
order, and the plan's SHA-256 (the draw seed) is taken of that JSON, so fields are never reordered or renamed
without a migration.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

from activity_day.domain.hashing import canonical_json, sha256_hex

# Keys close_review adds to the official plan (v2); a draft (v1) has none of them.
OFFICIAL_ONLY = ("edits", "comments", "status", "lecture_menu")


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanMark(_Part):
    """A festival or commemorative day of the month."""

    date: date
    date_cn: str
    name: str
    kind: str
    optional: bool


class LearningEntry(_Part):
    code: str
    category: str
    category_name: str
    task: str
    title: str
    theme: str
    festival: str
    form: str
    seq: int


class LearningCategory(_Part):
    name: str
    items: list[LearningEntry]


class ChecklistEntry(_Part):
    code: str
    task: str
    title: str
    required: bool
    festival: str
    description: str


class ChecklistBlock(_Part):
    task: str
    items: list[ChecklistEntry]


class PlanProgram(_Part):
    """A county programme (特色项目) shown in the plan."""

    name: str
    task: str
    description: str
    task_cn: str


class KeyDates(_Part):
    """The month's deadlines, counted from the activity day."""

    draft: date
    review: date
    station_plans: date
    sample: date
    scores: date
    compile: date


class KeyDatesCn(_Part):
    """The same deadlines as written in the documents (2026年12月1日)."""

    draft: str
    review: str
    station_plans: str
    sample: str
    scores: str
    compile: str


class PlanEdit(_Part):
    """One adopted change: 增加 or 删除 a code, at a department's request."""

    action: str
    code: str
    department: str


class PlanComment(_Part):
    """A department's comment, its disposition and what it changed in the official plan.

    The disposition table (部门意见处理情况表, the office's record) lists these; the plan itself shows only
    the changes: `edits` in its lists and `amendment`, a sentence under 工作要求.
    """

    department: str
    content: str
    disposition: str | None
    reason: str | None
    edits: list[PlanEdit] | None = None
    amendment: str | None = None

    @model_serializer(mode="wrap")
    def _without_absent_changes(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Plans stored before comments carried their changes keep their JSON, and so their checksum.
        data = handler(self)
        for key in ("edits", "amendment"):
            if data.get(key) is None:
                data.pop(key, None)
        return data


class MenuEntry(_Part):
    """An item of the month's lecture menu (宣讲菜单): a topic, what it covers and the stories that fit it."""

    code: str
    title: str
    topic: str
    covers: list[str]
    stories: list[str]


class PlanContent(_Part):
    """Everything the plan documents show."""

    county: str
    county_name: str
    month: str
    month_label: str
    activity_date: date
    activity_date_cn: str
    weekday_cn: str
    marks: list[PlanMark]
    holiday_source: str
    holidays: dict[date, str]
    notes: list[str]
    learning: list[LearningCategory]
    learning_count: int
    checklist: list[ChecklistBlock]
    checklist_count: int
    required_codes: list[str]
    programs: list[PlanProgram]
    dates: KeyDates
    dates_cn: KeyDatesCn
    edits: list[PlanEdit] | None = None
    comments: list[PlanComment] | None = None
    status: str | None = None
    lecture_menu: list[MenuEntry] | None = None

    @model_serializer(mode="wrap")
    def _without_absent_official_keys(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A draft is stored without the official plan's keys, not with nulls: same JSON, same checksum.
        data = handler(self)
        for key in OFFICIAL_ONLY:
            if data.get(key) is None:
                data.pop(key, None)
        return data

    def codes(self) -> set[str]:
        """Learning and checklist codes in the plan."""
        learning = {i.code for cat in self.learning for i in cat.items}
        return learning | {i.code for block in self.checklist for i in block.items}

    def amendments(self) -> list[PlanComment]:
        """The adopted comments whose change is written into the plan, in the comments' order."""
        return [c for c in self.comments or [] if c.amendment]

    def stored(self) -> dict[str, Any]:
        """The JSON form kept in month_plan.content (and given to the templates as `p`)."""
        return self.model_dump(mode="json")

    def sha256(self) -> str:
        """The plan's checksum: SHA-256 of the canonical JSON of its stored form (it seeds the draw)."""
        return sha256_hex(canonical_json(self.stored()))


def as_plan_content(content: PlanContent | Mapping[str, Any]) -> PlanContent:
    """The content as a model: a stored row's dict is validated, a model is returned as is."""
    return content if isinstance(content, PlanContent) else PlanContent.model_validate(content)
