import pandas as pd

from activity_day.domain.dates import day_marks, parse_month, shift_month
from activity_day.domain.planning import (
    load_checklist_catalog,
    load_learning_catalog,
    select_checklist,
    select_learning,
)
from activity_day.domain.profile import load_profile
from activity_day.domain.profile_sections import LearningRules
from tests.conftest import DEMO_PROFILE

LEARNING = load_learning_catalog()
CHECKLIST = load_checklist_catalog()
PROFILE = load_profile(DEMO_PROFILE)
PER_CATEGORY = PROFILE.learning.per_category


def _learning(month: str, history: pd.DataFrame) -> pd.DataFrame:
    # The festivals the plan uses (month_calendar's marks), without the statutory-holiday lookup: these
    # selections must not depend on the years the installed chinese-calendar covers.
    marks = day_marks(*parse_month(month))
    return select_learning(LEARNING, county="321323", month=month, festivals={m.name for m in marks},
                           history=history, rules=LearningRules(per_category=PER_CATEGORY, no_repeat_months=3))


def test_catalog_sizes_and_unique_codes() -> None:
    assert len(LEARNING) >= 60 and LEARNING["code"].is_unique and LEARNING["title"].is_unique
    assert LEARNING["category"].nunique() == 5
    assert len(CHECKLIST) >= 30 and CHECKLIST["code"].is_unique
    assert CHECKLIST["task"].nunique() == 5
    # the 规定动作 of every month: the practice class (文明实践课堂) and a volunteer service; the rest is chosen
    assert CHECKLIST.loc[CHECKLIST["required"], "code"].tolist() == ["LL-01", "JZ-02"]


def test_learning_list_has_five_categories_of_four() -> None:
    chosen = _learning("2026-12", pd.DataFrame(columns=["code", "month"]))
    assert len(chosen) == 20
    assert chosen.groupby("category").size().to_dict() == {"THEORY": 4, "POLICY": 4, "VALUES": 4, "CULTURE": 4,
                                                           "CUSTOMS": 4}
    assert chosen.groupby("category")["seq"].apply(list).map(lambda s: s == [1, 2, 3, 4]).all()


def test_festival_items_come_first_in_february_2027() -> None:
    chosen = _learning("2027-02", pd.DataFrame(columns=["code", "month"]))
    festivals = set(chosen["festival"])
    assert {"春节", "元宵节"} <= festivals
    culture = chosen[chosen["category"] == "CULTURE"]
    # within a category, this month's festival items precede untagged ones
    tagged = culture["festival"].isin({"春节", "元宵节", "除夕"}).tolist()
    assert tagged == sorted(tagged, reverse=True) and tagged[0]


def _year_of_lists(start: str, months: int = 12) -> dict[str, pd.DataFrame]:
    history = pd.DataFrame(columns=["code", "month"])
    lists = {}
    month = start
    for _ in range(months):
        chosen = _learning(month, history)
        lists[month] = chosen
        history = pd.concat([history, pd.DataFrame({"code": chosen["code"], "month": month})], ignore_index=True)
        month = shift_month(month, 1)
    return lists


def test_a_year_of_learning_lists_cites_only_each_months_own_festivals() -> None:
    for month, chosen in _year_of_lists("2027-01").items():
        own = {m.name for m in day_marks(*parse_month(month))}
        tagged = set(chosen["festival"]) - {""}
        assert tagged <= own, (month, tagged - own)
        assert len(chosen) == 20, month


def test_no_repeat_within_three_months_unless_the_category_ran_out() -> None:
    """An item comes back within three months only when every eligible item of its category outside the window
    (untagged, or tagged with the month's festival) is already on the list, and it is untagged."""
    lists = _year_of_lists("2026-12")
    months = sorted(lists)
    repeats = 0
    for index, month in enumerate(months):
        window = set().union(*(set(lists[m]["code"]) for m in months[max(0, index - 2):index]))
        own = {m.name for m in day_marks(*parse_month(month))}
        chosen = lists[month]
        for category, picked in chosen.groupby("category"):
            again = picked[picked["code"].isin(window)]
            if again.empty:
                continue
            repeats += len(again)
            items = LEARNING[LEARNING["category"] == category]
            eligible = items[items["festival"].eq("") | items["festival"].isin(own)]
            fresh = set(eligible["code"]) - window
            assert fresh <= set(picked["code"]), (month, category, fresh - set(picked["code"]))
    assert repeats > 0  # the catalog is too small for twelve months without repeats: the rule was exercised


def test_selection_is_deterministic_and_depends_on_county() -> None:
    empty = pd.DataFrame(columns=["code", "month"])
    first = _learning("2027-03", empty)
    again = _learning("2027-03", empty)
    pd.testing.assert_frame_equal(first, again)
    other = select_learning(LEARNING, county="999999", month="2027-03", festivals=set(), history=empty,
                            rules=LearningRules(per_category=PER_CATEGORY, no_repeat_months=3))
    assert set(other["code"]) != set(first["code"])


def test_checklist_has_every_required_item_and_no_other_months_festivals() -> None:
    empty = pd.DataFrame(columns=["code", "month"])
    chosen = select_checklist(CHECKLIST, county="321323", month="2027-02", festivals={"春节", "元宵节", "除夕"},
                              history=empty, optional_per_task=4)
    required = set(CHECKLIST[CHECKLIST["required"]]["code"])
    assert required <= set(chosen["code"])
    optional = chosen[~chosen["required"]]
    assert optional.groupby("task").size().max() <= 4
    assert set(optional["festival"]) <= {"", "春节", "元宵节", "除夕"}
    assert (optional["festival"] != "").any()


def test_month_calendar_uses_the_profiles_holidays_for_the_year() -> None:
    from datetime import date

    from activity_day.domain.planning import draft_month, month_calendar

    spring = {date(2027, 2, d): "春节" for d in range(5, 12)}
    profile = PROFILE.model_copy(update={"holidays": spring})
    day, marks, holidays = month_calendar(profile, "2027-02")
    assert day == date(2027, 2, 12) and holidays.source == "profile" and holidays.note is None
    assert {"春节", "元宵节", "除夕"} <= {m.name for m in marks}
    plan = draft_month(profile, "2027-02").plan
    assert plan.activity_date == date(2027, 2, 12) and plan.holiday_source == "profile"
    assert "原定2027年2月5日适逢法定节假日，集中活动日顺延至2027年2月12日。" in plan.notes
