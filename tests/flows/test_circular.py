"""The circular from a small, hand-computable score file: figures, ranking, escaping, charts, carry-over."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from typer.testing import CliRunner

from activity_day.demo import write_xlsx
from activity_day.services.imports import import_file
from cli import app

pytestmark = pytest.mark.flow
MONTH = "2026-12"


@pytest.fixture
def compiled(prefect_server, settings, registry, county, tmp_path: Path) -> dict:
    from flows.monthly import compile_, draft, review, sample

    # The office has issued 40 documents this year outside activity-day.
    assert CliRunner().invoke(app, ["numbers", "set", "--year", "2026", "--next", "41"]).exit_code == 0
    draft(county=county, month=MONTH)
    review(county=county, month=MONTH)
    plans = pd.DataFrame([{"所站编号": "003", "活动名称": "<script>alert(1)</script>", "任务类别": "丰富活跃文化生活",
                           "动作类型": "特色动作", "开始时间": "2026/12/5 9:00", "活动地点": "广场", "预计参与人数": 80}])
    assert import_file("plans", write_xlsx(plans, tmp_path / "p.xlsx", "计划"), county=county,
                       month=MONTH).exit_code == 0
    sample(county=county, month=MONTH)
    scores = pd.DataFrame([
        {"所站编号": "001", "检查方式": "线下", "评分人": "第一检查组", "得分": 90, "存在问题": "", "意见建议": ""},
        {"所站编号": "001", "检查方式": "观察员", "评分人": "张", "得分": 80, "存在问题": "", "意见建议": ""},
        {"所站编号": "002", "检查方式": "线上", "评分人": "第二检查组", "得分": 75, "存在问题": "群众参与人数偏少",
         "意见建议": ""},
        {"所站编号": "003", "检查方式": "观察员", "评分人": "李", "得分": 95, "存在问题": "", "意见建议": ""},
        {"所站编号": "003", "检查方式": "观察员", "评分人": "王", "得分": 85, "存在问题": "", "意见建议": ""},
        {"所站编号": "020", "检查方式": "线下", "评分人": "第一检查组", "得分": 60, "存在问题": "活动记录不完整",
         "意见建议": "建议完善活动台账"},
    ])
    assert import_file("scores", write_xlsx(scores, tmp_path / "s.xlsx", "评分"), county=county,
                       month=MONTH).exit_code == 0
    summary = compile_(county=county, month=MONTH)
    names = registry.set_index("所站编号")
    return {"summary": summary, "out": Path(settings.out) / MONTH, "names": names}


def test_figures_match_a_hand_computation(compiled: dict) -> None:
    s, names = compiled["summary"], compiled["names"]
    # 001: 0.7×90 + 0.3×80 = 87; 002: 75 (team only); 003: (95+85)/2 = 90 (observers only); 020: 60
    assert s["scored"] == 4 and s["average"] == 78.0 and s["commended"] == 1 and s["rectify"] == 1
    doc = Document(compiled["out"] / "circular.docx")
    texts = [p.text.replace("\n", "") for p in doc.paragraphs]  # a title may be set in lines
    assert texts[0] == "泗阳县精神文明建设委员会办公室文件" and "泗文明办〔2026〕42号" in texts
    assert "关于2026年12月新时代文明实践集中活动日督查情况的通报" in texts
    assert [p.text for p in doc.paragraphs if p.style.name == "GW H1"][:4] == [
        "一、基本情况", "二、主要做法和亮点", "三、存在问题", "四、下步要求"]
    basics = next(t for t in texts if t.startswith("全县248个"))
    assert "共有4个所站完成打分评定，全县平均得分78.00分" in basics
    ranking = [[c.text for c in row.cells] for row in doc.tables[0].rows[1:3]]
    zhongxing, laian = names.loc["001", "乡镇（街道）"], names.loc["020", "乡镇（街道）"]
    assert ranking == [["1", zhongxing, "16", "3", "84.00", "—"], ["2", laian, "16", "1", "60.00", "—"]]
    table = [[c.text for c in row.cells] for row in doc.tables[1].rows[1:]]
    assert [r[1] for r in table] == ["003", "001", "002", "020"]
    assert [r[4:] for r in table] == [["—", "90.00", "90.00"], ["90.00", "80.00", "87.00"], ["75.00", "—", "75.00"],
                                      ["60.00", "—", "60.00"]]
    assert sum(float(r[6]) for r in table) / len(table) == s["average"]
    assert any(names.loc["020", "所站名称"] in t and "限期整改" in t for t in texts)
    assert any(t.startswith("检查发现问题2个，按类别：") and "台账资料1个" in t and "群众参与1个" in t for t in texts)
    assert any(t.startswith("抽查所站按公开的抽样方法随机产生") and "泗阳县新时代文明实践中心网站公布" in t
               for t in texts)
    # One month of scores: the bars as 图1, and a sentence instead of a one-point trend.
    assert len(doc.inline_shapes) == 1 and "图1　各乡镇（街道）平均得分" in texts
    assert "近6个月中仅1个月有评分数据，暂不绘制得分趋势图。" in texts
    # The cases in the body leave out the commended station; every problem is in attachment 3.
    assert [[c.text for c in row.cells][1:] for row in doc.tables[2].rows[1:]] == [
        [names.loc["002", "乡镇（街道）"], names.loc["002", "所站名称"], "群众参与", "群众参与人数偏少"],
        [names.loc["020", "乡镇（街道）"], names.loc["020", "所站名称"], "台账资料", "活动记录不完整"]]


def test_html_escapes_station_text_and_inlines_charts(compiled: dict) -> None:
    html = (compiled["out"] / "circular.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert html.count("<svg") == 1 and "<!--" not in html and "<figcaption>图1　各乡镇（街道）平均得分</figcaption>" in html
    md = (compiled["out"] / "circular.md").read_text(encoding="utf-8")
    assert "<script>" not in md and "| 1 |" in md


def test_rerun_is_byte_identical(compiled: dict, county: str) -> None:
    from flows.monthly import compile_

    before = {p.name: p.read_bytes() for p in compiled["out"].glob("circular.*")}
    compile_(county=county, month=MONTH)
    assert {p.name: p.read_bytes() for p in compiled["out"].glob("circular.*")} == before
    assert set(before) == {"circular.docx", "circular.html", "circular.md"}


def test_feedback_carries_over_to_the_next_month(compiled: dict, county: str, settings) -> None:
    from flows.monthly import compile_, draft, review, sample

    runner = CliRunner()
    listed = runner.invoke(app, ["feedback", "list", "--json"])
    [item] = json.loads(listed.output)
    assert item["content"] == "建议完善活动台账" and item["status"] == "open" and item["category"] == "台账资料"
    assert compiled["summary"]["feedback_new"] == 1 and compiled["summary"]["feedback_open"] == 1
    assert runner.invoke(app, ["feedback", "close", str(item["id"]), "--note", "已建立台账",
                               "--month", "2027-01"]).exit_code == 0
    draft(county=county, month="2027-01")
    review(county=county, month="2027-01")
    sample(county=county, month="2027-01")
    january = compile_(county=county, month="2027-01", allow_empty=True)
    assert (january["feedback_new"], january["feedback_closed"], january["feedback_total"],
            january["feedback_open"]) == (0, 1, 1, 0)
    text = (Path(settings.out) / "2027-01" / "circular.md").read_text(encoding="utf-8")
    assert "本月新收集意见建议 0 条，办结 1 条，累计 1 条，尚未办结 0 条" in text
    assert "本月未开展督查评分" in text
    exported = Path(settings.out) / "feedback.xlsx"
    assert runner.invoke(app, ["feedback", "export", str(exported)]).exit_code == 0
    import openpyxl

    row = [c.value for c in openpyxl.load_workbook(exported).active[2]]
    assert "已办结" in row and "已建立台账" in row


def test_numbers_come_from_the_register_and_the_draft_has_none(compiled: dict) -> None:
    out = compiled["out"]
    draft = [p.text for p in Document(out / "plan-v1.docx").paragraphs]
    assert not any("文件" in t or "〔" in t for t in draft[:8]) and "（征求意见稿）" in draft
    official = [p.text for p in Document(out / "plan-v2.docx").paragraphs]
    assert official[0] == "泗阳县精神文明建设委员会办公室文件" and "泗文明办〔2026〕41号" in official
    listed = CliRunner().invoke(app, ["numbers", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [(n["year"], n["number"], n["document"], n["month"]) for n in json.loads(listed.output)] == [
        (2026, 41, "plan", MONTH), (2026, 42, "circular", MONTH)]
    refused = CliRunner().invoke(app, ["numbers", "set", "--year", "2026", "--next", "42"])
    assert refused.exit_code == 2 and "泗文明办〔2026〕42号已经使用，下一个文号至少为 43" in refused.output
    assert "Traceback" not in refused.output
    # the first paragraph of an issued document is the fitted red mark
    signature = [p for p in Document(out / "circular.docx").paragraphs if p.style.name == "GW Signature"]
    assert [(p.text, p.paragraph_format.right_indent.pt) for p in signature] == [
        ("泗阳县精神文明建设委员会办公室", 0.0), ("2026年12月10日", 64.0)]  # the date centred under the office
    mark = Document(out / "circular.docx").paragraphs[0]
    assert mark.style.name == "GW Issuer" and mark.runs[0].font.size.pt == 41.5
