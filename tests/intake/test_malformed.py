"""Nothing lost, nothing crashes: a corpus of malformed files through every import on SQLite and PostgreSQL.

For each file: no exception escapes `import_file`; the exit code is the one the contract gives (0 all in,
1 some units refused, 2 the file unusable); a refused unit leaves no row, and every accepted unit is
stored whole. The corpus is built in malformed_corpus; that every text limit is checked before the
database, within the columns' lengths, is test_text_limits.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func
from sqlmodel import SQLModel, select

from activity_day.context import install
from activity_day.domain.profile import load_profile, revised
from activity_day.intake import STATIONS
from activity_day.models import Station, StationPlan, Submission
from activity_day.services.imports import ImportClock, import_file
from activity_day.settings import Settings
from activity_day.store import crud
from activity_day.store.database import ensure_schema, transaction
from tests.conftest import DEMO_PROFILE
from tests.intake.malformed_corpus import CORPUS, MAX_ACTIVITIES, MONTH, REGISTRY, TABLES, Case, csv_file
from tests.intake_helpers import activity, change_profile, official_plan, tokens_for

# --- running it on both databases --------------------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path: Path) -> Iterator[str]:
    """Settings for a SQLite file, or for the session's PostgreSQL database (skipped without one)."""
    if request.param == "sqlite":
        request.getfixturevalue("settings")
        yield request.param
        return
    previous = install(Settings(database_url=request.getfixturevalue("postgres_url"), out=tmp_path / "out"))
    yield request.param
    install(previous)


@pytest.fixture
def fresh_county(database: str, tmp_path: Path) -> Iterator[str]:
    """A county of its own with a five-station registry, removed afterwards: the PostgreSQL database is
    shared by the session, and other tests count its rows."""
    profile = revised(load_profile(DEMO_PROFILE), {"county.code": f"T{uuid.uuid4().hex[:10]}",
                                                   "intake.max_activities": MAX_ACTIVITIES})
    ensure_schema()
    with transaction() as session:
        crud.save_profile(session=session, profile=profile)
    path = tmp_path / "registry.csv"
    path.write_bytes(csv_file(STATIONS.required, [[c, n, k, t, "李四", "13900000000"] for c, n, k, t in REGISTRY])(
        tmp_path))
    report = import_file("stations", path, county=profile.county.code)
    assert report.exit_code == 0, report.lines()
    yield profile.county.code
    with transaction() as session:
        for table in reversed(SQLModel.metadata.sorted_tables):
            key = table.c.code if table.name == "county" else table.c.get("county")
            if key is not None:
                session.exec(delete(table).where(key == profile.county.code))


def counts(county: str) -> dict[str, int]:
    with transaction() as session:
        return {name: session.exec(select(func.count()).select_from(model).where(model.county == county)).one()
                for name, model in TABLES.items()}


def stored_plans(county: str) -> dict[str, int]:
    """Activities per station with a stored plan."""
    with transaction() as session:
        plans = session.exec(select(StationPlan).where(StationPlan.county == county)).all()
    return {p.station_code: p.activity_count for p in plans}


