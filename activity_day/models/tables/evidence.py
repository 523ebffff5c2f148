"""Evidence from the stations: photos and check-in/check-out records."""

from __future__ import annotations

from datetime import datetime

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from activity_day.models.columns import COUNTY, MONTH, enum_column
from activity_day.models.enums import (
    Verdict,
)


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


class PhotoHolder(SQLModel, table=True):
    """A station that uploaded a photo. The photo is kept once, but the same bytes may come from more than one
    station (a photo shared in a township's chat group); each of them may cite it in its 整改报告."""

    __tablename__ = "photo_holder"
    __table_args__ = (UniqueConstraint("county", "sha256", "station_code"),)
    id: int | None = Field(default=None, primary_key=True)
    county: str = Field(max_length=COUNTY, index=True)
    sha256: str = Field(max_length=64)
    station_code: str = Field(max_length=20)
    received_at: datetime  # this station's first upload of it


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
