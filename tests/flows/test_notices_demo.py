"""The demo's notices: written through the file channel into DIR/notices/, one file a notice, never twice."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.cli.demo import run_demo

pytestmark = pytest.mark.flow
MONTH = "2026-12"


def test_the_demo_writes_its_notices_into_the_notices_folder(prefect_server, settings, tmp_path: Path) -> None:
    from activity_day.flows.notices import notices

    run_demo(MONTH, tmp_path / "ws", echo=lambda _line: None)
    folder = tmp_path / "ws" / "notices"
    files = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
    listed = json.loads(CliRunner().invoke(app, ["notices", "list", "--month", MONTH, "--json"]).output)
    assert {r["state"] for r in listed} == {"sent"} and all(r["attempts"] == 1 for r in listed)
    assert len(files) == len(listed) > 20
    occasions = {r["occasion"] for r in listed}
    assert {"review-pending@-1", "plan-missing@-3", "plan-missing@-1", "plan-issued", "assignment@+0",
            "circular-issued"} <= occasions
    # The sections that sent nothing (not even 无意见) were reminded; a station without a plan was told its deadline.
    sent = set(pd.read_excel(tmp_path / "ws" / "inputs" / f"部门意见-{MONTH}.xlsx", header=1, dtype=str)["部门"])
    silent = [d for d in ("理论科", "宣教科", "版权科", "网信科") if d not in sent]
    assert silent and {f for f in files if "review-pending" in f} == {
        f"sections_{d}_{MONTH}_review-pending@-1.txt" for d in silent}
    missing = next(text for name, text in files.items() if "plan-missing@-3" in name)
    assert "活动计划尚未报送，请于2026年12月2日前报送" in missing
    circular = files[f"stations_all_{MONTH}_circular-issued.txt"]
    assert "关于2026年12月新时代文明实践集中活动日督查情况的通报" in circular and "circular.docx" in circular
    assert circular.splitlines()[-1].startswith("各所站：") and "请查阅本所站的得分和存在问题" in circular
    office = files[f"office_all_{MONTH}_circular-issued.txt"]
    assert "已印发，已通知各所站" in office and "请查阅本所站" not in office  # the office is told, not asked

    # Every notice is listed with its state, and a rerun of the day's run sends nothing again.
    plain = CliRunner().invoke(app, ["notices", "list", "--month", MONTH]).output
    assert plain.count("已发送") == len(listed) + 1 and f"共 {len(listed)} 条：待发送 0 条，已发送 {len(listed)} 条" in plain
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    again = notices(county="321323", day="2026-12-10", retry_seconds=[])
    assert again["new"] == 0 and again["attempted"] == 0
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before
