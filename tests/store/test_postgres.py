"""The same code on PostgreSQL (runs where ACTIVITY_DAY_TEST_POSTGRES_URL is set, as in CI)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from activity_day.context import install
from activity_day.demo import station_registry, write_xlsx
from activity_day.services.counties import init_county
from activity_day.services.imports import import_file
from activity_day.services.status import month_status
from activity_day.settings import Settings
from tests.conftest import DEMO_PROFILE, profile_with_holiday_file

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_settings(postgres_url: str, tmp_path: Path):
    previous = install(Settings(database_url=postgres_url, out=tmp_path / "out"))
    yield
    install(previous)


@pytest.mark.flow
def test_cycle_on_postgres_is_idempotent(prefect_server, pg_settings, tmp_path: Path) -> None:
    from activity_day.flows.monthly import monthly_cycle
    from activity_day.services.drawcheck import verify_stored

    profile = profile_with_holiday_file(tmp_path / "profile")
    county = init_county(profile).county.code
    init_county(profile)
    registry = station_registry(random.Random("pg"))
    assert import_file("stations", write_xlsx(registry, tmp_path / "s.xlsx", "名录"), county=county).exit_code == 0
    monthly_cycle(county=county, month="2027-04", allow_empty=True)
    first = month_status(county, "2027-04")
    monthly_cycle(county=county, month="2027-04", allow_empty=True)
    assert month_status(county, "2027-04")["counts"] == first["counts"]
    assert first["counts"]["stations"] == 248 and first["counts"]["drawn"] == 83
    assert first["counts"]["comments"] == 4
    assert verify_stored(county, "2027-04")[0]


def test_concurrent_submissions_are_stored_exactly_once(pg_settings, tmp_path: Path) -> None:
    """500 submissions from 248 stations at once (some replayed while the first is in flight)."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, date, datetime

    import httpx
    from sqlmodel import select

    from activity_day.api import clock, create_app
    from activity_day.models import PlannedActivity, StationPlan, Submission
    from activity_day.store.database import transaction
    from tests.api.test_api import RealServer
    from tests.intake_helpers import activity, official_plan, tokens_for

    county = init_county(DEMO_PROFILE).county.code
    registry = station_registry(random.Random("pg"))
    assert import_file("stations", write_xlsx(registry, tmp_path / "s.xlsx", "名录"), county=county).exit_code == 0
    month = "2026-12"
    official_plan(county, month)
    codes = list(registry["所站编号"])
    tokens = tokens_for(county, codes)
    jobs = []
    for i in range(450):
        code = codes[i % len(codes)]
        n = 1 + (i // len(codes)) + (i % 2)  # each submission of a station has its own activity count
        jobs.append((code, f"wx-{code}-{i // len(codes):04d}", n))
    # 50 replays sent right behind their originals, so both are in flight at once
    jobs = [job for i, first in enumerate(jobs) for job in ([first, first] if i < 50 else [first])]
    assert len(jobs) == 500 and len({c for c, _, _ in jobs}) == 248

    app = create_app()
    app.dependency_overrides[clock] = lambda: datetime(2026, 11, 20, tzinfo=UTC)
    with RealServer(app) as base, httpx.Client(base_url=base, timeout=60,
                                               limits=httpx.Limits(max_connections=16)) as http:
        def send(job):
            code, sid, n = job
            payload = {"submission_id": sid, "activities": [activity(date(2026, 12, 5))] * n}
            r = http.put(f"/api/v1/stations/{code}/plans/{month}", json=payload,
                         headers={"Authorization": f"Bearer {tokens[code]}"})
            return job, r.status_code, r.json()

        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(send, jobs))

    assert all(status == 200 for _, status, _ in results), [r for r in results if r[1] != 200][:3]
    accepted = {(code, sid): n for (code, sid, n), _, _ in results}
    with transaction() as session:
        stored = session.exec(select(Submission)).all()
        plans = {p.station_code: p for p in session.exec(select(StationPlan)).all()}
        acts = session.exec(select(PlannedActivity)).all()
    assert sorted((s.station_code, s.submission_id) for s in stored) == sorted(accepted)  # once each, none lost
    assert set(plans) == set(codes)
    per_station: dict[str, int] = {}
    for a in acts:
        per_station[a.station_code] = per_station.get(a.station_code, 0) + 1
    for code, plan in plans.items():
        # the stored plan is exactly one submission's activities, never a mix of two
        assert per_station[code] == accepted[(code, plan.submission_id)] == plan.activity_count
