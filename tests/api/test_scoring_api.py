"""Scoring through the API by inspection teams and civic observers: a real database, a real app, no mocks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from activity_day.api import clock, create_app
from activity_day.context import carried
from activity_day.demo import TOWNSHIPS, write_xlsx
from activity_day.models import Circular, DrawAssignment, InspectionScore, ScoreRevision, upsert
from activity_day.models.enums import ScorerRole
from activity_day.services.imports import import_file
from activity_day.services.scoring import issue_scorer_tokens
from activity_day.services.scoring_inputs import TokenRequest
from activity_day.services.submissions import utcnow
from activity_day.store import crud
from activity_day.store.database import transaction
from tests.intake_helpers import tokens_for

MONTH = "2026-12"
NOW = datetime(2026, 12, 5, 10, tzinfo=UTC)
FORBIDDEN = {"code": "forbidden", "message": "无权访问", "problems": []}
TEAM = "第一检查组"
HOME = TOWNSHIPS[0]  # stations 001-016
ITEMS = {"规定动作": 28, "组织实施": 18, "群众参与": 17, "志愿服务": 13, "台账资料": 12}  # 88


def assign(county: str, month: str = MONTH) -> None:
    """The month's draw as DrawAssignment rows (the draw itself is tested in tests/domain and tests/flows)."""
    rows = [
        dict(station_code="001", township=HOME, rank=3, mode="onsite", team=TEAM, slot="第2站 09:50"),
        dict(station_code="005", township=HOME, rank=7, mode="onsite", team=TEAM, slot="第1站 09:00"),
        dict(station_code="017", township=TOWNSHIPS[1], rank=1, mode="onsite", team="第二检查组", slot="第1站 09:00"),
        dict(station_code="020", township=TOWNSHIPS[1], rank=2, mode="online", team="线上·吴敏", slot="09:00-09:15"),
    ]
    with transaction() as session:
        upsert(session, DrawAssignment, [dict(r, county=county, month=month) for r in rows],
               ["county", "month", "station_code"])


@pytest.fixture
def client(registry, county):
    assign(county)
    app = create_app()
    app.dependency_overrides[clock] = lambda: NOW
    with TestClient(app) as c:
        yield c


def scorer_token(county: str, role: ScorerRole, name: str, township: str = "") -> str:
    with transaction() as session:
        return issue_scorer_tokens(session=session, county=county, now=utcnow(),
                                   request=TokenRequest(role, [name], township=township))[name]


@pytest.fixture
def team(county) -> dict[str, str]:
    return {"Authorization": f"Bearer {scorer_token(county, ScorerRole.TEAM, TEAM)}"}


@pytest.fixture
def observer(county) -> dict[str, str]:
    return {"Authorization": f"Bearer {scorer_token(county, ScorerRole.OBSERVER, '韩梅', HOME)}"}


def rows(model, **where) -> list:
    with transaction() as session:
        found = session.exec(select(model)).all()
    return [r for r in found if all(getattr(r, k) == v for k, v in where.items())]


def url(code: str, month: str = MONTH, tail: str = "") -> str:
    return f"/api/v1/scoring/{month}/stations/{code}{tail}"


