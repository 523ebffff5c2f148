"""Enum columns: stored as their text, read back as the enum, and nothing else gets in."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlmodel import select

from activity_day.models import InspectionMode, MonthPlan, PlanStatus, Station, StationKind
from activity_day.models.db import upsert
from activity_day.store.database import ensure_schema, transaction


def test_enum_columns_store_the_value_and_read_back_the_member(settings) -> None:
    ensure_schema()
    with transaction() as session:
        upsert(session, Station, [dict(county="320000", code="S1", name="甲站", kind="站", township="甲镇")],
               ["county", "code"])
        upsert(session, MonthPlan, [dict(county="320000", month="2027-01", version=1, status=PlanStatus.DRAFT,
                                         activity_date=date(2027, 1, 5), doc_number="", content={})],
               ["county", "month", "version"])
    with transaction() as session:
        stored = session.exec(text("SELECT kind FROM station WHERE code = 'S1'")).one()[0]
        station = session.exec(select(Station).where(Station.code == "S1")).one()
        plan = session.exec(select(MonthPlan)).one()
    assert stored == "站"
    assert station.kind is StationKind.STATION
    assert plan.status is PlanStatus.DRAFT
    assert InspectionMode("onsite").label == "线下"


def test_enum_column_refuses_a_value_outside_the_enum(settings) -> None:
    ensure_schema()
    with pytest.raises(StatementError, match="'亭' is not a valid StationKind"), transaction() as session:
        upsert(session, Station, [dict(county="320000", code="S2", name="乙站", kind="亭", township="乙镇")],
               ["county", "code"])
