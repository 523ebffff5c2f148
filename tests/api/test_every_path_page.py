"""One rule on the API and the phone page for check-ins, and the page's own bounds kept as the API keeps them
(see test_every_path)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from activity_day.api.mobile.pages import csrf_token
from activity_day.models import EvidenceRecord, StationPlan
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
    bearer,
    check,
    from_json,
    plan_rows,
    world,
)

__all__ = ["world"]  # the fixture, imported for the tests below


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