def test_team_scores_its_station_corrects_it_and_reads_the_trail(client, team) -> None:
    listed = client.get(f"/api/v1/scoring/{MONTH}/stations", headers=team)
    assert listed.status_code == 200, listed.json()
    body = listed.json()
    assert body["role"] == "team" and body["scorer"] == TEAM and body["township"] is None
    assert [(s["station_code"], s["order"], s["slot"], s["mode"]) for s in body["stations"]] == [
        ("005", 1, "第1站 09:00", "onsite"), ("001", 2, "第2站 09:50", "onsite")]
    assert all(s["name"] and s["contact"] and s["score"] is None for s in body["stations"])

    first = client.put(url("001"), json={"items": ITEMS, "problems": "台账照片不全", "category": "台账资料"}, headers=team)
    assert first.status_code == 200, first.json()
    assert first.json() | {"items": None} == {
        "station_code": "001", "month": MONTH, "mode": "onsite", "scorer": TEAM, "score": 88.0, "items": None,
        "problems": "台账照片不全", "category": "台账资料", "suggestions": "", "revision": 1, "changed": True}
    stored = rows(InspectionScore)
    assert [(s.station_code, s.mode, s.scorer, s.score) for s in stored] == [("001", "onsite", TEAM, 88.0)]
    assert stored[0].items == {k: float(v) for k, v in ITEMS.items()}
    revisions = rows(ScoreRevision)
    assert [(r.revision, r.score) for r in revisions] == [(1, 88.0)]
    assert revisions[0].actor.startswith(f"team:{TEAM}（令牌 ") and revisions[0].at is not None

    again = client.put(url("001"), json={"items": ITEMS, "problems": "台账照片不全", "category": "台账资料"}, headers=team)
    assert again.status_code == 200 and again.json()["changed"] is False and again.json()["revision"] == 1
    assert len(rows(ScoreRevision)) == 1

    corrected = client.put(url("001"), json={"items": ITEMS | {"台账资料": 15}, "problems": "", "scorer": TEAM},
                           headers=team)
    assert corrected.status_code == 200 and corrected.json()["revision"] == 2 and corrected.json()["score"] == 91.0
    assert [(s.score, s.problems) for s in rows(InspectionScore)] == [(91.0, "")]

    trail = client.get(url("001", tail="/revisions"), headers=team)
    assert trail.status_code == 200
    assert [(r["revision"], r["score"], r["problems"]) for r in trail.json()["revisions"]] == [
        (1, 88.0, "台账照片不全"), (2, 91.0, "")]
    listed = client.get(f"/api/v1/scoring/{MONTH}/stations", headers=team).json()["stations"]
    assert listed[1]["score"]["score"] == 91.0 and listed[1]["score"]["revision"] == 2


def test_a_total_alone_is_a_score(client, team) -> None:
    sent = client.put(url("005"), json={"score": 79.5, "suggestions": "多组织志愿服务"}, headers=team)
    assert sent.status_code == 200 and sent.json()["items"] == {} and sent.json()["score"] == 79.5


def test_stations_not_yours_are_forbidden_with_one_bare_body(client, team) -> None:
    refused = [
        client.put(url("017"), json={"score": 80}, headers=team),  # assigned to another team
        client.put(url("999"), json={"score": 80}, headers=team),  # no such station
        client.put(url("002"), json={"score": 80}, headers=team),  # exists, not drawn
        client.put(url("001", month="2027-01"), json={"score": 80}, headers=team),  # a month without its draw
        client.put(url(quote("001\x00", safe="")), json={"score": 80}, headers=team),
        client.put(url("x" * 300), json={"score": 80}, headers=team),
        client.put(url("017"), json={"score": "not a number"}, headers=team),  # the 403 comes before the body
        client.get(url("017", tail="/revisions"), headers=team),
        client.get(url("999", tail="/revisions"), headers=team),
    ]
    for response in refused:
        assert response.status_code == 403, (response.request.url, response.json())
        assert response.json() == FORBIDDEN
    assert rows(InspectionScore) == [] and rows(ScoreRevision) == []


def test_observer_scores_its_township_only(client, observer) -> None:
    listed = client.get(f"/api/v1/scoring/{MONTH}/stations", headers=observer).json()
    assert listed["role"] == "observer" and listed["township"] == HOME
    assert [s["station_code"] for s in listed["stations"]] == [f"{n:03d}" for n in range(1, 17)]
    assert {s["mode"] for s in listed["stations"]} == {"observer"}
    sent = client.put(url("003"), json={"score": 92, "scorer": "韩梅"}, headers=observer)
    assert sent.status_code == 200, sent.json()
    assert (sent.json()["mode"], sent.json()["scorer"]) == ("observer", "韩梅")
    assert [(s.station_code, s.mode, s.scorer) for s in rows(InspectionScore)] == [("003", "observer", "韩梅")]
    for code in ("017", "999"):
        outside = client.put(url(code), json={"score": 92}, headers=observer)
        assert outside.status_code == 403 and outside.json() == FORBIDDEN
    other = client.put(url("004"), json={"score": 92, "scorer": "李雷"}, headers=observer)
    assert other.status_code == 422 and [p["field"] for p in other.json()["problems"]] == ["scorer"]


