"""The rules of what a plan may say (activity_day.domain.plan_rules), over a year of drafts and on broken plans."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from activity_day.domain.dates import shift_month
from activity_day.domain.plan import PlanComment, PlanContent, PlanEdit
from activity_day.domain.plan_rules import plan_rule_violations, software_words
from activity_day.domain.planning import draft_month
from activity_day.domain.profile import load_profile
from tests.conftest import DEMO_PROFILE

PROFILE = load_profile(DEMO_PROFILE)


@pytest.fixture(scope="module")
def year() -> dict[str, PlanContent]:
    """Twelve months of drafts, each drafted with the lists of the months before (as the draft step does)."""
    learning = pd.DataFrame(columns=["code", "month"])
    checklist = pd.DataFrame(columns=["code", "month"])
    plans = {}
    month = "2027-01"
    for _ in range(12):
        drafted = draft_month(PROFILE, month, learning_history=learning, checklist_history=checklist)
        plans[month] = drafted.plan
        learning = pd.concat([learning, drafted.learning.assign(month=month)[["code", "month"]]], ignore_index=True)
        checklist = pd.concat([checklist, drafted.checklist.assign(month=month)[["code", "month"]]], ignore_index=True)
        month = shift_month(month, 1)
    return plans


def test_every_draft_of_a_year_keeps_the_rules(year: dict[str, PlanContent]) -> None:
    assert {month: plan_rule_violations(plan) for month, plan in year.items()} == dict.fromkeys(year, [])
    december = year["2027-12"]
    cited = {i.festival for cat in december.learning for i in cat.items} - {""}
    assert cited and cited <= {"国家宪法日", "国际志愿者日", "南京大屠杀死难者国家公祭日", "全国交通安全日", "冬至"}


def test_a_year_without_holiday_data_warns_the_operator_and_not_the_stations() -> None:
    drafted = draft_month(PROFILE, "2099-03")  # no holiday data for 2099 anywhere
    assert drafted.warnings and "2099年法定节假日安排尚未收录" in drafted.warnings[0]
    assert drafted.plan.notes == [] and plan_rule_violations(drafted.plan) == []


def test_a_foreign_festival_is_a_violation(year: dict[str, PlanContent]) -> None:
    plan = year["2027-12"].model_copy(deep=True)
    item = plan.learning[0].items[0]
    item.festival = "清明节"
    assert plan_rule_violations(plan) == [
        f"item {item.code} cites 清明节, not a festival or commemorative day of 2027-12"]
    plan = year["2027-12"].model_copy(deep=True)
    plan.marks[0].date = date(2027, 4, 5)
    assert plan_rule_violations(plan) == [f"mark {plan.marks[0].name} on 2027-04-05 is not in 2027-12"]


def test_the_draft_and_the_review_hold_a_plan_to_the_rules_before_storing_it(year: dict[str, PlanContent]) -> None:
    import inspect

    from activity_day.services import drafting, review

    plan = year["2027-12"].model_copy(deep=True)
    plan.learning[0].items[0].festival = "清明节"
    with pytest.raises(drafting.PlanContradiction, match="cites 清明节"):
        drafting.hold_to_rules(plan, "2027-12", 2)
    drafting.hold_to_rules(year["2027-12"], "2027-12", 1)  # a plan that keeps them passes
    # the check comes before the plan is stored (and, for the official plan, numbered and announced)
    for source, store in ((inspect.getsource(drafting.draft_plan), "crud.save_plan"),
                          (inspect.getsource(review.close_review), "numbers.assign")):
        assert -1 < source.index("hold_to_rules(") < source.index(store)


def test_software_words_are_violations(year: dict[str, PlanContent]) -> None:
    plan = year["2027-06"].model_copy(deep=True)
    plan.notes = ["2027年法定节假日安排尚未收录（chinese-calendar 暂无该年数据，县情配置也未提供节假日文件）"]
    assert plan_rule_violations(plan) == [
        "note 1 has the software word '尚未收录'", "note 1 has the software word 'chinese-calendar'",
        "note 1 has the software word '暂无该年数据'", "note 1 has the software word '县情配置'",
        "note 1 has the software word '节假日文件'"]
    assert software_words("详见 station-cards.xlsx，记录 3f9a0c2d1e4b5a6c") == ["station-cards.xlsx", "3f9a0c2d1e4b5a6c"]
    assert software_words("原定2027年10月5日适逢法定节假日，集中活动日顺延至2027年10月8日。LL-01 THEORY-05") == []


def test_a_deadline_before_the_issue_date_is_a_violation(year: dict[str, PlanContent]) -> None:
    plan = year["2027-03"].model_copy(deep=True)
    plan.dates.station_plans = plan.dates.draft
    assert plan_rule_violations(plan) == [
        f"deadline station_plans {plan.dates.draft} is not after the issue date {plan.dates.draft}"]
    official = year["2027-03"].model_copy(deep=True, update={"status": "official"})
    official.dates.scores = official.dates.review
    found = plan_rule_violations(official)
    assert f"deadline scores {official.dates.review} is not after the issue date {official.dates.review}" in found


def test_an_adopted_comment_that_changes_nothing_is_a_violation(year: dict[str, PlanContent]) -> None:
    plan = year["2027-02"].model_copy(deep=True, update={"status": "official"})
    plan.comments = [
        PlanComment(department="理论科", content="建议增加宣讲场次", disposition="采纳", reason=""),
        PlanComment(department="宣教科", content="建议增加", disposition="部分采纳", reason="x",
                    edits=[PlanEdit(action="增加", code="WH-06", department="宣教科")]),
        PlanComment(department="网信科", content="建议删除", disposition="不采纳", reason="y"),
        PlanComment(department="版权科", content="无意见", disposition="无意见", reason=""),
    ]
    assert plan_rule_violations(plan) == ["comment 1 of 理论科 is 采纳 but changes nothing in the plan"]
    plan.comments[0].amendment = "增加宣讲场次。"
    assert plan_rule_violations(plan) == []
