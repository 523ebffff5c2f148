"""The mini-program intake API, through a TestClient and through a real uvicorn server."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, date, datetime

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlmodel import select

from activity_day.api import clock, create_app
from activity_day.store.database import transaction
from models import PlannedActivity, StationPlan, Submission
from tests.intake_helpers import activity, official_plan, tokens_for

MONTH = "2026-12"
BEFORE_DEADLINE = datetime(2026, 11, 25, tzinfo=UTC)
AFTER_DEADLINE = datetime(2026, 12, 4, 12, tzinfo=UTC)  # the deadline is 2026-12-02 23:59 in Shanghai


@pytest.fixture
def plan(registry, county) -> dict:
    return official_plan(county, MONTH)


@pytest.fixture
def client(plan):
    app = create_app(max_body_bytes=20000)
    app.dependency_overrides[clock] = lambda: BEFORE_DEADLINE
    with TestClient(app) as c:
        yield c


@pytest.fixture
def tokens(county) -> dict[str, str]:
    return tokens_for(county, ["001", "002"])


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def body(plan: dict, sid: str = "sub-0001", n: int = 2, **over) -> dict:
    required = plan["required_codes"][0]
    return {"submission_id": sid,
            "activities": [activity(date(2026, 12, 5), required, **over)] + [activity(date(2026, 12, 5))] * (n - 1)}


def rows(model) -> list:
    with transaction() as session:
        return list(session.exec(select(model)).all())


def test_checklist_submit_read_back_and_status(client, tokens, plan) -> None:
    checklist = client.get(f"/api/v1/months/{MONTH}/checklist", headers=auth(tokens["001"]))
    assert checklist.status_code == 200
    assert checklist.json()["required_codes"] == plan["required_codes"]
    assert len(checklist.json()["tasks"]) == 5
    sent = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=body(plan), headers=auth(tokens["001"]))
    assert sent.status_code == 200, sent.json()
    assert sent.json()["status"] == "accepted" and sent.json()["late"] is False
    assert sent.headers["Idempotent-Replayed"] == "false"
    back = client.get(f"/api/v1/stations/001/plans/{MONTH}", headers=auth(tokens["001"])).json()
    assert [a["name"] for a in back["activities"]] == ["文明实践课堂", "文明实践课堂"]
    assert back["activities"][0]["start_time"] == "2026-12-05T09:00" and back["channel"] == "api"
    status = client.get("/api/v1/stations/001/submissions", headers=auth(tokens["001"])).json()
    assert [s["submission_id"] for s in status["submissions"]] == ["sub-0001"]


def test_replay_is_a_no_op_returning_the_stored_result(client, tokens, plan) -> None:
    first = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=body(plan), headers=auth(tokens["001"]))
    again = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=body(plan), headers=auth(tokens["001"]))
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(rows(Submission)) == 1 and len(rows(StationPlan)) == 1 and len(rows(PlannedActivity)) == 2
    reused = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=body(plan, n=3), headers=auth(tokens["001"]))
    assert reused.status_code == 409 and "提交编号" in reused.json()["message"]
    assert len(rows(PlannedActivity)) == 2


def test_a_new_submission_replaces_the_plan(client, tokens, plan) -> None:
    client.put(f"/api/v1/stations/001/plans/{MONTH}", json=body(plan, n=3), headers=auth(tokens["001"]))
    client.put(f"/api/v1/stations/001/plans/{MONTH}", json=body(plan, sid="sub-0002", n=1),
               headers=auth(tokens["001"]))
    assert len(rows(PlannedActivity)) == 1 and rows(StationPlan)[0].submission_id == "sub-0002"


def test_other_station_is_forbidden_without_detail(client, tokens, plan) -> None:
    client.put(f"/api/v1/stations/002/plans/{MONTH}", json=body(plan), headers=auth(tokens["002"]))
    for method, path in [("get", f"/api/v1/stations/002/plans/{MONTH}"), ("get", "/api/v1/stations/002/submissions"),
                         ("put", f"/api/v1/stations/002/plans/{MONTH}"), ("get", f"/api/v1/stations/999/plans/{MONTH}")]:
        response = client.request(method.upper(), path, headers=auth(tokens["001"]),
                                  json=body(plan, sid="sub-9999") if method == "put" else None)
        assert response.status_code == 403 and response.json() == {"detail": "无权访问"}, path
    assert [s.station_code for s in rows(StationPlan)] == ["002"]


def test_missing_bad_and_revoked_tokens(client, tokens, county, plan) -> None:
    assert client.get(f"/api/v1/months/{MONTH}/checklist").status_code == 401
    assert client.get(f"/api/v1/months/{MONTH}/checklist", headers=auth("nope")).status_code == 401
    fresh = tokens_for(county, ["001"])["001"]  # a new token revokes the old one
    assert client.get(f"/api/v1/months/{MONTH}/checklist", headers=auth(tokens["001"])).status_code == 401
    assert client.get(f"/api/v1/months/{MONTH}/checklist", headers=auth(fresh)).status_code == 200


def test_late_submission_is_flagged_or_refused(client, tokens, plan, settings, county) -> None:
    client.app.dependency_overrides[clock] = lambda: AFTER_DEADLINE
    late = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=body(plan), headers=auth(tokens["001"]))
    assert late.status_code == 200 and late.json()["late"] is True
    assert rows(StationPlan)[0].late is True

    from activity_day.store import crud

    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
        profile.intake.late_submissions = "refuse"
        crud.save_profile(session=session, profile=profile)
    refused = client.put(f"/api/v1/stations/002/plans/{MONTH}", json=body(plan), headers=auth(tokens["002"]))
    assert refused.status_code == 409 and refused.json()["status"] == "refused_late"
    assert [s.station_code for s in rows(StationPlan)] == ["001"]


def test_invalid_activities_are_listed_by_row_and_column(client, tokens, plan) -> None:
    bad = body(plan)
    bad["activities"][1] |= {"task": "扶贫帮困", "start_time": "2026-13-01 09:00"}
    response = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=bad, headers=auth(tokens["001"]))
    assert response.status_code == 422 and response.json()["status"] == "rejected"
    problems = {(p["row"], p["column"]) for p in response.json()["problems"]}
    assert problems == {(2, "任务类别"), (2, "开始时间")}
    assert rows(StationPlan) == [] and rows(PlannedActivity) == []


def test_limits(client, tokens, plan) -> None:
    too_many = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=body(plan, sid="sub-many", n=31),
                          headers=auth(tokens["001"]))
    assert too_many.status_code == 422 and too_many.json()["problems"][0]["message"] == "活动不能超过30项"
    long_text = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=body(plan, sid="sub-long", n=1, name="长" * 201),
                           headers=auth(tokens["001"]))
    assert long_text.status_code == 422 and "超过200个字" in long_text.json()["problems"][0]["message"]
    huge = client.put(f"/api/v1/stations/001/plans/{MONTH}", content=b"{" + b" " * 30000 + b"}",
                      headers=auth(tokens["001"]) | {"Content-Type": "application/json"})
    assert huge.status_code == 413
    assert rows(StationPlan) == []


def test_openapi_schema(client) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/v1/stations/{code}/plans/{month}" in schema["paths"]
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RealServer:
    """The API under uvicorn on a free loopback port, in a thread, stopped at the end."""

    def __init__(self, app):
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("uvicorn did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def test_mini_program_against_a_real_server(plan, tokens) -> None:
    app = create_app()
    app.dependency_overrides[clock] = lambda: BEFORE_DEADLINE
    with RealServer(app) as base, httpx.Client(base_url=base, headers=auth(tokens["002"]), timeout=10) as http:
        checklist = http.get(f"/api/v1/months/{MONTH}/checklist").json()
        code = checklist["required_codes"][0]
        payload = {"submission_id": "wx-7f3a9c", "activities": [activity(date(2026, 12, 5), code)]}
        first = http.put(f"/api/v1/stations/002/plans/{MONTH}", json=payload)
        replay = http.put(f"/api/v1/stations/002/plans/{MONTH}", json=payload)
        assert first.status_code == replay.status_code == 200 and first.json() == replay.json()
        assert http.get(f"/api/v1/stations/002/plans/{MONTH}").json()["activities"][0]["checklist_code"] == code
        assert http.get(f"/api/v1/stations/001/plans/{MONTH}").status_code == 403
    assert len(rows(Submission)) == 1


def test_chunked_body_over_the_limit_is_413(client, tokens) -> None:
    def chunks():
        yield b'{"submission_id": "sub-chunk", "activities": ['
        for _ in range(200):
            yield b'{"name": "' + b"x" * 200 + b'"},'
        yield b"]}"

    response = client.put(f"/api/v1/stations/001/plans/{MONTH}", content=chunks(),
                          headers=auth(tokens["001"]) | {"Content-Type": "application/json"})
    assert response.status_code == 413


def test_a_station_removed_from_the_registry_loses_access(client, tokens, registry, county, tmp_path) -> None:
    from activity_day.demo import write_xlsx
    from activity_day.services.imports import import_file

    smaller = registry[registry["所站编号"] != "001"]
    assert import_file("stations", write_xlsx(smaller, tmp_path / "s.xlsx", "名录"), county=county).exit_code == 0
    assert client.get(f"/api/v1/months/{MONTH}/checklist", headers=auth(tokens["001"])).status_code == 401
    assert client.get(f"/api/v1/months/{MONTH}/checklist", headers=auth(tokens["002"])).status_code == 200


def test_control_characters_are_refused_naming_the_field(client, tokens, plan) -> None:
    dirty = body(plan, n=2)
    dirty["activities"][1] = dirty["activities"][1] | {"name": "宣讲\x00", "volunteer_team": "青年\x1b志愿队"}
    response = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=dirty, headers=auth(tokens["001"]))
    assert response.status_code == 422 and response.json()["status"] == "rejected"
    problems = response.json()["problems"]
    assert [(p["row"], p["column"], p["field"], p["value"]) for p in problems] == [
        (2, "活动名称", "activities.1.name", "宣讲"), (2, "志愿服务队伍", "activities.1.volunteer_team", "青年志愿队")]
    assert "U+0000" in problems[0]["message"] and "U+001B" in problems[1]["message"]
    [stored] = rows(Submission)
    assert stored.status == "rejected" and "\x00" not in str(stored.response)
    assert rows(StationPlan) == [] and rows(PlannedActivity) == []


def test_huge_numbers_are_refused_not_crashed_on(client, tokens, plan) -> None:
    sent = body(plan, sid="sub-huge-1", n=1, expected_participants=10**300)
    response = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=sent, headers=auth(tokens["001"]))
    assert response.status_code == 422 and response.json()["problems"][0]["column"] == "预计参与人数"
    # Python will not load an integer of 5000 digits: still a 422 in Chinese, not a 400 in English
    text = '{"submission_id": "sub-huge-2", "activities": [{"expected_participants": 1%s}]}' % ("0" * 5000)
    response = client.put(f"/api/v1/stations/001/plans/{MONTH}", content=text.encode(),
                          headers=auth(tokens["001"]) | {"Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["status"] == "malformed"
    assert "JSON" in response.json()["problems"][0]["message"]
    assert rows(StationPlan) == []