def test_tokens_a_station_token_and_a_revoked_one(client, county, team) -> None:
    station = {"Authorization": f"Bearer {tokens_for(county, ['001'])['001']}"}
    for response in (client.get(f"/api/v1/scoring/{MONTH}/stations", headers=station),
                     client.put(url("001"), json={"score": 80}, headers=station)):
        assert response.status_code == 403 and response.json() == FORBIDDEN
    assert client.get(f"/api/v1/scoring/{MONTH}/stations").status_code == 401
    assert client.get(f"/api/v1/scoring/{MONTH}/stations", headers={"Authorization": "Bearer nope"}).status_code == 401
    scorer_token(county, ScorerRole.TEAM, TEAM)  # issuing again revokes the earlier token
    assert client.put(url("001"), json={"score": 80}, headers=team).status_code == 401


@pytest.mark.parametrize(("body", "fields"), [
    ({"items": ITEMS | {"规定动作": 31}}, ["items.规定动作"]),
    ({"items": ITEMS, "score": 80}, ["score"]),
    ({"score": 100.5}, ["score"]),
    ({"score": -1}, ["score"]),
    ({"items": {"规定动作": 28}}, ["items"]),
    ({"items": ITEMS | {"卫生": 3}}, ["items.卫生"]),
    ({"score": 80, "category": "类" * 21}, ["category"]),
    ({"score": 80, "problems": "问" * 2001}, ["problems"]),
    ({"score": 80, "suggestions": "bad\x00text"}, ["suggestions"]),
    ({"score": 80, "scorer": "第二检查组"}, ["scorer"]),
    ({}, ["score"]),
    ({"score": "90"}, ["score"]),
    ({"score": True}, ["score"]),
    ({"score": 80, "colour": "red"}, ["colour"]),
    ({"items": [1, 2]}, ["items"]),
])
def test_invalid_scores_are_422_naming_the_field(client, team, body, fields) -> None:
    response = client.put(url("001"), json=body, headers=team)
    assert response.status_code == 422, response.json()
    assert response.json()["code"] in ("rejected", "malformed") and response.json()["message"]
    assert [p["field"] for p in response.json()["problems"]] == fields
    assert all(p["text"] and p["reason"] for p in response.json()["problems"])
    assert rows(InspectionScore) == [] and rows(ScoreRevision) == []


def test_unreadable_numbers_are_422(client, team) -> None:
    for raw in ('{"score": NaN}', '{"score": Infinity}', '{"score": 1e400}', '{"score": ' + "9" * 5000 + "}",
                '{"items": {"规定动作": NaN}}', "{not json"):
        response = client.put(url("001"), content=raw, headers=team | {"Content-Type": "application/json"})
        assert response.status_code == 422, (raw[:40], response.json())
    assert rows(InspectionScore) == []


def test_scores_are_closed_once_the_circular_is_compiled(client, team, county) -> None:
    assert client.put(url("001"), json={"score": 80}, headers=team).status_code == 200
    with transaction() as session:
        crud.save_circular(session=session, circular=Circular(
            county=county, month=MONTH, doc_number="泗文明办〔2026〕9号", scored_stations=1, draw_digest="", summary={}))
    closed = client.put(url("001"), json={"score": 85}, headers=team)
    assert closed.status_code == 409 and closed.json()["code"] == "conflict"
    assert "通报已汇编" in closed.json()["message"] and closed.json()["problems"] == []
    assert [s.score for s in rows(InspectionScore)] == [80.0] and len(rows(ScoreRevision)) == 1
    assert client.get(url("001", tail="/revisions"), headers=team).status_code == 200
    assert client.put(url("017"), json={"score": 85}, headers=team).status_code == 403  # still says nothing


