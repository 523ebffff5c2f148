"""What the intake API reads (Create) and answers (Public), as the OpenAPI document describes them.

Bounds come from where the values end up: text lengths from the table columns (`intake.LIMITS`), the
count from the plans file's rule, the month from the months the server accepts. A request valid by this
schema reaches the handlers; one that is not gets the 422 of `ApiError`, never a 500.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from activity_day.domain.codes import normalize_code
from activity_day.intake import LIMITS, H
from activity_day.intake.limits import PARTICIPANTS_MAX, PARTICIPANTS_MIN
from activity_day.models.enums import ActionKind, Channel, PracticeTask, SubmissionStatus

# The months the server accepts (2000-01 to 2099-12), exactly: the path pattern and the check are one.
MONTH_PATTERN = r"^20\d\d-(0[1-9]|1[0-2])$"
# Text without control characters (NUL, ESC, DEL…); tab and line breaks are allowed.
NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
# The same, with at least one character that is not a space: a text that must say something (a report, a brand).
NOT_BLANK = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
SUBMISSION_ID = r"^[A-Za-z0-9_.:-]+$"
EXAMPLE_ACTIVITY = {
    "name": "学习贯彻党的二十届四中全会精神宣讲", "task": PracticeTask.EXPLAIN_POLICY.value,
    "action_kind": ActionKind.REQUIRED.value, "start_time": "2026-12-05T09:00", "location": "村党群服务中心",
    "expected_participants": 60, "volunteer_team": "理论宣讲志愿服务队",
}


def _text(description: str, limit: int) -> Annotated:
    return Annotated[str, Field(description=description, max_length=limit, pattern=NO_CONTROL)]


def plain_code(value: str) -> str:
    """A menu or station code as every path reads it (`normalize_code`: ＸＪ－０３ is XJ-03), refused unless
    letters, digits and '-' remain."""
    code = normalize_code(value)
    if not re.fullmatch(r"[A-Z0-9-]+", code):
        raise ValueError("编号只能由字母、数字和“-”组成（全角字符按半角处理）")
    return code


# A code typed in full width is the same code: read through `normalize_code` before the handler sees it.
AnyCode = AfterValidator(normalize_code)
PlainCode = AfterValidator(plain_code)

Name = _text(H.ACTIVITY_NAME, LIMITS[H.ACTIVITY_NAME])
Location = _text(H.LOCATION, LIMITS[H.LOCATION])
VolunteerTeam = _text(f"{H.VOLUNTEER_TEAM}（选填）", LIMITS[H.VOLUNTEER_TEAM])
ChecklistCode = _text(f"{H.CHECKLIST_CODE}（选填），须是本月活动清单中的编号", LIMITS[H.CHECKLIST_CODE])
Count = Annotated[int, Field(ge=PARTICIPANTS_MIN, le=PARTICIPANTS_MAX)]


def _trimmed(value: object) -> object:
    """Spaces around a choice are not part of it (the plans file forgives them too)."""
    return value.strip() if isinstance(value, str) else value


Task = Annotated[PracticeTask, BeforeValidator(_trimmed)]
Kind = Annotated[ActionKind, BeforeValidator(_trimmed)]
CountText = Annotated[str, Field(max_length=20, pattern=NO_CONTROL,
                                 description="也可写成文字，如 “50人”")]


class ActivityCreate(BaseModel):
    """One planned activity: the same fields and rules as a row of the plans file (活动计划).

    What the schema states (lengths, no control characters, the task and action kind among their values, the
    count's range) is refused before the handler, as `malformed`, and nothing is recorded; the plan's own rules
    (a start time in the month, a checklist code of this month's list) are checked by the handler, and a
    refusal there is a recorded `rejected` submission.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_ACTIVITY]})

    name: Name
    task: Task = Field(description=f"{H.TASK}：五项工作任务之一")
    action_kind: Kind = Field(description=H.ACTION_KIND)
    start_time: str = Field(
        max_length=40, pattern=NO_CONTROL,
        description=f"{H.START_TIME}（当地时间），须在本月内，如 2026-12-05T09:00 或 2026年12月5日 9时")
    location: Location
    expected_participants: Count | CountText = Field(
        description=f"{H.EXPECTED_PARTICIPANTS}，{PARTICIPANTS_MIN}～{PARTICIPANTS_MAX}")
    checklist_code: ChecklistCode | None = None
    volunteer_team: VolunteerTeam | None = None
    menu_code: Annotated[str, Field(max_length=LIMITS[H.MENU_CODE]), PlainCode] | None = Field(
        default=None, description=f"{H.MENU_CODE}（选填）：本月宣讲菜单中的一项，在这项活动的日期为预计参与人数点单")


