"""One rule on every path: for each kind of fact, the same good and bad inputs go through the file import, the API
and the phone page, and each path gives the same outcome: taken, or refused with the same status (409 for a state
or a time, 422 for content) and the same Chinese reason. The clock is set by each case: time is a rule too.

Paths a fact does not have are left out: check-ins come only from the API and the page; the page's plan form has
no 菜单编号. Where the API's schema refuses a value before the service (its own words, in `problems`), only the
status is compared on that path.
"""

from __future__ import annotations

import random
import re
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlmodel import select

from activity_day.api.mobile.pages import csrf_token
from activity_day.demo import camera_photo, write_xlsx
from activity_day.models import Circular, InspectionScore, StationPlan
from activity_day.services import findings
from activity_day.services.evidence import receive_photo
from activity_day.services.imports import ImportClock, import_file
from activity_day.services.lectures import list_orders
from activity_day.store import findings as finding_store
from activity_day.store.database import transaction
from tests.api.every_path import (
    EARLY,
    LATER,
    MONTH,
    ON_THE_DAY,
    PLAN_FILE_COLUMNS,
    Case,
    Seen,
    World,
    a_shared_photo_is_each_uploaders,
    bearer,
    check,
    from_json,
    from_page,
    from_report,
    plan_rows,
    world,
    write_csv,
)
from tests.intake_helpers import change_profile

__all__ = ["world"]  # the fixture, imported for the tests below


# --- 整改报告 -------------------------------------------------------------------------------------------------------

def raise_findings(world: World, count: int) -> list[int]:
    rows = [{"station_code": world.station, "township": world.township, "source": "线上", "category": "台账资料",
             "text": f"问题{i}", "digest": f"d{i}", "deadline": date(2027, 1, 31)} for i in range(count)]
    with transaction() as session:
        finding_store.save_findings(session=session, county=world.county, month="2026-11", rows=rows, now=EARLY)
    return sorted(int(i) for i in findings.list_findings(world.county)["id"])


def photo_of(world: World, station: str, seed: int) -> str:
    data = camera_photo(random.Random(seed), datetime(2026, 12, 6, 9), None, size=(16, 16), quality=95)
    return receive_photo(county=world.county, station_code=station, data=data, now=EARLY)["sha256"]


REPORT_CASES = [
    Case("a report with the station's own photo", LATER, True),
    Case("a blank report", LATER, False, 422, "请填写整改情况", schema_refuses=True),
    Case("a NUL in the report", LATER, False, 422, "控制字符"),
    Case("another station's photo", LATER, False, 409, "照片尚未上传"),
    Case("a photo nobody uploaded", LATER, False, 409, "照片尚未上传"),
    Case("a finding already accepted", LATER, False, 409, "已销号"),
]
REPORT_INPUT = {0: ("已补齐活动台账，照片见附件", "own"), 1: ("   ", None), 2: ("已整改\x00完毕", None),
                3: ("已整改", "foreign"), 4: ("已整改", "unknown"), 5: ("再次报送", None)}


def test_a_report_is_one_rule_on_every_path(world: World) -> None:
    if True:
        numbers = iter(raise_findings(world, 3 * len(REPORT_CASES)))
        photos = {"own": photo_of(world, world.station, 1), "foreign": photo_of(world, world.other, 2),
                  "unknown": "ab" * 32, None: None}
        said: dict[str, list[str]] = {}

        def target(case: Case) -> int:
            number = next(numbers)
            if case.name == "a finding already accepted":
                findings.report(world.county, world.station, number, findings.StationReport("已整改", [], at=EARLY, actor="所站"))
                findings.review(world.county, number, findings.FindingStep("accept", "张三", "整改到位", EARLY))
            return number

        def file(case: Case, i: int) -> Seen:
            text, photo = REPORT_INPUT[i]
            path = write_csv(world.workdir / f"整改-{i}.csv", [{"整改编号": target(case), "所站编号": world.station,
                                                               "整改情况": text, "照片校验码": photos[photo] or ""}])
            return from_report(import_file("reports", path, county=world.county, clock=ImportClock(now=case.clock)))

        def api(case: Case, i: int) -> Seen:
            text, photo = REPORT_INPUT[i]
            return from_json(world.client.put(
                f"/api/v1/stations/{world.station}/findings/{target(case)}/report",
                headers=bearer(world.tokens[world.station]),
                json={"report": text, "photos": [photos[photo]] if photo else []}))

        def page(case: Case, i: int) -> Seen:
            text, photo = REPORT_INPUT[i]
            return from_page(world.client.post(f"/m/station/findings/{target(case)}", data={
                "csrf": csrf_token(world.tokens[world.station]), "month": MONTH, "report": text,
                "photos": photos[photo] or ""}))

        for i, case in enumerate(REPORT_CASES):
            world.at(case.clock)
            for name, path in {"file": file, "api": api, "page": page}.items():
                seen = path(case, i)
                check(case, name, seen)
                # what the person reads: the file's line, the API's message, the page's alert
                alert = re.findall(r'role="alert"[^>]*>([^<]+)<', seen.text) if name == "page" else [seen.text]
                said.setdefault(case.name, []).append("".join(alert).replace(f"整改-{i}.csv", "整改.csv"))
        # A foreign checksum and an unknown one are answered alike: nothing tells whether a photo exists.
        foreign, unknown = said["another station's photo"], said["a photo nobody uploaded"]
        for a, b in zip(foreign, unknown, strict=True):
            assert "照片尚未上传" in a and "照片尚未上传" in b
            assert a.replace(photos["foreign"][:12], "X") == b.replace(photos["unknown"][:12], "X")
        stored = findings.list_findings(world.county)
        assert sorted(stored[stored["status"] == "answered"]["report"]) == ["已补齐活动台账，照片见附件"] * 3


