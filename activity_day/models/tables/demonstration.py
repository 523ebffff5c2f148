"""The demonstration-station selection: rounds, applications, objections and draw commitments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from activity_day.models.columns import COUNTY


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
