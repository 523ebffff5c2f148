"""What the every-path tests share: the county (an official plan with a lecture menu, a dispatched lecture,
tokens for every holder), the cases, and how each path's answer is read."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from activity_day.api import clock, create_app
from activity_day.context import bound
from activity_day.models.enums import ScorerRole
from activity_day.services.lectures import dispatch_month, issue_speaker_tokens, list_orders
from activity_day.services.scoring import issue_scorer_tokens
from activity_day.services.scoring_inputs import TokenRequest
from activity_day.services.submissions import utcnow
from activity_day.store import crud
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
    with bound(settings.model_copy(update={"photo_store": str(tmp_path / "store")})):
        day = with_menu(county, tmp_path)
        with transaction() as session:
            stations = crud.stations_frame(session=session, county=county)
        by_township = stations.groupby("township")["code"].apply(sorted)
        township = next(t for t, codes in by_township.items() if len(codes) >= 2)
        station = by_township[township][0]
        other = next(codes[0] for t, codes in by_township.items() if t != township)
        with transaction() as session:
            lecture_store.save_orders(session=session, county=county, month=MONTH, receipt=lecture_store.OrderReceipt("test"),
                                      rows=[{"station_code": station, "menu_code": "XJ-01", "day": day, "audience": 50}])
        dispatch_month(county, MONTH)
        [order] = [o for o in list_orders(county, MONTH) if o["station"] == station]
        assert order["status"] == "dispatched", order
        speaker = order["team"][0]["code"]
        tokens = tokens_for(county, [station, other])
        with transaction() as session:
            tokens["observer"] = issue_scorer_tokens(session=session, county=county, now=utcnow(),
                                                     request=TokenRequest(ScorerRole.OBSERVER, ["韩梅"], township=township))["韩梅"]
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



def plan_rows(world: World, **over) -> list[dict[str, Any]]:
    return [activity(world.day, **over), activity(world.day, name="道德讲堂", start_time=f"{world.day}T14:00")]


PLAN_FILE_COLUMNS = {"name": "活动名称", "task": "任务类别", "action_kind": "动作类型", "start_time": "开始时间",
                     "location": "活动地点", "expected_participants": "预计参与人数", "checklist_code": "清单编号",
                     "volunteer_team": "志愿服务队伍", "menu_code": "菜单编号"}


def a_shared_photo_is_each_uploaders(world: World) -> None:
    """Two stations upload the same bytes (one by the API, one by its page; the second is told `existing`): each
    may cite the photo in its 整改报告. A third, which did not upload it, is answered as for a photo nobody
    uploaded."""
    import random

    from activity_day.api.mobile.pages import csrf_token
    from activity_day.demo import camera_photo
    from activity_day.services import findings
    from activity_day.store import findings as finding_store
    from tests.intake_helpers import tokens_for

    with transaction() as session:
        codes = sorted(crud.stations_frame(session=session, county=world.county)["code"])
    third = next(c for c in codes if c not in (world.station, world.other))
    token = tokens_for(world.county, [third])[third]
    world.at(LATER)
    data = camera_photo(random.Random(7), datetime(2026, 12, 6, 9), None, size=(16, 16), quality=95)
    first = world.client.post(f"/api/v1/stations/{world.other}/photos", headers=bearer(world.tokens[world.other]),
                              files={"file": ("现场.jpg", data, "image/jpeg")})
    assert first.status_code == 200 and first.json()["stored"] == "new", first.text
    again = world.client.post("/m/station/photos", files={"file": ("现场.jpg", data, "image/jpeg")},
                              headers={"X-CSRF-Token": csrf_token(world.tokens[world.station])})
    assert again.status_code == 200 and again.json()["stored"] == "existing", again.text
    sha = first.json()["sha256"]
    assert again.json()["sha256"] == sha

    rows = [{"station_code": code, "township": "", "source": "线上", "category": "台账资料", "text": "台账缺页",
             "digest": f"shared-{code}", "deadline": date(2027, 1, 31)} for code in (world.station, world.other, third)]
    with transaction() as session:
        finding_store.save_findings(session=session, county=world.county, month="2026-11", rows=rows, now=EARLY)
    found = findings.list_findings(world.county)
    number = {r.station_code: int(r.id) for r in found.itertuples()}

    def report(code: str, bearer_token: str, photo: str):
        return world.client.put(f"/api/v1/stations/{code}/findings/{number[code]}/report",
                                headers=bearer(bearer_token), json={"report": "已补齐台账", "photos": [photo]})

    for code in (world.station, world.other):
        sent = report(code, world.tokens[code], sha)
        assert sent.status_code == 200 and sent.json()["photos"] == [sha], (code, sent.text)
    refused, unknown = report(third, token, sha), report(third, token, "cd" * 32)
    assert refused.status_code == unknown.status_code == 409
    assert "照片尚未上传" in refused.json()["message"]
    assert refused.json()["message"].replace(sha[:12], "X") == unknown.json()["message"].replace("cd" * 6, "X")
    stored = findings.list_findings(world.county)
    assert sorted(stored[stored["status"] == "answered"]["station_code"]) == sorted([world.station, world.other])
