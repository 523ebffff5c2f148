"""The year-round evaluation on a generated quarter: the evaluate flow, its documents, its evidence traced back
to the stored records, the site-visit import with 回避, and the command's JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from docx import Document as Word
from sqlmodel import select

from activity_day.cli.demo import run_demo
from activity_day.context import bound
from activity_day.demo import write_xlsx
from activity_day.models import AssessedScore, FeedbackItem, InspectionScore, StationEvaluation, StationPlan
from activity_day.services.imports import ImportClock, import_file
from activity_day.settings import Settings
from activity_day.store.database import transaction

pytestmark = pytest.mark.flow
COUNTY = "321323"


@pytest.fixture(scope="module")
def quarter(tmp_path_factory, prefect_server) -> dict:
    """A quarter of demo data (three months run through the flows), evaluated for 2027 by the demo."""
    root = tmp_path_factory.mktemp("quarter")
    settings = Settings(database_url=f"sqlite:///{root / 'db.sqlite'}", out=root / "out", inbox=root / "inbox",
                        log_file=root / "log.txt")
    with bound(settings):
        docs = run_demo("2027-03", root / "ws", months=3, echo=lambda _line: None)
    return {"root": root, "settings": settings, "docs": docs}


@pytest.fixture(autouse=True)
def in_quarter(quarter: dict):
    with bound(quarter["settings"]):
        yield


def test_a_generated_quarter_is_evaluated_with_documents(prefect_server, quarter: dict) -> None:
    folder = Path(quarter["settings"].out) / "evaluation" / "2027"
    assert quarter["docs"]["综合评价报告"] == folder / "evaluation-report.docx"
    text = "\n".join(p.text.replace("\n", "") for p in Word(folder / "evaluation-report.docx").paragraphs)  # titles in lines
    assert "泗阳县2027年度新时代文明实践所站综合评价报告" in text and "评价依据期内 3 个月" in text
    assert "四、重点关注所站" in text and "所站综合评价结果" in text
    html = (folder / "evaluation-report.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 1 and "各乡镇（街道）所站综合得分平均" in html
    cards = openpyxl.load_workbook(folder / "station-cards.xlsx")
    assert cards.sheetnames == ["综合评价", "指标明细", "乡镇概况", "重点关注"]
    results = list(cards["综合评价"].iter_rows(min_row=2, values_only=True))
    assert len(results) == 248
    with transaction() as session:
        stored = session.exec(select(StationEvaluation).where(StationEvaluation.period == "2027")).all()
    assert len(stored) == 248 and all(0 <= s.total <= 100 for s in stored)
    assert {s.stars for s in stored} >= {3, 4, 5}  # believable data: stations differ
    # the stars in the cards are the stored ones
    assert sorted(r[10] for r in results) == sorted(s.stars for s in stored)


def test_each_value_traces_back_to_stored_records(prefect_server, quarter: dict) -> None:
    from activity_day.flows.evaluation import evaluate

    rows = {r["code"]: r for r in evaluate(county=COUNTY, period="2027-Q1")["rows"]}
    with transaction() as session:
        plans = pd.DataFrame([p.model_dump() for p in session.exec(select(StationPlan)).all()])
        scores = pd.DataFrame([s.model_dump() for s in session.exec(select(InspectionScore)).all()])
        feedback = pd.DataFrame([f.model_dump() for f in session.exec(select(FeedbackItem)).all()])
        assessed = pd.DataFrame([a.model_dump() for a in session.exec(select(AssessedScore)).all()])
    for code, row in list(rows.items())[::25]:  # every 25th station
        ev = row["evidence"]
        mine = plans[plans["station_code"] == code]
        assert [r["month"] for r in ev["plan_submitted"]["records"]] == sorted(mine["month"])
        assert [r["late"] for r in ev["plan_on_time"]["records"]] == [bool(x) for x in mine.sort_values("month")["late"]]
        assert ev["plan_submitted"]["value"] == round(100 * len(mine) / 3, 2)
        got = scores[scores["station_code"] == code]
        assert sorted((r["month"], r["scorer"], r["score"]) for r in ev["inspection_score"]["records"]) == \
            sorted(zip(got["month"], got["scorer"], got["score"], strict=True))
        items = feedback[feedback["station_code"] == code] if len(feedback) else feedback
        assert sorted(r["id"] for r in ev["feedback_closed"]["records"]) == sorted(items["id"]) if len(items) else True
        site = assessed[(assessed["station_code"] == code) & (assessed["indicator"] == "site")]
        assert [r["assessor"] for r in ev["site"]["records"]] == list(site["assessor"])
        assert ev["site"]["value"] == pytest.approx(float(site["score"].mean()))
        assert set(row["dimensions"]) == {"阵地", "队伍", "活动", "项目", "机制", "质效"}


def test_site_visit_scores_refuse_an_assessor_from_the_station_township(prefect_server, quarter: dict) -> None:
    from activity_day.store import crud

    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=COUNTY)
        stations = crud.stations_frame(session=session, county=COUNTY)
    member = profile.teams[0].members[0]
    own = stations[stations["township"] == member.home_township].iloc[0]["code"]
    other = stations[stations["township"] != member.home_township].iloc[0]["code"]
    rows = pd.DataFrame({"所站编号": [own, other, other, other], "指标代码": ["site", "site", "smiles", "brand"],
                         "评估月份": ["2027-03", "2027-03", "2027-03", "2027-13"], "得分": [90, 88, 70, 101],
                         "评估人": [member.name, member.name, member.name, "路人甲"]})
    path = write_xlsx(rows, quarter["root"] / "实地评估.xlsx", "实地评估")
    report = import_file("evaluation", path, county=COUNTY)
    lines = "\n".join(report.lines())
    assert report.rows_written == 1 and len(report.refused) == 3
    assert f"居住在所站所在的{member.home_township}，应回避" in lines
    assert "应为县情配置中由实地评估填报的指标之一" in lines and "评估月份应为 YYYY-MM" in lines
    assert "不在县情配置的检查组成员和线上飞检人员中" in lines and "得分" in lines


def test_the_command_prints_the_json_contract(prefect_server, quarter: dict) -> None:
    from typer.testing import CliRunner

    from activity_day.cli.root import app

    result = CliRunner().invoke(app, ["evaluate", "--period", "2027-q1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["period"] == "2027-Q1" and data["months"] == ["2027-01", "2027-02", "2027-03"]
    first = data["stations"][0]
    assert set(first) >= {"code", "township", "dimensions", "total", "stars", "evidence"}
    assert all(0 <= s["total"] <= 100 for s in data["stations"])
    assert set(first["evidence"]["plan_submitted"]) >= {"value", "months", "records", "missing"}
    bad = CliRunner().invoke(app, ["evaluate", "--period", "2027-Q9"])
    assert bad.exit_code == 2 and "评价期间“2027-Q9”无效" in bad.output


def test_a_station_that_joined_one_that_left_and_one_without_a_record(prefect_server, quarter: dict) -> None:
    """In the generated quarter: 017 founded on 1 February, 018 closed on 28 February, and 249 registered in
    December without a record since: each evaluated on its own months, 249 with no total and no stars."""
    from datetime import UTC, date, datetime

    from typer.testing import CliRunner

    from activity_day.cli.root import app
    from activity_day.services.stations import set_lifetime
    from activity_day.store import crud

    with transaction() as session:
        registry = crud.stations_frame(session=session, county=COUNTY)
    sheet = registry.rename(columns={"code": "所站编号", "name": "所站名称", "kind": "类型", "township": "乡镇（街道）",
                                     "leader": "负责人", "phone": "联系电话"}).drop(columns=["longitude", "latitude"])
    added = pd.concat([sheet, sheet.iloc[[0]].assign(**{"所站编号": "249", "所站名称": "众兴街道新建社区新时代文明实践站"})])
    december = datetime(2026, 12, 20, 2, tzinfo=UTC)
    assert import_file("stations", write_xlsx(added, quarter["root"] / "名录249.xlsx", "名录"), county=COUNTY,
                       clock=ImportClock(now=december)).exit_code == 0
    set_lifetime(COUNTY, "017", today=date(2027, 3, 31), joined_on=date(2027, 2, 1))
    set_lifetime(COUNTY, "018", today=date(2027, 3, 31), left_on=date(2027, 2, 28))
    try:
        result = CliRunner().invoke(app, ["evaluate", "--period", "2027-Q1", "--json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout.strip().splitlines()[-1])
        rows = {s["code"]: s for s in data["stations"]}
        assert len(rows) == 249 and set(data["stations"][0]) == set(rows["249"])  # one shape for every station
        assert rows["017"]["evidence"]["plan_submitted"]["months"] == ["2027-02", "2027-03"]
        assert rows["018"]["evidence"]["plan_submitted"]["months"] == ["2027-01", "2027-02"]
        assert rows["018"]["stars"] is not None and rows["017"]["total"] is not None
        new = rows["249"]
        assert new["total"] is None and new["stars"] is None and set(new["dimensions"].values()) == {None}
        assert new["evidence"]["plan_submitted"]["missing"] == ["2027-01", "2027-02", "2027-03"]
        with transaction() as session:
            stored = session.exec(select(StationEvaluation).where(StationEvaluation.period == "2027-Q1",
                                                                  StationEvaluation.station_code == "249")).one()
        assert stored.total is None and stored.stars is None
        cards = openpyxl.load_workbook(Path(quarter["settings"].out) / "evaluation" / "2027-Q1" / "station-cards.xlsx")
        [row] = [r for r in cards["综合评价"].iter_rows(min_row=2, values_only=True) if r[0] == "249"]
        assert row[9] is None and row[10] is None  # 综合得分 and 星级 left empty
        report = Word(Path(quarter["settings"].out) / "evaluation" / "2027-Q1" / "evaluation-report.docx")
        assert "另有 1 个所站期内无记录、不评定星级" in "\n".join(p.text for p in report.paragraphs)
    finally:  # the module's other tests see the quarter as generated
        set_lifetime(COUNTY, "017", today=date(2027, 3, 31), joined_on=None)
        set_lifetime(COUNTY, "018", today=date(2027, 3, 31), left_on=None)
        import_file("stations", write_xlsx(sheet, quarter["root"] / "名录.xlsx", "名录"), county=COUNTY, clock=ImportClock(now=december))
