"""One rule on every path: for each kind of fact, the same good and bad inputs go through the file import, the API
and the phone page, and each path gives the same outcome: taken, or refused with the same status (409 for a state
or a time, 422 for content) and the same Chinese reason. The clock is set by each case: time is a rule too.

Paths a fact does not have are left out: check-ins come only from the API and the page; the page's plan form has
no 菜单编号. Where the API's schema refuses a value before the service (its own words, in `problems`), only the
status is compared on that path.
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from activity_day.api import clock, create_app
from activity_day.api.mobile.pages import csrf_token
from activity_day.demo import camera_photo, write_xlsx
from activity_day.models import (
    Circular,
    EvidenceRecord,
    InspectionScore,
    LectureOrder,
    LectureRating,
    StationPlan,
)
from activity_day.models.enums import ScorerRole
from activity_day.services import findings
from activity_day.services.evidence import receive_photo
from activity_day.services.imports import import_file
from activity_day.services.lectures import dispatch_month, issue_speaker_tokens, list_orders
from activity_day.services.scoring import issue_scorer_tokens
from activity_day.services.submissions import utcnow
from activity_day.settings import settings_in_force
from activity_day.store import crud
from activity_day.store import findings as finding_store
from activity_day.store import lectures as lecture_store
from activity_day.store.database import transaction
from tests.api.test_mobile_lectures import with_menu
from tests.intake_helpers import activity, tokens_for

MONTH = "2026-12"
EARLY = datetime(2026, 11, 25, 2, tzinfo=UTC)  # before the plans' deadline, before any lecture
ON_THE_DAY = datetime(2026, 12, 5, 6, tzinfo=UTC)  # 14:00 in Beijing on the activity day (the lectures' day)
LATER = datetime(2026, 12, 8, 2, tzinfo=UTC)  # after the day, before the circular


@dataclass(frozen=True)
class Seen:
    """What a path answered: taken or not, its HTTP status (None for a file), and the words a person reads."""

    taken: bool
    status: int | None
    text: str


@dataclass(frozen=True)
class Case:
    name: str
    clock: datetime
    taken: bool
    status: int = 200  # the API's and the page's status when refused (409 state or time, 422 content)
    says: str = ""  # in the reason on every path
    schema_refuses: bool = False  # the API's schema refuses it first, in its own words: status only there


def check(case: Case, path: str, seen: Seen) -> None:
    where = f"{case.name} via {path}: {seen}"
    assert seen.taken == case.taken, where
    if case.taken:
        return
    if seen.status is not None:
        assert seen.status == case.status, where
    if case.says and not (path == "api" and case.schema_refuses):
        assert case.says in seen.text, where


def from_report(report) -> Seen:
    return Seen(report.exit_code == 0, None, "\n".join(report.lines()))


def from_json(response) -> Seen:
    if response.status_code in (200, 303):
        return Seen(True, response.status_code, "")
    body = response.json()
    reasons = [f"{p.get('column') or p.get('field') or ''}{p.get('reason') or ''}" for p in body.get("problems", [])]
    return Seen(False, response.status_code, "；".join([body.get("message", ""), *reasons]))


def from_page(response) -> Seen:
    if response.status_code in (200, 303) and response.headers.get("content-type", "").startswith("application/json"):
        return Seen(True, response.status_code, "")
    if response.status_code == 303:
        return Seen(True, 303, "")
    return Seen(False, response.status_code, response.text)


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


# --- the county: an official plan with a lecture menu, a dispatched lecture, tokens for every holder -----------

@dataclass
class World:
    county: str
    day: date
    station: str  # has XJ-01 ordered on the activity day with a team, findings, a plan
    other: str  # another station, of another township
    township: str
    observer: str  # name
    speaker: str  # a member of the station's XJ-01 team
    tokens: dict[str, str]
    client: TestClient
    workdir: Path

    def at(self, moment: datetime) -> None:
        self.client.app.dependency_overrides[clock] = lambda: moment

    def enter(self, path: str, token: str) -> None:
        first = self.client.get(f"{path}?t={token}")
        assert first.status_code == 303, first.text


@pytest.fixture
def world(registry, county, tmp_path: Path, settings) -> World:
    with settings_in_force(settings.model_copy(update={"photo_store": str(tmp_path / "store")})):
        day = with_menu(county, tmp_path)
        with transaction() as session:
            stations = crud.stations_frame(session=session, county=county)
        by_township = stations.groupby("township")["code"].apply(sorted)
        township = next(t for t, codes in by_township.items() if len(codes) >= 2)
        station = by_township[township][0]
        other = next(codes[0] for t, codes in by_township.items() if t != township)
        with transaction() as session:
            lecture_store.save_orders(session=session, county=county, month=MONTH, source_ref="test",
                                      received_at=None, late=False,
                                      rows=[{"station_code": station, "menu_code": "XJ-01", "day": day, "audience": 50}])
        dispatch_month(county, MONTH)
        [order] = [o for o in list_orders(county, MONTH) if o["station"] == station]
        assert order["status"] == "dispatched", order
        speaker = order["team"][0]["code"]
        tokens = tokens_for(county, [station, other])
        with transaction() as session:
            tokens["observer"] = issue_scorer_tokens(session=session, county=county, role=ScorerRole.OBSERVER,
                                                     names=["韩梅"], township=township, now=utcnow())["韩梅"]
            tokens["speaker"] = issue_speaker_tokens(session=session, county=county, codes=[speaker],
                                                     now=utcnow())[speaker]
        app = create_app()
        with TestClient(app, follow_redirects=False) as client:
            found = World(county, day, station, other, township, "韩梅", speaker, tokens, client, tmp_path)
            found.at(EARLY)
            for role, token in (("station", tokens[station]), ("observer", tokens["observer"]),
                                ("speaker", tokens["speaker"])):
                found.enter(f"/m/{role}", token)
            yield found


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def run_paths(world: World, case: Case, paths: dict[str, Callable[[Case, int], Seen]], n: int) -> None:
    world.at(case.clock)
    for name, path in paths.items():
        check(case, name, path(case, n))


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
                findings.report(world.county, world.station, number, "已整改", [], at=EARLY, actor="所站")
                findings.review(world.county, number, "accept", "整改到位", "张三", at=EARLY)
            return number

        def file(case: Case, i: int) -> Seen:
            text, photo = REPORT_INPUT[i]
            path = write_csv(world.workdir / f"整改-{i}.csv", [{"整改编号": target(case), "所站编号": world.station,
                                                               "整改情况": text, "照片校验码": photos[photo] or ""}])
            return from_report(import_file("reports", path, county=world.county, now=case.clock))

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
        return from_report(import_file("scores", path, county=world.county, month=MONTH, now=case.clock))

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


# --- lecture ratings (the station's own) ---------------------------------------------------------------------------

RATING_CASES = [
    Case("a rating before the lecture's day", EARLY, False, 409, "尚未开讲"),
    Case("a score of 6", ON_THE_DAY, False, 422, "评分", schema_refuses=True),
    Case("a rating on the day", ON_THE_DAY, True),
    Case("a rating after the circular", LATER, False, 409, "通报已汇编"),
]
RATING_SCORE = {0: 5, 1: 6, 2: 5, 3: 4}


def test_a_rating_is_one_rule_on_every_path(world: World) -> None:
    def file(case: Case, i: int) -> Seen:
        path = write_xlsx(pd.DataFrame([{"所站编号": world.station, "菜单编号": "XJ-01", "评价人": "所站",
                                         "评分（1-5）": RATING_SCORE[i], "评价意见": ""}]),
                          world.workdir / f"评价-{i}.xlsx", "宣讲评价")
        return from_report(import_file("ratings", path, county=world.county, month=MONTH, now=case.clock))

    def api(case: Case, i: int) -> Seen:
        return from_json(world.client.put(f"/api/v1/stations/{world.station}/lectures/{MONTH}/XJ-01/rating",
                                          headers=bearer(world.tokens[world.station]), json={"score": RATING_SCORE[i]}))

    def page(case: Case, i: int) -> Seen:
        return from_page(world.client.post("/m/station/ratings", data={
            "csrf": csrf_token(world.tokens[world.station]), "month": MONTH, "menu_code": "XJ-01",
            "score": str(RATING_SCORE[i]), "comment": ""}))

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
        return from_report(import_file("orders", path, county=world.county, month=MONTH, now=case.clock))

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
        return from_report(import_file("answers", path, county=world.county, month=MONTH, now=case.clock))

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


# --- station plans ------------------------------------------------------------------------------------------------

def plan_rows(world: World, **over) -> list[dict[str, Any]]:
    return [activity(world.day, **over), activity(world.day, name="道德讲堂", start_time=f"{world.day}T14:00")]


PLAN_FILE_COLUMNS = {"name": "活动名称", "task": "任务类别", "action_kind": "动作类型", "start_time": "开始时间",
                     "location": "活动地点", "expected_participants": "预计参与人数", "checklist_code": "清单编号",
                     "volunteer_team": "志愿服务队伍", "menu_code": "菜单编号"}
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
        return from_report(import_file("plans", path, county=world.county, month=MONTH, received_at=case.clock))

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
            with transaction() as session:
                profile = crud.load_profile_of(session=session, county=world.county)
                profile.intake.late_submissions = "refuse"
                crud.save_profile(session=session, profile=profile)
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
                         month=MONTH, received_at=EARLY)
    assert report.exit_code == 0, report.lines()
    assert [o["menu_code"] for o in list_orders(world.county, MONTH) if o["station"] == world.other] == ["XJ-03"]


# --- check-ins (the API and the page) ----------------------------------------------------------------------------

CHECKIN_CASES = [
    Case("a check-in weeks before the activity", EARLY, False, 409, "活动尚未开始"),
    Case("a check-in two days after it", datetime(2026, 12, 7, 6, tzinfo=UTC), False, 409, "已过签到时限"),
    Case("a check-in reporting a time weeks before", ON_THE_DAY, False, 409, "不在活动的时间范围内"),
    Case("a check-in on time", ON_THE_DAY, True),
]
CHECKIN_TIME = {0: "2026-12-05T08:55:00", 1: "2026-12-05T08:55:00", 2: "2026-11-20T08:55:00", 3: "2026-12-05T08:55:00"}


def test_a_check_in_is_one_rule_on_the_api_and_the_page(world: World) -> None:
    world.at(EARLY)
    sent = world.client.put(f"/api/v1/stations/{world.station}/plans/{MONTH}",
                            headers=bearer(world.tokens[world.station]),
                            json={"submission_id": "checkin-plan-01", "activities": plan_rows(world)})
    assert sent.status_code == 200, sent.text

    def body(i: int, path: str) -> dict[str, Any]:
        return {"client_id": f"{path}-checkin-{i:04d}", "activity_seq": 1, "kind": "checkin",
                "taken_at": CHECKIN_TIME[i], "photos": []}

    def api(case: Case, i: int) -> Seen:
        return from_json(world.client.post(f"/api/v1/stations/{world.station}/evidence/{MONTH}",
                                           headers=bearer(world.tokens[world.station]), json=body(i, "api")))

    def page(case: Case, i: int) -> Seen:
        return from_json(world.client.post("/m/station/evidence", json=body(i, "page") | {"month": MONTH},
                                           headers={"X-CSRF-Token": csrf_token(world.tokens[world.station])}))

    for i, case in enumerate(CHECKIN_CASES):
        world.at(case.clock)
        for name, path in {"api": api, "page": page}.items():
            check(case, name, path(case, i))
    with transaction() as session:
        kept = [(r.client_id, r.activity_seq) for r in session.exec(select(EvidenceRecord))]
    assert sorted(kept) == [("api-checkin-0003", 1), ("page-checkin-0003", 1)]  # the refused ones are nowhere


def test_a_control_character_on_the_page_refuses_the_plan_and_every_other_problem_is_told(world: World) -> None:
    world.at(EARLY)
    rows = plan_rows(world, name="理论\x00宣讲", start_time="2027-01-05T09:00")
    form: dict[str, list[str]] = {k: [str(r.get(k) or "") for r in rows] for k in PLAN_FILE_COLUMNS if k != "menu_code"}
    refused = world.client.post("/m/station/plan", data={"csrf": csrf_token(world.tokens[world.station]), "month": MONTH,
                                                          "submission_id": "h5-control-0001", **form})
    assert refused.status_code == 422
    assert "控制字符" in refused.text and "不在2026年12月内" in refused.text
    with transaction() as session:
        assert [p for p in session.exec(select(StationPlan)) if p.station_code == world.station] == []


def test_the_page_takes_only_submission_ids_the_api_takes(world: World) -> None:
    world.at(EARLY)
    rows = plan_rows(world)
    form: dict[str, list[str]] = {k: [str(r.get(k) or "") for r in rows] for k in PLAN_FILE_COLUMNS if k != "menu_code"}
    for sid in ("短", "h5 带空格的编号", "x" * 81):
        refused = world.client.post("/m/station/plan", data={"csrf": csrf_token(world.tokens[world.station]),
                                                              "month": MONTH, "submission_id": sid, **form})
        assert refused.status_code == 422 and "提交编号格式不对" in refused.text, sid
        api = world.client.put(f"/api/v1/stations/{world.station}/plans/{MONTH}",
                               headers=bearer(world.tokens[world.station]), json={"submission_id": sid, "activities": rows})
        assert api.status_code == 422, sid
    with transaction() as session:
        assert [p for p in session.exec(select(StationPlan)) if p.station_code == world.station] == []


def test_the_page_bounds_a_finding_id_as_the_api_does(world: World) -> None:
    world.at(LATER)
    data = {"csrf": csrf_token(world.tokens[world.station]), "month": MONTH, "report": "已整改", "photos": ""}
    for number in ("9" * 5000, str(2**31), "0", "-1", "1e3"):
        page = world.client.post(f"/m/station/findings/{number}", data=data)
        assert page.status_code == 403 and "无权访问" in page.text, number  # nobody's finding, as another station's
        api = world.client.put(f"/api/v1/stations/{world.station}/findings/{number}/report",
                               headers=bearer(world.tokens[world.station]), json={"report": "已整改", "photos": []})
        assert api.status_code == 422, number
