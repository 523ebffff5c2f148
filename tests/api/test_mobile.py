"""The phone pages (H5) through a TestClient: the token cookie, CSRF, the plan form's errors, scores stored once
by their client key, and 403 for what is not the caller's. The browser tests are in tests/browser/."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from activity_day.api import clock, create_app
from activity_day.api.mobile.pages import csrf_token
from activity_day.demo import TOWNSHIPS
from activity_day.models import InspectionScore, PlannedActivity, ScoreReceipt, ScoreRevision, StationPlan
from activity_day.models.enums import ScorerRole
from activity_day.store.database import transaction
from tests.api.test_scoring_api import ITEMS, TEAM, assign, scorer_token
from tests.intake_helpers import official_plan, tokens_for

MONTH = "2026-12"
BEFORE_DEADLINE = datetime(2026, 11, 25, tzinfo=UTC)
ON_THE_DAY = datetime(2026, 12, 5, 2, tzinfo=UTC)


@pytest.fixture
def app(registry, county):
    official_plan(county, MONTH)
    assign(county)
    return create_app()


def client_at(app, now: datetime) -> TestClient:
    app.dependency_overrides[clock] = lambda: now
    return TestClient(app, follow_redirects=False)


def rows(model) -> list:
    with transaction() as session:
        return list(session.exec(select(model)).all())


def enter(client: TestClient, path: str, token: str) -> None:
    first = client.get(f"{path}?t={token}")
    assert first.status_code == 303 and first.headers["location"] == path
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/m" in cookie and token in cookie


def test_station_link_sets_the_cookie_and_drops_the_token(app, county) -> None:
    token = tokens_for(county, ["001"])["001"]
    with client_at(app, BEFORE_DEADLINE) as client:
        enter(client, "/m/station", token)
        page = client.get("/m/station")
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"
        assert token not in page.text and csrf_token(token) in page.text
        assert "2026年12月" in page.text and "尚未报送" in page.text and "规定动作" in page.text
    with client_at(app, BEFORE_DEADLINE) as stranger:
        assert stranger.get("/m/station?t=ad_not-a-token").status_code == 401
        assert stranger.get("/m/station").status_code == 401
        assert "链接无效" in stranger.get("/m/station").text


def form(token: str, **activity: str) -> dict[str, str]:
    base = {"name": "文明实践课堂", "task": "学习实践科学理论", "action_kind": "规定动作", "start_time": "2026-12-05T09:00",
            "location": "村综合服务中心", "expected_participants": "40", "checklist_code": "", "volunteer_team": ""}
    return {"csrf": csrf_token(token), "month": MONTH, "submission_id": "h5-test-0001", "action": "submit",
            **base, **activity}


def test_plan_errors_sit_next_to_their_field_and_a_fixed_plan_is_stored(app, county) -> None:
    token = tokens_for(county, ["001"])["001"]
    with client_at(app, BEFORE_DEADLINE) as client:
        enter(client, "/m/station", token)
        refused = client.post("/m/station/plan", data=form(token) | {"csrf": "forged"})
        assert refused.status_code == 403 and rows(StationPlan) == []

        wrong = client.post("/m/station/plan", data=form(token, start_time="2026-11-30T09:00", expected_participants="多"))
        assert wrong.status_code == 422 and rows(StationPlan) == []
        errors = dict(re.findall(r'<p class="error" id="e-(\d-\w+)">([^<]+)</p>', wrong.text))
        assert errors["0-start_time"] == "不在2026年12月内"
        assert set(errors) == {"0-start_time", "0-expected_participants"}
        assert 'value="2026-11-30"' in wrong.text and 'value="09:00"' in wrong.text  # what was typed stays

        added = client.post("/m/station/plan", data=form(token) | {"action": "add"})
        assert added.status_code == 200 and 'id="activity-1"' in added.text and rows(StationPlan) == []

        sent = client.post("/m/station/plan", data=form(token, submission_id="h5-test-0002"))
        assert sent.status_code == 303 and sent.headers["location"] == f"/m/station?month={MONTH}#plan"
        assert [(p.station_code, p.activity_count, p.late) for p in rows(StationPlan)] == [("001", 1, False)]
        assert [(a.seq, a.name, a.start_time) for a in rows(PlannedActivity)] == [
            (1, "文明实践课堂", datetime(2026, 12, 5, 9, 0))]
        shown = client.get(sent.headers["location"]).text
        assert "活动计划已报送" in shown and "已报送" in shown and 'value="村综合服务中心"' in shown
        # The line came from the server, once: not again on the next visit, and never from the address.
        assert "活动计划已报送" not in client.get(sent.headers["location"]).text
        assert "活动计划已报送" not in client.get(f"/m/station?month={MONTH}&sent=1").text


def score(code: str, key: str, **over) -> dict:
    return {"station_code": code, "month": MONTH, "client_key": key,
            "items": {k: str(v) for k, v in ITEMS.items()}, "problems": "", "category": "", "suggestions": ""} | over


def test_a_score_sent_twice_is_stored_once(app, county) -> None:
    token = scorer_token(county, ScorerRole.TEAM, TEAM)
    headers = {"X-CSRF-Token": csrf_token(token)}
    with client_at(app, ON_THE_DAY) as client:
        enter(client, "/m/team", token)
        page = client.get("/m/team")
        assert page.status_code == 200
        assert page.text.index('id="s-005"') < page.text.index('id="s-001"')  # the route's order
        assert client.post("/m/team/scores", json=score("001", "k-00000001")).status_code == 403  # no CSRF
        first = client.post("/m/team/scores", json=score("001", "k-00000001"), headers=headers)
        assert first.status_code == 200 and first.json() == {"station_code": "001", "score": 88.0, "revision": 1,
                                                             "changed": True, "replay": False}
        # The same key again, even with other content (a stale copy from the phone): nothing written.
        again = client.post("/m/team/scores", json=score("001", "k-00000001", problems="旧"), headers=headers)
        assert again.status_code == 200 and again.json()["replay"] is True and again.json()["score"] == 88.0
        assert [(r.station_code, r.revision, r.score) for r in rows(ScoreRevision)] == [("001", 1, 88.0)]
        assert [(r.client_key, r.station_code) for r in rows(ScoreReceipt)] == [("k-00000001", "001")]
        # A score equal to the stored one still records its key: sent late after a correction, it is a replay.
        same = client.post("/m/team/scores", json=score("001", "k-00000004"), headers=headers)
        assert same.status_code == 200 and same.json()["changed"] is False
        fixed = client.post("/m/team/scores", json=score("001", "k-00000005", items={**ITEMS, "规定动作": 20}),
                            headers=headers)
        assert fixed.status_code == 200 and fixed.json()["score"] == 80.0 and fixed.json()["revision"] == 2
        late = client.post("/m/team/scores", json=score("001", "k-00000004"), headers=headers)
        assert late.json()["replay"] is True and late.json()["score"] == 80.0  # the correction stands
        reused = client.post("/m/team/scores", json=score("005", "k-00000004"), headers=headers)
        assert reused.status_code == 409 and "已用于001" in reused.json()["message"]

        bad = client.post("/m/team/scores", json=score("001", "k-00000002", items={"规定动作": "40"}), headers=headers)
        assert bad.status_code == 422
        assert {p["field"] for p in bad.json()["problems"]} == {"items"}
        other = client.post("/m/team/scores", json=score("017", "k-00000003"), headers=headers)
        assert other.status_code == 403  # the second team's station
        assert client.get("/m/team/stations/017").status_code == 403
        assert client.get("/m/team/stations/001").status_code == 200
        assert [(s.station_code, s.score) for s in rows(InspectionScore)] == [("001", 80.0)]
        assert client.get(f"/m/observer?t={token}").status_code == 403  # a team's token is not an observer's


def test_observer_sees_the_own_township_and_nothing_else(app, county) -> None:
    token = scorer_token(county, ScorerRole.OBSERVER, "韩梅", TOWNSHIPS[0])
    with client_at(app, ON_THE_DAY) as client:
        enter(client, "/m/observer", token)
        page = client.get("/m/observer")
        assert page.status_code == 200 and 'id="s-001"' in page.text and 'id="s-017"' not in page.text
        assert "我的评分记录" in page.text and "还没有评分" in page.text
        assert client.get("/m/observer/stations/017").status_code == 403
        assert client.get("/m/observer/stations/999").status_code == 403
        sent = client.post("/m/observer/scores", json=score("002", "o-00000001"),
                           headers={"X-CSRF-Token": csrf_token(token)})
        assert sent.status_code == 200
        assert "88.0" in client.get("/m/observer").text


def test_a_plan_row_shows_what_is_stored_now_and_only_its_own_errors(app, county) -> None:
    """The plan form's rows are rendered once per distinct row and kept (station.plan_row): a plan sent again with
    other values shows the new ones, a row with errors shows them and the same row without errors shows none."""
    token = tokens_for(county, ["001"])["001"]
    with client_at(app, BEFORE_DEADLINE) as client:
        enter(client, "/m/station", token)
        first = client.post("/m/station/plan", data=form(token, location="村综合服务中心", submission_id="h5-test-0101"))
        assert first.status_code == 303
        assert 'value="村综合服务中心"' in client.get("/m/station").text
        again = client.post("/m/station/plan", data=form(token, location="新时代文明实践站",
                                                         submission_id="h5-test-0102"))
        assert again.status_code == 303
        shown = client.get("/m/station").text
        assert 'value="新时代文明实践站"' in shown and "村综合服务中心" not in shown

        two = form(token, expected_participants="多", submission_id="h5-test-0103")
        two = {k: [v, v] if k in PLAN_FIELDS else v for k, v in two.items()}  # two rows, both wrong in one field
        wrong = client.post("/m/station/plan", data=two | {"expected_participants": ["40", "多"]})
        assert wrong.status_code == 422
        errors = dict(re.findall(r'<p class="error" id="e-(\d-\w+)">([^<]+)</p>', wrong.text))
        assert set(errors) == {"1-expected_participants"}  # the second row's, not the first's
        assert wrong.text.count('aria-invalid="true"') == 1
        assert '<p class="error"' not in client.get("/m/station").text  # the same rows again: no error kept


PLAN_FIELDS = ("name", "task", "action_kind", "start_time", "location", "expected_participants", "checklist_code",
               "volunteer_team")


def _card(page: str, code: str) -> str:
    start = page.index(f'id="s-{code}"')
    return page[start:page.index("</section>", start)]


def test_a_station_card_shows_the_score_stored_now(app, county) -> None:
    """A team's station cards are rendered once per distinct card and kept (scorers.station_card): a score, and
    then its correction, show on the next page; the other stations' cards stay as they were."""
    token = scorer_token(county, ScorerRole.TEAM, TEAM)
    headers = {"X-CSRF-Token": csrf_token(token)}
    with client_at(app, ON_THE_DAY) as client:
        enter(client, "/m/team", token)
        before = client.get("/m/team").text
        assert "未评分" in _card(before, "001")
        assert client.post("/m/team/scores", json=score("001", "k-00000011"), headers=headers).status_code == 200
        scored = client.get("/m/team").text
        assert "已评分 88.0 分" in _card(scored, "001") and "未评分" not in _card(scored, "001")
        assert _card(scored, "005") == _card(before, "005")
        fixed = score("001", "k-00000012", items={**ITEMS, "规定动作": 20})
        assert client.post("/m/team/scores", json=fixed, headers=headers).status_code == 200
        corrected = _card(client.get("/m/team").text, "001")
        assert "已评分 80.0 分" in corrected and 'data-item="规定动作" data-max' in corrected
        assert re.search(r'data-item="规定动作"[^>]*\s+value="20"', corrected)
        assert _card(client.get("/m/team/stations/001").text, "001") != corrected  # its own page: no 单独打开 link
