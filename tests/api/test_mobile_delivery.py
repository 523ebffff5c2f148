"""What a phone downloads: pages gzipped and light, static files cached by their checksum; and pages that follow a
changed official plan or profile at once, although both are cached per process."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from activity_day.api import clock, create_app
from activity_day.models.enums import ScorerRole
from activity_day.store import crud
from activity_day.store.database import transaction
from tests.api.test_api import BEFORE_DEADLINE, MONTH, auth
from tests.api.test_scoring_api import TEAM, assign, scorer_token
from tests.intake_helpers import activity, change_profile, official_plan, tokens_for

GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def client(registry, county):
    """Station 001 with a plan of ten activities, its page's cookie set."""
    plan = official_plan(county, MONTH)
    assign(county)
    token = tokens_for(county, ["001"])["001"]
    day = date.fromisoformat(plan["activity_date"])
    app = create_app()
    app.dependency_overrides[clock] = lambda: BEFORE_DEADLINE
    with TestClient(app, follow_redirects=False) as c:
        acts = [activity(day, plan["required_codes"][i % len(plan["required_codes"])], name=f"文明实践课堂{i}",
                         start_time=f"{day.isoformat()}T{8 + i}:00") for i in range(10)]
        sent = c.put(f"/api/v1/stations/001/plans/{MONTH}", headers=auth(token),
                     json={"submission_id": "plan-001-delivery", "activities": acts})
        assert sent.status_code == 200, sent.json()
        c.cookies.set("ad_m_station", token, path="/m")
        c.cookies.set("ad_m_team", scorer_token(county, ScorerRole.TEAM, TEAM), path="/m")
        yield c


def test_a_page_and_what_it_links_weigh_under_30_kb_gzipped(client) -> None:
    for path in ("/m/station", f"/m/team?month={MONTH}"):
        page = client.get(path, headers=GZIP)
        assert page.status_code == 200 and page.headers["content-encoding"] == "gzip", path
        assert page.headers["cache-control"] == "no-store"  # the page itself is never cached
        linked = re.findall(r'(?:src|href)="(/m/static/[^"?]+)\?v=([0-9a-f]{10})"', page.text)
        assert {name.rsplit("/", 1)[1] for name, _ in linked} >= {"mobile.css"}, page.text[:500]
        assert not re.search(r'(?:src|href)="/m/static/[^"?]+"', page.text)  # every link names its version
        weight = page.num_bytes_downloaded
        for name, version in linked:
            asset = client.get(f"{name}?v={version}", headers=GZIP)
            assert asset.status_code == 200 and asset.headers["cache-control"] == "public, max-age=31536000, immutable"
            weight += asset.num_bytes_downloaded
        assert page.num_bytes_downloaded < len(page.content) / 3  # a page gzips to less than a third
        assert weight < 30 * 1024, (path, weight)


def test_a_static_file_without_its_version_is_checked_every_time(client) -> None:
    plain = client.get("/m/static/station.js")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "no-cache"
    again = client.get("/m/static/station.js", headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_api_answers_are_gzipped_when_the_phone_asks(client) -> None:
    token = client.cookies.get("ad_m_station")
    read = client.get(f"/api/v1/stations/001/plans/{MONTH}", headers=auth(token) | GZIP)
    assert read.status_code == 200 and read.headers["content-encoding"] == "gzip"
    assert len(read.json()["activities"]) == 10
    plain = client.get(f"/api/v1/stations/001/plans/{MONTH}", headers=auth(token) | {"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.json() == read.json()


def test_pages_follow_a_changed_plan_and_profile_at_once(client, county) -> None:
    before = client.get("/m/station").text
    assert "23:59" in before and "新的清单标题" not in before
    change_profile(county, {"intake.deadline_time": "18:30"})
    with transaction() as session:
        content = crud.plan_content(crud.official_plan(session=session, county=county, month=MONTH))
        content.checklist[0].items[0].title = "新的清单标题"
        crud.save_plan(session=session, county=county, month=MONTH, version=2, content=content, doc_number="x")
    after = client.get("/m/station").text
    assert "18:30" in after and "23:59" not in after
    assert "新的清单标题" in after
    checklist = client.get(f"/api/v1/months/{MONTH}/checklist", headers=auth(client.cookies.get("ad_m_station")))
    assert checklist.json()["tasks"][0]["items"][0]["title"] == "新的清单标题"


def test_the_page_says_when_the_last_accepted_plan_came(client, county) -> None:
    assert "已报送</span> 10 项活动，2026-11-25 08:00" in client.get("/m/station").text  # Beijing time
    token = client.cookies.get("ad_m_station")
    later = BEFORE_DEADLINE + timedelta(hours=3, minutes=7)
    client.app.dependency_overrides[clock] = lambda: later
    sent = client.put(f"/api/v1/stations/001/plans/{MONTH}", headers=auth(token), json={
        "submission_id": "plan-001-delivery-2", "activities": [activity(date(2026, 12, 5), name="只有一项")]})
    refused = client.put(f"/api/v1/stations/001/plans/{MONTH}", headers=auth(token), json={
        "submission_id": "plan-001-delivery-3", "activities": [activity(date(2026, 11, 5))]})
    assert sent.status_code == 200 and refused.status_code == 422  # a refused one is not the plan in force
    assert "已报送</span> 1 项活动，2026-11-25 11:07" in client.get("/m/station").text
