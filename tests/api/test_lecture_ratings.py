"""Ratings (评单) through the API and the phone pages, on a real SQLite file: a station rates its own lecture (sent
twice, stored once; the lecture becomes delivered), a bad score is 422 naming the field, another station's lecture
is 403, a lecture without a team is 422; a civic observer rates a lecture of its township and gets the bare 403
outside it; once the circular is compiled a rating is 409. The station page and the observer page each rate
through their 评价 form, with the message next to the field."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from activity_day.api import create_app
from activity_day.api.mobile.pages import csrf_token
from activity_day.models import Circular, LectureOrder, LectureRating
from activity_day.models.enums import ScorerRole
from activity_day.services.lectures import dispatch_month, list_orders
from activity_day.services.scoring import issue_scorer_tokens
from activity_day.services.scoring_inputs import TokenRequest
from activity_day.services.submissions import utcnow
from activity_day.store import crud
from activity_day.store import lectures as lecture_store
from activity_day.store.database import transaction
from tests.api.test_mobile import MONTH, client_at, enter
from tests.api.test_mobile_lectures import with_menu
from tests.intake_helpers import tokens_for


@pytest.fixture
def lectures(registry, county, tmp_path) -> dict[str, dict]:
    """Two stations of one township and one of another each order XJ-01 and get a team; a fourth station's
    XJ-02 is left waiting (no team). Returns the orders by role: home, neighbour, away, waiting."""
    day = with_menu(county, tmp_path)
    with transaction() as session:
        stations = crud.stations_frame(session=session, county=county)
    by_township = stations.groupby("township")["code"].apply(sorted)
    home_township = next(t for t, codes in by_township.items() if len(codes) >= 3)
    home, neighbour, waiting = by_township[home_township][:3]
    away = next(codes[0] for t, codes in by_township.items() if t != home_township)
    with transaction() as session:
        lecture_store.save_orders(session=session, county=county, month=MONTH, receipt=lecture_store.OrderReceipt("test"),
                                  rows=[{"station_code": s, "menu_code": "XJ-01", "day": day,
                                         "audience": 50} for s in (home, neighbour, away)])
    dispatch_month(county, MONTH)
    with transaction() as session:
        lecture_store.save_orders(session=session, county=county, month=MONTH, receipt=lecture_store.OrderReceipt("test"),
                                  rows=[{"station_code": waiting, "menu_code": "XJ-02", "day": day,
                                         "audience": 50}])
    found = {o["station"]: o for o in list_orders(county, MONTH)}
    assert [found[s]["status"] for s in (home, neighbour, away, waiting)] == ["dispatched"] * 3 + ["ordered"]
    return {"home": found[home], "neighbour": found[neighbour], "away": found[away], "waiting": found[waiting]}


LECTURE_DAY = datetime(2026, 12, 5, 6, tzinfo=UTC)  # 14:00 in Beijing on the activity day, the lectures' day


def observer_token(county: str, township: str, name: str = "韩梅") -> str:
    with transaction() as session:
        return issue_scorer_tokens(session=session, county=county, now=utcnow(),
                                   request=TokenRequest(ScorerRole.OBSERVER, [name], township=township))[name]


def ratings() -> list[tuple]:
    with transaction() as session:
        return sorted((r.station_code, r.menu_code, r.rater, r.score, r.comment)
                      for r in session.exec(select(LectureRating)).all())


def status_of(station: str, menu_code: str = "XJ-01") -> str:
    with transaction() as session:
        return session.exec(select(LectureOrder.status).where(LectureOrder.station_code == station,
                                                              LectureOrder.menu_code == menu_code)).one()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def station_url(code: str, menu_code: str = "XJ-01") -> str:
    return f"/api/v1/stations/{code}/lectures/{MONTH}/{menu_code}/rating"


def observer_url(code: str, menu_code: str = "XJ-01") -> str:
    return f"/api/v1/scoring/{MONTH}/lectures/{code}/{menu_code}/rating"


def test_a_station_rates_its_lecture_through_the_api(lectures, county) -> None:
    home, neighbour, waiting = lectures["home"]["station"], lectures["neighbour"]["station"], lectures["waiting"]["station"]
    tokens = tokens_for(county, [home, waiting])
    with client_at(create_app(), LECTURE_DAY) as client:
        for _ in range(2):  # sent twice: one rating
            sent = client.put(station_url(home), headers=bearer(tokens[home]), json={"score": 5, "comment": "故事感人"})
            assert sent.status_code == 200, sent.text
            assert sent.json() == {"station": home, "menu_code": "XJ-01", "month": MONTH, "rater": "所站",
                                   "score": 5, "comment": "故事感人", "status": "delivered"}
        assert ratings() == [(home, "XJ-01", "所站", 5, "故事感人")]
        assert status_of(home) == "delivered" and status_of(neighbour) == "dispatched"

        changed = client.put(station_url(home, "xj-01"), headers=bearer(tokens[home]), json={"score": 4})
        assert changed.status_code == 200 and ratings() == [(home, "XJ-01", "所站", 4, "")]

        bad = client.put(station_url(home), headers=bearer(tokens[home]), json={"score": 6})
        assert bad.status_code == 422 and [p["field"] for p in bad.json()["problems"]] == ["score"]
        as_text = client.put(station_url(home), headers=bearer(tokens[home]), json={"score": "5"})
        assert as_text.status_code == 422 and [p["field"] for p in as_text.json()["problems"]] == ["score"]

        # A lecture that has no team yet is a state (409); one never ordered does not exist (404): nothing stored.
        no_team = client.put(station_url(waiting, "XJ-02"), headers=bearer(tokens[waiting]), json={"score": 3})
        assert no_team.status_code == 409 and "还没有派出宣讲队" in no_team.json()["message"], no_team.text
        never = client.put(station_url(home, "XJ-02"), headers=bearer(tokens[home]), json={"score": 3})
        assert never.status_code == 404 and "没有点XJ-02宣讲" in never.json()["message"], never.text
        assert status_of(waiting, "XJ-02") == "ordered"

        # Another station's lecture: 403, nothing stored.
        other = client.put(station_url(neighbour), headers=bearer(tokens[home]), json={"score": 1})
        assert other.status_code == 403 and ratings() == [(home, "XJ-01", "所站", 4, "")]

        # Once the month's circular is compiled: 409, as scores.
        with transaction() as session:
            session.add(Circular(county=county, month=MONTH, doc_number="x", summary={}))
        closed = client.put(station_url(home), headers=bearer(tokens[home]), json={"score": 2})
        assert closed.status_code == 409 and "通报已汇编" in closed.json()["message"]
        assert ratings() == [(home, "XJ-01", "所站", 4, "")]


def test_an_observer_rates_the_lectures_of_its_township(lectures, county) -> None:
    home, neighbour, away = (lectures[k]["station"] for k in ("home", "neighbour", "away"))
    token = observer_token(county, lectures["home"]["township"])
    with transaction() as session:
        team = issue_scorer_tokens(session=session, county=county, now=utcnow(),
                                   request=TokenRequest(ScorerRole.TEAM, ["第一检查组"]))["第一检查组"]
    station = tokens_for(county, [home])[home]
    with client_at(create_app(), LECTURE_DAY) as client:
        for code in (home, neighbour):
            sent = client.put(observer_url(code), headers=bearer(token), json={"score": 4, "comment": "互动好"})
            assert sent.status_code == 200 and sent.json()["rater"] == "韩梅", sent.text
        again = client.put(observer_url(home), headers=bearer(token), json={"score": 4, "comment": "互动好"})
        assert again.status_code == 200
        assert ratings() == [(home, "XJ-01", "韩梅", 4, "互动好"), (neighbour, "XJ-01", "韩梅", 4, "互动好")]
        assert status_of(home) == status_of(neighbour) == "delivered"

        bad = client.put(observer_url(home), headers=bearer(token), json={"score": 0})
        assert bad.status_code == 422 and [p["field"] for p in bad.json()["problems"]] == ["score"]

        # Outside the township, a station that does not exist, a team's token, a station's token: the bare 403.
        for code, who in ((away, token), ("999", token), (home, team), (home, station)):
            refused = client.put(observer_url(code), headers=bearer(who), json={"score": 5})
            assert refused.status_code == 403 and refused.json()["message"] == "无权访问", (code, refused.text)
        assert status_of(away) == "dispatched" and len(ratings()) == 2
        assert client.put(observer_url(home), headers=bearer("sc_nothing"), json={"score": 5}).status_code == 401


def test_the_station_page_rates_a_lecture(lectures, county) -> None:
    home = lectures["home"]["station"]
    token = tokens_for(county, [home])[home]
    with client_at(create_app(), LECTURE_DAY) as client:
        enter(client, "/m/station", token)
        page = client.get(f"/m/station?month={MONTH}")
        assert page.status_code == 200 and 'id="rate-XJ-01"' in page.text and "评价" in page.text
        base = {"csrf": csrf_token(token), "month": MONTH, "menu_code": "XJ-01"}
        assert client.post("/m/station/ratings", data=base | {"csrf": "forged", "score": "5"}).status_code == 403

        wrong = client.post("/m/station/ratings", data=base | {"score": "七", "comment": "很好"})
        assert wrong.status_code == 422 and ratings() == []
        errors = dict(re.findall(r'<p class="error" id="re-([\w-]+)">([^<]+)</p>', wrong.text))
        assert list(errors) == ["XJ-01-score"], errors
        assert 'aria-describedby="re-XJ-01-score"' in wrong.text and ">很好</textarea>" in wrong.text

        for _ in range(2):
            sent = client.post("/m/station/ratings", data=base | {"score": "5", "comment": "故事感人"})
            assert sent.status_code == 303 and sent.headers["location"] == f"/m/station?month={MONTH}#rating-XJ-01"
        assert ratings() == [(home, "XJ-01", "所站", 5, "故事感人")] and status_of(home) == "delivered"
        shown = client.get(sent.headers["location"]).text
        assert "宣讲评价已保存（XJ-01）" in shown and "本所站评价：5 分" in shown and "已宣讲" in shown


def test_the_observer_page_rates_the_townships_lectures(lectures, county) -> None:
    home, away = lectures["home"]["station"], lectures["away"]["station"]
    token = observer_token(county, lectures["home"]["township"])
    with client_at(create_app(), LECTURE_DAY) as client:
        enter(client, "/m/observer", token)
        page = client.get(f"/m/observer?month={MONTH}")
        assert page.status_code == 200 and 'id="lecture-ratings"' in page.text
        assert f'id="rate-{home}-XJ-01"' in page.text and f'id="rate-{away}-XJ-01"' not in page.text
        base = {"csrf": csrf_token(token), "month": MONTH, "station": home, "menu_code": "XJ-01"}
        assert client.post("/m/observer/lectures", data=base | {"csrf": "x", "score": "4"}).status_code == 403

        wrong = client.post("/m/observer/lectures", data=base | {"score": "9"})
        assert wrong.status_code == 422 and ratings() == []
        assert re.search(rf'<p class="error" id="re-{home}-XJ-01-score">[^<]+</p>', wrong.text)

        sent = client.post("/m/observer/lectures", data=base | {"score": "4", "comment": "互动好"})
        assert sent.status_code == 303 and sent.headers["location"] == f"/m/observer?month={MONTH}#lecture-{home}-XJ-01"
        assert ratings() == [(home, "XJ-01", "韩梅", 4, "互动好")]
        shown = client.get(sent.headers["location"]).text
        assert "我的评价：4 分" in shown and f"宣讲评价已保存（{home}-XJ-01）" in shown

        outside = client.post("/m/observer/lectures", data=base | {"station": away, "score": "4"})
        assert outside.status_code == 403 and len(ratings()) == 1


def test_the_ratings_file_still_marks_delivered(lectures, county, tmp_path) -> None:
    """The file's path shares the step: a rated lecture becomes delivered, a row without a team is refused."""
    import pandas as pd

    from activity_day.demo import write_xlsx
    from activity_day.services.imports import ImportClock, import_file

    home, waiting = lectures["home"]["station"], lectures["waiting"]["station"]
    frame = pd.DataFrame([{"所站编号": home, "菜单编号": "XJ-01", "评价人": "所站", "评分（1-5）": 5, "评价意见": ""},
                          {"所站编号": waiting, "菜单编号": "XJ-02", "评价人": "所站", "评分（1-5）": 5, "评价意见": ""}])
    report = import_file("ratings", write_xlsx(frame, tmp_path / "评价.xlsx", "宣讲评价"), county=county, month=MONTH,
                         clock=ImportClock(now=LECTURE_DAY))
    assert report.exit_code == 1
    assert ratings() == [(home, "XJ-01", "所站", 5, "")]
    assert status_of(home) == "delivered" and status_of(waiting, "XJ-02") == "ordered"
