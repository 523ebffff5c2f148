"""What the office issues: circulars, written documents and their document numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from activity_day.models.columns import COUNTY, MONTH


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
