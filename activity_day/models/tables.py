"""SQLModel tables. Every table carries the county, so one database serves many counties.

Each table has a surrogate `id` and a UNIQUE natural key; writes are upserts on that key
(see `models.db.upsert`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from activity_day.models.columns import enum_column
from activity_day.models.enums import (
    ActionKind,
    Channel,
    CommentSource,
    Disposition,
    FeedbackStatus,
    FindingStatus,
    InspectionMode,
    PlanStatus,
    PracticeTask,
    ScorerRole,
    StationKind,
    SubmissionStatus,
    Verdict,
)

COUNTY = 12  # county codes are 6-digit administrative codes; leave room
MONTH = 7  # "YYYY-MM"


class County(SQLModel, table=True):
    __tablename__ = "county"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=COUNTY, unique=True, index=True)
    name: str = Field(max_length=40)
    office_name: str = Field(max_length=60)
    doc_prefix: str = Field(max_length=20)
    profile: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class Station(SQLModel, table=True):
    __tablename__ = "station"
    __table_args__ = (UniqueConstraint("county", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    code: str = Field(max_length=20)
    name: str = Field(max_length=80)
    kind: StationKind = Field(sa_column=enum_column(StationKind, 2))
    township: str = Field(max_length=40)
    leader: str = Field(default="", max_length=40)
    phone: str = Field(default="", max_length=40)
    longitude: float | None = None
    latitude: float | None = None
    active: bool = True
    # Its lifetime in the evaluation: a month counts when the station was registered on that month's activity day.
    # None: registered before the county's first registry (joined), still registered (left).
    joined_on: date | None = None
    left_on: date | None = None


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


class Draw(SQLModel, table=True):
    """The inspection draw of a month: its inputs and result, enough to re-derive it."""

    __tablename__ = "draw"
    __table_args__ = (UniqueConstraint("county", "month"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    algorithm: str = Field(max_length=20)
    public_random: str = Field(max_length=200)
    candidates_sha256: str = Field(max_length=64)
    seed: str = Field(sa_column=Column(Text, nullable=False))
    record: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    digest: str = Field(max_length=64)


class DrawAssignment(SQLModel, table=True):
    __tablename__ = "draw_assignment"
    __table_args__ = (UniqueConstraint("county", "month", "station_code"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    station_code: str = Field(max_length=20)
    township: str = Field(max_length=40)
    rank: int
    mode: InspectionMode = Field(sa_column=enum_column(InspectionMode, 10))  # online or onsite
    team: str = Field(max_length=40)
    slot: str | None = Field(default=None, max_length=20)  # online: "09:00-09:15"; onsite: visit order


class InspectionScore(SQLModel, table=True):
    __tablename__ = "inspection_score"
    __table_args__ = (UniqueConstraint("county", "month", "station_code", "mode", "scorer"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    station_code: str = Field(max_length=20)
    mode: InspectionMode = Field(sa_column=enum_column(InspectionMode, 10))
    scorer: str = Field(max_length=40)
    score: float
    items: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # per rubric item
    problems: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    category: str = Field(default="", max_length=20)  # 问题类别, given or classified from the text
    suggestions: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    source_ref: str = Field(default="", max_length=200)


class FeedbackItem(SQLModel, table=True):
    """A suggestion (意见建议) from an inspection; it carries over month to month until closed."""

    __tablename__ = "feedback_item"
    __table_args__ = (UniqueConstraint("county", "month", "station_code", "digest"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    station_code: str = Field(max_length=20)
    township: str = Field(max_length=40)
    category: str = Field(default="", max_length=20)
    digest: str = Field(max_length=64)
    content: str = Field(sa_column=Column(Text, nullable=False))
    status: FeedbackStatus = Field(default=FeedbackStatus.OPEN,
                                   sa_column=enum_column(FeedbackStatus, 10, default=FeedbackStatus.OPEN))
    answer: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    closed_month: str | None = Field(default=None, max_length=MONTH)


class Circular(SQLModel, table=True):
    __tablename__ = "circular"
    __table_args__ = (UniqueConstraint("county", "month"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    doc_number: str = Field(max_length=40)
    scored_stations: int = 0
    draw_digest: str = Field(default="", max_length=64)
    summary: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class Document(SQLModel, table=True):
    """A file written for a month (plan, report, circular…), with its checksum."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("county", "month", "kind", "fmt"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    kind: str = Field(max_length=30)  # plan_v1, plan_v2, collect_report, draw, circular
    fmt: str = Field(max_length=10)  # md, html, xlsx, docx
    path: str = Field(max_length=400)
    sha256: str = Field(max_length=64)


