"""Document contexts and the review's closing rules on tiny literal inputs: exact values, no Prefect, no database."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from activity_day.documents import charts, contexts
from activity_day.domain import closing
from activity_day.domain.circular import CircularFacts
from activity_day.domain.planning import draft_month
from activity_day.domain.profile import load_profile
from tests.conftest import DEMO_PROFILE

PROFILE = load_profile(DEMO_PROFILE)
PLAN = draft_month(PROFILE, "2026-12").plan.model_copy(update={"required_codes": ["LL-01", "WH-01"]})
STATIONS = pd.DataFrame({
    "code": ["001", "002", "003"], "name": ["东站", "西站", "南站"], "township": ["东镇", "西镇", "东镇"],
    "leader": ["王一", "李二", "张三"], "phone": ["13800000001", "13800000002", "13800000003"],
})
PLANS = pd.DataFrame({"station_code": ["001"], "channel": ["excel"], "activity_count": [2], "late": [True]})
ACTIVITIES = pd.DataFrame({
    "station_code": ["001", "001"], "seq": [1, 2], "name": ["理论宣讲", "理论宣讲"],
    "task": ["学习实践科学理论", "学习实践科学理论"], "action_kind": ["规定动作", "自选动作"],
    "checklist_code": ["LL-01", None],
})


def test_reminder_list_gives_each_missing_station_its_message_under_the_registry_headers() -> None:
    missing = STATIONS.iloc[1:].reset_index(drop=True)
    sheet = contexts.reminder_list(missing, office="泗阳县文明办", month="2026年12月", deadline="2026年12月2日")
    assert sheet.to_dict("records") == [
        {"所站编号": "002", "所站名称": "西站", "乡镇（街道）": "西镇", "负责人": "李二", "联系电话": "13800000002",
         "提醒短信": "【泗阳县文明办】西站负责同志：2026年12月新时代文明实践集中活动日活动计划请于2026年12月2日前"
                     "通过微信小程序报送，如已报送请忽略。"},
        {"所站编号": "003", "所站名称": "南站", "乡镇（街道）": "东镇", "负责人": "张三", "联系电话": "13800000003",
         "提醒短信": "【泗阳县文明办】南站负责同志：2026年12月新时代文明实践集中活动日活动计划请于2026年12月2日前"
                     "通过微信小程序报送，如已报送请忽略。"},
    ]


def test_collect_report_figures_sheets_and_artifacts() -> None:
    report = contexts.collect_report(STATIONS, PLANS, ACTIVITIES, plan=PLAN, profile=PROFILE, month="2026-12")
    assert report.summary == {"stations": 3, "submitted": 1, "missing": 2, "activities": 2, "late": 1,
                              "uncovered_required": 1}
    assert report.title == "2026年12月活动计划报送情况"
    assert [name for name, _ in report.sheets] == ["未报送所站", "规定动作未覆盖", "逾期报送", "按乡镇", "按任务",
                                                   "按动作类型"]
    sheets = dict(report.sheets)
    assert sheets["未报送所站"]["所站编号"].tolist() == ["003", "002"]  # by township, then code
    assert sheets["规定动作未覆盖"].to_dict("records") == [{
        "所站编号": "001", "所站名称": "东站", "乡镇（街道）": "东镇", "负责人": "王一", "联系电话": "13800000001",
        "未安排的规定动作": "WH-01",
        "提醒短信": "【泗阳县文明办】东站负责同志：贵所（站）2026年12月活动计划尚未安排规定动作WH-01，请补充后重新报送。"}]
    assert sheets["逾期报送"].to_dict("records") == [
        {"所站编号": "001", "所站名称": "东站", "乡镇（街道）": "东镇", "报送渠道": "excel"}]
    assert sheets["按乡镇"].to_dict("records") == [
        {"乡镇（街道）": "东镇", "所站数": 2, "已报送": 1, "计划活动数": 2},
        {"乡镇（街道）": "西镇", "所站数": 1, "已报送": 0, "计划活动数": 0}]
    assert list(sheets["按任务"].columns) == ["工作任务", "计划活动数"]
    assert list(sheets["按动作类型"].columns) == ["动作类型", "计划活动数"]
    assert [(key, len(rows), text) for key, rows, text in report.tables] == [
        ("missing", 2, "2026年12月未报送活动计划的所站（2个）"),
        ("required", 1, "2026年12月未安排全部规定动作的所站（1个）"),
        ("townships", 2, "2026年12月各乡镇（街道）报送情况")]
    assert report.tables[1][1] == [{"所站编号": "001", "所站名称": "东站", "乡镇（街道）": "东镇",
                                    "未安排的规定动作": "WH-01"}]
    assert report.progress == (100.0 / 3, "2026年12月活动计划报送进度（已报送/所站总数）")
    md = report.markdown
    assert (md["month_label"], md["deadline"], md["s"]) == ("2026年12月", "2026年12月2日", report.summary)
    assert [r["code"] for r in md["missing"]] == ["003", "002"]


def test_collect_report_without_stations_has_no_progress() -> None:
    none = STATIONS.iloc[:0]
    report = contexts.collect_report(none, PLANS.iloc[:0], ACTIVITIES.iloc[:0], plan=PLAN, profile=PROFILE,
                                     month="2026-12")
    assert report.progress is None and report.summary["stations"] == 0


def _figures(averages: list[float | None]) -> dict:
    results = pd.DataFrame({"station_code": ["001", "003"], "name": ["东站", "南站"], "township": ["东镇", "东镇"],
                            "team_score": [92.0, 80.0], "observer_score": [None, None], "final": [92.0, 80.0],
                            "scorers": [1, 1]})
    return {
        "results": results, "commended": results.iloc[:1], "rectify": results.iloc[:0],
        "ranking": pd.DataFrame({"rank": [1, None], "township": ["东镇", "西镇"], "stations": [2, 1],
                                 "scored": [2, 0], "average": averages}),
        "problems": pd.DataFrame(columns=["station_code", "name", "township", "mode", "problems", "category"]),
        "categories": pd.DataFrame(columns=["category", "count"]),
        "trend": pd.DataFrame({"month": ["2026-11", "2026-12"], "scored": [0, 2], "average": [None, 86.0]}),
        "unscored": pd.DataFrame(columns=["station_code", "name", "township"]),
        "observed": results.iloc[:0], "cases": {},
        "summary": {"stations": 3, "scored": 2, "average": 86.0, "previous_average": None, "change": None,
                    "feedback_total": 0},
    }


def _facts(figures: dict) -> CircularFacts:
    rectification = {"stations": 0, "findings": 0, "deadline_cn": "2026年12月25日", "last_month": 0,
                     "overdue_total": 0, "overdue_stations": 0, "overdue_townships": 0, "overdue_rows": [],
                     "overdue_worst": []}
    return CircularFacts(month="2026-12", signed=PLAN.dates.compile, deadline=PLAN.dates.compile + timedelta(days=15),
                         figures=figures, rectification=rectification, new_findings=[], teams=1,
                         record_number="泗文明办抽〔2026〕12号")


def test_circular_context_carries_the_summary_and_the_highlights() -> None:
    figures = _figures([86.0, None])
    ctx = contexts.circular_context(_facts(figures), ACTIVITIES, profile=PROFILE, plan=PLAN,
                                    doc_number="泗文明办〔2026〕24号")
    assert ctx["title"] == "关于2026年12月新时代文明实践集中活动日督查情况的通报"
    assert (ctx["month_label"], ctx["doc_number"]) == ("2026年12月", "泗文明办〔2026〕24号")
    assert ctx["issuer"] == "泗阳县精神文明建设委员会办公室文件"
    assert (ctx["signed_cn"], ctx["s"]) == ("2026年12月10日", figures["summary"])
    assert ctx["commended"] == [{"station_code": "001", "name": "东站", "township": "东镇", "team_score": 92.0,
                                 "observer_score": None, "final": 92.0, "scorers": 1, "activities": "理论宣讲",
                                 "label": "东镇东站"}]
    assert (ctx["publish_at"], ctx["record_number"]) == ("泗阳县新时代文明实践中心网站", "泗文明办抽〔2026〕12号")
    # the three attachments every circular has; no overdue findings and no check-ins: no fourth or fifth
    assert ctx["attachments"] == [{"key": "ranking", "number": 1}, {"key": "results", "number": 2},
                                  {"key": "problems", "number": 3}]
    assert ctx["requirements"] == ["general"] and ctx["sections"] == {"lectures": None, "problems": 3, "next": 4}
    assert ctx["ranking"][1] == {"rank": None, "township": "西镇", "stations": 1, "scored": 0, "average": None}
    assert ctx["trend"] == [{"month": "2026-11", "scored": 0, "average": None},
                            {"month": "2026-12", "scored": 2, "average": 86.0}]
    assert ctx["has_charts"] is True and ctx["has_trend"] is False  # one month with scores: no trend drawn
    series = contexts.chart_series(figures)
    assert pd.isna(series.pop("trend")[0])  # a month without scores: a gap in the line
    assert series == {"townships": ["东镇"], "averages": [86.0], "months": ["2026-11", "2026-12"]}


def test_a_month_without_township_averages_has_no_charts() -> None:
    figures = _figures([None, None])
    assert contexts.chart_series(figures) == {}
    assert contexts.circular_context(_facts(figures), ACTIVITIES, profile=PROFILE, plan=PLAN,
                                     doc_number="")["has_charts"] is False


def test_each_chart_is_drawn_once_and_matches_a_lone_drawing_in_both_formats() -> None:
    townships, averages = ["东镇", "西镇"], [86.0, 75.5]
    months, trend = ["2026-10", "2026-11", "2026-12"], [78.5, None, 80.75]
    svg, images = charts.circular_charts(townships, averages, months, trend)
    bars_png, width = images["bars_image"]
    assert width == 150 and images["trend_image"][1] == 150
    assert bars_png == charts.township_bars(townships, averages, fmt="png")
    assert images["trend_image"][0] == charts.trend_line(months, trend, fmt="png")
    assert svg["bars_svg"] == charts.inline_svg(charts.township_bars(townships, averages))
    assert svg["trend_svg"] == charts.inline_svg(charts.trend_line(months, trend))
    # A trend of one month is not drawn (the documents say why).
    svg, images = charts.circular_charts(townships, averages, months, [None, None, 80.75])
    assert set(svg) == {"bars_svg"} and set(images) == {"bars_image"}


def test_score_axes_start_just_below_the_lowest_score() -> None:
    assert charts.score_floor([82.05, 89.45]) == 75 and charts.score_floor([40.0]) == 35
    assert charts.score_floor([3.0]) == 0 and charts.score_floor([]) == 60


def test_typical_cases_leave_out_commended_stations_and_take_the_lowest_first() -> None:
    from activity_day.domain.aggregate import typical_cases

    problems = pd.DataFrame({"station_code": ["a", "b", "c", "c", "d"], "name": ["甲", "乙", "丙", "丙", "丁"],
                             "township": ["东镇"] * 5, "mode": ["onsite"] * 5,
                             "problems": ["台账不全", "台账缺页", "签到不规范", "台账不全", "人少"],
                             "category": ["台账资料", "台账资料", "台账资料", "台账资料", "群众参与"]})
    results = pd.DataFrame({"station_code": ["a", "b", "c", "d"], "final": [95.0, 70.0, 80.0, 85.0]})
    commended = pd.DataFrame({"station_code": ["a"]})
    cases = typical_cases(problems, results, commended)
    assert [c["station_code"] for c in cases["台账资料"]] == ["b", "c"]  # a is commended; c once
    assert [c["station_code"] for c in cases["群众参与"]] == ["d"]
    assert contexts.station_label("东镇", "东镇新村站") == "东镇新村站" and contexts.station_label("东镇", "新村站") == "东镇新村站"


def test_plan_context_draft_and_official() -> None:
    draft = contexts.plan_context(PLAN, profile=PROFILE, version=1, draft=True, doc_number="泗文明办〔2026〕20号",
                                  month="2026-12")
    assert draft["title"] == "关于开展2026年12月新时代文明实践集中活动日活动的通知"
    # The draft for comments has no masthead and no number, whatever number the row carries.
    assert (draft["issuer"], draft["doc_number"], draft["mark"]) == (None, None, None)
    assert (draft["signed_cn"], draft["draft"]) == ("2026年11月10日", True)
    assert (draft["comments"], draft["sample_share_cn"], draft["cn_numbers"][:3]) == (None, "三分之一", "一二三")
    assert draft["p"] == PLAN.stored()
    assert len(draft["checklist_rows"]) == PLAN.checklist_count
    official = contexts.plan_context(PLAN, profile=PROFILE, version=2, draft=False, doc_number="", month="2026-12")
    assert (official["issuer"], official["signed_cn"]) == ("泗阳县精神文明建设委员会办公室文件", "2026年11月17日")
    # 17 characters in 150 mm: narrowed to 60 % at about 15 mm high; HTML, which cannot narrow, gets smaller type.
    assert official["mark"] == {"size_pt": 41.5, "scale_pct": 60, "html_pt": 25.0}
    assert contexts.masthead("泗阳县文明办文件") == {"size_pt": 42.5, "scale_pct": 100, "html_pt": 42.5}


COMMENTS = pd.DataFrame({
    "id": [1, 2, 3, 4], "department": ["网信科", "理论科", "网信科", "版权科"],
    "content": ["建议增加", "同意", "再补充", "无意见"], "proposes_add": [[], [], [], []],
    "proposes_remove": [[], [], [], []], "source": ["form", "file", "form", "silence"],
    "source_ref": ["", "", "", "截至2026年11月17日未反馈"], "disposition": [None, "不采纳", None, "无意见"],
    "reason": [None, "已有", None, ""],
})


def test_closing_the_review_records_silence_and_defaults_the_undecided() -> None:
    departments = PROFILE.departments  # 理论科, 宣教科, 版权科, 网信科
    assert closing.answered_departments(COMMENTS) == {"网信科", "理论科"}
    assert closing.silent_departments(departments, COMMENTS) == ["宣教科", "版权科"]
    assert closing.silence_rows(["宣教科"], review_day_cn="2026年11月17日") == [
        {"department": "宣教科", "content": "无意见", "source": "silence", "source_ref": "截至2026年11月17日未反馈",
         "disposition": "无意见"}]
    assert closing.default_decisions(COMMENTS, "采纳") == [{"id": 1, "disposition": "采纳", "reason": ""},
                                                           {"id": 3, "disposition": "采纳", "reason": ""}]
    assert closing.in_department_order(COMMENTS, departments)["id"].tolist() == [2, 4, 1, 3]
    closing.check_default_disposition("采纳")
    with pytest.raises(ValueError):
        closing.check_default_disposition("不采纳")


def test_the_official_content_lists_every_comment_and_is_official() -> None:
    decided = COMMENTS.assign(disposition=["采纳", "不采纳", "采纳", "无意见"], reason=["", "已有", "", ""])
    comments = closing.in_department_order(decided, PROFILE.departments)
    from activity_day.domain.planning import load_checklist_catalog, load_learning_catalog

    content, edits = closing.official_content(PLAN, comments, load_learning_catalog(), load_checklist_catalog())
    assert edits == [] and content.status == "official"
    assert [(c.department, c.disposition) for c in content.comments] == [
        ("理论科", "不采纳"), ("版权科", "无意见"), ("网信科", "采纳"), ("网信科", "采纳")]
    learning, checklist = closing.month_item_rows(content)
    assert len(learning) == content.learning_count and len(checklist) == content.checklist_count
    assert "category_name" not in learning[0] and PLAN.status is None  # the draft is left as it was


def test_problem_categories_are_numbered_past_ten() -> None:
    from activity_day.documents.render import environment

    head = environment().from_string('{% import "_circular_prose.j2" as prose %}{{ prose.category_head(11, "甲", 2) }}')
    assert head.render() == "（十二）甲方面问题2个。"


def test_highlights_name_what_a_station_did_beyond_the_required_actions() -> None:
    acts = pd.DataFrame({"station_code": ["001"] * 5 + ["002"], "seq": [1, 2, 3, 4, 5, 1],
                         "name": ["课堂", "乙", "甲", "乙", "丁", "课堂"],
                         "action_kind": ["规定动作", "自选动作", "特色动作", "自选动作", "自选动作", "规定动作"]})
    # signature actions first, each name once, at most two; a station with only required actions has none
    assert contexts.station_highlights(acts).to_dict() == {"001": "甲、乙"}


def test_the_office_is_centred_over_a_date_four_characters_in() -> None:
    # 2026年12月10日: 8 digits at 8 pt and 3 characters at 16 pt = 112 pt; its centre 120 pt from the right.
    assert contexts.signature_indents("泗阳县文明办", "2026年12月10日") == {"name_pt": 72.0, "date_pt": 64.0}
    # a name wider than twice that distance stays flush right, and the date is centred under it
    assert contexts.signature_indents("泗阳县精神文明建设委员会办公室", "2026年12月1日") == {"name_pt": 0.0,
                                                                                 "date_pt": 68.0}
