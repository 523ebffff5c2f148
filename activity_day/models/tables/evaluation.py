"""The stations' evaluation: assessed scores and evaluations per period."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from activity_day.models.columns import COUNTY, MONTH


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
