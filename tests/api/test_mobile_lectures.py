"""The phone pages' lectures through a TestClient: a station orders from the lecture menu on its page (a wrong
date refused with the message by the field, a right order stored once), and a speaker answers on /m/speaker
(接单, 谢绝 with the re-formed team shown, 403 for another team's lecture, 409 for a confirmation after a decline)."""

from __future__ import annotations

import random
import re
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from activity_day.api import create_app
from activity_day.api.mobile.pages import csrf_token
from activity_day.demo import speaker_pool, write_xlsx
from activity_day.domain.menu import build_menu, stories_by_topic
from activity_day.domain.planning import load_learning_catalog
from activity_day.models import LectureOrder
from activity_day.services.imports import import_file
from activity_day.services.lectures import dispatch_month, issue_speaker_tokens, list_orders
from activity_day.services.submissions import utcnow
from activity_day.store import crud
from activity_day.store import lectures as lecture_store
from activity_day.store.database import transaction
from tests.api.test_mobile import BEFORE_DEADLINE, MONTH, client_at, enter
from tests.intake_helpers import official_plan, tokens_for


def with_menu(county: str, workdir: Path) -> date:
    """The month's official plan with a lecture menu and the demo's speaker pool; returns the activity day."""
    official_plan(county, MONTH)
    pool = speaker_pool(random.Random("mobile"), list(load_learning_catalog()["category_name"].drop_duplicates()))
    assert import_file("speakers", write_xlsx(pool, workdir / "宣讲员库.xlsx", "宣讲员库"), county=county).exit_code == 0
    with transaction() as session:
        content = crud.plan_content(crud.official_plan(session=session, county=county, month=MONTH))
        stored = lecture_store.pool_frame(session=session, county=county)
        content.lecture_menu = build_menu(content, stories_by_topic(zip(stored["topics"], stored["stories"],
                                                                        strict=True)))
        for version in (1, 2):
            crud.save_plan(session=session, county=county, month=MONTH, version=version, content=content,
                           doc_number="x")
    return content.activity_date


def orders() -> list[LectureOrder]:
    with transaction() as session:
        return list(session.exec(select(LectureOrder)).all())


@pytest.fixture
def menu_day(registry, county, tmp_path) -> date:
    return with_menu(county, tmp_path)


def test_a_station_orders_a_lecture_on_its_page(menu_day, county) -> None:
    token = tokens_for(county, ["001"])["001"]
    app = create_app()
    with client_at(app, BEFORE_DEADLINE) as client:
        enter(client, "/m/station", token)
        page = client.get("/m/station")
        assert page.status_code == 200 and 'id="lectures"' in page.text and "宣讲点单" in page.text
        assert 'id="menu-XJ-01"' in page.text and 'id="l-XJ-01-date"' in page.text

        base = {"csrf": csrf_token(token), "month": MONTH, "menu_code": "XJ-01"}
        assert client.post("/m/station/lectures", data=base | {"csrf": "forged", "audience": "50"}).status_code == 403
        wrong = client.post("/m/station/lectures", data=base | {"date": "2026-11-30", "audience": "多"})
        assert wrong.status_code == 422 and orders() == []
        errors = dict(re.findall(r'<p class="error" id="le-([\w-]+)">([^<]+)</p>', wrong.text))
        assert errors == {"XJ-01-date": "应在本月内（2026-12-01 至 2026-12-31）", "XJ-01-audience": errors["XJ-01-audience"]}
        assert "多" in errors["XJ-01-audience"] or "数" in errors["XJ-01-audience"]
        assert 'value="2026-11-30"' in wrong.text  # what was typed stays
        assert 'aria-describedby="le-XJ-01-date"' in wrong.text and "点单有误" in wrong.text

        for _ in range(2):  # sent twice (a double tap): one order
            sent = client.post("/m/station/lectures", data=base | {"date": "", "audience": "60"})
            assert sent.status_code == 303 and sent.headers["location"] == f"/m/station?month={MONTH}#menu-XJ-01"
        assert [(o.station_code, o.menu_code, o.day, o.audience, o.status) for o in orders()] == [
            ("001", "XJ-01", menu_day, 60, "ordered")]
        shown = client.get(sent.headers["location"]).text
        assert "宣讲点单已提交（XJ-01）" in shown and "待派单" in shown
        # Shown in the item the page jumps to, not at the top out of sight.
        assert shown.index('id="menu-XJ-01"') < shown.index("宣讲点单已提交（XJ-01）")
        assert "宣讲点单已提交" not in client.get(f"/m/station?month={MONTH}&ordered=XJ-01").text
        assert f"{menu_day.year}年{menu_day.month}月{menu_day.day}日 · 60 人" in shown

        dispatch_month(county, MONTH)
        [order] = list_orders(county, MONTH)
        team = [m["code"] for m in order["team"]]
        assert team and order["status"] == "dispatched"
        assert "已派单" in client.get("/m/station").text and "、".join(team) in client.get("/m/station").text

        unknown = client.post("/m/station/lectures", data=base | {"menu_code": "XJ-99", "audience": "60"})
        assert unknown.status_code == 404 and 'id="lecture-problems"' in unknown.text and "没有这个编号" in unknown.text
        assert len(orders()) == 1


def dispatched(county: str, day: date) -> list[dict]:
    with transaction() as session:
        lecture_store.save_orders(session=session, county=county, month=MONTH, receipt=lecture_store.OrderReceipt("test"),
                                  rows=[{"station_code": s, "menu_code": "XJ-01", "day": day, "audience": 50}
                                        for s in ("002", "003")])
    dispatch_month(county, MONTH)
    found = list_orders(county, MONTH)
    assert [o["status"] for o in found] == ["dispatched", "dispatched"], found
    return found


