"""Review rules without Prefect: what a comment or a decision must hold, and how adopted edits change the plan."""

from __future__ import annotations

import pandas as pd

from activity_day.domain.closing import official_content
from activity_day.domain.plan import PlanContent
from activity_day.domain.plan_rules import plan_rule_violations
from activity_day.domain.planning import (
    draft_month,
    foreign_festival_codes,
    load_checklist_catalog,
    load_learning_catalog,
)
from activity_day.domain.profile import load_profile
from activity_day.domain.review import (
    amendment_text,
    apply_edits,
    check_decisions,
    check_form_comment,
    means_no_comment,
    plan_codes,
    recorded_comment,
)
from activity_day.intake import validate_comments
from tests.conftest import DEMO_PROFILE

PROFILE = load_profile(DEMO_PROFILE)
LEARNING, CHECKLIST = load_learning_catalog(), load_checklist_catalog()
CATALOG = set(LEARNING["code"]) | set(CHECKLIST["code"])
DEPTS = PROFILE.departments


def content(month: str = "2027-01") -> PlanContent:
    return draft_month(PROFILE, month).plan


def test_january_2027_plan_is_complete() -> None:
    plan = content("2027-01")
    assert plan.activity_date.isoformat() == "2027-01-05" and plan.learning_count == 20
    assert {m.name for m in plan.marks} >= {"元旦", "腊八节", "中国人民警察节"}
    assert set(plan.required_codes) == set(CHECKLIST[CHECKLIST["required"]]["code"])
    assert [p.name for p in plan.programs][:2] == ["百名书记大宣讲", "“泗大姐”理论宣讲"]


def test_form_comment_checks() -> None:
    in_plan = plan_codes(content())
    outside = next(c for c in sorted(CATALOG) if c not in in_plan)
    assert check_form_comment({"department": "理论科", "comment": "好", "add_items": [outside]},
                              departments=DEPTS, catalog_codes=CATALOG, in_plan=in_plan) == []
    errors = check_form_comment({"department": "财务科", "comment": "", "add_items": ["NOPE-1"],
                                 "remove_items": [outside]}, departments=DEPTS, catalog_codes=CATALOG, in_plan=in_plan)
    assert any("部门应为" in e for e in errors)
    assert any("NOPE-1" in e and "题库" in e for e in errors)
    assert any(outside in e and "不在本月方案中" in e for e in errors)
    assert any("说明理由" in e for e in errors)


def test_decision_checks_require_reasons_and_every_comment() -> None:
    base = {"department": "理论科", "comment": "x"}
    ok = [base | {"comment_id": 1, "disposition": "采纳"}, base | {"comment_id": 2, "disposition": "不采纳",
                                                                    "reason": "不符合本月安排"}]
    assert check_decisions(ok, comment_ids={1, 2}, catalog_codes=CATALOG, in_plan=set()) == []
    errors = check_decisions([base | {"comment_id": 1, "disposition": "部分采纳", "reason": " "}],
                             comment_ids={1, 2}, catalog_codes=CATALOG, in_plan=set())
    assert errors == ["第1号意见（理论科）处理结果为“部分采纳”，必须填写理由",
                      "第1号意见（理论科）：“部分采纳”且不增删清单编号时，须填写“修改内容”（写入正式方案的内容）",
                      "第2号意见尚未处理"]
    # a partial adoption says what it adopts: codes, or the text the plan states
    worded = base | {"comment_id": 1, "disposition": "部分采纳", "reason": "场次按实际安排", "amendment": "增加宣讲场次"}
    assert check_decisions([worded], comment_ids={1}, catalog_codes=CATALOG, in_plan=set()) == []


def test_adopted_edits_change_the_plan_and_rejected_ones_do_not() -> None:
    plan = content()
    in_plan = plan_codes(plan)
    add_learning = next(c for c in LEARNING["code"] if c not in in_plan and c.startswith("CULTURE"))
    add_check = next(c for c in CHECKLIST["code"] if c not in in_plan and c.startswith("WH"))
    removed = plan.learning[0].items[1].code
    comments = pd.DataFrame([
        {"department": "理论科", "disposition": "采纳", "proposes_add": [add_learning], "proposes_remove": [removed]},
        {"department": "宣教科", "disposition": "部分采纳", "proposes_add": [add_check], "proposes_remove": []},
        {"department": "网信科", "disposition": "不采纳", "proposes_add": [],
         "proposes_remove": [plan.learning[1].items[0].code]},
    ])
    new, edits = apply_edits(plan, comments, LEARNING, CHECKLIST)
    codes = plan_codes(new)
    assert add_learning in codes and add_check in codes and removed not in codes
    assert plan.learning[1].items[0].code in codes  # 不采纳 leaves the plan alone
    assert [e.action for e in edits] == ["删除", "增加", "增加"] and new.edits == edits
    culture = next(c for c in new.learning if c.name == "文化生活")
    assert culture.items[-1].code == add_learning and [i.seq for i in culture.items] == [1, 2, 3, 4, 5]
    assert [i.seq for i in new.learning[0].items] == [1, 2, 3]
    assert new.learning_count == 20 and plan.learning_count == 20  # the draft is not modified in place
    assert plan.edits is None and plan_codes(plan) != codes
    assert new.required_codes == [i.code for b in new.checklist for i in b.items if i.required]


SAYS_NOTHING = ["无意见", "无", "没有意见", "无修改意见", "同意", "无异议", "同意。", "无意见，同意", " 暂无意见 ", "",
                "原则同意该方案", "无其他意见。", "没问题", "无意见建议"]
