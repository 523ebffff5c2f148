"""Year-round evaluation on literal frames: each indicator, dimension and total, and where each value came from."""

from __future__ import annotations

import pandas as pd
import pytest

from activity_day.domain.evaluation import (
    PeriodError,
    PeriodRecords,
    evaluate,
    period_months,
    stars_for,
    township_profile,
)
from activity_day.domain.indicators import EvaluationRules

MONTHS = ["2027-01", "2027-02", "2027-03"]


def records(**changes) -> PeriodRecords:
    """Two stations over a quarter. A: plans every month (one late), covers the required item but in March,
    two activities a month; B: a plan in January only. A was inspected twice, B never."""
    stations = pd.DataFrame({"code": ["A", "B"], "name": ["甲站", "乙站"], "township": ["东镇", "西镇"]})
    plans = pd.DataFrame({"month": ["2027-01", "2027-02", "2027-03", "2027-01"], "station_code": ["A", "A", "A", "B"],
                          "late": [False, True, False, False]})
    acts = []
    for m in MONTHS:
        acts += [{"month": m, "station_code": "A", "task": "理论宣讲", "checklist_code": "R1" if m != "2027-03" else None,
                  "expected_participants": 40, "volunteer_team": "青年志愿服务队"},
                 {"month": m, "station_code": "A", "task": "文化服务", "checklist_code": None,
                  "expected_participants": 20, "volunteer_team": ""}]
    acts.append({"month": "2027-01", "station_code": "B", "task": "理论宣讲", "checklist_code": "R1",
                 "expected_participants": 15, "volunteer_team": None})
    scores = pd.DataFrame({"month": ["2027-01", "2027-01", "2027-02"], "station_code": ["A", "A", "A"],
                           "mode": ["onsite", "observer", "online"], "scorer": ["第一检查组", "观察员甲", "线上"],
                           "score": [90.0, 80.0, 70.0]})
    feedback = pd.DataFrame({"id": [1, 2], "month": ["2027-01", "2027-02"], "station_code": ["A", "A"],
                             "status": ["closed", "open"]})
    assessed = pd.DataFrame({"station_code": ["A", "A"], "indicator": ["site", "site"], "score": [60.0, 80.0],
                             "assessor": ["张三", "李四"], "month": ["2027-01", "2027-03"]})
    base = dict(months=MONTHS, required={m: ["R1"] for m in MONTHS}, stations=stations, plans=plans,
                activities=pd.DataFrame(acts), scores=scores, feedback=feedback, assessed=assessed)
    return PeriodRecords(**(base | changes))


def test_periods() -> None:
    assert period_months("2027") == [f"2027-{m:02d}" for m in range(1, 13)]
    assert period_months("2027-q2") == ["2027-04", "2027-05", "2027-06"]
    assert period_months("2027-H2")[0] == "2027-07" and len(period_months("2027-H2")) == 6
    assert period_months("2027-03") == ["2027-03"]
    for bad in ("27", "2027-Q5", "2027-13", "2027H1"):
        with pytest.raises(PeriodError, match="评价期间"):
            period_months(bad)


def test_each_indicator_value_and_its_records() -> None:
    scored, values, _ = evaluate(records(), EvaluationRules())
    a = {code: values[code]["A"] for code in values}
    assert a["plan_submitted"]["value"] == 100.0 and a["plan_on_time"]["value"] == pytest.approx(66.67)
    assert a["plan_on_time"]["records"] == [{"month": "2027-01", "late": False}, {"month": "2027-02", "late": True},
                                            {"month": "2027-03", "late": False}]
    assert a["required_coverage"]["value"] == pytest.approx(66.67) and a["required_coverage"]["missing"] == ["2027-03"]
    assert a["activities_per_month"]["value"] == 50.0  # 2 a month against a target of 4
    assert a["participation"]["value"] == 100.0  # 30 on average, the target
    assert a["task_breadth"]["value"] == 40.0 and a["volunteer_teams"]["value"] == 50.0
    # January: 0.7 × 90 + 0.3 × 80 = 87; February: 70 (online only); the mean of the months inspected
    assert a["inspection_score"]["value"] == 78.5 and a["inspection_score"]["months"] == ["2027-01", "2027-02"]
    assert {"month": "2027-01", "mode": "observer", "scorer": "观察员甲", "score": 80.0} in a["inspection_score"]["records"]
    assert a["feedback_closed"]["value"] == 50.0 and [r["id"] for r in a["feedback_closed"]["records"]] == [1, 2]
    assert a["site"]["value"] == 80.0 and [r["assessor"] for r in a["site"]["records"]] == ["张三", "李四"]  # latest
    b = {code: values[code]["B"] for code in values}
    assert b["plan_submitted"]["value"] == pytest.approx(33.33) and b["plan_submitted"]["missing"] == ["2027-02", "2027-03"]
    assert b["inspection_score"]["value"] is None and b["inspection_score"]["note"] == "期内未被抽中督查"
    # B had no suggestion at all: nothing to close is no value (not 100), and 机制 is its plans' timeliness alone
    assert b["feedback_closed"]["value"] is None and b["feedback_closed"]["note"] == "期内无意见建议"
    assert b["site"]["value"] is None
    assert scored.set_index("code").loc["B", "机制"] == b["plan_on_time"]["value"]
    assert set(scored["code"]) == {"A", "B"} and scored["total"].between(0, 100).all()


