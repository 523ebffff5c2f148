"""整改报告 from a file: every row checked against the county's findings, written once, reported with file and row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.demo import write_xlsx
from activity_day.services import findings
from activity_day.services.imports import import_file
from activity_day.store import findings as store
from activity_day.store.database import transaction

NOW = datetime(2026, 12, 15, 2, tzinfo=UTC)


def raise_findings(county: str) -> list[int]:
    rows = [{"station_code": code, "township": "", "source": "线上", "category": "台账资料", "text": text,
             "digest": f"{code}-{text}", "deadline": findings.today() + timedelta(days=30)}  # open, not overdue
            for code, text in (("001", "活动记录不完整"), ("002", "照片未上传"), ("003", "群众参与少"))]
    with transaction() as session:
        store.save_findings(session=session, county=county, month="2026-11", rows=rows, now=NOW)
    frame = findings.list_findings(county)
    return [int(i) for i in frame.sort_values("station_code")["id"]]


def test_reports_file_is_checked_row_by_row_and_a_second_import_changes_nothing(settings, registry, county,
                                                                               tmp_path: Path) -> None:
    first, second, third = raise_findings(county)
    findings.report(county, "003", third, findings.StationReport("已整改", [], at=NOW, actor="所站003"))
    findings.review(county, third, findings.FindingStep("accept", "张三", "整改到位", NOW))
    frame = pd.DataFrame([
        {"整改编号": first, "所站编号": "001", "整改情况": "已补齐活动记录", "照片校验码": ""},
        {"整改编号": second, "所站编号": "001", "整改情况": "已上传", "照片校验码": ""},
        {"整改编号": third, "所站编号": "003", "整改情况": "再次报送", "照片校验码": ""},
        {"整改编号": 99999, "所站编号": "002", "整改情况": "x", "照片校验码": ""},
        {"整改编号": "第一条", "所站编号": "002", "整改情况": "x", "照片校验码": ""},
        {"整改编号": second, "所站编号": "002", "整改情况": "", "照片校验码": "abc、" + "0" * 64},
    ])
    path = write_xlsx(frame, tmp_path / "整改报告.xlsx", "整改报告")
    report = import_file("reports", path, county=county)
    lines = report.lines()
    assert report.exit_code == 1 and report.rows_written == 1
    problems = "\n".join(lines)
    assert f"整改报告.xlsx 第4行 【所站编号】 “001”：整改编号{second}是所站002的问题" in problems
    assert f"第5行 【整改编号】 “{third}”：不能提交整改报告：该问题已销号" in problems
    assert "第6行 【整改编号】 “99999”：没有这个整改编号" in problems
    assert "第7行 【整改编号】 “第一条”：整改编号应为整数" in problems
    assert "第8行 【整改情况】" in problems and "照片校验码应为64位十六进制：abc" in problems
    shown = findings.show(county, first)
    assert shown["status"] == "answered" and shown["report"] == "已补齐活动记录"
    assert shown["events"][-1]["actor"].startswith("整改报告.xlsx:3")
    again = import_file("reports", path, county=county)
    assert again.rows_written == 0 and [e["action"] for e in findings.show(county, first)["events"]] == [
        "raised", "report"]


def test_export_writes_an_importable_ledger(settings, registry, county, tmp_path: Path) -> None:
    first, *_ = raise_findings(county)
    out = tmp_path / "台账.xlsx"
    done = CliRunner().invoke(app, ["findings", "export", str(out), "--status", "open"])
    assert done.exit_code == 0, done.output
    sheet = pd.read_excel(out, dtype=str)
    assert list(sheet["所站编号"]) == ["001", "002", "003"]
    sheet.loc[0, "整改情况"] = "已补齐"
    filled = write_xlsx(sheet, tmp_path / "填报.xlsx", "整改台账")
    assert import_file("reports", filled, county=county).exit_code == 1  # the blank rows are refused, the filled one kept
    assert findings.show(county, first)["status"] == "answered"
    none = CliRunner().invoke(app, ["findings", "export", str(out), "--status", "accepted"])
    assert none.exit_code == 1 and "没有符合条件的整改问题" in none.output
