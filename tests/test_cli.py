"""The command line: exit codes, messages and JSON shapes."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.database import transaction
from activity_day.demo import write_xlsx
from activity_day.intake import KINDS
from models import DrawAssignment
from tests.conftest import DEMO_PROFILE

runner = CliRunner()


def cli(*args: str):
    return runner.invoke(app, list(args))


def test_init_is_repeatable_and_bad_profile_is_refused(settings, tmp_path: Path) -> None:
    assert cli("init", "--profile", str(DEMO_PROFILE)).exit_code == 0
    assert cli("init", "--profile", str(DEMO_PROFILE)).exit_code == 0
    missing = cli("init", "--profile", str(tmp_path / "none.yaml"))
    assert missing.exit_code == 2 and "no such profile file" in missing.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEMO_PROFILE.read_text(encoding="utf-8").replace("ratio: 1/3", "ratio: 三分之一"), encoding="utf-8")
    result = cli("init", "--profile", str(bad))
    assert result.exit_code == 2 and "sampling.ratio" in result.output


def test_commands_before_init_say_what_to_do(settings) -> None:
    result = cli("status", "--month", "2026-12")
    assert result.exit_code == 2 and "activity-day init --profile" in result.output


def test_import_exit_codes(settings, county, tmp_path: Path) -> None:
    import random

    from activity_day.demo import station_registry

    registry = station_registry(random.Random(1))
    stations = write_xlsx(registry, tmp_path / "s.xlsx", "名录")
    assert cli("import", "stations", str(stations)).exit_code == 0
    nothing = cli("import", "plans", str(tmp_path / "missing.xlsx"), "--month", "2026-12")
    assert nothing.exit_code == 2 and nothing.output.strip().count("\n") == 0 and "文件不存在" in nothing.output
    plans = write_xlsx(pd.DataFrame([
        {"所站编号": "001", "活动名称": "宣讲", "任务类别": "学习实践科学理论", "动作类型": "规定动作",
         "开始时间": "2026/12/5 9:00", "活动地点": "活动室", "预计参与人数": 30},
        {"所站编号": "404", "活动名称": "宣讲", "任务类别": "学习实践科学理论", "动作类型": "规定动作",
         "开始时间": "2026/12/5 9:00", "活动地点": "活动室", "预计参与人数": 30},
    ]), tmp_path / "p.xlsx", "计划")
    partly = cli("import", "plans", str(plans), "--month", "2026-12")
    assert partly.exit_code == 1 and "第4行 【所站编号】 “404”" in partly.output
    assert cli("import", "plans", str(plans), "--month", "2026-13").exit_code == 2


@pytest.mark.parametrize("kind", list(KINDS))
def test_template_has_the_exact_headers(settings, tmp_path: Path, kind: str) -> None:
    target = tmp_path / f"{kind}.xlsx"
    assert cli("template", kind, str(target)).exit_code == 0
    sheet = openpyxl.load_workbook(target).worksheets[0]
    assert [c.value for c in sheet[1]] == list(KINDS[kind].headers)


@pytest.mark.flow
def test_cycle_status_show_record_and_verify(prefect_server, settings, registry, county, tmp_path: Path) -> None:
    result = cli("run", "cycle", "--month", "2027-01")
    assert result.exit_code == 0, result.output
    status = json.loads(cli("status", "--month", "2027-01", "--json").output)
    assert set(status) == {"month", "county", "steps", "counts", "documents", "completeness"}
    assert len(status["completeness"]["missing"]) == 248 and status["completeness"]["late"] == []
    assert status["counts"]["stations"] == 248 and status["counts"]["station_plans"] == 0
    assert status["counts"]["drawn"] == 83 and status["steps"]["compile"] == "done"
    assert any(p.endswith("circular.html") for p in status["documents"])

    shown = json.loads(cli("sample", "show", "--month", "2027-01", "--json").output)
    assert shown["seed"].startswith("ad-draw/1|321323|2027-01|")
    assert len(shown["stations"]) == 83
    assert set(shown["stations"][0]) >= {"code", "township", "mode", "team"}
    assert {s["mode"] for s in shown["stations"]} == {"online", "onsite"}

    record = json.loads(cli("sample", "record", "--month", "2027-01").output)
    assert [s["code"] for s in record["selected"]] == [s["code"] for s in shown["stations"]]
    assert cli("sample", "verify", "--month", "2027-01").exit_code == 0

    with transaction() as session:
        session.exec(update(DrawAssignment).where(DrawAssignment.station_code == shown["stations"][0]["code"])
                     .values(team="第九组"))
    tampered = cli("sample", "verify", "--month", "2027-01")
    assert tampered.exit_code == 1 and "differ" in tampered.output


def test_verify_without_draw(settings, county) -> None:
    result = cli("sample", "verify", "--month", "2026-12")
    assert result.exit_code == 1 and "run sample" in result.output
