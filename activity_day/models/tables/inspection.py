"""Tables of the inspection: the draw, its commitments, scorer tokens, scores and their audit, feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from activity_day.models.columns import COUNTY, MONTH, enum_column
from activity_day.models.enums import (
    FeedbackStatus,
    InspectionMode,
    ScorerRole,
)


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