# --- scores (an observer's, by rubric item) ---------------------------------------------------------------------

ITEMS = {"规定动作": 28, "组织实施": 18, "群众参与": 17, "志愿服务": 13, "台账资料": 12}
SCORE_CASES = [
    Case("an item over its weight", ON_THE_DAY, False, 422, "规定动作"),
    Case("a good score", ON_THE_DAY, True),
    Case("a score after the circular", LATER, False, 409, "通报已汇编"),
]
SCORE_ITEMS = {0: ITEMS | {"规定动作": 35}, 1: ITEMS, 2: ITEMS | {"台账资料": 10}}


def test_a_score_is_one_rule_on_every_path(world: World) -> None:
    def file(case: Case, i: int) -> Seen:
        row = {"所站编号": world.station, "检查方式": "观察员", "评分人": world.observer, **SCORE_ITEMS[i]}
        path = write_xlsx(pd.DataFrame([row]), world.workdir / f"评分-{i}.xlsx", "评分")
        return from_report(import_file("scores", path, county=world.county, month=MONTH, clock=ImportClock(now=case.clock)))

    def api(case: Case, i: int) -> Seen:
        return from_json(world.client.put(f"/api/v1/scoring/{MONTH}/stations/{world.station}",
                                          headers=bearer(world.tokens["observer"]), json={"items": SCORE_ITEMS[i]}))

    def page(case: Case, i: int) -> Seen:
        return from_json(world.client.post("/m/observer/scores", headers={"X-CSRF-Token": csrf_token(world.tokens["observer"])},
                                           json={"station_code": world.station, "month": MONTH,
                                                 "client_key": f"key-{i}-{case.clock:%d}", "items": SCORE_ITEMS[i]}))

    for i, case in enumerate(SCORE_CASES):
        if case.name == "a score after the circular":
            with transaction() as session:
                session.add(Circular(county=world.county, month=MONTH, doc_number="x", summary={}))
        world.at(case.clock)
        for name, path in {"file": file, "api": api, "page": page}.items():
            check(case, name, path(case, i))
    with transaction() as session:
        [score] = session.exec(select(InspectionScore)).all()
    assert score.score == sum(ITEMS.values())  # the closed month kept the score it had


# --- station plans ------------------------------------------------------------------------------------------------

PLAN_CASES = [
    Case("a start outside the month", EARLY, False, 422, "不在2026年12月内"),
    Case("a good plan", EARLY, True),
    Case("a plan after the deadline, refused by the profile", LATER, False, 409, "已超过报送截止时间"),
]
PLAN_INPUT = {0: {"start_time": "2027-01-05T09:00"}, 1: {}, 2: {}}