SAYS_SOMETHING = ["建议增加“板凳课堂”宣讲场次", "同意，建议增加板凳课堂", "好", "无人机表演不宜安排", "意见：无障碍设施"]


def test_one_function_decides_what_is_no_comment() -> None:
    assert [t for t in SAYS_NOTHING if not means_no_comment(t)] == []
    assert [t for t in SAYS_SOMETHING if means_no_comment(t)] == []
    assert recorded_comment("同意。") == ("无意见", "无意见")
    assert recorded_comment(" 建议增加宣讲 ") == ("建议增加宣讲", None)


def test_a_form_comment_of_no_comment_cannot_carry_codes() -> None:
    in_plan = plan_codes(content())
    outside = next(c for c in sorted(CATALOG) if c not in in_plan)
    errors = check_form_comment({"department": "理论科", "comment": "同意", "add_items": [outside]},
                                departments=DEPTS, catalog_codes=CATALOG, in_plan=in_plan)
    assert errors == ["提出增删清单项目时，请在“意见内容”中说明理由"]


def test_a_file_comment_of_no_comment_is_recorded_as_silence() -> None:
    frame = pd.DataFrame([
        {"部门": "理论科", "意见内容": "同意", "处理意见": "采纳", "处理理由": None, "_row": 2},
        {"部门": "宣教科", "意见内容": "无修改意见。", "处理意见": None, "处理理由": None, "_row": 3},
        {"部门": "版权科", "意见内容": "建议强化版权宣传", "处理意见": "部分采纳", "处理理由": "按月安排", "_row": 4},
        {"部门": "网信科", "意见内容": "建议强化网络文明", "处理意见": "部分采纳", "处理理由": "按月安排",
         "修改内容": "增加网络文明宣传内容", "_row": 5},
    ])
    result = validate_comments(frame, "c.xlsx", departments=DEPTS)
    rows = {r["department"]: r for unit in result.units.values() for r in unit}
    assert (rows["理论科"]["content"], rows["理论科"]["disposition"]) == ("无意见", "无意见")
    assert (rows["宣教科"]["content"], rows["宣教科"]["disposition"]) == ("无意见", "无意见")
    assert rows["网信科"]["amendment"] == "增加网络文明宣传内容"
    assert "版权科" not in rows  # 部分采纳 without codes and without 修改内容: refused, with the reason
    assert [(p.row, p.column) for p in result.problems] == [(4, "修改内容")]


def test_amendment_text_is_the_comment_as_the_plan_states_it() -> None:
    assert amendment_text("建议增加“板凳课堂”宣讲场次") == "增加“板凳课堂”宣讲场次。"
    assert amendment_text("根据理论科意见，增加“板凳课堂”宣讲场次；") == "增加“板凳课堂”宣讲场次。"
    assert amendment_text("请在清单中增加网络文明内容。") == "在清单中增加网络文明内容。"


def test_every_adopted_comment_changes_the_official_plan() -> None:
    plan = content()
    in_plan = plan_codes(plan)
    foreign = foreign_festival_codes(plan, LEARNING, CHECKLIST)
    add_check = next(c for c in CHECKLIST["code"] if c not in in_plan and c not in foreign)
    comments = pd.DataFrame([
        {"id": 1, "department": "理论科", "content": "建议增加“板凳课堂”宣讲场次。", "proposes_add": [],
         "proposes_remove": [], "disposition": "采纳", "reason": "", "amendment": ""},
        {"id": 2, "department": "宣教科", "content": "建议增加文艺活动", "proposes_add": [add_check],
         "proposes_remove": [], "disposition": "采纳", "reason": "", "amendment": ""},
        {"id": 3, "department": "版权科", "content": "建议多开展版权宣传和培训", "proposes_add": [],
         "proposes_remove": [], "disposition": "部分采纳", "reason": "培训另行安排", "amendment": "开展版权宣传"},
        {"id": 4, "department": "网信科", "content": "建议取消线下巡查", "proposes_add": [], "proposes_remove": [],
         "disposition": "不采纳", "reason": "巡查为规定动作", "amendment": ""},
    ])
    official, edits = official_content(plan, comments, LEARNING, CHECKLIST)
    assert [(c.department, c.amendment) for c in official.amendments()] == [
        ("理论科", "增加“板凳课堂”宣讲场次。"), ("版权科", "开展版权宣传。")]
    assert [e.code for e in official.comments[1].edits] == [add_check] and official.comments[1].amendment is None
    assert official.comments[3].edits is None and official.comments[3].amendment is None
    assert [e.code for e in edits] == [add_check]
    assert plan_rule_violations(official) == []
    # a 无意见 of a department that also commented is not kept in the record
    both = pd.concat([comments, pd.DataFrame([{"id": 5, "department": "理论科", "content": "无意见", "proposes_add": [],
                                              "proposes_remove": [], "disposition": "无意见", "reason": "",
                                              "amendment": ""}])])
    assert len(official_content(plan, both, LEARNING, CHECKLIST)[0].comments) == 4


def test_a_comment_may_not_add_another_months_festival_item() -> None:
    plan = content("2027-01")
    foreign = foreign_festival_codes(plan, LEARNING, CHECKLIST)
    spring = next(c for c, f in foreign.items() if f == "春节" and c not in plan_codes(plan))
    assert "元旦" not in foreign.values() and "腊八节" not in foreign.values()
    errors = check_form_comment({"department": "宣教科", "comment": "建议增加春节活动", "add_items": [spring]},
                                departments=DEPTS, catalog_codes=CATALOG, in_plan=plan_codes(plan), foreign=foreign)
    assert errors == [f"建议增加的编号“{spring}”对应春节，不是本月的节日或纪念日，方案只列本月的节日"]
