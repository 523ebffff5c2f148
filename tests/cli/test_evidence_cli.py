"""`activity-day evidence report`: the activity day's coverage and the online spot checks' order, as read."""

from __future__ import annotations

import json
from datetime import datetime

from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.models import DrawAssignment
from activity_day.models.enums import InspectionMode
from activity_day.store.database import transaction
from tests.api import test_evidence_api as api
from tests.api.test_api import MONTH

# the API tests' fixtures: a plan for stations 001 and 002 on the activity day, tokens, a photo store
client, plan, store_root, tokens = api.client, api.plan, api.store_root, api.tokens
jpeg, north, record, upload = api.jpeg, api.north, api.record, api.upload

runner = CliRunner()


def drawn(county: str, rows: list[tuple[str, str, int, InspectionMode]]) -> None:
    with transaction() as session:
        for code, township, rank, mode in rows:
            session.add(DrawAssignment(county=county, month=MONTH, station_code=code, township=township, rank=rank,
                                       mode=mode, team="线上·王伟" if mode == InspectionMode.ONLINE else "第一组",
                                       slot="09:00-09:15"))


def test_report_lists_coverage_and_puts_missing_first(client, tokens, store_root, county, registry) -> None:
    lon, lat = north("001", 20)
    shot = upload(client, tokens["001"], jpeg(datetime(2026, 12, 5, 9, 50), north("001", 20))).json()
    assert record(client, tokens["001"], taken_at="2026-12-05T09:50", longitude=lon, latitude=lat,
                  photos=[shot["sha256"]]).json()["verdict"] == "符合"
    townships = dict(zip(registry["所站编号"], registry["乡镇（街道）"], strict=False))
    drawn(county, [("001", townships["001"], 1, InspectionMode.ONLINE), ("002", townships["002"], 2, InspectionMode.ONLINE),
                   ("003", townships["003"], 3, InspectionMode.ONSITE)])
    result = runner.invoke(app, ["evidence", "report", "--month", MONTH])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("2026年12月活动纪实（集中活动日 2026年12月5日）")
    assert lines[1] == "  当日有计划活动的所站 2 个：完整 0，存疑 0，缺失 2；纪实 1 条（符合 1，存疑 0，不符合 0）"
    assert "  线上飞检优先顺序（2 个）：" in lines
    first, second = lines[lines.index("  线上飞检优先顺序（2 个）：") + 1:][:2]
    # both are 缺失 (001's afternoon activity has no record): the draw's rank decides
    assert first == f"    1. 001 {townships['001']} 缺失：第1项活动有签到、无签退；第2项活动无纪实"
    assert second == f"    2. 002 {townships['002']} 缺失：第1项活动无纪实"
    as_json = json.loads(runner.invoke(app, ["evidence", "report", "--month", MONTH, "--json"]).output)
    assert as_json["summary"]["missing"] == 2 and [r["station_code"] for r in as_json["online_priority"]] == [
        "001", "002"]


def test_report_without_an_official_plan_is_one_line(settings, county) -> None:
    result = runner.invoke(app, ["evidence", "report", "--month", "2027-03"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("错误：2027年3月尚无正式方案")
    assert len(result.output.strip().splitlines()) == 1
