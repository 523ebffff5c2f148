"""A speaker answers a lecture on the phone (接单, then 谢绝 with the re-formed team shown), and the station's
宣讲点单 section fits the screen: in chromium at 360×740, at WeChat's large font too."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import select

from activity_day.models import LectureOrder
from activity_day.store import lectures as lecture_store
from activity_day.store.database import transaction
from tests.api.test_mobile import BEFORE_DEADLINE
from tests.api.test_mobile_lectures import dispatched, speaker_tokens, with_menu
from tests.browser.test_mobile_pages import fits_the_screen
from tests.intake_helpers import tokens_for


def in_view(page, selector: str) -> bool:
    """Whether the element is on the phone's screen (not scrolled away)."""
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 40) <= page.viewport_size["height"]


def order_of(station: str) -> LectureOrder:
    with transaction() as session:
        return session.exec(select(LectureOrder).where(LectureOrder.station_code == station)).one()


def test_speaker_accepts_then_declines_a_lecture(registry, county, serve, phone, shoot, tmp_path) -> None:
    first, second = dispatched(county, with_menu(county, tmp_path))
    me = first["team"][0]["code"]
    token = speaker_tokens(county, [me])[me]
    base = serve(BEFORE_DEADLINE)
    page = phone.new_page()

    page.goto(f"{base}/m/speaker?t={token}")
    assert page.url == f"{base}/m/speaker"  # the token left the address bar for an HttpOnly cookie
    cookie = next(c for c in phone.cookies() if c["name"] == "ad_m_speaker")
    assert cookie["httpOnly"] and cookie["value"] == token
    card = page.locator(f"#l-{first['station']}-XJ-01")
    assert page.locator("section.speaker-lecture").count() == 1 and "已派单" in card.inner_text()
    assert first["township"] in card.inner_text() and "2026年12月5日" in card.inner_text()
    fits_the_screen(page)
    page.evaluate("document.documentElement.style.fontSize = '150%'")  # WeChat's large-font setting
    fits_the_screen(page)
    page.evaluate("document.documentElement.style.fontSize = ''")

    card.locator("button.accept").click()
    page.wait_for_url(f"{base}/m/speaker?month=*#l-{first['station']}-XJ-01")
    assert page.inner_text("#answer-notice").startswith("已接单：")
    assert in_view(page, "#answer-notice")  # the line is where the page took the speaker: the lecture's card
    assert "您已谢绝" not in card.inner_text() and "您已接单" in card.inner_text()
    assert card.locator("button.accept").count() == 0  # confirmed: only 谢绝 is left
    assert order_of(first["station"]).confirmed == [me]
    shoot(page, "mobile-speaker")

    card.locator("button.decline").click()  # 谢绝 cannot be taken back: first the page asks, in the card
    confirm = page.locator("#confirm-decline")
    confirm.wait_for()
    assert "不能撤回" in confirm.inner_text() and in_view(page, "#confirm-decline")
    assert me not in order_of(first["station"]).declined  # nothing changed yet
    shoot(page, "mobile-speaker-decline")
    page.evaluate("document.documentElement.style.fontSize = '150%'")
    fits_the_screen(page)
    page.evaluate("document.documentElement.style.fontSize = ''")
    page.click("text=不谢绝，返回")
    page.wait_for_url(f"{base}/m/speaker?month=*#l-{first['station']}-XJ-01")
    expect(page.locator("#confirm-decline")).to_have_count(0)
    assert me not in order_of(first["station"]).declined
    card.locator("button.decline").click()
    page.locator("#confirm-decline").wait_for()
    page.click("text=确认谢绝")
    page.wait_for_url(f"{base}/m/speaker?month=*#l-{first['station']}-XJ-01")
    now = order_of(first["station"])
    assert me in now.declined and me not in now.team and now.status == "dispatched"
    with transaction() as session:
        names = lecture_store.pool_frame(session=session, county=county).set_index("code")["name"]
    assert page.inner_text("#answer-notice").endswith("已重新组建宣讲队：" + "、".join(names[c] for c in now.team))
    assert "您已谢绝" in card.inner_text() and card.locator("form").count() == 0
    assert all(names[c] in card.locator(".team").inner_text() for c in now.team)
    page.evaluate("document.documentElement.style.fontSize = '150%'")
    fits_the_screen(page)
    assert order_of(second["station"]).team == [m["code"] for m in second["team"]]  # the other team is untouched

    # The station's 宣讲点单 section, opened, fits the screen as well.
    station = tokens_for(county, [first["station"]])[first["station"]]
    page.goto(f"{base}/m/station?t={station}")
    page.locator("#menu-XJ-01 summary").click()
    assert page.locator("#l-XJ-01-audience").is_visible() and "已派单" in page.inner_text("#menu-XJ-01")
    page.evaluate("document.documentElement.style.fontSize = '150%'")
    fits_the_screen(page)
