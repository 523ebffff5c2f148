"""One rule on every path for the lectures: a station's rating and order, a speaker's answer (see
test_every_path)."""

from __future__ import annotations

import pandas as pd
from sqlmodel import select

from activity_day.api.mobile.pages import csrf_token
from activity_day.demo import write_xlsx
from activity_day.models import Circular, LectureOrder, LectureRating
from activity_day.services.imports import ImportClock, import_file
from activity_day.services.lectures import list_orders
from activity_day.store.database import transaction
from tests.api.every_path import (
    EARLY,
    LATER,
    MONTH,
    ON_THE_DAY,
    Case,
    Seen,
    World,
    bearer,
    check,
    from_json,
    from_page,
    from_report,
    world,
    write_csv,
)

__all__ = ["world"]  # the fixture, imported for the tests below


# --- lecture ratings (the station's own) ---------------------------------------------------------------------------

RATING_CASES = [
    Case("a rating before the lecture's day", EARLY, False, 409, "尚未开讲"),
    Case("a score of 6", ON_THE_DAY, False, 422, "评分", schema_refuses=True),
    Case("a comment with a NUL", ON_THE_DAY, False, 422, "控制字符（U+0000）"),
    Case("a rating on the day", ON_THE_DAY, True),
    Case("a rating after the circular", LATER, False, 409, "通报已汇编"),
]
RATING_SCORE = {0: 5, 1: 6, 2: 5, 3: 5, 4: 4}
RATING_COMMENT = {2: "好\x00"}


def test_a_rating_is_one_rule_on_every_path(world: World) -> None:
    def file(case: Case, i: int) -> Seen:
        row = {"所站编号": world.station, "菜单编号": "XJ-01", "评价人": "所站", "评分（1-5）": RATING_SCORE[i],
               "评价意见": RATING_COMMENT.get(i, "")}
        if i in RATING_COMMENT:  # a workbook cannot hold a NUL; a CSV file can
            path = write_csv(world.workdir / f"评价-{i}.csv", [row])
        else:
            path = write_xlsx(pd.DataFrame([row]), world.workdir / f"评价-{i}.xlsx", "宣讲评价")
        return from_report(import_file("ratings", path, county=world.county, month=MONTH, clock=ImportClock(now=case.clock)))

    def api(case: Case, i: int) -> Seen:
        return from_json(world.client.put(f"/api/v1/stations/{world.station}/lectures/{MONTH}/XJ-01/rating",
                                          headers=bearer(world.tokens[world.station]),
                                          json={"score": RATING_SCORE[i], "comment": RATING_COMMENT.get(i, "")}))

    def page(case: Case, i: int) -> Seen:
        return from_page(world.client.post("/m/station/ratings", data={
            "csrf": csrf_token(world.tokens[world.station]), "month": MONTH, "menu_code": "XJ-01",
            "score": str(RATING_SCORE[i]), "comment": RATING_COMMENT.get(i, "")}))

    for i, case in enumerate(RATING_CASES):
        if case.name == "a rating after the circular":
            with transaction() as session:
                session.add(Circular(county=world.county, month=MONTH, doc_number="x", summary={}))
        world.at(case.clock)
        for name, path in {"file": file, "api": api, "page": page}.items():
            check(case, name, path(case, i))
    with transaction() as session:
        assert [(r.rater, r.score) for r in session.exec(select(LectureRating))] == [("所站", 5)]


# --- lecture orders ---------------------------------------------------------------------------------------------

ORDER_CASES = [
    Case("a day outside the month", EARLY, False, 422, "应在本月内"),
    Case("no audience", EARLY, False, 422, "预计听众"),
    Case("a good order", EARLY, True),
]
ORDER_INPUT = {0: ("2027-01-03", 60), 1: ("2026-12-12", 0), 2: ("2026-12-12", 60)}


def test_an_order_is_one_rule_on_every_path(world: World) -> None:
    def file(case: Case, i: int) -> Seen:
        day, audience = ORDER_INPUT[i]
        path = write_xlsx(pd.DataFrame([{"所站编号": world.station, "菜单编号": "XJ-02", "宣讲日期": day,
                                         "预计听众": audience}]), world.workdir / f"点单-{i}.xlsx", "宣讲点单")
        return from_report(import_file("orders", path, county=world.county, month=MONTH, clock=ImportClock(now=case.clock)))

    def api(case: Case, i: int) -> Seen:
        day, audience = ORDER_INPUT[i]
        return from_json(world.client.put(f"/api/v1/stations/{world.station}/lectures/{MONTH}/XJ-02",
                                          headers=bearer(world.tokens[world.station]),
                                          json={"date": day, "audience": audience}))

    def page(case: Case, i: int) -> Seen:
        day, audience = ORDER_INPUT[i]
        return from_page(world.client.post("/m/station/lectures", data={
            "csrf": csrf_token(world.tokens[world.station]), "month": MONTH, "menu_code": "XJ-02", "date": day,
            "audience": str(audience)}))

    for i, case in enumerate(ORDER_CASES):
        world.at(case.clock)
        for name, path in {"file": file, "api": api, "page": page}.items():
            seen = path(case, i)
            check(Case(**{**case.__dict__, "schema_refuses": name == "api" and i == 1}), name, seen)
    with transaction() as session:
        orders = [(o.menu_code, o.day.isoformat(), o.audience) for o in session.exec(select(LectureOrder))
                  if o.station_code == world.station and o.menu_code == "XJ-02"]
    assert orders == [("XJ-02", "2026-12-12", 60)]


# --- speakers' answers --------------------------------------------------------------------------------------------

ANSWER_CASES = [
    Case("an answer on the lecture's day", ON_THE_DAY, False, 409, "接单或谢绝"),
    Case("an answer in time", EARLY, True),
]


def test_an_answer_is_one_rule_on_every_path(world: World) -> None:
    def file(case: Case, i: int) -> Seen:
        path = write_xlsx(pd.DataFrame([{"所站编号": world.station, "菜单编号": "XJ-01", "讲师编号": world.speaker,
                                         "答复": "接单"}]), world.workdir / f"接单-{i}.xlsx", "讲师接单")
        return from_report(import_file("answers", path, county=world.county, month=MONTH, clock=ImportClock(now=case.clock)))

    def api(case: Case, i: int) -> Seen:
        return from_json(world.client.put(f"/api/v1/speakers/me/lectures/{MONTH}/{world.station}/XJ-01",
                                          headers=bearer(world.tokens["speaker"]), json={"accept": True}))

    def page(case: Case, i: int) -> Seen:
        return from_page(world.client.post("/m/speaker/answer", data={
            "csrf": csrf_token(world.tokens["speaker"]), "month": MONTH, "station": world.station,
            "menu_code": "XJ-01", "accept": "1"}))

    for i, case in enumerate(ANSWER_CASES):
        world.at(case.clock)
        for name, path in {"file": file, "api": api, "page": page}.items():
            check(case, name, path(case, i))
    [order] = [o for o in list_orders(world.county, MONTH) if o["station"] == world.station]
    assert order["confirmed"] == [world.speaker]
