"""Every county its own schedule: the draft's cron and month from the profile, and the deployments file expanded."""

from __future__ import annotations

from datetime import date

import yaml

from activity_day.domain.profile import load_profile
from activity_day.domain.schedules import county_schedules, draft_cron, draft_date, draft_month
from activity_day.domain.ui_hints import for_the_ui
from tests.conftest import DEMO_PROFILE, REPO


def demo(**changes):
    profile = load_profile(DEMO_PROFILE)
    return profile.model_copy(update=changes)


def test_the_draft_cron_is_the_earliest_draft_day_of_the_year() -> None:
    profile = demo()  # the 5th, drafted 25 days before: the 8th (February) to the 11th
    assert [draft_date(profile, f"2027-{m:02d}").day for m in (3, 4, 5)] == [8, 11, 10]
    assert draft_cron(profile) == "0 9 8 * *"
    later = demo(activity_day=profile.activity_day.model_copy(update={"day": 25}))
    assert draft_cron(later) == "0 9 28 * *"  # 25 days before the 25th: the last days of the month before
    weekday = demo(activity_day=profile.activity_day.model_copy(update={"rule": "nth_weekday", "day": None, "n": 2,
                                                                       "weekday": 3}))
    day = int(draft_cron(weekday).split()[2])
    assert all(draft_date(weekday, f"2027-{m:02d}").day >= day for m in range(1, 13))


def test_a_scheduled_draft_is_for_the_month_whose_draft_date_is_nearest() -> None:
    profile = demo()
    assert draft_month(profile, date(2027, 2, 8)) == "2027-03"  # the cron's day: March's draft is today
    assert draft_month(profile, date(2027, 3, 8)) == "2027-04"  # three days early for April (the 11th)
    assert draft_month(profile, date(2026, 12, 8)) == "2027-01"
    # an activity day late in the month is drafted in the same month: not "next month"
    late = demo(activity_day=profile.activity_day.model_copy(update={"day": 28}),
                deadlines=profile.deadlines.model_copy(update={"draft": -20, "review": -15}))
    assert draft_month(late, date(2027, 3, 6)) == "2027-03"


def test_every_county_gets_each_county_schedule_of_prefect_yaml() -> None:
    config = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    later = demo(activity_day=demo().activity_day.model_copy(update={"day": 15}))
    out = county_schedules(config, {"329001": later, "321323": demo()})
    by_name = {d["name"]: d for d in out["deployments"]}
    assert [(s["slug"], s["cron"], s["parameters"]) for s in by_name["draft"]["schedules"]] == [
        ("draft-321323", "0 9 8 * *", {"county": "321323"}),
        ("draft-329001", "0 9 18 * *", {"county": "329001"}),
    ]
    assert [s["slug"] for s in by_name["notices"]["schedules"]] == ["notices-321323", "notices-329001"]
    assert {s["cron"] for s in by_name["rectification"]["schedules"]} == {"0 9 * * 1"}
    assert all(s["timezone"] == "Asia/Shanghai" for d in out["deployments"] for s in d.get("schedules", []))
    # no deployment runs for a county it is not told: the county is a parameter without a default
    assert all("parameters" not in d for d in config["deployments"])
    assert "schedules" not in by_name["review"] and "schedules" not in by_name["monthly-cycle"]


def test_a_failure_read_in_the_ui_names_the_deployment_and_the_retry_button() -> None:
    message = for_the_ui("2027年3月尚无正式方案：请先运行 activity-day run review --month 2027-03", "329001")
    assert message == ("2027年3月尚无正式方案：请先在 Prefect 界面的“Deployments”中运行 review/review"
                       '（参数 {"county": "329001", "month": "2027-03"}）；'
                       "处理后点击本运行右上角的“Retry”（重试），已完成的任务不再重复。")
    kept = for_the_ui("2027年3月还没有任何检查评分：请先导入评分（activity-day import scores 评分.xlsx --month 2027-03）。",
                      "321323")
    assert "activity-day import scores" in kept and kept.endswith("“Retry”（重试），已完成的任务不再重复。")
