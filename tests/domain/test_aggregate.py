import pandas as pd
from pandas.testing import assert_frame_equal

from activity_day.domain import aggregate

STATIONS = pd.DataFrame({
    "code": ["001", "002", "003", "004"], "name": ["甲所", "乙站", "丙站", "丁站"],
    "township": ["东镇", "东镇", "西镇", "北乡"], "leader": ["a", "b", "c", "d"], "phone": ["1", "2", "3", "4"],
})
SCORES = pd.DataFrame({
    "station_code": ["001", "001", "002", "003", "003"],
    "mode": ["onsite", "observer", "online", "observer", "observer"],
    "scorer": ["一组", "张", "二组", "李", "王"],
    "score": [90.0, 80.0, 70.0, 60.0, 80.0],
    "problems": ["", "", "记录不全", "", ""],
    "suggestions": ["", "", "", "", ""],
})


def test_station_scores_weight_sources_and_skip_unscored() -> None:
    out = aggregate.station_scores(SCORES, STATIONS, team_weight=0.7, observer_weight=0.3)
    expected = pd.DataFrame({
        "station_code": ["001", "002", "003"], "name": ["甲所", "乙站", "丙站"], "township": ["东镇", "东镇", "西镇"],
        "team_score": [90.0, 70.0, float("nan")], "observer_score": [80.0, float("nan"), 70.0],
        "final": [87.0, 70.0, 70.0], "scorers": [2, 1, 2],
    })
    assert_frame_equal(out, expected)
    assert "004" not in set(out["station_code"])  # unscored is absent, not 0


def test_township_ranking_ties_and_unscored_last() -> None:
    results = aggregate.station_scores(SCORES, STATIONS, team_weight=0.7, observer_weight=0.3)
    out = aggregate.township_ranking(results, STATIONS)
    assert out["township"].tolist() == ["东镇", "西镇", "北乡"]
    assert out["average"].tolist()[:2] == [78.5, 70.0]
    assert out["rank"].tolist()[:2] == [1, 2] and pd.isna(out["rank"].iloc[2])
    assert out["scored"].tolist() == [2, 1, 0] and out["stations"].tolist() == [2, 1, 1]


def test_thresholds() -> None:
    results = aggregate.station_scores(SCORES, STATIONS, team_weight=0.7, observer_weight=0.3)
    assert aggregate.commendations(results, 85)["station_code"].tolist() == ["001"]
    assert aggregate.rectifications(results, 75)["station_code"].tolist() == ["002", "003"]


def test_missing_and_counts() -> None:
    plans = pd.DataFrame({"station_code": ["001", "003"], "channel": ["excel", "excel"], "activity_count": [2, 1],
                          "late": [False, False]})
    missing = aggregate.missing_stations(STATIONS, plans)
    assert missing["code"].tolist() == ["002", "004"]  # by township (东镇, 北乡), then code
    activities = pd.DataFrame({"station_code": ["001", "001", "003"], "seq": [1, 2, 1],
                               "task": ["学习实践科学理论", "丰富活跃文化生活", "学习实践科学理论"],
                               "action_kind": ["规定动作", "自选动作", "规定动作"]})
    by_task = aggregate.activities_by_task(activities)
    assert by_task["activities"].tolist() == [2, 0, 0, 1, 0]
    by_kind = aggregate.activities_by_kind(activities)
    assert by_kind.set_index("action_kind")["activities"].to_dict() == {"规定动作": 2, "自选动作": 1, "特色动作": 0}
    by_township = aggregate.activities_by_township(activities, STATIONS, plans)
    assert by_township.to_dict("records") == [  # the registry's order, not the characters' code points
        {"township": "东镇", "stations": 2, "submitted": 1, "activities": 2},
        {"township": "西镇", "stations": 1, "submitted": 1, "activities": 1},
        {"township": "北乡", "stations": 1, "submitted": 0, "activities": 0},
    ]


def test_empty_month() -> None:
    empty = SCORES.iloc[0:0]
    results = aggregate.station_scores(empty, STATIONS, team_weight=0.7, observer_weight=0.3)
    assert results.empty
    ranking = aggregate.township_ranking(results, STATIONS)
    assert ranking["scored"].tolist() == [0, 0, 0] and ranking["rank"].isna().all()