def test_file_imports_append_revisions_for_changed_scores(client, team, county, tmp_path: Path) -> None:
    def scores_file(score: float) -> Path:
        frame = pd.DataFrame([{"所站编号": "001", "检查方式": "线下", "评分人": TEAM, "得分": score},
                              {"所站编号": "003", "检查方式": "观察员", "评分人": "韩梅", "得分": 90}])
        return write_xlsx(frame, tmp_path / f"评分{score:g}.xlsx", "检查评分")

    assert import_file("scores", scores_file(75), county=county, month=MONTH).exit_code == 0
    assert [(r.station_code, r.revision, r.actor) for r in rows(ScoreRevision)] == [
        ("001", 1, "评分75.xlsx:3"), ("003", 1, "评分75.xlsx:4")]
    import_file("scores", scores_file(75), county=county, month=MONTH)  # again: nothing changed
    assert len(rows(ScoreRevision)) == 2
    assert import_file("scores", scores_file(77), county=county, month=MONTH).exit_code == 0
    assert [(r.revision, r.score, r.actor) for r in rows(ScoreRevision, station_code="001")] == [
        (1, 75.0, "评分75.xlsx:3"), (2, 77.0, "评分77.xlsx:3")]
    same = client.put(url("001"), json={"score": 77}, headers=team)  # the team confirms the file's score
    assert same.json()["changed"] is False and same.json()["revision"] == 2
    changed = client.put(url("001"), json={"score": 78}, headers=team)
    assert changed.json()["revision"] == 3
    trail = client.get(url("001", tail="/revisions"), headers=team).json()["revisions"]
    assert [r["actor"].split("（")[0] for r in trail] == ["评分75.xlsx:3", "评分77.xlsx:3", f"team:{TEAM}"]


def test_a_score_stored_before_revisions_is_kept_as_revision_one(client, team, county) -> None:
    with transaction() as session:
        crud.save_scores(session=session, county=county, month=MONTH, source_ref="旧表.xlsx:4",
                         rows=[dict(station_code="001", mode="onsite", scorer=TEAM, score=70)])
    listed = client.get(f"/api/v1/scoring/{MONTH}/stations", headers=team).json()["stations"]
    assert listed[1]["score"] == {"score": 70.0, "items": {}, "problems": "", "category": "", "suggestions": "",
                                  "revision": None}
    assert client.put(url("001"), json={"score": 74}, headers=team).json()["revision"] == 2
    assert [(r.revision, r.score, r.actor) for r in rows(ScoreRevision)][0] == (1, 70.0, "旧表.xlsx:4")


# --- odd input never answers 500 ---------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12)
ITEM_NAMES = st.sampled_from([*ITEMS, "卫生", "", "\x00"])
BODIES = st.fixed_dictionaries({}, optional={
    "score": st.floats() | st.integers(min_value=-(10**30), max_value=10**30) | st.text(max_size=8) | st.none(),
    "items": st.dictionaries(ITEM_NAMES, st.floats() | st.integers(-1000, 1000) | st.text(max_size=4), max_size=6)
    | JSON,
    "problems": st.text(max_size=50) | JSON, "category": st.text(max_size=30), "suggestions": st.text(max_size=50),
    "scorer": st.text(max_size=12) | st.none() | st.just(TEAM),
}) | JSON
CODES = st.sampled_from(["001", "005", "017", "999", "0001", "1"]) | st.text(min_size=1, max_size=25)
MONTHS = st.sampled_from([MONTH, "2027-01", "2026-13", "1999-12", "2026-1"]) | st.text(min_size=1, max_size=10)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES, code=CODES, month=MONTHS, revisions=st.booleans())
def test_random_requests_never_answer_500(client, team, body, code, month, revisions) -> None:
    path = f"/api/v1/scoring/{quote(month, safe='')}/stations/{quote(code, safe='')}"
    if revisions:
        response = client.get(path + "/revisions", headers=team)
    else:
        response = client.put(path, content=json.dumps(body, ensure_ascii=False),
                              headers=team | {"Content-Type": "application/json"})
    assert response.status_code < 500, (path, body, response.text)
    expected = {"code", "message", "problems"} if response.status_code >= 400 else {"revisions" if revisions else "score"}
    assert set(response.json()) >= expected


