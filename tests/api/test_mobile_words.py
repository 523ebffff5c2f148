"""What a holder reads on the phone pages: a month's route is 今日 only on its day, every refusal page has a way
back, and a page's message after an action comes from the server, not from its address."""

from __future__ import annotations

import pytest

from activity_day.api import create_app
from activity_day.api.mobile.pages import FLASH_COOKIE, csrf_token
from activity_day.models.enums import ScorerRole
from tests.api.test_mobile import BEFORE_DEADLINE, MONTH, ON_THE_DAY, client_at, enter, form
from tests.api.test_scoring_api import TEAM, assign, scorer_token
from tests.intake_helpers import official_plan, tokens_for


@pytest.fixture
def app(registry, county):
    official_plan(county, MONTH)
    assign(county)
    return create_app()


def test_a_route_is_todays_only_on_the_activity_day(app, county) -> None:
    token = scorer_token(county, ScorerRole.TEAM, TEAM)
    with client_at(app, BEFORE_DEADLINE) as client:
        enter(client, "/m/team", token)
        ahead = client.get(f"/m/team?month={MONTH}").text
        assert "今日走访所站" not in ahead and "2026年12月走访所站（按路线顺序）" in ahead
        assert "集中活动日：2026年12月5日" in ahead
    with client_at(app, ON_THE_DAY) as client:
        enter(client, "/m/team", token)
        assert "今日走访所站（按路线顺序）" in client.get(f"/m/team?month={MONTH}").text


def test_every_refusal_page_has_a_way_back(app, county) -> None:
    token = tokens_for(county, ["001"])["001"]
    with client_at(app, BEFORE_DEADLINE) as client:
        invalid = client.get("/m/station?t=ad_not-a-token")
        assert invalid.status_code == 401 and "data-back" in invalid.text and "/m/static/back.js" in invalid.text
        enter(client, "/m/station", token)
        for csrf in ("forged", "伪造的令牌"):  # (not ASCII: still the 403, never a 500)
            forged = client.post("/m/station/plan", data={"csrf": csrf, "month": MONTH})
            assert forged.status_code == 403 and "返回" in forged.text
        other = client.post("/m/station/findings/999", data={"csrf": csrf_token(token), "report": "x",
                                                              "month": MONTH})
        assert other.status_code == 403 and f'href="/m/station?month={MONTH}#findings"' in other.text


def test_a_flash_is_the_servers_and_the_holders_own(app, county) -> None:
    tokens = tokens_for(county, ["001", "002"])
    with client_at(app, BEFORE_DEADLINE) as other:
        enter(other, "/m/station", tokens["002"])
        sent = other.post("/m/station/plan", data=form(tokens["002"]))
        assert sent.status_code == 303 and "活动计划已报送" in other.get(sent.headers["location"]).text
        again = other.post("/m/station/plan", data=form(tokens["002"], submission_id="h5-test-0009"))
        flash = again.cookies.get(FLASH_COOKIE)
    assert flash
    with client_at(app, BEFORE_DEADLINE) as client:
        enter(client, "/m/station", tokens["001"])
        # Another holder's flash, or one the server did not sign, says nothing on this holder's page.
        for value in (flash, "eyJwYWdlIjogInN0YXRpb24iLCAid2hhdCI6ICJwbGFuIn0.0000"):
            client.cookies.set(FLASH_COOKIE, value, path="/m")
            assert "活动计划已报送" not in client.get("/m/station").text
