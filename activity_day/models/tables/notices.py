"""The notice outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from activity_day.models.columns import COUNTY, MONTH


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