def test_lecture_orders_and_ratings_feed_the_activity_and_quality_dimensions() -> None:
    """A: two lectures served (one delivered and rated by the station and an observer), one unserved, which does
    not count; B ordered nothing, so its 活动 and 质效 stay exactly what its other records give."""
    lectures = pd.DataFrame({"month": ["2027-01", "2027-02", "2027-03"], "station_code": ["A", "A", "A"],
                             "menu_code": ["XJ-01", "XJ-02", "XJ-01"], "status": ["delivered", "confirmed", "unserved"]})
    ratings = pd.DataFrame({"month": ["2027-01", "2027-01"], "station_code": ["A", "A"], "menu_code": ["XJ-01"] * 2,
                            "rater": ["所站", "观察员甲"], "score": [5, 4]})
    rules = EvaluationRules()
    before, _, _ = evaluate(records(), rules)
    scored, values, _ = evaluate(records(lectures=lectures, ratings=ratings), rules)
    delivered, rating = values["lectures_delivered"]["A"], values["lecture_rating"]["A"]
    assert delivered["value"] == 50.0 and delivered["missing"] == ["2027-02 XJ-02"]
    assert [r["menu_code"] for r in delivered["records"]] == ["XJ-01", "XJ-02"]  # the unserved order is not counted
    assert rating["value"] == 90.0 and [r["rater"] for r in rating["records"]] == ["所站", "观察员甲"]
    assert values["lectures_delivered"]["B"]["value"] is None and values["lecture_rating"]["B"]["value"] is None
    a_before, a_after = before.set_index("code").loc["A"], scored.set_index("code").loc["A"]
    activity = next(d for d in rules.dimensions if d.name == "活动")
    weights = {i.code: i.weight for i in activity.indicators}
    others = {c: values[c]["A"]["value"] for c in weights if c != "lectures_delivered"}
    expected = (sum(others[c] * weights[c] for c in others) + 50.0 * weights["lectures_delivered"]) / sum(weights.values())
    assert a_after["活动"] == pytest.approx(expected, abs=0.01) and a_after["活动"] != a_before["活动"]
    assert a_after["质效"] > a_before["质效"]  # 90 against a quality mean below it
    assert before.set_index("code").loc["B"].equals(scored.set_index("code").loc["B"])


def test_each_dimension_moves_exactly_with_its_indicators() -> None:
    rules = EvaluationRules()
    before, _, _ = evaluate(records(), rules)
    a = before.set_index("code").loc["A"]
    # 质效 = (70 × 78.5 + 30 × 66.67) / 100; 机制 = (66.67 + 50) / 2; 阵地: only the site is assessed
    assert a["质效"] == pytest.approx(0.7 * 78.5 + 0.3 * 66.67, abs=0.01)
    assert a["机制"] == pytest.approx((66.67 + 50) / 2, abs=0.01) and a["阵地"] == 80.0
    # one more closed feedback item: only 机制 moves, by 50 × 50 / 100
    after, _, _ = evaluate(records(feedback=pd.DataFrame({"id": [1, 2], "month": ["2027-01", "2027-02"],
                                                          "station_code": ["A", "A"], "status": ["closed", "closed"]})),
                           rules)
    changed = after.set_index("code").loc["A"]
    assert changed["机制"] - a["机制"] == pytest.approx(25.0, abs=0.015)  # each rounded to 0.01
    for dim in ("阵地", "队伍", "活动", "项目", "质效"):
        assert changed[dim] == a[dim]
    assert changed["total"] - a["total"] == pytest.approx(25.0 * 10 / 100, abs=0.02)  # 机制 weighs 10
    # the signage entered: 阵地 becomes (60 × 80 + 40 × 50) / 100
    signage = pd.DataFrame({"station_code": ["A"], "indicator": ["signage"], "score": [50.0], "assessor": ["王五"],
                            "month": ["2027-02"]})
    assessed = pd.concat([records().assessed, signage])
    third, _, _ = evaluate(records(assessed=assessed), rules)
    assert third.set_index("code").loc["A", "阵地"] == 68.0


