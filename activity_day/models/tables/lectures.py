"""The lecture pool: speakers, lecture orders and their ratings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from activity_day.models.columns import COUNTY, MONTH


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
