"""Findings to rectify (整改) and their history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from activity_day.models.columns import COUNTY, MONTH, enum_column
from activity_day.models.enums import (
    FindingStatus,
)


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