def test_stars_watch_list_and_townships() -> None:
    assert [stars_for(t, [90, 80, 70, 60]) for t in (95, 90, 85, 72, 60, 59.99, None)] == [5, 5, 4, 3, 2, 1, None]
    rules = EvaluationRules.model_validate({"watch": {"bottom_share": 0.5, "months_without_plan": 2}})
    scored, _, watch = evaluate(records(), rules)
    assert watch["code"].tolist() == ["B"]
    assert "连续 2 个月未报送活动计划" in watch.iloc[0]["reasons"] and "位列后 50%" in watch.iloc[0]["reasons"]
    towns = township_profile(scored)
    assert set(towns["township"]) == {"东镇", "西镇"} and towns["stations"].sum() == 2


def test_the_indicator_system_is_validated_with_clear_messages() -> None:
    from pydantic import ValidationError

    dims = EvaluationRules().model_dump()["dimensions"]
    dims[0]["weight"] = 20
    with pytest.raises(ValidationError, match="各维度权重之和应为 100，现为 105"):
        EvaluationRules.model_validate({"dimensions": dims})
    with pytest.raises(ValidationError, match="缺少 质效"):
        EvaluationRules.model_validate({"dimensions": dims[:5]})
    dims = EvaluationRules().model_dump()["dimensions"]
    dims[2]["indicators"][1]["target"] = None
    with pytest.raises(ValidationError, match="需要 target"):
        EvaluationRules.model_validate({"dimensions": dims})
    dims = EvaluationRules().model_dump()["dimensions"]
    dims[1]["indicators"][0]["metric"] = "smiles"
    with pytest.raises(ValidationError, match="metric 应为以下之一"):
        EvaluationRules.model_validate({"dimensions": dims})
    with pytest.raises(ValidationError, match="从高到低"):
        EvaluationRules.model_validate({"stars": [60, 70, 80, 90]})


def test_the_circular_names_how_demonstration_and_watched_stations_scored() -> None:
    from activity_day.domain.results import standing

    results = pd.DataFrame({"station_code": ["A", "B", "C", "D"], "final": [95.0, 65.0, 80.0, 60.0]})
    stations = pd.DataFrame({"code": ["A", "B", "C", "D"], "name": ["甲站", "乙站", "丙站", "丁站"]})
    got = standing(results, stations, {"A", "B"}, {"C", "D", "E"}, "2027", 70)
    assert got == {"demo_scored": 2, "demo_average": 80.0, "demo_low": ["乙站"], "watch_year": "2027",
                   "watch_scored": 2, "watch_average": 70.0, "watch_low": 1}
    assert standing(results, stations, {"X"}, {"Y"}, "2027", 70) is None  # nothing to say: no paragraph


def test_site_visits_count_in_any_month_and_a_period_without_activity_days_has_no_values() -> None:
    february = pd.DataFrame({"station_code": ["A"], "indicator": ["signage"], "score": [70.0], "assessor": ["王五"],
                             "month": ["2027-02"]})
    # February had no activity day (no official plan), but the site visit that month counts
    _, values, _ = evaluate(records(months=["2027-01", "2027-03"], period_months=MONTHS, assessed=february),
                            EvaluationRules())
    assert values["signage"]["A"]["value"] == 70.0
    assert values["plan_submitted"]["A"]["months"] == ["2027-01", "2027-03"]
    # no month with an activity day: no station had a month of its own, so none is evaluated
    scored, values, watch = evaluate(records(months=[], period_months=MONTHS, assessed=february.iloc[0:0]),
                                     EvaluationRules())
    assert scored.empty and watch.empty and values["feedback_closed"] == {}


YEAR = [f"2027-{m:02d}" for m in range(1, 13)]


