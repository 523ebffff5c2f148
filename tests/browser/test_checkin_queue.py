"""The station page's queue of check-ins, in chromium at 360×740 (as test_score_queue does for scores): a check-in
made without signal waits on the phone, in its station's own queue, naming its activity by identity; another
station's page on the same phone neither sends nor shows it; with the network back it is sent, to its activity
even after the plan was submitted again with another activity before it. A check-in the server refuses is never
dropped: it stays, with the server's reason, across a reload, until the holder discards it."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

from sqlmodel import select

from activity_day.models import EvidenceRecord, PlannedActivity
from activity_day.services.submissions import submit_plan
from activity_day.store.database import transaction
from tests.browser.test_mobile_pages import BEFORE_DEADLINE, MONTH, eventually, fits_the_screen, rows
from tests.intake_helpers import activity, official_plan, tokens_for

DAY = date(2026, 12, 5)
AT_0855 = datetime(2026, 12, 5, 0, 55, tzinfo=UTC)  # 08:55 in Beijing on the activity day


def plan_for(county: str, station: str, activities: list[dict], sid: str, now: datetime = BEFORE_DEADLINE) -> None:
    sent = submit_plan(county=county, station_code=station, month=MONTH, submission_id=sid, activities=activities,
                       now=now)
    assert sent.http_status == 200, sent.body


def uid_at(station: str, seq: int) -> str:
    with transaction() as session:
        return session.exec(select(PlannedActivity.uid).where(PlannedActivity.station_code == station,
                                                              PlannedActivity.seq == seq)).one()


def checkins(page, station: str) -> list[dict]:
    """The station's queue on the phone: its key names the county and the station (station codes repeat across
    counties)."""
    keys = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('activity-day.checkins.'))")
    assert all(re.fullmatch(r"activity-day\.checkins\.\d{6}-\d{3}", k) for k in keys), keys
    mine = [k for k in keys if k.endswith(f"-{station}")]
    return json.loads(page.evaluate(f"localStorage.getItem('{mine[0]}')")) if mine else []


def test_a_check_in_queued_offline_is_its_stations_and_is_sent_when_the_network_comes_back(
        registry, county, serve, phone) -> None:
    required = official_plan(county, MONTH)["required_codes"][0]
    morning = activity(DAY, required)
    plan_for(county, "001", [morning], "plan-001-0001")
    plan_for(county, "005", [morning], "plan-005-0001")
    tokens = tokens_for(county, ["001", "005"])
    uid = uid_at("001", 1)
    base = serve(AT_0855)
    page = phone.new_page()
    page.clock.set_fixed_time(AT_0855)  # the phone's clock: what the check-in reports
    page.goto(f"{base}/m/station?t={tokens['001']}")
    box = page.locator('.evidence[data-seq="1"]')
    assert box.get_attribute("data-uid") == uid

    phone.set_offline(True)
    box.locator('button[data-kind="checkin"]').click()
    box.locator(".queue li", has_text="待发送").wait_for()
    assert "恢复网络后自动发送" in box.locator(".queue").inner_text()
    [waiting] = checkins(page, "001")
    assert waiting["state"] == "waiting" and waiting["record"]["activity_uid"] == uid
    assert rows(EvidenceRecord) == []
    fits_the_screen(page)

    # Meanwhile 001 submits its plan again (from another device) with an activity before the morning one: the
    # queued check-in still belongs to the morning activity, now second.
    plan_for(county, "001", [activity(DAY, name="晨间志愿服务", start_time=f"{DAY}T07:30"), morning],
             "plan-001-0002", now=AT_0855)
    assert uid_at("001", 2) == uid

    # The signal comes back: the `online` event sends what waits.
    phone.set_offline(False)
    box.locator(".status", has_text="签到成功").wait_for()
    [stored] = rows(EvidenceRecord)
    assert (stored.station_code, stored.activity_uid, stored.activity_seq, stored.kind) == ("001", uid, 2, "checkin")
    eventually(lambda: checkins(page, "001") == [])
    assert box.locator(".queue").is_hidden()

    # Another check-in on a weak signal (the post is lost on the way): it waits, in 001's queue.
    page.route("**/m/station/evidence", lambda route: route.abort("internetdisconnected"))
    box.locator('button[data-kind="checkin"]').click()
    box.locator(".queue li", has_text="稍后自动重试").wait_for()
    [waiting] = checkins(page, "001")
    page.close()

    # Station 005's page on the same phone: 001's check-in is neither sent with 005's session nor shown.
    other = phone.new_page()
    other.clock.set_fixed_time(AT_0855)
    other.goto(f"{base}/m/station?t={tokens['005']}")
    other.wait_for_timeout(1500)
    assert len(rows(EvidenceRecord)) == 1 and checkins(other, "001") == [waiting] and checkins(other, "005") == []
    assert other.locator(".queue li").count() == 0
    other.close()

    # 001's own page again (its link): it is sent when the page opens, under the activity where it is now.
    page = phone.new_page()
    page.clock.set_fixed_time(AT_0855)
    page.goto(f"{base}/m/station?t={tokens['001']}")
    moved = page.locator(f'.evidence[data-uid="{uid}"]')
    assert moved.get_attribute("data-seq") == "2"
    eventually(lambda: len(rows(EvidenceRecord)) == 2)
    assert {(r.station_code, r.activity_uid) for r in rows(EvidenceRecord)} == {("001", uid)}
    eventually(lambda: checkins(page, "001") == [])
    page.reload()
    assert moved.locator(".records li").count() == 2
    assert page.locator('.evidence[data-seq="1"] .records li').count() == 0


def test_a_refused_check_in_stays_with_its_reason_until_the_station_discards_it(registry, county, serve, phone,
                                                                                shoot) -> None:
    required = official_plan(county, MONTH)["required_codes"][0]
    plan_for(county, "001", [activity(DAY, required)], "plan-001-0001")
    token = tokens_for(county, ["001"])["001"]
    base = serve(datetime(2026, 11, 25, 2, tzinfo=UTC))  # ten days before the activity: the server refuses (409)
    page = phone.new_page()
    page.clock.set_fixed_time(datetime(2026, 11, 25, 2, tzinfo=UTC))
    page.goto(f"{base}/m/station?t={token}")
    box = page.locator('.evidence[data-seq="1"]')
    box.locator('button[data-kind="checkin"]').click()
    refused = box.locator(".queue li", has_text="发送失败")
    refused.wait_for()
    assert "活动尚未开始" in refused.inner_text() and "放弃这条签到" in refused.inner_text()
    assert [e["state"] for e in checkins(page, "001")] == ["refused"] and rows(EvidenceRecord) == []
    fits_the_screen(page)
    shoot(page, "mobile-station-checkin-refused")
    page.evaluate("document.documentElement.style.fontSize = '150%'")
    fits_the_screen(page)
    page.evaluate("document.documentElement.style.fontSize = ''")

    page.reload()  # still there, with its reason (sent again when the page opens, refused again)
    refused.wait_for()
    assert "活动尚未开始" in refused.inner_text()
    page.wait_for_timeout(1000)
    assert len(checkins(page, "001")) == 1 and rows(EvidenceRecord) == []
    refused.locator("button.discard").click()  # the station lets it go: only now is it gone
    assert checkins(page, "001") == [] and box.locator(".queue").is_hidden()


def test_a_record_kept_by_an_older_page_is_shown_never_sent(registry, county, serve, phone) -> None:
    required = official_plan(county, MONTH)["required_codes"][0]
    plan_for(county, "001", [activity(DAY, required)], "plan-001-0001")
    token = tokens_for(county, ["001"])["001"]
    base = serve(AT_0855)
    page = phone.new_page()
    page.clock.set_fixed_time(AT_0855)
    page.goto(f"{base}/m/station?t={token}")
    old = {"month": MONTH, "client_id": "h5-legacy-0001", "activity_seq": 1, "kind": "checkin",
           "taken_at": "2026-12-05T08:50:00", "photos": [], "longitude": None, "latitude": None}
    page.evaluate(f"r => localStorage.setItem('activity-day.evidence.{MONTH}.1.checkin', JSON.stringify(r))", old)
    page.reload()
    shown = page.locator(".queue.elsewhere li")
    shown.wait_for()
    assert "旧版页面" in shown.inner_text() and "发送失败" in shown.inner_text()
    page.wait_for_timeout(1000)
    assert rows(EvidenceRecord) == []
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('activity-day.evidence'))") == []
    shown.locator("button.discard").click()
    assert checkins(page, "001") == [] and page.locator(".queue.elsewhere").is_hidden()