@pytest.mark.parametrize("case", CORPUS, ids=[c.id for c in CORPUS])
def test_malformed_file(case: Case, fresh_county: str, tmp_path: Path) -> None:
    county = fresh_county
    folder = tmp_path / "in"
    folder.mkdir()
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), case.name if isinstance(case.name, bytes)
                                         else case.name.encode())))
    if case.build is not None:
        path.write_bytes(case.build(tmp_path))
    elif case.setup is not None:
        case.setup(path)
    received_at = None
    if case.late:
        official_plan(county, MONTH)
        change_profile(county, {"intake.late_submissions": "refuse"})
        received_at = datetime(2026, 12, 4, 12, tzinfo=UTC)
    before = counts(county)

    report = import_file(case.kind, path, county=county, month=None if case.kind == "stations" else MONTH,
                         clock=ImportClock(received_at=received_at))

    after = counts(county)
    lines = report.lines()
    assert report.exit_code == case.code, lines
    assert all("\x00" not in line for line in lines)
    if case.code == 2:
        assert after == before and report.problems and report.rows_written == 0
        assert len(lines) == 1 and "：" in lines[0]
    else:
        assert all(p.file for p in report.problems) and all(p.row for p in report.problems if p.column)
    if case.code == 1:
        assert report.refused and report.problems
    if case.code == 0:
        assert not report.refused
    if case.accepted is not None:
        assert report.accepted == case.accepted, lines
    delta = {t: after[t] - before[t] for t in TABLES}
    if case.kind == "stations":
        if report.accepted:  # the registry replaced the five stations: new ones added, old ones inactive
            with transaction() as session:
                active = session.exec(select(func.count()).select_from(Station).where(
                    Station.county == county, Station.active)).one()
            assert active == report.rows_written == delta["station"] > 0
        else:
            assert delta == dict.fromkeys(TABLES, 0)
    elif case.kind == "plans":
        plans = stored_plans(county)
        assert sorted(plans) == sorted(report.accepted)  # refused stations left nothing
        assert delta["planned_activity"] == sum(plans.values()) == report.rows_written
        assert delta["station_plan"] == len(report.accepted)
        assert {t: n for t, n in delta.items() if t not in ("planned_activity", "station_plan")} == \
            dict.fromkeys(set(TABLES) - {"planned_activity", "station_plan"}, 0)
    else:
        table = "department_comment" if case.kind == "comments" else "inspection_score"
        assert delta[table] == len(report.accepted) == report.rows_written  # rows written = rows stored
        assert {t: n for t, n in delta.items() if t != table} == dict.fromkeys(set(TABLES) - {table}, 0)
    if case.check is not None:
        case.check(report, county)


def test_corpus_is_large_and_covers_every_kind() -> None:
    kinds = {c.kind for c in CORPUS}
    assert len(CORPUS) >= 40 and kinds == {"stations", "plans", "comments", "scores"}
    assert {c.code for c in CORPUS} == {0, 1, 2} and len({c.id for c in CORPUS}) == len(CORPUS)


# --- the API on both databases -----------------------------------------------------------------------------

def test_api_control_characters_and_late_refusal(fresh_county: str) -> None:
    from fastapi.testclient import TestClient

    from activity_day.api import clock, create_app

    county = fresh_county
    content = official_plan(county, MONTH)
    tokens = tokens_for(county, ["001", "002"])
    app = create_app(max_body_bytes=20000)
    now = {"at": datetime(2026, 11, 25, tzinfo=UTC)}
    app.dependency_overrides[clock] = lambda: now["at"]
    day = date.fromisoformat(content["activity_date"])
    with TestClient(app) as client:
        dirty = {"submission_id": "sub-nul-0001",
                 "activities": [activity(day), activity(day, name="理论\x00宣讲", location="广场\x07")]}
        response = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=dirty,
                              headers={"Authorization": f"Bearer {tokens['001']}"})
        assert response.status_code == 422, response.json()
        problems = response.json()["problems"]
        assert [(p["row"], p["column"], p["field"]) for p in problems] == [
            (2, "活动名称", "activities.1.name"), (2, "活动地点", "activities.1.location")]
        assert response.json()["code"] == "malformed"
        assert "U+0000" in problems[0]["reason"] and problems[0]["value"] == "理论宣讲"

        change_profile(county, {"intake.late_submissions": "refuse"})
        now["at"] = datetime(2026, 12, 4, 12, tzinfo=UTC)
        late = client.put(f"/api/v1/stations/002/plans/{MONTH}",
                          json={"submission_id": "sub-late-0001", "activities": [activity(day)]},
                          headers={"Authorization": f"Bearer {tokens['002']}"})
        assert late.status_code == 409 and late.json()["status"] == late.json()["code"] == "refused_late"
        replay = client.put(f"/api/v1/stations/002/plans/{MONTH}",
                            json={"submission_id": "sub-late-0001", "activities": [activity(day)]},
                            headers={"Authorization": f"Bearer {tokens['002']}"})
        assert replay.status_code == 409 and replay.headers["Idempotent-Replayed"] == "true"
    with transaction() as session:
        subs = session.exec(select(Submission).where(Submission.county == county).order_by(Submission.id)).all()
        # The request with control characters was refused before it was read as a submission: nothing stored.
        assert [(s.station_code, s.status, s.http_status) for s in subs] == [("002", "refused_late", 409)]
    assert counts(county)["station_plan"] == counts(county)["planned_activity"] == 0
