"""Tables of the plans: the month's plan, its items and comments, stations' plans and API submissions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from activity_day.models.columns import COUNTY, MONTH, enum_column
from activity_day.models.enums import (
    ActionKind,
    Channel,
    CommentSource,
    Disposition,
    PlanStatus,
    PracticeTask,
    SubmissionStatus,
)


class MonthPlan(SQLModel, table=True):
    """One version of a month's plan: v1 is the draft for comment, v2 the official plan."""

    __tablename__ = "month_plan"
    __table_args__ = (UniqueConstraint("county", "month", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    version: int
    status: PlanStatus = Field(sa_column=enum_column(PlanStatus, 10))
    activity_date: date
    doc_number: str = Field(max_length=40)
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    sha256: str = Field(default="", max_length=64)


class LearningItem(SQLModel, table=True):
    __tablename__ = "learning_item"
    __table_args__ = (UniqueConstraint("county", "month", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    code: str = Field(max_length=20)
    category: str = Field(max_length=20)
    seq: int
    title: str = Field(max_length=120)
    task: str = Field(max_length=20)
    theme: str = Field(default="", max_length=40)
    festival: str | None = Field(default=None, max_length=40)
    form: str = Field(default="", max_length=20)


class ChecklistItem(SQLModel, table=True):
    __tablename__ = "checklist_item"
    __table_args__ = (UniqueConstraint("county", "month", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    code: str = Field(max_length=20)
    task: str = Field(max_length=20)
    title: str = Field(max_length=120)
    required: bool = False
    festival: str | None = Field(default=None, max_length=40)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class DepartmentComment(SQLModel, table=True):
    """A department's comment on the draft; silence by the deadline is a row with disposition 无意见."""

    __tablename__ = "department_comment"
    __table_args__ = (UniqueConstraint("county", "month", "department", "digest"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    department: str = Field(max_length=40)
    digest: str = Field(max_length=64)  # sha256 of the comment text: re-importing a file is a no-op
    content: str = Field(sa_column=Column(Text, nullable=False))
    proposes_add: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    proposes_remove: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source: CommentSource = Field(sa_column=enum_column(CommentSource, 10))
    source_ref: str = Field(default="", max_length=200)  # file:row, or the flow run
    disposition: Disposition | None = Field(default=None, sa_column=enum_column(Disposition, 10, nullable=True))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # 修改内容: what the official plan states for an adopted comment; empty = made from the comment itself
    amendment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class StationPlan(SQLModel, table=True):
    __tablename__ = "station_plan"
    __table_args__ = (UniqueConstraint("county", "month", "station_code"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    station_code: str = Field(max_length=20)
    channel: Channel = Field(sa_column=enum_column(Channel, 10))
    source_ref: str = Field(default="", max_length=200)
    submission_id: str | None = Field(default=None, max_length=80)
    activity_count: int = 0
    late: bool = False
    received_at: datetime | None = None


class PlannedActivity(SQLModel, table=True):
    """One activity of a station's plan. `seq` is its position in the plan as last submitted; `uid` is the
    activity itself: it stays when the plan is submitted again with the activity in it (same name and start, or
    the same start), so what refers to the activity (check-ins) follows it to its new position."""

    __tablename__ = "planned_activity"
    __table_args__ = (UniqueConstraint("county", "month", "station_code", "seq"),
                      UniqueConstraint("county", "month", "station_code", "uid"))
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    station_code: str = Field(max_length=20)
    seq: int
    uid: str = Field(max_length=32)
    name: str = Field(max_length=200)
    task: PracticeTask = Field(sa_column=enum_column(PracticeTask, 20))
    action_kind: ActionKind = Field(sa_column=enum_column(ActionKind, 10))
    start_time: NaiveDatetime  # local wall time in the county (Asia/Shanghai)
    location: str = Field(max_length=200)
    expected_participants: int
    checklist_code: str | None = Field(default=None, max_length=20)
    volunteer_team: str | None = Field(default=None, max_length=100)


class Submission(SQLModel, table=True):
    """One submission of a station plan through the API, keyed by the client's submission id.

    Replaying a submission id returns the stored response instead of writing again.
    """

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("county", "station_code", "submission_id"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    station_code: str = Field(max_length=20)
    submission_id: str = Field(max_length=80)
    payload_sha256: str = Field(max_length=64)
    status: SubmissionStatus = Field(sa_column=enum_column(SubmissionStatus, 20))
    late: bool = False
    http_status: int = 200
    response: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    received_at: datetime
