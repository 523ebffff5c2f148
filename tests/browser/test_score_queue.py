"""The phone's queue of scores, in chromium at 360×740: the rubric is checked before anything is queued; a queue
belongs to one holder and one page (the observer's page on the same phone never sends the team's scores); a score
the server refuses is never dropped: it stays, with the server's reason under its station's form, across a
reload, until the holder discards it (or corrects and saves it)."""

from __future__ import annotations

import json

from activity_day.demo import TOWNSHIPS
from activity_day.models import Circular, InspectionScore
from activity_day.models.enums import ScorerRole
from activity_day.store.database import transaction
from tests.api.test_scoring_api import ITEMS, TEAM, assign, scorer_token
from tests.browser.test_mobile_pages import (
    MONTH,
    ON_THE_DAY,
    eventually,
    fits_the_screen,
    queue,
    queue_key,
    rows,
)


def score_in(page, code: str, items: dict[str, object], problems: str = "") -> None:
    form = page.locator(f'.score-form[data-code="{code}"]')
    for name, value in items.items():
        form.locator(f'input[data-item="{name}"]').fill(str(value))
    form.locator('[name="problems"]').fill(problems)
    form.locator("button[type=submit]").click()


def test_the_rubric_is_checked_on_the_phone_before_a_score_is_queued(registry, county, serve, phone) -> None:
    assign(county)
    base = serve(ON_THE_DAY)
    page = phone.new_page()
    page.goto(f"{base}/m/team?t={scorer_token(county, ScorerRole.TEAM, TEAM)}")
    score_in(page, "005", ITEMS | {"规定动作": 31, "台账资料": ""})
    form = page.locator('.score-form[data-code="005"]')
    assert form.locator('[data-error-for="items.规定动作"]').inner_text() == "该项满分30分"
    assert form.locator('[data-error-for="items.台账资料"]').inner_text() == "请填写该项得分"
    assert "评分未保存" in form.locator(".status").inner_text()
    assert queue(page) == [] and rows(InspectionScore) == []
    score_in(page, "005", ITEMS | {"规定动作": "２８"})  # full-width digits, as a phone keyboard may give them
    page.wait_for_selector('[data-state-for="005"] >> text=已评分 88.0 分')
    assert form.locator(".error:visible").count() == 0


def test_a_queue_is_one_holders_and_a_refused_score_stays_with_its_reason(registry, county, serve, phone,
                                                                          shoot) -> None:
    assign(county)  # 第一检查组: 005, then 001
    team = scorer_token(county, ScorerRole.TEAM, TEAM)
    observer = scorer_token(county, ScorerRole.OBSERVER, "韩梅", TOWNSHIPS[0])  # the same stations' township
    base = serve(ON_THE_DAY)
    page = phone.new_page()
    page.goto(f"{base}/m/team?t={team}")

    phone.set_offline(True)
    score_in(page, "001", ITEMS, problems="签到表缺页")
    page.wait_for_selector('[data-state-for="001"] >> text=待发送')
    waiting = queue(page)
    assert [e["body"]["station_code"] for e in waiting] == ["001"]
    page.close()

    # The observer's page on the same phone, online, has a queue of its own: the team's score is neither sent nor
    # shown there (sent with the observer's session it would be refused, and would once have been dropped).
    phone.set_offline(False)
    other = phone.new_page()
    other.goto(f"{base}/m/observer?t={observer}")
    assert queue_key(other, "observer") != queue_key_of_team(other, waiting)
    other.wait_for_timeout(1500)
    assert rows(InspectionScore) == [] and queue(other, "observer") == []
    assert json.loads(other.evaluate(f"localStorage.getItem('{queue_key_of_team(other, waiting)}')")) == waiting
    assert other.locator("#queue").is_hidden() and "待发送" not in other.inner_text('[data-state-for="001"]')
    other.close()

    # Before the team's page opens again the month's circular is compiled: the server refuses the score (409).
    with transaction() as session:
        session.add(Circular(county=county, month=MONTH, doc_number="x", summary={}))
    page = phone.new_page()
    page.goto(f"{base}/m/team")
    form = page.locator('.score-form[data-code="001"]')
    note = form.locator(".queued")
    note.wait_for()
    assert "这条评分未能保存" in note.inner_text() and "通报已汇编" in note.inner_text()
    assert "未能保存" in page.inner_text('[data-state-for="001"]')
    assert [e["state"] for e in queue(page)] == ["refused"] and rows(InspectionScore) == []
    assert form.locator('[name="problems"]').input_value() == "签到表缺页"  # what was queued, to correct
    assert "1 条评分未能保存" in page.inner_text("#net") and page.locator("#net a.goto").get_attribute("href") == "#s-001"
    page.click("#net a.goto")  # the banner takes the holder to the refused score, its reason in view
    box = note.bounding_box()
    assert box is not None and 0 <= box["y"] < 740
    fits_the_screen(page)
    shoot(page, "mobile-team-refused")
    page.evaluate("document.documentElement.style.fontSize = '150%'")
    fits_the_screen(page)
    page.evaluate("document.documentElement.style.fontSize = ''")

    page.reload()  # still there, with its reason
    note.wait_for()
    assert "通报已汇编" in note.inner_text() and len(queue(page)) == 1
    form.locator("button.discard").click()  # the holder lets it go: only now is it gone
    assert queue(page) == [] and note.is_hidden() and "未评分" in page.inner_text('[data-state-for="001"]')
    assert page.locator("#net").is_hidden()


def test_a_score_refused_for_its_content_shows_the_problem_under_its_field(registry, county, serve, phone) -> None:
    assign(county)
    base = serve(ON_THE_DAY)
    page = phone.new_page()
    page.goto(f"{base}/m/team?t={scorer_token(county, ScorerRole.TEAM, TEAM)}")
    # A score queued by an older page, without one rubric item: the server names the item (422).
    key = "0b7c1f9e-7a55-4d59-9d8e-4a4e2f0d7a11"
    entry = {"key": key, "url": "/m/team/scores", "state": "waiting",
             "body": {"station_code": "005", "month": MONTH, "client_key": key,
                      "items": {k: v for k, v in ITEMS.items() if k != "台账资料"}, "category": "", "problems": "",
                      "suggestions": ""}}
    page.evaluate(f"e => localStorage.setItem('{queue_key(page)}', JSON.stringify([e]))", entry)
    page.reload()
    form = page.locator('.score-form[data-code="005"]')
    form.locator(".queued").wait_for()
    eventually(lambda: [e["state"] for e in queue(page)] == ["refused"])
    shown = form.locator(".error:visible").all_inner_texts()
    assert shown and all(text.strip() for text in shown)
    form.locator('input[data-item="台账资料"]').fill("12")
    form.locator("button[type=submit]").click()  # corrected and saved again: it replaces the refused one
    page.wait_for_selector('[data-state-for="005"] >> text=已评分 88.0 分')
    assert queue(page) == [] and form.locator(".queued").is_hidden()


def queue_key_of_team(page, waiting: list[dict]) -> str:
    """The team's queue key, found by its content (the observer's page does not know the team's holder key)."""
    keys = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('activity-day.scores.team.'))")
    assert len(keys) == 1, keys
    return keys[0]
