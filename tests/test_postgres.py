"""The same code on PostgreSQL (runs where ACTIVITY_DAY_TEST_POSTGRES_URL is set, as in CI)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from activity_day.demo import station_registry, write_xlsx
from activity_day.imports import import_file
from activity_day.settings import Settings, use_settings
from activity_day.setup import init_county
from activity_day.status import month_status
from tests.conftest import DEMO_PROFILE

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_settings(postgres_url: str, tmp_path: Path):
    previous = use_settings(Settings(database_url=postgres_url, out=tmp_path / "out"))
    yield
    use_settings(previous)


@pytest.mark.flow
def test_cycle_on_postgres_is_idempotent(prefect_server, pg_settings, tmp_path: Path) -> None:
    from flows.monthly import monthly_cycle
    from tasks.sample import verify_stored

    county = init_county(DEMO_PROFILE).county.code
    init_county(DEMO_PROFILE)
    registry = station_registry(random.Random("pg"))
    assert import_file("stations", write_xlsx(registry, tmp_path / "s.xlsx", "名录"), county=county).exit_code == 0
    monthly_cycle(county=county, month="2027-04")
    first = month_status(county, "2027-04")
    monthly_cycle(county=county, month="2027-04")
    assert month_status(county, "2027-04")["counts"] == first["counts"]
    assert first["counts"]["stations"] == 248 and first["counts"]["drawn"] == 83
    assert first["counts"]["comments"] == 4
    assert verify_stored(county, "2027-04")[0]