def test_classify_and_problems_by_category() -> None:
    assert aggregate.classify("活动记录不完整") == "台账资料"
    assert aggregate.classify("群众参与人数偏少") == "群众参与"
    assert aggregate.classify("其余都好", given="宣传氛围") == "宣传氛围"
    assert aggregate.classify("无") == "其他"
    problems = pd.DataFrame({"category": ["台账资料", "群众参与", "台账资料", "其他"]})
    assert aggregate.problems_by_category(problems).to_dict("records") == [
        {"category": "台账资料", "count": 2}, {"category": "群众参与", "count": 1}, {"category": "其他", "count": 1}]


def test_problems_list_keeps_given_category() -> None:
    scores = SCORES.assign(category=["", "", "宣传氛围", "", ""])
    out = aggregate.problems_list(scores, STATIONS)
    assert out[["station_code", "category"]].to_dict("records") == [{"station_code": "002", "category": "宣传氛围"}]


def test_commendations_are_capped() -> None:
    results = aggregate.station_scores(SCORES, STATIONS, team_weight=0.7, observer_weight=0.3)
    assert aggregate.commendations(results, 60, top=2)["station_code"].tolist() == ["001", "002"]


def test_monthly_averages_and_change() -> None:
    history = pd.concat([SCORES.assign(month="2026-11"), SCORES.iloc[:1].assign(month="2026-12", score=70.0)])
    trend = aggregate.monthly_averages(history, STATIONS, ["2026-10", "2026-11", "2026-12"], team_weight=0.7,
                                       observer_weight=0.3)
    assert trend["scored"].tolist() == [0, 2, 1]  # 003 had only observers: not in the teams' average
    assert trend["average"].tolist()[1:] == [78.5, 70.0] and pd.isna(trend["average"].iloc[0])
    now = aggregate.township_ranking(aggregate.station_scores(
        history[history["month"] == "2026-12"], STATIONS, team_weight=0.7, observer_weight=0.3), STATIONS)
    before = aggregate.township_ranking(aggregate.station_scores(
        history[history["month"] == "2026-11"], STATIONS, team_weight=0.7, observer_weight=0.3), STATIONS)
    change = aggregate.with_change(now, before).set_index("township")["change"].to_dict()
    assert change["东镇"] == -8.5 and pd.isna(change["西镇"]) and pd.isna(change["北乡"])


def test_month_results_gives_every_figure_from_one_aggregation() -> None:
    from activity_day.domain.profile import load_profile
    from activity_day.domain.results import month_results
    from tests.conftest import DEMO_PROFILE

    plans = pd.DataFrame({"station_code": ["001", "003"], "channel": "excel", "activity_count": [2, 1], "late": False})
    data = {
        "stations": STATIONS, "plans": plans,
        "activities": pd.DataFrame({"station_code": ["001", "001", "003"], "seq": [1, 2, 1]}),
        "scores": SCORES.assign(category=""), "previous_scores": SCORES.iloc[:1].assign(score=80.0, category=""),
        "history": SCORES.assign(month="2026-12"),
        "assignments": pd.DataFrame({"station_code": ["001", "004"], "mode": ["onsite", "online"],
                                     "township": ["东镇", "北乡"], "rank": [1, 2], "team": "一组", "slot": ""}),
    }
    figures = month_results(data, load_profile(DEMO_PROFILE), "2026-12")
    s = figures["summary"]
    assert (s["stations"], s["submitted"], s["activities"], s["drawn"], s["onsite"], s["online"]) == (4, 2, 3, 2, 1, 1)
    # 003 was scored by observers only: counted and listed apart, not in the average of the inspected stations
    assert (s["scored"], s["inspected"], s["observed_only"], s["observed_average"]) == (3, 2, 1, 70.0)
    assert (s["unscored_drawn"], s["average"]) == (1, round((87 + 70) / 2, 2))
    assert figures["observed"]["station_code"].tolist() == ["003"]
    assert figures["results"]["station_code"].tolist() == ["001", "002"]
    assert s["previous_average"] == 80.0 and s["change"] == round(s["average"] - 80.0, 2)
    assert figures["trend"]["average"].tolist()[-1] == s["average"]
    assert figures["unscored"]["station_code"].tolist() == ["004"]