def speaker_tokens(county: str, codes: list[str]) -> dict[str, str]:
    with transaction() as session:
        return issue_speaker_tokens(session=session, county=county, codes=codes, now=utcnow())


def answer(client, token: str, order: dict, accept: bool, confirmed: bool = True):
    return client.post("/m/speaker/answer", data={"csrf": csrf_token(token), "month": MONTH, "station": order["station"],
                                                 "menu_code": order["menu_code"], "accept": "1" if accept else "0"}
                       | ({"confirmed": "1"} if confirmed else {}))


def test_a_speaker_accepts_and_declines_on_the_speaker_page(menu_day, county) -> None:
    first, second = dispatched(county, menu_day)
    me = first["team"][0]["code"]
    stranger = second  # the same day: a speaker gives one lecture a day, so not on this team
    assert me not in [m["code"] for m in stranger["team"]]
    other = next(m["code"] for m in first["team"] if m["code"] != me)
    token = speaker_tokens(county, [me])[me]
    app = create_app()
    with client_at(app, BEFORE_DEADLINE) as client:
        assert client.get("/m/speaker?t=sp_not-a-token").status_code == 401
        enter(client, "/m/speaker", token)
        page = client.get("/m/speaker")
        assert page.status_code == 200 and token not in page.text and csrf_token(token) in page.text
        assert f'id="l-{first["station"]}-XJ-01"' in page.text and f'id="l-{second["station"]}-XJ-01"' not in page.text
        assert "已派单" in page.text and "接单" in page.text and "谢绝" in page.text and first["township"] in page.text

        assert client.post("/m/speaker/answer", data={"csrf": "forged", "month": MONTH, "station": first["station"],
                                                      "menu_code": "XJ-01", "accept": "1"}).status_code == 403
        accepted = answer(client, token, first, True)
        assert accepted.status_code == 303 and accepted.headers["location"].startswith(f"/m/speaker?month={MONTH}")
        shown = client.get(accepted.headers["location"]).text
        assert "已接单：" in shown and "您已接单" in shown
        assert "已接单：" not in client.get(f"/m/speaker?month={MONTH}&answered=accept&order={first['station']}/XJ-01").text
        assert [o.confirmed for o in orders() if o.station_code == first["station"]] == [[me]]

        # Another team's lecture: the bare 403, and nothing changes.
        refused = answer(client, token, stranger, True)
        assert refused.status_code == 403 and "无权访问" in refused.text
        assert [o.confirmed for o in orders() if o.station_code == stranger["station"]] == [[]]

        # 谢绝 cannot be taken back: the first press asks, in the lecture's card, and changes nothing.
        asked = answer(client, token, first, False, confirmed=False)
        assert asked.status_code == 200 and 'id="confirm-decline"' in asked.text and "不能撤回" in asked.text
        card = asked.text.index(f'id="l-{first["station"]}-XJ-01"')
        assert card < asked.text.index('id="confirm-decline"') and "确认谢绝" in asked.text
        assert [o.declined for o in orders() if o.station_code == first["station"]] == [[]]
        declined = answer(client, token, first, False)
        assert declined.status_code == 303
        shown = client.get(declined.headers["location"]).text
        [now] = [o for o in orders() if o.station_code == first["station"]]
        assert me in now.declined and me not in now.team and other in now.team and now.confirmed == []
        assert now.status == "dispatched" and "您已谢绝" in shown
        with transaction() as session:
            names = lecture_store.pool_frame(session=session, county=county).set_index("code")["name"]
        notice = re.search(r'id="answer-notice">([^<]+)<', shown)[1]
        assert notice.startswith("已谢绝") and notice.endswith("已重新组建宣讲队：" + "、".join(names[c] for c in now.team))
        assert 'class="answer-form"' not in shown  # no buttons on a lecture the speaker left

        again = answer(client, token, first, True)  # a confirmation after the decline: 409 with its message
        assert again.status_code == 409 and f"讲师{me}已谢绝这场宣讲，宣讲队已重新组建" in again.text
        assert [o.team for o in orders() if o.station_code == first["station"]] == [now.team]
    with client_at(app, BEFORE_DEADLINE) as station:
        assert station.get("/m/speaker").status_code == 401  # no cookie


def test_a_station_page_with_its_lecture_orders_is_one_read(menu_day, county, settings) -> None:
    """The page, its plan, its lecture menu, its orders and its ratings: read in one transaction (one snapshot)."""
    from sqlalchemy import event

    from activity_day.models import get_engine

    token = tokens_for(county, ["001"])["001"]
    app = create_app()
    with client_at(app, BEFORE_DEADLINE) as client:
        enter(client, "/m/station", token)
        base = {"csrf": csrf_token(token), "month": MONTH, "menu_code": "XJ-01"}
        assert client.post("/m/station/lectures", data=base | {"date": "", "audience": "60"}).status_code == 303
        begun: list[str] = []
        engine = get_engine(settings.database_url)
        listen = (engine, "begin", lambda conn: begun.append("begin"))
        event.listen(*listen)
        try:
            page = client.get(f"/m/station?month={MONTH}")
        finally:
            event.remove(*listen)
    assert page.status_code == 200 and 'id="menu-XJ-01"' in page.text and "待派单" in page.text
    assert begun == ["begin"]