class PlanCreate(BaseModel):
    """A station's whole plan for the month; it replaces the one submitted before."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"submission_id": "wx-2026-12-001-7f3a9c", "activities": [EXAMPLE_ACTIVITY]}]})

    submission_id: str = Field(min_length=8, max_length=80, pattern=SUBMISSION_ID,
                               description="客户端生成的提交编号（如 UUID）；重复提交同一编号不会重复写入")
    activities: list[ActivityCreate] = Field(min_length=1, max_length=500,
                                             description="活动列表，至少一项；项数上限见县情配置")


class ApplicationCreate(BaseModel):
    """A station's application to be a demonstration station (示范所站申报); sending it again updates it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"brand": "“板凳课堂”理论宣讲", "statement": "每月两场进院落"}]})

    brand: str = Field(min_length=1, max_length=LIMITS[H.BRAND], pattern=NOT_BLANK,
                       description=f"{H.BRAND}：所站的特色或品牌，不能只有空格")
    statement: str = Field(default="", max_length=LIMITS[H.STATEMENT], pattern=NO_CONTROL, description=H.STATEMENT)

    @field_validator("brand")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError(f"{H.BRAND}不能为空")
        return v.strip()


class ApplicationPublic(BaseModel):
    station_code: str
    round: str
    brand: str
    statement: str
    status: str = Field(description="已申报、资料审核通过、资料审核未通过、会审通过、会审未通过或已命名")


class ChecklistItemPublic(BaseModel):
    code: str
    title: str
    required: bool = Field(description="是否规定动作")
    description: str


class TaskBlockPublic(BaseModel):
    task: str
    items: list[ChecklistItemPublic]


class ChecklistPublic(BaseModel):
    """The month's official checklist, as the plan published it."""

    month: str = Field(examples=["2026-12"])
    activity_date: str = Field(description="集中活动日（YYYY-MM-DD）")
    deadline: str = Field(description="活动计划报送截止日（YYYY-MM-DD）")
    tasks: list[TaskBlockPublic]
    required_codes: list[str] = Field(description="规定动作的清单编号")


class ActivityPublic(BaseModel):
    name: str
    task: PracticeTask
    action_kind: ActionKind
    start_time: str = Field(description="YYYY-MM-DDTHH:MM，当地时间")
    location: str
    expected_participants: int
    checklist_code: str | None
    volunteer_team: str | None


class PlanPublic(BaseModel):
    """A station's stored plan for the month."""

    station_code: str
    month: str
    late: bool = Field(description="是否逾期报送")
    channel: Channel = Field(description="excel：文件导入；api：小程序报送")
    activities: list[ActivityPublic]


class SubmissionAccepted(BaseModel):
    """A submission that was stored (also the answer to its replay)."""

    status: Literal[SubmissionStatus.ACCEPTED]
    submission_id: str
    station_code: str
    month: str
    late: bool
    received_at: str = Field(description="收到时间（北京时间，ISO 8601）")
    activities: int = Field(description="接收的活动项数")
    notices: list[str] = Field(default_factory=list,
                               description="接收了但未照办的部分，如已开讲并评单的宣讲，日期和听众不再修改")


class SubmissionPublic(BaseModel):
    submission_id: str
    month: str
    status: SubmissionStatus
    late: bool
    http_status: int
    received_at: str | None
    activities: int | None


class SubmissionsPublic(BaseModel):
    station_code: str
    submissions: list[SubmissionPublic]


class Health(BaseModel):
    status: Literal["ok"]


ErrorCode = Literal[
    "unauthorized", "forbidden", "not_found", "method_not_allowed", "too_large", "malformed",
    "rejected", "conflict", "not_open", "refused_late",
]


class ProblemPublic(BaseModel):
    """One thing wrong with the request, named the way the plans file names it."""

    row: int | None = Field(description="第几项活动（从1起），与文件的行对应；与某项活动无关时为空")
    column: str | None = Field(description="对应的文件列名，如 开始时间")
    field: str | None = Field(description="JSON 字段路径，如 activities.1.start_time")
    value: str | None = Field(description="收到的值（已去掉控制字符）")
    reason: str = Field(description="哪里不对，中文")
    text: str = Field(description="整句说明，可直接显示给所站工作人员")


class ApiError(BaseModel):
    """Every refusal (4xx) has this shape; `problems` lists each field's problem where there are any."""

    code: ErrorCode
    message: str = Field(description="中文说明")
    problems: list[ProblemPublic] = Field(default_factory=list)


class SubmissionRefused(ApiError):
    """A submission that was answered but not stored (422 rejected; 409 conflict, not_open, refused_late).

    Rejected and refused submissions are recorded: a replay of the same submission id returns this again.
    A request refused before it was read as a submission (422 malformed, code `malformed`) has no
    submission fields.
    """

    status: SubmissionStatus | None = None
    submission_id: str | None = None
    station_code: str | None = None
    month: str | None = None
    late: bool | None = None
    received_at: str | None = None