def test_a_station_plan_is_one_rule_on_every_path(world: World) -> None:
    def rows(i: int) -> list[dict[str, Any]]:
        return plan_rows(world, **PLAN_INPUT[i])

    def file(case: Case, i: int) -> Seen:
        frame = pd.DataFrame([{"所站编号": world.station} | {PLAN_FILE_COLUMNS[k]: v for k, v in r.items()}
                              for r in rows(i)])
        path = write_xlsx(frame, world.workdir / f"计划-{i}.xlsx", "活动计划")
        return from_report(import_file("plans", path, county=world.county, month=MONTH, clock=ImportClock(received_at=case.clock)))

    def api(case: Case, i: int) -> Seen:
        return from_json(world.client.put(f"/api/v1/stations/{world.station}/plans/{MONTH}",
                                          headers=bearer(world.tokens[world.station]),
                                          json={"submission_id": f"every-path-{i}", "activities": rows(i)}))

    def page(case: Case, i: int) -> Seen:
        form: dict[str, list[str]] = {k: [str(r.get(k) or "") for r in rows(i)] for k in PLAN_FILE_COLUMNS
                                      if k != "menu_code"}
        return from_page(world.client.post("/m/station/plan", data={
            "csrf": csrf_token(world.tokens[world.station]), "month": MONTH, "submission_id": f"h5-every-path-{i}",
            **form}))

    for i, case in enumerate(PLAN_CASES):
        if case.name.startswith("a plan after the deadline"):
            change_profile(world.county, {"intake.late_submissions": "refuse"})
        world.at(case.clock)
        for name, path in {"file": file, "api": api, "page": page}.items():
            check(case, name, path(case, i))
    with transaction() as session:
        [plan] = [p for p in session.exec(select(StationPlan)) if p.station_code == world.station]
    assert plan.activity_count == 2 and not plan.late


def test_a_menu_code_in_a_plan_orders_the_lecture_from_the_file_and_the_api(world: World) -> None:
    world.at(EARLY)
    bad = plan_rows(world, menu_code="XJ99")
    refused = world.client.put(f"/api/v1/stations/{world.station}/plans/{MONTH}",
                               headers=bearer(world.tokens[world.station]),
                               json={"submission_id": "menu-code-0001", "activities": bad})
    assert refused.status_code == 422
    assert any(p["field"] == "activities.0.menu_code" and "没有这个编号" in p["reason"]
               for p in refused.json()["problems"]), refused.json()
    good = plan_rows(world, menu_code="XJ-03")
    sent = world.client.put(f"/api/v1/stations/{world.station}/plans/{MONTH}",
                            headers=bearer(world.tokens[world.station]),
                            json={"submission_id": "menu-code-0002", "activities": good})
    assert sent.status_code == 200, sent.text
    ordered = {o["menu_code"]: o for o in list_orders(world.county, MONTH) if o["station"] == world.station}
    assert (ordered["XJ-03"]["date"], ordered["XJ-03"]["audience"]) == (world.day.isoformat(), 40)
    frame = pd.DataFrame([{"所站编号": world.other} | {PLAN_FILE_COLUMNS[k]: v for k, v in r.items()} for r in good])
    report = import_file("plans", write_xlsx(frame, world.workdir / "计划.xlsx", "活动计划"), county=world.county,
                         month=MONTH, clock=ImportClock(received_at=EARLY))
    assert report.exit_code == 0, report.lines()
    assert [o["menu_code"] for o in list_orders(world.county, MONTH) if o["station"] == world.other] == ["XJ-03"]


def test_a_photo_two_stations_uploaded_is_each_ones_to_cite(world: World) -> None:
    a_shared_photo_is_each_uploaders(world)


def test_a_plan_that_would_change_a_delivered_lecture_says_so_on_the_file_and_the_api(world: World) -> None:
    world.at(ON_THE_DAY)
    rated = world.client.put(f"/api/v1/stations/{world.station}/lectures/{MONTH}/XJ-01/rating",
                             headers=bearer(world.tokens[world.station]), json={"score": 5})
    assert rated.status_code == 200 and rated.json()["status"] == "delivered", rated.text
    world.at(EARLY)  # the plan's deadline is not what this is about
    changed = plan_rows(world, menu_code="XJ-01", expected_participants=999)
    said = "XJ-01宣讲已开讲并评单，日期和听众不再修改"
    sent = world.client.put(f"/api/v1/stations/{world.station}/plans/{MONTH}",
                            headers=bearer(world.tokens[world.station]),
                            json={"submission_id": "delivered-0001", "activities": changed})
    assert sent.status_code == 200 and [n for n in sent.json()["notices"] if said in n], sent.json()
    again = world.client.put(f"/api/v1/stations/{world.station}/plans/{MONTH}",
                             headers=bearer(world.tokens[world.station]),
                             json={"submission_id": "delivered-0001", "activities": changed})
    assert again.json() == sent.json()  # the replay says it too
    frame = pd.DataFrame([{"所站编号": world.station} | {PLAN_FILE_COLUMNS[k]: v for k, v in r.items()}
                          for r in changed])
    report = import_file("plans", write_xlsx(frame, world.workdir / "计划-已宣讲.xlsx", "活动计划"),
                         county=world.county, month=MONTH, clock=ImportClock(received_at=EARLY))
    assert report.exit_code == 0 and said in "\n".join(report.lines())
    [order] = [o for o in list_orders(world.county, MONTH) if o["station"] == world.station]
    assert (order["status"], order["audience"]) == ("delivered", 50)