def race_first_scores(county: str) -> None:
    """Twelve phones send the first score of one station at once, each with its own key: every one is answered
    200, the score is revision 1 exactly once (the losers of the race retry and find it), and every key is kept."""
    from concurrent.futures import ThreadPoolExecutor

    from activity_day.models import ScoreReceipt
    from activity_day.models.enums import InspectionMode
    from activity_day.services.scoring import score_station, scorer_for_token
    from activity_day.services.scoring_inputs import ScoredStation

    assign(county)
    with transaction() as session:
        scorer = scorer_for_token(session=session, token=scorer_token(county, ScorerRole.TEAM, TEAM))
    body = {"items": dict(ITEMS), "score": None, "problems": "", "category": "", "suggestions": "", "scorer": None}

    def send(n: int):
        return score_station(ScoredStation(scorer, MONTH, "001", InspectionMode.ONSITE), body, now=NOW,
                             client_key=f"race-{n:04d}")

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(carried(send), range(12)))
    assert [o.http_status for o in outcomes] == [200] * 12, [o.body for o in outcomes]
    assert sum(o.body["changed"] for o in outcomes) == 1, [(o.body["changed"], o.body["revision"], o.replay) for o in outcomes]
    assert [(r.revision, r.score) for r in rows(ScoreRevision, station_code="001")] == [(1, 88.0)]
    assert len(rows(ScoreReceipt, station_code="001")) == 12
    race_corrections()


def race_corrections() -> None:
    """Then twelve phones of the team correct that station at once, each to another total: every one is stored,
    as revisions 2 to 13, each once (a race lost more than once is retried again, never answered 500)."""
    from concurrent.futures import ThreadPoolExecutor

    from activity_day.models.enums import InspectionMode
    from activity_day.services.scoring import score_station, scorer_for_token
    from activity_day.services.scoring_inputs import ScoredStation

    county = rows(ScoreRevision, station_code="001")[0].county
    with transaction() as session:
        scorer = scorer_for_token(session=session, token=scorer_token(county, ScorerRole.TEAM, TEAM))

    def send(n: int):
        body = {"items": None, "score": 70 + n, "problems": "", "category": "", "suggestions": "", "scorer": None}
        return score_station(ScoredStation(scorer, MONTH, "001", InspectionMode.ONSITE), body, now=NOW)

    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(carried(send), range(12)))
    assert [o.http_status for o in outcomes] == [200] * 12, [o.body for o in outcomes]
    stored = sorted((r.revision, r.score) for r in rows(ScoreRevision, station_code="001"))
    assert [n for n, _ in stored] == list(range(1, 14))
    assert sorted(score for _, score in stored[1:]) == [70.0 + n for n in range(12)]


def test_racing_first_scores_on_sqlite(registry, county) -> None:
    race_first_scores(county)


@pytest.mark.postgres
def test_racing_first_scores_on_postgres(tmp_path: Path) -> None:
    import random

    from activity_day.context import bound
    from activity_day.demo import station_registry
    from activity_day.services.counties import init_county
    from activity_day.settings import Settings
    from tests.conftest import fresh_postgres_database, profile_with_holiday_file

    with fresh_postgres_database(migrated=True) as postgres_url, \
            bound(Settings(database_url=postgres_url, out=tmp_path / "out")):
        county = init_county(profile_with_holiday_file(tmp_path / "profile")).county.code
        registry = station_registry(random.Random("race"))
        assert import_file("stations", write_xlsx(registry, tmp_path / "s.xlsx", "名录"), county=county).exit_code == 0
        race_first_scores(county)