class StationToken(SQLModel, table=True):
    """A station's bearer token for the mini-program API; only its SHA-256 is stored."""

    __tablename__ = "station_token"
    __table_args__ = (UniqueConstraint("token_sha256"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    station_code: str = Field(max_length=20, index=True)
    token_sha256: str = Field(max_length=64)
    prefix: str = Field(max_length=8)  # the first characters, to tell tokens apart in lists
    issued_at: datetime
    revoked_at: datetime | None = None
    expires_at: datetime | None = None  # UTC; by default the end of the year it was issued for (Beijing time)


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


class NumberSeries(SQLModel, table=True):
    """An issuer's document numbers for a year (发文字号): the next one to assign."""

    __tablename__ = "number_series"
    __table_args__ = (UniqueConstraint("issuer", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    issuer: str = Field(max_length=20)  # the county's doc_prefix, e.g. 泗文明办
    year: int
    next_number: int = 1


class IssuedNumber(SQLModel, table=True):
    """A number assigned to a document: never reused, and kept when the document is issued again."""

    __tablename__ = "issued_number"
    __table_args__ = (UniqueConstraint("issuer", "year", "number"), UniqueConstraint("county", "month", "document"))
    id: int | None = Field(default=None, primary_key=True)
    issuer: str = Field(max_length=20)
    year: int
    number: int
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH)
    document: str = Field(max_length=20)  # "plan" (the official plan) or "circular"
    issued_at: datetime  # UTC


class AssessedScore(SQLModel, table=True):
    """An assessor's score (0–100) for an assessed indicator of the evaluation, from a site visit (实地评估)."""

    __tablename__ = "assessed_score"
    __table_args__ = (UniqueConstraint("county", "month", "station_code", "indicator", "assessor"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)  # the month of the visit
    station_code: str = Field(max_length=20)
    indicator: str = Field(max_length=40)
    assessor: str = Field(max_length=40)
    score: float
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    source_ref: str = Field(default="", max_length=200)


class StationEvaluation(SQLModel, table=True):
    """A station's evaluation for a period (2027, 2027-Q1, 2027-H1): dimensions, total, stars and evidence."""

    __tablename__ = "station_evaluation"
    __table_args__ = (UniqueConstraint("county", "period", "station_code"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    period: str = Field(max_length=10, index=True)
    station_code: str = Field(max_length=20)
    township: str = Field(max_length=40)
    dimensions: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    total: float | None = None
    stars: int | None = None  # none without a total: a station with no record in the period (无记录)
    watch: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    evidence: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class DemoRound(SQLModel, table=True):
    """A round of the demonstration-station selection (示范所站评选): its stage, seed and 公示 dates."""

    __tablename__ = "demo_round"
    __table_args__ = (UniqueConstraint("county", "round"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    round: str = Field(max_length=4)
    period: str = Field(default="", max_length=10)  # the evaluation the review read
    stage: str = Field(default="applied", max_length=20)
    seed: str = Field(default="", max_length=64)  # of the site-visit draw
    # The site-visit draw's record (docs/draw.md, 示范所站实地评估): its inputs, public random value and result.
    site_visit_record: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    publicity_start: date | None = None
    publicity_end: date | None = None
    named_on: date | None = None


class DemoApplication(SQLModel, table=True):
    """A station's application (自主申报) and every decision on it: review, site visit, panel, naming."""

    __tablename__ = "demo_application"
    __table_args__ = (UniqueConstraint("county", "round", "station_code"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    round: str = Field(max_length=4)
    station_code: str = Field(max_length=20)
    brand: str = Field(max_length=40)  # 特色或品牌
    statement: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    source_ref: str = Field(default="", max_length=200)
    eligible: bool | None = None
    review_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    assessors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    site_score: float | None = None
    decision: str | None = Field(default=None, max_length=10)  # approved | rejected
    decision_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    decided_by: str = Field(default="", max_length=100)
    decided_at: datetime | None = None
    named: bool = False


class DemoObjection(SQLModel, table=True):
    """An objection (异议) raised during the 公示, and its ruling with who ruled, when and why."""

    __tablename__ = "demo_objection"
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    round: str = Field(max_length=4)
    station_code: str = Field(max_length=20)
    content: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(default="cli", max_length=20)
    received_at: datetime
    upheld: bool | None = None
    outcome: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    decided_by: str = Field(default="", max_length=100)
    decided_at: datetime | None = None


class Finding(SQLModel, table=True):
    """A problem a station must rectify (整改): from a scorer's 存在问题, or a score below the rectify line.

    A station's findings of one month make one 整改通知 with one deadline. `status` moves open → answered
    (the station's 整改报告) → accepted, or back to open when the office returns the report; an open finding
    past its deadline is overdue. Every step is a `FindingEvent`.
    """

    __tablename__ = "finding"
    __table_args__ = (UniqueConstraint("county", "month", "station_code", "digest"), UniqueConstraint("county", "number"))
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    number: int  # 整改编号: 1, 2, 3… within the county, in the order the circulars raised them
    month: str = Field(max_length=MONTH, index=True)  # the month of the inspection that found it
    station_code: str = Field(max_length=20)
    township: str = Field(max_length=40)
    source: str = Field(max_length=10)  # 线上, 线下, 观察员 (the score's mode) or 低分
    category: str = Field(default="", max_length=20)
    digest: str = Field(max_length=64)  # sha256 of source and text: compiling again is a no-op
    text: str = Field(sa_column=Column(Text, nullable=False))
    deadline: date
    status: FindingStatus = Field(default=FindingStatus.OPEN,
                                  sa_column=enum_column(FindingStatus, 10, default=FindingStatus.OPEN))
    report: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # the latest 整改报告
    photos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    reported_at: datetime | None = None
    rounds: int = 0  # reports received
    review_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reviewed_by: str = Field(default="", max_length=100)
    reviewed_at: datetime | None = None
    closed_at: datetime | None = None
    overdue_since: date | None = None  # the day the deadline was first found passed while open


class FindingEvent(SQLModel, table=True):
    """One step in a finding's history: raised, reported, accepted, returned, overdue."""

    __tablename__ = "finding_event"
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    number: int = Field(index=True)  # the finding's 整改编号
    action: str = Field(max_length=20)
    actor: str = Field(default="", max_length=100)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    photos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    at: datetime


class Photo(SQLModel, table=True):
    """A photo kept as evidence, stored once by its SHA-256 (content-addressed), with what its EXIF says."""

    __tablename__ = "photo"
    __table_args__ = (UniqueConstraint("county", "sha256"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    sha256: str = Field(max_length=64)
    size: int
    media_type: str = Field(max_length=40)
    station_code: str = Field(max_length=20)  # who uploaded it first
    exif_time: NaiveDatetime | None = None  # local wall time as the camera wrote it
    exif_longitude: float | None = None
    exif_latitude: float | None = None
    store: str = Field(max_length=10)  # file or s3
    location: str = Field(max_length=400)  # path or s3://bucket/key
    received_at: datetime


class EvidenceRecord(SQLModel, table=True):
    """A check-in or check-out (活动纪实) for a planned activity, judged against the plan, never dropped."""

    __tablename__ = "evidence_record"
    __table_args__ = (UniqueConstraint("county", "station_code", "client_id"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    station_code: str = Field(max_length=20)
    activity_seq: int  # the activity's position when the record came (what the client named)
    activity_uid: str = Field(max_length=32)  # the activity itself (PlannedActivity.uid), wherever it is now
    kind: str = Field(max_length=10)  # checkin or checkout
    client_id: str = Field(max_length=80)  # the client's id for this record: a replay writes nothing
    taken_at: NaiveDatetime  # local wall time the station reports
    longitude: float | None = None
    latitude: float | None = None
    photos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    verdict: Verdict = Field(sa_column=enum_column(Verdict, 10))
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    received_at: datetime


class ScorerToken(SQLModel, table=True):
    """A scoring token of an inspection team (its assigned stations) or an observer (one township); SHA-256 only."""

    __tablename__ = "scorer_token"
    __table_args__ = (UniqueConstraint("token_sha256"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    role: ScorerRole = Field(sa_column=enum_column(ScorerRole, 10))
    name: str = Field(max_length=40)  # the team's name, or the observer's
    township: str = Field(default="", max_length=40)  # an observer's township
    token_sha256: str = Field(max_length=64)
    prefix: str = Field(max_length=8)
    issued_at: datetime
    revoked_at: datetime | None = None
    expires_at: datetime | None = None  # UTC; by default the end of the year it was issued for (Beijing time)


class ScoreRevision(SQLModel, table=True):
    """Every score written (file or API) and every correction of it: the audit trail behind `InspectionScore`."""

    __tablename__ = "score_revision"
    # Two first scores of one station arriving at once cannot both be revision 1: the later one retries.
    __table_args__ = (UniqueConstraint("county", "month", "station_code", "mode", "scorer", "revision",
                                       name="uq_score_revision_revision"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    station_code: str = Field(max_length=20)
    mode: InspectionMode = Field(sa_column=enum_column(InspectionMode, 10))
    scorer: str = Field(max_length=40)
    revision: int  # 1 for the first score, then 2, 3… for corrections
    score: float
    items: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    problems: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    category: str = Field(default="", max_length=20)
    suggestions: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    actor: str = Field(max_length=100)  # e.g. team:第一检查组 (token abcd1234), or the file:row
    at: datetime


class ScoreReceipt(SQLModel, table=True):
    """A score sent from a phone with its client-made key (评分编号): the same key sent again is a replay, stored
    once, whatever was written since (a later correction is never overwritten by a late retry)."""

    __tablename__ = "score_receipt"
    __table_args__ = (UniqueConstraint("county", "client_key"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    client_key: str = Field(max_length=36)
    month: str = Field(max_length=MONTH)
    station_code: str = Field(max_length=20)
    mode: InspectionMode = Field(sa_column=enum_column(InspectionMode, 10))
    scorer: str = Field(max_length=40)
    at: datetime


class DrawCommitment(SQLModel, table=True):
    """A reviewing department's commitment to a secret (SHA-256), given with its review of the draft plan and
    revealed at the draw: the combined reveals are the draw's public random value (docs/draw.md)."""

    __tablename__ = "draw_commitment"
    __table_args__ = (UniqueConstraint("county", "month", "department"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    department: str = Field(max_length=40)
    commitment: str = Field(max_length=64)
    committed_at: datetime
    reveal: str | None = Field(default=None, max_length=200)
    revealed_at: datetime | None = None


class DemoCommitment(SQLModel, table=True):
    """A reviewing department's commitment (SHA-256 of a secret) for a demonstration round's site-visit draw, given
    before the document review publishes the shortlist and revealed after it (docs/draw.md)."""

    __tablename__ = "demo_commitment"
    __table_args__ = (UniqueConstraint("county", "round", "department"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    round: str = Field(max_length=4)
    department: str = Field(max_length=40)
    commitment: str = Field(max_length=64)
    committed_at: datetime
    reveal: str | None = Field(default=None, max_length=200)
    revealed_at: datetime | None = None


class Speaker(SQLModel, table=True):
    """A speaker of the county's lecture pool (宣讲员库): what they lecture on, the stories they tell, when they can."""

    __tablename__ = "speaker"
    __table_args__ = (UniqueConstraint("county", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    code: str = Field(max_length=20)
    name: str = Field(max_length=40)
    unit: str = Field(default="", max_length=80)
    township: str = Field(max_length=40)  # home township: no lectures there where the profile asks (回避)
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    stories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    weekdays: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    dates: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    cap: int = 4  # lectures a month at most
    active: bool = True


class LectureOrder(SQLModel, table=True):
    """A station's order from the month's lecture menu (点单), and its dispatched team (派单) with each member's answer."""

    __tablename__ = "lecture_order"
    __table_args__ = (UniqueConstraint("county", "month", "station_code", "menu_code"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    station_code: str = Field(max_length=20)
    menu_code: str = Field(max_length=20)
    day: date
    audience: int
    source_ref: str = Field(default="", max_length=200)
    late: bool = False
    received_at: datetime | None = None
    status: str = Field(default="ordered", max_length=12)  # ordered, dispatched, unserved, confirmed, delivered
    team: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    confirmed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    declined: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    suggestion: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    seed: str = Field(default="", max_length=200)


class LectureRating(SQLModel, table=True):
    """A rating of a delivered lecture (评单) by the station or a civic observer: 1 to 5, with a comment."""

    __tablename__ = "lecture_rating"
    __table_args__ = (UniqueConstraint("county", "month", "station_code", "menu_code", "rater"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    station_code: str = Field(max_length=20)
    menu_code: str = Field(max_length=20)
    rater: str = Field(max_length=40)  # 所站 or the observer's name
    score: int
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    source_ref: str = Field(default="", max_length=200)


class Notice(SQLModel, table=True):
    """A notice in the outbox (提醒与通知): written with the fact that caused it, sent later by the notices flow.

    `key` is the idempotency key (audience:subject:month:occasion); with the channel it is unique, so enqueueing
    again writes nothing and a sent notice is never sent twice. `state` moves pending → sent, or pending → failed
    after `attempts` tries (`activity-day notices retry` puts failed ones back to pending).
    """

    __tablename__ = "notice"
    __table_args__ = (UniqueConstraint("county", "key", "channel"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    month: str = Field(max_length=MONTH, index=True)
    key: str = Field(max_length=200)
    audience: str = Field(max_length=12)  # stations, sections, teams, observers, office
    subject: str = Field(max_length=80)  # station code, department, team or observer name, or "all"
    recipient: str = Field(max_length=120)  # as the notice addresses them
    channel: str = Field(max_length=400)  # the profile's apprise URL, with ${VAR} placeholders, never a secret
    occasion: str = Field(max_length=40)  # e.g. plan-missing@-3, circular-issued
    template: str = Field(max_length=40)
    title: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default="pending", max_length=10, index=True)  # pending, sent, failed
    attempts: int = 0
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime
    sent_at: datetime | None = None
