"""The mini-program intake API, through a TestClient and through a real uvicorn server."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlmodel import select

from activity_day.api import clock, create_app
from activity_day.models import PlannedActivity, StationPlan, Submission
from activity_day.store.database import transaction
from tests.intake_helpers import activity, change_profile, official_plan, tokens_for

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
        assert response.status_code == 403, path
        assert response.json() == {"code": "forbidden", "message": "无权访问", "problems": []}, path
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


    change_profile(county, {"intake.late_submissions": "refuse"})
    refused = client.put(f"/api/v1/stations/002/plans/{MONTH}", json=body(plan), headers=auth(tokens["002"]))
    assert refused.status_code == 409 and refused.json()["status"] == "refused_late"
    assert [s.station_code for s in rows(StationPlan)] == ["001"]


def test_invalid_activities_are_listed_by_row_and_column(client, tokens, plan) -> None:
    bad = body(plan)
    bad["activities"][1] |= {"start_time": "2026-13-01 09:00", "checklist_code": "ZZ-99"}
    response = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=bad, headers=auth(tokens["001"]))
    assert response.status_code == 422
    assert response.json()["code"] == response.json()["status"] == "rejected"
    problems = {(p["row"], p["column"]) for p in response.json()["problems"]}
    assert problems == {(2, "清单编号"), (2, "开始时间")}
    # A value outside the schema (the task is one of five) is refused before the handler, in the same shape.
    bad["activities"][1]["task"] = "扶贫帮困"
    response = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=bad | {"submission_id": "sub-0002"},
                          headers=auth(tokens["001"]))
    assert response.status_code == 422 and response.json()["code"] == "malformed"
    [problem] = response.json()["problems"]
    assert (problem["row"], problem["column"], problem["field"], problem["value"]) == (
        2, "任务类别", "activities.1.task", "扶贫帮困")
    assert problem["reason"].startswith("应为以下之一") and problem["text"].startswith("第2项活动 【任务类别】")
    assert rows(StationPlan) == [] and rows(PlannedActivity) == []


def test_limits(client, tokens, plan) -> None:
    too_many = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=body(plan, sid="sub-many", n=31),
                          headers=auth(tokens["001"]))
    assert too_many.status_code == 422 and too_many.json()["problems"][0]["reason"].startswith("活动不能超过30项")
    long_text = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=body(plan, sid="sub-long", n=1, name="长" * 201),
                           headers=auth(tokens["001"]))
    assert long_text.status_code == 422 and long_text.json()["problems"][0]["reason"] == "超过200个字符"
    huge = client.put(f"/api/v1/stations/001/plans/{MONTH}", content=b"{" + b" " * 30000 + b"}",
                      headers=auth(tokens["001"]) | {"Content-Type": "application/json"})
    assert huge.status_code == 413 and huge.json()["code"] == "too_large"
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
    assert response.status_code == 422 and response.json()["code"] == "malformed"
    problems = response.json()["problems"]
    assert [(p["row"], p["column"], p["field"], p["value"]) for p in problems] == [
        (2, "活动名称", "activities.1.name", "宣讲"), (2, "志愿服务队伍", "activities.1.volunteer_team", "青年志愿队")]
    assert "U+0000" in problems[0]["reason"] and "U+001B" in problems[1]["reason"]
    assert "\x00" not in response.text
    assert rows(Submission) == [] and rows(StationPlan) == [] and rows(PlannedActivity) == []


def test_huge_numbers_are_refused_not_crashed_on(client, tokens, plan) -> None:
    sent = body(plan, sid="sub-huge-1", n=1, expected_participants=10**300)
    response = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=sent, headers=auth(tokens["001"]))
    assert response.status_code == 422 and response.json()["problems"][0]["column"] == "预计参与人数"
    assert response.json()["problems"][0]["reason"] == "不能大于100000"
    # Python will not load an integer of 5000 digits: still a 422 in Chinese, not a 400 in English
    text = '{"submission_id": "sub-huge-2", "activities": [{"expected_participants": 1%s}]}' % ("0" * 5000)
    response = client.put(f"/api/v1/stations/001/plans/{MONTH}", content=text.encode(),
                          headers=auth(tokens["001"]) | {"Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["code"] == "malformed"
    assert "JSON" in response.json()["problems"][0]["reason"]
    assert rows(StationPlan) == []


def test_every_refusal_has_the_documented_shape(client, tokens, plan) -> None:
    no_token = client.get(f"/api/v1/months/{MONTH}/checklist")
    assert no_token.status_code == 401 and no_token.json() == {"code": "unauthorized", "message": "缺少令牌",
                                                               "problems": []}
    assert no_token.headers["WWW-Authenticate"] == "Bearer"
    no_plan = client.get("/api/v1/months/2027-03/checklist", headers=auth(tokens["001"]))
    assert no_plan.status_code == 404 and no_plan.json()["code"] == "not_found"
    assert no_plan.json()["message"] == "2027-03的正式方案尚未印发"
    for month in ("0000-00", "2026-13", "1999-12", "2026-1"):  # the path pattern is exactly what is served
        bad = client.get(f"/api/v1/months/{month}/checklist", headers=auth(tokens["001"]))
        assert bad.status_code == 422 and bad.json()["code"] == "malformed", month
        assert bad.json()["problems"][0]["field"] == "month", month
    options = client.options(f"/api/v1/stations/001/plans/{MONTH}", headers=auth(tokens["001"]))
    assert options.status_code == 405 and options.headers["Allow"] == "GET, PUT"
    nowhere = client.get("/api/v1/nowhere")
    assert nowhere.status_code == 404 and nowhere.json()["message"] == "没有这个接口地址，接口说明见 /docs"
    assert options.json()["code"] == "method_not_allowed"


def test_openapi_documents_each_status_and_the_bounds(client) -> None:
    schema = client.get("/openapi.json").json()
    put = schema["paths"]["/api/v1/stations/{code}/plans/{month}"]["put"]
    assert set(put["responses"]) == {"200", "401", "403", "409", "413", "422"}
    assert put["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/SubmissionRefused")
    assert put["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/SubmissionAccepted")
    get_plan = schema["paths"]["/api/v1/stations/{code}/plans/{month}"]["get"]
    assert set(get_plan["responses"]) == {"200", "401", "403", "404", "413", "422"}
    month = next(p for p in put["parameters"] if p["name"] == "month")
    assert month["schema"]["pattern"] == r"^20\d\d-(0[1-9]|1[0-2])$"
    activity = schema["components"]["schemas"]["ActivityCreate"]["properties"]
    count = next(b for b in activity["expected_participants"]["anyOf"] if b["type"] == "integer")
    assert (count["minimum"], count["maximum"]) == (1, 100000)
    assert activity["name"]["maxLength"] == 200 and "\\x00" in activity["name"]["pattern"]
    assert activity["task"]["$ref"].endswith("/PracticeTask")


def test_a_response_stored_in_the_old_shape_replays_in_the_new(client, tokens, plan) -> None:
    from activity_day.services.submissions import as_current_shape

    old = {"status": "rejected", "submission_id": "sub-old-1", "problems": [
        {"row": 1, "column": "开始时间", "field": "activities.0.start_time", "value": "x", "message": "无法识别的时间",
         "text": "小程序提交 第1行 【开始时间】 “x”：无法识别的时间"}]}
    now = as_current_shape(old)
    assert now["code"] == "rejected" and now["message"].startswith("活动计划有误")
    assert now["problems"][0]["reason"] == "无法识别的时间" and "message" not in now["problems"][0]
    assert as_current_shape(now) == now


GENERATOR = Path(__file__).resolve().parents[2] / ".venv-tools" / "bin" / "openapi-python-client"


def test_a_client_generated_from_the_openapi_submits_and_reads_back(plan, tokens, tmp_path: Path) -> None:
    assert GENERATOR.exists(), f"{GENERATOR} is missing: `make install` sets it up"
    app = create_app()
    app.dependency_overrides[clock] = lambda: BEFORE_DEADLINE
    with TestClient(app) as c:
        (tmp_path / "openapi.json").write_text(c.get("/openapi.json").text, encoding="utf-8")
    (tmp_path / "config.yaml").write_text("project_name_override: activity-day-client\n"
                                          "package_name_override: activity_day_client\n", encoding="utf-8")
    made = subprocess.run([str(GENERATOR), "generate", "--path", "openapi.json", "--config", "config.yaml",
                           "--meta", "none", "--output-path", "gen"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        from gen import AuthenticatedClient
        from gen.api.checklist import get_checklist
        from gen.api.plans import read_plan, submit_plan
        from gen.models import ActionKind, ActivityCreate, PlanCreate, PracticeTask

        with RealServer(app) as base:
            client = AuthenticatedClient(base_url=base, token=tokens["001"])
            checklist = get_checklist.sync(MONTH, client=client)
            code = checklist.required_codes[0]
            activity = ActivityCreate(name="理论宣讲", task=PracticeTask("宣传宣讲党的政策"),
                                      action_kind=ActionKind("规定动作"), start_time="2026-12-05T09:00",
                                      location="新时代文明实践站", expected_participants=40, checklist_code=code)
            sent = submit_plan.sync_detailed("001", MONTH, client=client,
                                             body=PlanCreate(submission_id="gen-client-0001", activities=[activity]))
            assert sent.status_code == 200 and sent.parsed.status == "accepted" and sent.parsed.activities == 1
            back = read_plan.sync("001", MONTH, client=client)
            assert [(a.name, a.checklist_code, a.expected_participants) for a in back.activities] == [
                ("理论宣讲", code, 40)]
            refused = submit_plan.sync_detailed("002", MONTH, client=client,
                                                body=PlanCreate(submission_id="gen-client-0002", activities=[activity]))
            assert refused.status_code == 403 and refused.parsed.code == "forbidden"
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "gen" or m.startswith("gen.")]:
            del sys.modules[name]


def test_schema_refusals_name_the_field_once_in_chinese(client, tokens, plan) -> None:
    zero = body(plan, sid="sub-zero-1", n=1, expected_participants=0)
    response = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=zero, headers=auth(tokens["001"]))
    [problem] = response.json()["problems"]
    assert (problem["field"], problem["column"], problem["reason"]) == (
        "activities.0.expected_participants", "预计参与人数", "不能小于1")
    spaced = body(plan, sid="sub-spaced-1", n=1, task=" 学习实践科学理论 ")  # forgiven, as in the file
    assert client.put(f"/api/v1/stations/001/plans/{MONTH}", json=spaced, headers=auth(tokens["001"])).status_code == 200
    wrong = body(plan, sid="sub-wrong-1", n=1, action_kind="必选动作")
    [problem] = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=wrong, headers=auth(tokens["001"])).json()["problems"]
    assert problem["reason"] == "应为以下之一：规定动作、自选动作、特色动作"
    broken = client.put(f"/api/v1/stations/001/plans/{MONTH}", content=b'{"submission_id": ',
                        headers=auth(tokens["001"]) | {"Content-Type": "application/json"})
    assert broken.status_code == 422 and broken.json()["problems"][0]["field"] is None
