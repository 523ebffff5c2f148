"""Each import refuses bad input with a line naming the row and the column, and writes nothing of it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import select

from activity_day.demo import write_xlsx
from activity_day.models import DepartmentComment, InspectionScore, PlannedActivity, Station, StationPlan
from activity_day.services.imports import import_file
from activity_day.store.database import transaction
from tests.intake_helpers import change_profile

MONTH = "2026-12"


def plan_row(code: str, **over) -> dict:
    row = {"所站编号": code, "活动名称": "理论宣讲", "任务类别": "学习实践科学理论", "动作类型": "规定动作",
           "开始时间": "2026/12/5 9:00", "活动地点": "活动室", "预计参与人数": 40}
    return row | over


def rows(model) -> list:
    with transaction() as session:
        return list(session.exec(select(model)).all())


def write(tmp_path: Path, name: str, records: list[dict]) -> Path:
    return write_xlsx(pd.DataFrame(records), tmp_path / name, "标题")


# --- stations ----------------------------------------------------------------------------------------

def test_station_registry_is_all_or_nothing(tmp_path: Path, county: str) -> None:
    good = {"所站编号": "001", "所站名称": "甲所", "类型": "所", "乡镇（街道）": "王集镇", "负责人": "王", "联系电话": "13800000000"}
    bad = good | {"所站编号": "002", "类型": "村", "联系电话": "abc"}
    report = import_file("stations", write(tmp_path, "s.xlsx", [good, bad]), county=county)
    assert report.exit_code == 1
    lines = report.lines()
    assert any("第4行" in line and "【类型】" in line and "“村”" in line for line in lines)
    assert any("第4行" in line and "【联系电话】" in line for line in lines)
    assert rows(Station) == []


def test_station_registry_wrong_header_exits_2(tmp_path: Path, county: str) -> None:
    path = tmp_path / "s.csv"
    path.write_text("编号,名称\n1,a\n", encoding="utf-8")
    report = import_file("stations", path, county=county)
    assert report.exit_code == 2 and len(report.lines()) == 1
    assert "表头" in report.lines()[0] and "所站编号" in report.lines()[0] and "s.csv" in report.lines()[0]
    assert rows(Station) == []


def test_station_registry_reimport_is_an_upsert(tmp_path: Path, registry: pd.DataFrame, county: str) -> None:
    path = write_xlsx(registry, tmp_path / "again.xlsx", "名录")
    assert import_file("stations", path, county=county).exit_code == 0
    assert len(rows(Station)) == len(registry) == 248


# --- plans ----------------------------------------------------------------------------------------------

def test_unknown_station_refuses_only_that_plan(tmp_path: Path, registry, county: str) -> None:
    path = write(tmp_path, "plans.xlsx", [plan_row("001"), plan_row("999"), plan_row("002")])
    report = import_file("plans", path, county=county, month=MONTH)
    assert report.exit_code == 1
    assert any("第4行" in line and "【所站编号】" in line and "“999”" in line and "没有这个编号" in line
               for line in report.lines())
    assert sorted(p.station_code for p in rows(StationPlan)) == ["001", "002"]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [("开始时间", "2026-13-45 9:00", "日期"), ("任务类别", "扶贫帮困", "任务类别应为"), ("动作类型", "必选动作", "动作类型应为")],
)
def test_bad_row_refuses_the_whole_station_plan(tmp_path: Path, registry, county: str, column, value, message) -> None:
    records = [plan_row("001"), plan_row("001", **{column: value}), plan_row("003")]
    report = import_file("plans", write(tmp_path, "p.xlsx", records), county=county, month=MONTH)
    assert report.exit_code == 1
    line = next(line for line in report.lines() if f"【{column}】" in line)
    assert "第4行" in line and message in line and "p.xlsx" in line
    assert [p.station_code for p in rows(StationPlan)] == ["003"]
    assert {a.station_code for a in rows(PlannedActivity)} == {"003"}  # nothing of 001, not even its good row


def test_plans_wrong_header_and_missing_file(tmp_path: Path, registry, county: str) -> None:
    bad = write(tmp_path, "p.xlsx", [{"所站编号": "001", "活动": "x"}])
    assert import_file("plans", bad, county=county, month=MONTH).exit_code == 2
    missing = import_file("plans", tmp_path / "none.xlsx", county=county, month=MONTH)
    assert missing.exit_code == 2 and "文件不存在" in missing.lines()[0]
    assert rows(StationPlan) == []


def test_resubmitted_plan_replaces_the_old_one(tmp_path: Path, registry, county: str) -> None:
    import_file("plans", write(tmp_path, "a.xlsx", [plan_row("001"), plan_row("001", 活动名称="二")]),
                county=county, month=MONTH)
    import_file("plans", write(tmp_path, "b.xlsx", [plan_row("001", 活动名称="新")]), county=county, month=MONTH)
    acts = rows(PlannedActivity)
    assert [a.name for a in acts] == ["新"] and len(rows(StationPlan)) == 1


# --- comments ----------------------------------------------------------------------------------------------

def test_comments_each_row_is_a_unit(tmp_path: Path, county: str) -> None:
    records = [{"部门": "理论科", "意见内容": "增加宣讲场次"}, {"部门": "财务科", "意见内容": "x"},
               {"部门": "网信科", "意见内容": ""}]
    report = import_file("comments", write(tmp_path, "c.xlsx", records), county=county, month=MONTH)
    assert report.exit_code == 1
    lines = report.lines()
    assert any("第4行" in line and "【部门】" in line and "财务科" in line for line in lines)
    assert any("第5行" in line and "【意见内容】" in line for line in lines)
    assert [c.department for c in rows(DepartmentComment)] == ["理论科"]
    # importing the same file again adds nothing
    import_file("comments", write(tmp_path, "c.xlsx", records), county=county, month=MONTH)
    assert len(rows(DepartmentComment)) == 1


def test_comments_wrong_header(tmp_path: Path, county: str) -> None:
    report = import_file("comments", write(tmp_path, "c.xlsx", [{"科室": "理论科", "内容": "x"}]),
                         county=county, month=MONTH)
    assert report.exit_code == 2 and rows(DepartmentComment) == []


# --- scores ----------------------------------------------------------------------------------------------

def test_scores_each_row_is_a_unit(tmp_path: Path, registry, county: str) -> None:
    records = [
        {"所站编号": "001", "检查方式": "线下", "评分人": "第一检查组", "得分": 92},
        {"所站编号": "777", "检查方式": "线下", "评分人": "第一检查组", "得分": 80},
        {"所站编号": "002", "检查方式": "现场", "评分人": "第一检查组", "得分": 80},
        {"所站编号": "003", "检查方式": "观察员", "评分人": "张三", "得分": 101},
        {"所站编号": "004", "检查方式": "线上", "评分人": "第二检查组", "得分": "八十"},
    ]
    report = import_file("scores", write(tmp_path, "s.xlsx", records), county=county, month=MONTH)
    assert report.exit_code == 1
    lines = report.lines()
    assert any("第4行" in line and "【所站编号】" in line and "777" in line for line in lines)
    assert any("第5行" in line and "【检查方式】" in line for line in lines)
    assert any("第6行" in line and "【得分】" in line and "101" in line for line in lines)
    assert any("第7行" in line and "【得分】" in line for line in lines)
    assert [(s.station_code, s.score) for s in rows(InspectionScore)] == [("001", 92.0)]


def test_scores_wrong_header(tmp_path: Path, registry, county: str) -> None:
    report = import_file("scores", write(tmp_path, "s.xlsx", [{"所站编号": "001", "分数": 90}]),
                         county=county, month=MONTH)
    assert report.exit_code == 2 and rows(InspectionScore) == []


def test_registry_reimport_with_numeric_codes_keeps_the_codes(tmp_path: Path, registry: pd.DataFrame,
                                                              county: str) -> None:
    numeric = registry.assign(所站编号=registry["所站编号"].astype(int))
    assert import_file("stations", write_xlsx(numeric, tmp_path / "n.xlsx", "名录"), county=county).exit_code == 0
    codes = sorted(s.code for s in rows(Station))
    assert codes == sorted(registry["所站编号"]) and all(s.active for s in rows(Station))
    twice = pd.concat([registry.head(2), registry.head(1).assign(所站编号="1")])
    report = import_file("stations", write_xlsx(twice, tmp_path / "d.xlsx", "名录"), county=county)
    assert report.exit_code == 1 and any("与第3行的所站编号重复" in line for line in report.lines())


def test_reimporting_comments_keeps_decisions(tmp_path: Path, county: str) -> None:
    from activity_day.store import crud

    path = write(tmp_path, "c.xlsx", [{"部门": "理论科", "意见内容": "增加宣讲场次"}])
    import_file("comments", path, county=county, month=MONTH)
    with transaction() as session:
        [comment] = rows(DepartmentComment)
        crud.set_dispositions(session=session, decisions=[{"id": comment.id, "disposition": "不采纳", "reason": "已安排"}])
    import_file("comments", path, county=county, month=MONTH)
    [again] = rows(DepartmentComment)
    assert (again.disposition, again.reason) == ("不采纳", "已安排")


def test_header_only_and_repeated_header_files_are_unusable(tmp_path: Path, county: str) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("部门,意见内容\n", encoding="utf-8")
    report = import_file("comments", empty, county=county, month=MONTH)
    assert report.exit_code == 2 and "没有数据" in report.lines()[0]
    twice = tmp_path / "twice.csv"
    twice.write_text("部门,意见内容,部门\n理论科,好,宣教科\n", encoding="utf-8")
    report = import_file("comments", twice, county=county, month=MONTH)
    assert report.exit_code == 2 and "【部门】" in report.lines()[0] and "两次" in report.lines()[0]


# --- one spelling, honest counts, the same limits as the API ----------------------------------------------

def test_registry_with_both_bracket_spellings_yields_one_township(tmp_path: Path, county: str) -> None:
    base = {"类型": "站", "负责人": "王 伟", "联系电话": "13800000000"}
    records = [base | {"所站编号": "001", "所站名称": "来安街道（开发区）新时代文明实践所", "类型": "所",
                       "乡镇（街道）": "来安街道（开发区）"},
               base | {"所站编号": "002", "所站名称": "来安街道(开发区)东园社区新时代文明实践站",
                       "乡镇（街道）": "来安街道(开发区)"},
               base | {"所站编号": "003", "所站名称": " 来安街道（开发区） 西园社区新时代文明实践站",
                       "乡镇（街道）": "来安街道（开发区）　"}]
    assert import_file("stations", write(tmp_path, "s.xlsx", records), county=county).exit_code == 0
    stations = rows(Station)
    assert {s.township for s in stations} == {"来安街道（开发区）"} and {s.leader for s in stations} == {"王伟"}
    assert "来安街道（开发区）东园社区新时代文明实践站" in {s.name for s in stations}


def test_plans_file_enforces_max_activities_with_the_api_message(tmp_path: Path, registry, county: str) -> None:

    change_profile(county, {"intake.max_activities": 2})
    records = [plan_row("001")] * 3 + [plan_row("002")] * 2
    report = import_file("plans", write(tmp_path, "p.xlsx", records), county=county, month=MONTH)
    assert report.exit_code == 1 and report.refused == ["001"] and report.accepted == ["002"]
    [line] = [line for line in report.lines() if "活动不能超过2项" in line]
    assert "第5行" in line and "【所站编号】" in line and "共3项" in line  # the third row of 001, under a title
    assert [p.station_code for p in rows(StationPlan)] == ["002"] and len(rows(PlannedActivity)) == 2


def test_a_repeated_comment_is_refused_and_the_count_is_honest(tmp_path: Path, county: str) -> None:
    records = [{"部门": "理论科", "意见内容": "增加宣讲场次"}, {"部门": "理论 科", "意见内容": "增加宣讲场次"},
               {"部门": "宣教科", "意见内容": "增加宣讲场次"}]
    report = import_file("comments", write(tmp_path, "c.xlsx", records), county=county, month=MONTH)
    assert report.exit_code == 1 and report.refused == ["第4行"]  # rows 3 to 5, under a title row
    assert any("第4行" in line and "与第3行的意见重复" in line for line in report.lines())
    assert report.rows_written == len(rows(DepartmentComment)) == 2
    assert "写入 2 行" in report.lines()[-1]


def test_long_file_names_fit_the_source_columns(tmp_path: Path, registry, county: str) -> None:
    name = "泗阳县" + "x" * 240 + ".xlsx"  # 248 characters
    path = write(tmp_path, name, [{"所站编号": "001", "检查方式": "线下", "评分人": "第一检查组", "得分": 90}])
    report = import_file("scores", path, county=county, month=MONTH)
    assert report.exit_code == 0 and report.file == name
    [score] = rows(InspectionScore)
    assert len(score.source_ref) <= 200 and score.source_ref.startswith("泗阳县") and score.source_ref.endswith(".xlsx:3")
