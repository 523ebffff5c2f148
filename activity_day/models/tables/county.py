"""The county and its stations, with the stations' API tokens."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from activity_day.models.columns import COUNTY, enum_column
from activity_day.models.enums import (
    StationKind,
)


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