def year_records(months: list[str] = YEAR) -> PeriodRecords:
    """A year with activity days on the 5th. A files every month; S joined on 1 September and filed in September,
    October and December; R was removed on 20 September, after filing January to September; N was there all year
    and left no record; L left the registry on a day nobody recorded, after filing January to March."""
    from datetime import date

    stations = pd.DataFrame({"code": ["A", "S", "R", "N", "L"], "name": ["甲站", "新站", "撤站", "空站", "旧站"],
                             "township": ["东镇", "东镇", "西镇", "西镇", "西镇"],
                             "joined_on": [None, date(2027, 9, 1), None, None, None],
                             "left_on": [None, None, date(2027, 9, 20), None, None],
                             "active": [True, True, False, True, False]})
    filed = {"A": YEAR, "S": ["2027-09", "2027-10", "2027-12"], "R": YEAR[:9], "L": YEAR[:3]}
    plans = pd.DataFrame([{"month": m, "station_code": c, "late": False} for c, ms in filed.items() for m in ms])
    acts = pd.DataFrame([{"month": m, "station_code": c, "task": "理论宣讲", "checklist_code": "R1",
                          "expected_participants": 30, "volunteer_team": "队"} for c, ms in filed.items() for m in ms])
    # R's suggestion from October (after it left) is not its record; S's from March (before it joined) neither
    feedback = pd.DataFrame({"id": [1, 2], "month": ["2027-10", "2027-03"], "station_code": ["R", "S"],
                             "status": ["open", "open"]})
    empty = pd.DataFrame(columns=["month", "station_code", "mode", "scorer", "score"])
    return PeriodRecords(months=months, required={m: ["R1"] for m in months}, stations=stations, plans=plans,
                         activities=acts, scores=empty, feedback=feedback,
                         assessed=pd.DataFrame(columns=["station_code", "indicator", "score", "assessor", "month"]),
                         activity_days={m: date(int(m[:4]), int(m[5:]), 5) for m in months})


def test_each_station_is_evaluated_only_on_its_own_months() -> None:
    rules = EvaluationRules.model_validate({"watch": {"bottom_share": 0, "months_without_plan": 3}})
    scored, values, watch = evaluate(year_records(), rules)
    s, r = {c: values[c]["S"] for c in values}, {c: values[c]["R"] for c in values}
    # S joined in September: four months, three plans; not "missing" January to August
    assert s["plan_submitted"]["months"] == YEAR[8:] and s["plan_submitted"]["value"] == 75.0
    assert s["plan_submitted"]["missing"] == ["2027-11"] and s["activities_per_month"]["value"] == 18.75  # 3/4 of 4
    assert s["feedback_closed"]["value"] is None and s["feedback_closed"]["records"] == []  # March was not its own
    # R was removed on 20 September: January to September are its months, all filed; October's suggestion is not its
    assert r["plan_submitted"]["months"] == YEAR[:9] and r["plan_submitted"]["value"] == 100.0
    assert r["feedback_closed"]["value"] is None and r["required_coverage"]["value"] == 100.0
    # L left on a day nobody recorded: its months end with its last plan
    assert values["plan_submitted"]["L"]["months"] == YEAR[:3] and values["plan_submitted"]["L"]["value"] == 100.0
    # N had a year and no record: no dimension, no total, no stars (无记录), and it is watched for its plans
    n = scored.set_index("code").loc["N"]
    assert pd.isna(n["total"]) and pd.isna(n["stars"]) and all(pd.isna(n[d]) for d in ("阵地", "活动", "机制"))
    assert values["plan_submitted"]["N"]["value"] == 0.0 and scored["code"].iloc[-1] == "N"
    assert dict(zip(watch["code"], watch["reasons"], strict=True)) == {"N": "连续 12 个月未报送活动计划"}
    assert set(scored["code"]) == {"A", "S", "R", "N", "L"} and scored["total"].dropna().between(0, 100).all()
    assert scored.set_index("code").loc["S", "total"] > 0 and scored.set_index("code").loc["R", "stars"] >= 1
    towns = township_profile(scored).set_index("township")
    assert towns.loc["西镇", "stars_0"] == 1 and towns.loc["西镇", "stations"] == 3


def test_a_station_is_in_the_quarters_it_was_there() -> None:
    rules = EvaluationRules()
    codes = {}
    for quarter, months in {"Q1": YEAR[:3], "Q2": YEAR[3:6], "Q3": YEAR[6:9], "Q4": YEAR[9:]}.items():
        scored, _, _ = evaluate(year_records(months), rules)
        codes[quarter] = set(scored["code"])
    assert codes == {"Q1": {"A", "R", "N", "L"}, "Q2": {"A", "R", "N"}, "Q3": {"A", "S", "R", "N"},
                     "Q4": {"A", "S", "N"}}
    # joined on 10 September, after that month's activity day: its first month is October
    later = year_records(YEAR[6:9])
    later.stations.loc[later.stations["code"] == "S", "joined_on"] = pd.Timestamp("2027-09-10").date()
    scored, _, _ = evaluate(later, rules)
    assert "S" not in set(scored["code"])
