"""The command line: exit codes, messages and JSON shapes."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import update
from sqlmodel import select
from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.demo import write_xlsx
from activity_day.documents.summary import summary_lines
from activity_day.intake import KINDS
from activity_day.models import DrawAssignment, StationToken
from activity_day.store.database import transaction
from tests.conftest import DEMO_PROFILE

runner = CliRunner()


def cli(*args: str):
    return runner.invoke(app, list(args))


def test_init_is_repeatable_and_bad_profile_is_refused(settings, tmp_path: Path) -> None:
    assert cli("init", "--profile", str(DEMO_PROFILE)).exit_code == 0
    assert cli("init", "--profile", str(DEMO_PROFILE)).exit_code == 0
    missing = cli("init", "--profile", str(tmp_path / "none.yaml"))
    assert missing.exit_code == 2 and "配置文件不存在" in missing.output
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
    rubric = ["规定动作", "组织实施", "群众参与", "志愿服务", "台账资料"] if kind == "scores" else []
    assert [c.value for c in sheet[1]] == [*KINDS[kind].headers, *rubric]


def test_summary_lines_of_each_step_on_literal_results() -> None:
    draft = {"activity_date": "2027-02-20", "learning": 3, "checklist": 12, "festivals": ["元宵节"],
             "notes": ["活动日与节日相邻"], "warnings": ["2027年法定节假日安排尚未收录"],
             "files": {"md": "out/plan.md", "docx": "out/plan.docx"}}
    assert summary_lines("draft", "2027-02", draft) == [
        "2027年2月方案（征求意见稿）已起草：活动日 2027年2月20日，学习清单 3 项，活动清单 12 项，节日和纪念日：元宵节",
        "  注意：活动日与节日相邻",
        "  注意：2027年法定节假日安排尚未收录",
        "  文件：",
        "    out/plan.md",
        "    out/plan.docx",
    ]
    review = {"comments": 2, "silent": [], "defaulted": 1, "edits": [{}, {}], "amendments": ["增加宣讲场次。"],
              "dispositions": {"md": "out/review-dispositions.md"}, "scheduled": ["collect 2027-02-16"]}
    assert summary_lines("review", "2027-02", review) == [
        "2027年2月正式方案已印发：部门意见 2 条，无意见（含未反馈）：无，按默认采纳 1 条，清单调整 2 处，工作要求增写 1 条",
        "  部门意见处理情况表（内部留存）：",
        "    out/review-dispositions.md",
        "  已安排：collect 2027-02-16",
    ]
    collect = {"stations": 3, "submitted": 2, "missing": 1, "late": 0, "uncovered_required": 1, "activities": 7,
               "inbox": {"files": 2, "stations_accepted": 2, "stations_refused": 0, "unusable": ["x.txt"]}}
    assert summary_lines("collect", "2027-02", collect) == [
        "2027年2月活动计划：所站 3 个，已报送 2 个，未报送 1 个，逾期 0 个，规定动作未安排全 1 个，计划活动 7 项",
        "收件箱：处理文件 2 个，接收 2 个所站的计划，拒收 0 个",
        "  无法使用的文件：x.txt",
    ]
    sample = {"drawn": 83, "new": False, "digest": "ab12"}
    assert summary_lines("sample", "2027-02", sample) == [
        "2027年2月督查抽样：抽取 83 个所站（沿用已存的抽样，未重抽），抽样记录摘要 ab12"]
    compiled = {"scored": 0, "average": None, "commended": 0, "rectify": 0, "problems": 0}
    assert summary_lines("compile", "2027-02", compiled) == [
        "2027年2月通报已生成：已评分 0 个所站，平均分 —，表扬 0 个，限期整改 0 个，存在问题 0 条",
        "  本月无评分，通报已写明未开展督查评分",
    ]
    assert summary_lines("compile", "2027-02", compiled | {"scored": 2, "average": 87.456})[0] == (
        "2027年2月通报已生成：已评分 2 个所站，平均分 87.46，表扬 0 个，限期整改 0 个，存在问题 0 条")
    cycle = {"draft": draft, "review": review, "collect": collect, "sample": sample, "compile": compiled}
    assert summary_lines("cycle", "2027-02", cycle) == [
        line for step in ("draft", "review", "collect", "sample", "compile")
        for line in summary_lines(step, "2027-02", cycle[step])]


@pytest.mark.flow
def test_cycle_status_show_record_and_verify(prefect_server, settings, registry, county, tmp_path: Path) -> None:
    result = cli("run", "cycle", "--month", "2027-01", "--allow-empty")
    assert result.exit_code == 0, result.output
    assert "2027年1月通报已生成：已评分 0 个所站" in result.output and "本月无评分" in result.output
    status = json.loads(cli("status", "--month", "2027-01", "--json").output)
    assert set(status) == {"month", "county", "steps", "counts", "documents", "completeness"}
    assert len(status["completeness"]["missing"]) == 248 and status["completeness"]["late"] == []
    assert status["counts"]["stations"] == 248 and status["counts"]["station_plans"] == 0
    assert status["counts"]["drawn"] == 83 and status["steps"]["compile"] == "done"
    assert any(p.endswith("circular.html") for p in status["documents"])

    shown = json.loads(cli("sample", "show", "--month", "2027-01", "--json").output)
    assert shown["seed"].startswith("ad-draw/2|321323|2027-01|")
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
    assert tampered.exit_code == 1 and "检查分配与抽样记录不符" in tampered.output


def test_verify_without_draw(settings, county) -> None:
    result = cli("sample", "verify", "--month", "2026-12")
    assert result.exit_code == 2 and "activity-day run sample --month 2026-12" in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_tokens_issue_export_and_revoke(settings, registry, tmp_path: Path) -> None:
    from activity_day.services.submissions import station_for_token

    out = tmp_path / "tokens.xlsx"
    assert cli("tokens", "issue", "--station", "001", "--station", "002", "--out", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["001", "002"] and all(len(r[4]) >= 40 for r in rows)
    with transaction() as session:
        assert station_for_token(session=session, token=rows[0][4]).station_code == "001"
        stored = session.exec(select(StationToken.token_sha256)).all()
    assert rows[0][4] not in stored  # only the hash is kept
    assert cli("tokens", "revoke", "--station", "001").exit_code == 0
    with transaction() as session:
        assert station_for_token(session=session, token=rows[0][4]) is None
    assert cli("tokens", "revoke", "--station", "001").exit_code == 1
    assert cli("tokens", "issue", "--station", "999", "--out", str(out)).exit_code == 2
    assert cli("tokens", "issue", "--all", "--out", str(tmp_path / "all.xlsx")).exit_code == 0
    assert openpyxl.load_workbook(tmp_path / "all.xlsx").worksheets[0].max_row == 249


def test_api_command_serves(settings, county, tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = os.environ | {"ACTIVITY_DAY_DATABASE_URL": settings.database_url}
    proc = subprocess.Popen([sys.executable, "-m", "activity_day.cli", "api", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert health.json() == {"status": "ok"}
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()["info"]["version"] == "1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
