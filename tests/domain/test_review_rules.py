"""Review rules without Prefect: what a comment or a decision must hold, and how adopted edits change the plan."""

from __future__ import annotations

import pandas as pd

from activity_day.domain.plan import PlanContent
from activity_day.domain.planning import draft_month, load_checklist_catalog, load_learning_catalog
from activity_day.domain.profile import load_profile
from activity_day.domain.review import apply_edits, check_decisions, check_form_comment, plan_codes
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
    assert errors == ["第1号意见（理论科）处理结果为“部分采纳”，必须填写理由", "第2号意见尚未处理"]


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
