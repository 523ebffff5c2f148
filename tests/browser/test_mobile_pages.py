"""A station submits its plan, a team scores with and without signal, an observer is refused another township's
station: each as a person does it, in chromium at 360×740."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime

from playwright.sync_api import expect
from sqlmodel import select

from activity_day.context import bound
from activity_day.demo import TOWNSHIPS
from activity_day.models import (
    EvidenceRecord,
    InspectionScore,
    PlannedActivity,
    ScoreReceipt,
    ScoreRevision,
    StationPlan,
)
from activity_day.models.enums import ScorerRole
from activity_day.services.submissions import submit_plan
from activity_day.store.database import transaction
from tests.api.test_evidence_api import jpeg, north
from tests.api.test_scoring_api import ITEMS, TEAM, assign, scorer_token
from tests.intake_helpers import activity, official_plan, tokens_for

MONTH = "2026-12"
BEFORE_DEADLINE = datetime(2026, 11, 25, 2, tzinfo=UTC)
ON_THE_DAY = datetime(2026, 12, 5, 2, tzinfo=UTC)


def rows(model) -> list:
    with transaction() as session:
        return list(session.exec(select(model)).all())


def fits_the_screen(page) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_station_fills_sees_the_error_by_the_field_fixes_it_and_submits(registry, county, serve, phone,
                                                                         shoot) -> None:
    plan = official_plan(county, MONTH)
    required = plan["required_codes"][0]
    token = tokens_for(county, ["001"])["001"]
    base = serve(BEFORE_DEADLINE)
    page = phone.new_page()

    page.goto(f"{base}/m/station?t={token}")
    assert page.url == f"{base}/m/station"  # the token left the address bar for an HttpOnly cookie
    cookie = next(c for c in phone.cookies() if c["name"] == "ad_m_station")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["value"] == token
    assert "尚未报送" in page.inner_text("#plan-state")
    fits_the_screen(page)
    page.evaluate("document.documentElement.style.fontSize = '150%'")  # WeChat's large-font setting
    fits_the_screen(page)
    page.evaluate("document.documentElement.style.fontSize = ''")

    page.fill("#a-0-name", "理论宣讲进万家")
    page.select_option("#a-0-task", "宣传宣讲党的政策")
    page.select_option("#a-0-action_kind", "规定动作")
    page.fill("#a-0-start_time", "2026-11-30")  # a day of last month
    page.fill("#a-0-start_clock", "09:00")
    page.fill("#a-0-location", "村新时代文明实践站")
    page.fill("#a-0-expected_participants", "40")
    page.select_option("#a-0-checklist_code", required)
    page.click("text=＋ 添加一项活动")  # a second, empty activity: left empty, it is not sent
    page.wait_for_url(f"{base}/m/station/plan#plan")  # the form went to the server and came back
    expect(page.locator("fieldset.activity")).to_have_count(2)
    assert page.input_value("#a-0-start_time") == "2026-11-30"  # what was typed survives the round trip
    assert page.input_value("#a-0-start_clock") == "09:00"

    page.click("#submit-plan")
    error = page.locator("#e-0-start_time")
    assert error.inner_text() == "不在2026年12月内"
    assert page.locator("#activity-0 .error").count() == 1  # only that field is marked
    field, shown = page.locator("#a-0-start_time").bounding_box(), error.bounding_box()
    assert field is not None and shown is not None
    assert 0 <= shown["y"] - (field["y"] + field["height"]) < 24 and abs(shown["x"] - field["x"]) < 24
    assert page.get_attribute("#a-0-start_time", "aria-invalid") == "true"
    assert rows(StationPlan) == []  # a refused plan stores nothing
    page.locator("#a-0-start_time").evaluate("e => e.scrollIntoView()")
    page.evaluate("window.scrollBy(0, -300)")
    fits_the_screen(page)
    shoot(page, "mobile-station")

    # At WeChat's large font the date and the time stand one under the other, neither clipped.
    page.evaluate("document.documentElement.style.fontSize = '150%'")
    for field in ("#a-0-start_time", "#a-0-start_clock"):
        assert page.evaluate(f"(e => e.scrollWidth <= e.clientWidth)(document.querySelector('{field}'))")
    fits_the_screen(page)
    page.evaluate("document.documentElement.style.fontSize = ''")
    page.fill("#a-0-start_time", "2026-12-05")
    page.fill("#a-0-start_clock", "09:30")
    page.click("#submit-plan")
    page.wait_for_url(f"{base}/m/station?month={MONTH}#plan")
    assert page.inner_text("#plan #flash") == "活动计划已报送"  # the server's word, where the page jumped
    box = page.locator("#flash").bounding_box()
    assert box is not None and 0 <= box["y"] < 740
    assert "已报送" in page.inner_text("#plan-state") and "1 项活动" in page.inner_text("#plan-state")
    assert page.locator(".error").count() == 0
    assert [(p.station_code, p.activity_count, p.late) for p in rows(StationPlan)] == [("001", 1, False)]
    assert [(a.name, a.task, a.start_time, a.checklist_code) for a in rows(PlannedActivity)] == [
        ("理论宣讲进万家", "宣传宣讲党的政策", datetime(2026, 12, 5, 9, 30), required)]


def score_in(page, code: str, items: dict[str, int], problems: str = "", suggestions: str = "") -> None:
    form = page.locator(f'.score-form[data-code="{code}"]')
    for name, value in items.items():
        form.locator(f'input[data-item="{name}"]').fill(str(value))
    form.locator('[name="category"]').fill("台账资料" if problems else "")
    form.locator('[name="problems"]').fill(problems)
    form.locator('[name="suggestions"]').fill(suggestions)
    form.locator("button[type=submit]").click()


def eventually(check, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def queue_key(page, role: str = "team") -> str:
    """The key of this holder's queue on this page (role and holder: another holder's page has its own)."""
    return f"activity-day.scores.{role}." + page.get_attribute("#queue", "data-holder")


def queue(page, role: str = "team") -> list[dict]:
    return json.loads(page.evaluate(f"localStorage.getItem('{queue_key(page, role)}') || '[]'"))


def test_team_scores_two_stations_one_offline_each_stored_once(registry, county, serve, phone, shoot) -> None:
    assign(county)  # 第一检查组: 005 first, then 001
    token = scorer_token(county, ScorerRole.TEAM, TEAM)
    base = serve(ON_THE_DAY)
    page = phone.new_page()
    page.goto(f"{base}/m/team?t={token}")
    assert page.url == f"{base}/m/team"
    codes = page.locator("section.station").evaluate_all("els => els.map(e => e.dataset.code)")
    assert codes == ["005", "001"]  # route order
    assert "未评分" in page.inner_text('[data-state-for="001"]')
    fits_the_screen(page)
    page.evaluate("document.documentElement.style.fontSize = '150%'")  # WeChat's large-font setting
    fits_the_screen(page)
    page.evaluate("document.documentElement.style.fontSize = ''")

    score_in(page, "005", ITEMS)
    page.wait_for_selector('[data-state-for="005"] >> text=已评分 88.0 分')
    assert [(s.station_code, s.score) for s in rows(InspectionScore)] == [("005", 88.0)]

    phone.set_offline(True)
    score_in(page, "001", ITEMS | {"台账资料": 10}, problems="签到表缺页", suggestions="补齐活动台账")
    page.wait_for_selector('[data-state-for="001"] >> text=待发送')
    assert "没有网络" in page.inner_text('.score-form[data-code="001"] .status')
    waiting = queue(page)
    assert [e["body"]["station_code"] for e in waiting] == ["001"] and len(waiting[0]["key"]) == 36
    assert [s.station_code for s in rows(InspectionScore)] == ["005"]  # nothing reached the server
    assert "当前没有网络" in page.inner_text("#net")
    page.locator("#s-001").evaluate("e => e.scrollIntoView()")
    page.evaluate("window.scrollBy(0, -70)")
    shoot(page, "mobile-team")

    phone.set_offline(False)  # the `online` event sends what waited
    page.wait_for_selector('[data-state-for="001"] >> text=已评分 86.0 分')
    assert queue(page) == []

    # The answer was lost on a weak network and the phone sends the same score again: stored once.
    page.evaluate(f"q => localStorage.setItem('{queue_key(page)}', JSON.stringify(q))", waiting)
    page.reload()
    eventually(lambda: queue(page) == [])  # (wait_for_function polls with eval, which the page's CSP refuses)
    assert sorted((s.station_code, s.score, s.problems) for s in rows(InspectionScore)) == [
        ("001", 86.0, "签到表缺页"), ("005", 88.0, "")]
    revisions = sorted((r.station_code, r.revision, r.score) for r in rows(ScoreRevision))
    assert revisions == [("001", 1, 86.0), ("005", 1, 88.0)]
    assert [r.station_code for r in rows(ScoreReceipt) if r.client_key == waiting[0]["key"]] == ["001"]


def test_observer_cannot_open_another_townships_station(registry, county, serve, phone, shoot) -> None:
    token = scorer_token(county, ScorerRole.OBSERVER, "韩梅", TOWNSHIPS[0])  # stations 001-016
    base = serve(ON_THE_DAY)
    page = phone.new_page()
    page.goto(f"{base}/m/observer?t={token}")
    assert page.url == f"{base}/m/observer"
    codes = page.locator("section.station").evaluate_all("els => els.map(e => e.dataset.code)")
    assert codes[0] == "001" and "017" not in codes
    fits_the_screen(page)
    shoot(page, "mobile-observer")
    page.evaluate("document.documentElement.style.fontSize = '150%'")  # WeChat's large-font setting
    fits_the_screen(page)

    own = page.goto(f"{base}/m/observer/stations/002")
    assert own is not None and own.status == 200 and page.locator("section.station").count() == 1

    other = page.goto(f"{base}/m/observer/stations/017")  # the next township's first station
    assert other is not None and other.status == 403
    assert "无权访问" in page.inner_text("main") and page.locator("form").count() == 0
    assert rows(InspectionScore) == []


def test_station_checks_in_with_a_photo_on_a_weak_network(registry, county, serve, phone, settings,
                                                          tmp_path) -> None:
    plan = official_plan(county, MONTH)
    token = tokens_for(county, ["001"])["001"]
    sent = submit_plan(county=county, station_code="001", month=MONTH, submission_id="plan-001-0001",
                       activities=[activity(date(2026, 12, 5), plan["required_codes"][0])], now=BEFORE_DEADLINE)
    assert sent.http_status == 200
    lon, lat = north("001", 40)
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg(datetime(2026, 12, 5, 8, 50), (lon, lat)))
    with bound(settings.model_copy(update={"photo_store": str(tmp_path / "store")})):
        base = serve(datetime(2026, 12, 5, 0, 55, tzinfo=UTC))  # 08:55 in Beijing
        phone.grant_permissions(["geolocation"], origin=base)
        phone.set_geolocation({"longitude": lon, "latitude": lat})
        page = phone.new_page()
        dropped = []

        def flaky(route) -> None:  # the first upload is lost on the way: the page retries it
            if not dropped:
                dropped.append(route.request.url)
                route.abort("connectionreset")
            else:
                route.continue_()

        page.route("**/m/station/photos", flaky)
        # The phone's clock says 08:55 too: a check-in is taken only in its activity's window.
        page.clock.set_fixed_time(datetime(2026, 12, 5, 0, 55, tzinfo=UTC))
        page.goto(f"{base}/m/station?t={token}")
        box = page.locator('.evidence[data-seq="1"]')
        box.locator("input.photos").set_input_files(str(photo))
        box.locator('button[data-kind="checkin"]').click()
        box.locator(".status", has_text="签到成功").wait_for(timeout=20000)
        assert dropped and "网络" not in box.locator(".status").inner_text()
        records = rows(EvidenceRecord)
        assert [(r.station_code, r.activity_seq, r.kind, len(r.photos)) for r in records] == [("001", 1, "checkin", 1)]
        assert abs(records[0].longitude - lon) < 1e-6 and abs(records[0].latitude - lat) < 1e-6  # the phone's place
        assert page.evaluate("localStorage.getItem('activity-day.checkins.001')") is None  # nothing left waiting
        page.reload()
        assert "照片 1 张" in box.inner_text()
