"""The circular's facts and the rules of what it may say, on small literal months: exact values, no database."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from activity_day.domain.circular import CircularInputs, build_circular_facts, draw_record_number
from activity_day.domain.circular_rules import circular_rule_violations, circular_text_violations
from activity_day.domain.draw import default_public_random, seeded_by_office
from activity_day.domain.evaluation import report_date
from activity_day.domain.profile import load_profile
from tests.conftest import DEMO_PROFILE

PROFILE = load_profile(DEMO_PROFILE)  # commend at 90, at most 10; rectify below 70; 15 days to rectify
SIGNED = date(2027, 3, 10)
# The registry lists 西镇 before 东镇: every list of townships follows that order, not the characters' code points.
STATIONS = pd.DataFrame({
    "code": ["001", "002", "003", "004", "005", "006"],
    "name": ["甲站", "乙站", "丙站", "丁站", "戊站", "己站"],
    "township": ["西镇", "西镇", "西镇", "东镇", "东镇", "东镇"],
    "leader": list("abcdef"), "phone": list("123456"),
})


def _score(code: str, mode: str, score: float, problems: str = "") -> dict:
    scorer = "第一检查组" if mode != "observer" else "观察员"
    return {"station_code": code, "mode": mode, "scorer": scorer, "score": score, "problems": problems,
            "suggestions": "", "category": ""}


SCORES = pd.DataFrame([
    _score("001", "onsite", 96), _score("001", "observer", 94),  # best, but overdue from January
    _score("002", "online", 93, "活动记录不完整"),  # above the line, but a problem this month
    _score("003", "onsite", 91),  # commended
    _score("004", "observer", 99),  # observers only: never ranked nor commended
    _score("005", "onsite", 65),  # below the rectify line
])
ASSIGNMENTS = pd.DataFrame({
    "station_code": ["001", "002", "003", "005", "006"], "mode": ["onsite", "online", "onsite", "onsite", "online"],
    "township": ["西镇", "西镇", "西镇", "东镇", "东镇"], "rank": [1, 2, 3, 4, 5],
    "team": ["第一检查组", "线上·甲", "第二检查组", "第一检查组", "线上·甲"], "slot": "",
})
EARLIER = pd.DataFrame([
    {"id": 1, "month": "2027-01", "station_code": "001", "township": "西镇", "text": "台账不全",
     "deadline": date(2027, 1, 25), "status": "open"},
    {"id": 2, "month": "2027-02", "station_code": "001", "township": "西镇", "text": "宣传不足",
     "deadline": date(2027, 2, 25), "status": "overdue"},
    {"id": 3, "month": "2027-02", "station_code": "006", "township": "东镇", "text": "签到不规范",
     "deadline": date(2027, 2, 25), "status": "open"},
    {"id": 4, "month": "2027-02", "station_code": "005", "township": "东镇", "text": "已答复",
     "deadline": date(2027, 2, 25), "status": "answered"},  # a report waits for review: not overdue
    {"id": 5, "month": "2027-02", "station_code": "003", "township": "西镇", "text": "已销号",
     "deadline": date(2027, 2, 25), "status": "accepted"},
])


def _data(scores: pd.DataFrame = SCORES) -> dict:
    return {
        "stations": STATIONS, "plans": pd.DataFrame({"station_code": STATIONS["code"], "late": False}),
        "activities": pd.DataFrame({"station_code": ["001"], "seq": [1], "name": ["理论宣讲"]}),
        "scores": scores, "previous_scores": scores.iloc[0:0], "history": scores.assign(month="2027-03"),
        "assignments": ASSIGNMENTS,
    }


def _facts(scores: pd.DataFrame = SCORES, earlier: pd.DataFrame = EARLIER):
    return build_circular_facts(_data(scores), PROFILE, "2027-03", CircularInputs(signed=SIGNED, earlier=earlier))


def test_only_team_scored_stations_without_problems_or_overdue_findings_are_commended() -> None:
    facts = _facts()
    s = facts.summary
    assert facts.commended_codes == ["003"]
    assert (s["above_commend"], s["commend_eligible"], s["commended"]) == (3, 1, 1)
    assert facts.figures["results"]["station_code"].tolist() == ["001", "002", "003", "005"]
    assert facts.figures["observed"]["station_code"].tolist() == ["004"]
    assert (s["inspected"], s["observed_only"], s["observed_average"], s["scored"]) == (4, 1, 99.0, 5)
    assert (s["teams"], s["inspectors"], s["unscored_drawn"], s["observer_scored"]) == (2, 1, 1, 2)
    assert facts.figures["rectify"]["station_code"].tolist() == ["005"]
    assert circular_rule_violations(facts, PROFILE) == []


def test_overdue_findings_are_the_open_ones_past_their_deadline_by_township_worst_first() -> None:
    rc = _facts().rectification
    assert [(r["township"], r["station_code"], r["count"], r["since_cn"]) for r in rc["overdue_rows"]] == [
        ("西镇", "001", 2, "2027年1月"), ("东镇", "006", 1, "2027年2月")]
    assert (rc["overdue_total"], rc["overdue_stations"], rc["overdue_townships"]) == (3, 2, 2)
    assert [w["station_code"] for w in rc["overdue_worst"]] == ["001", "006"]
    assert rc["overdue_rows"][0]["texts"] == "2027年1月：台账不全；2027年2月：宣传不足"
    # On the day before the deadline nothing was overdue yet.
    early = build_circular_facts(_data(), PROFILE, "2027-03",
                                 CircularInputs(signed=date(2027, 1, 25), earlier=EARLIER))
    assert early.rectification["overdue_rows"] == [] and early.commended_codes == ["001", "003"]


def test_the_commendation_rule_caps_at_commend_top_and_states_how_many_were_eligible() -> None:
    many = pd.DataFrame([_score(f"{n:03d}", "onsite", 100 - n) for n in range(1, 7)])
    profile = PROFILE.model_copy(update={"scoring": PROFILE.scoring.model_copy(update={"commend_top": 2})})
    facts = build_circular_facts(_data(many), profile, "2027-03",
                                 CircularInputs(signed=SIGNED, earlier=EARLIER.iloc[:0]))
    assert facts.commended_codes == ["001", "002"]
    assert (facts.summary["commend_eligible"], facts.summary["commended"]) == (6, 2)
    assert circular_rule_violations(facts, profile) == []


def test_the_rules_catch_a_commendation_that_breaks_them() -> None:
    facts = _facts()
    results = facts.figures["results"]
    planted = facts.figures | {"commended": results[results["station_code"].isin(["001", "002"])]}
    broken = type(facts)(**{**facts.__dict__, "figures": planted})
    assert circular_rule_violations(broken, PROFILE) == [
        "commended 001 has overdue findings", "commended 002 has a problem recorded this month",
        "the commended stations are not the best of those the rule admits", "case of commended 002 in the body"]


LABELS = {c: f"{t}{n}" for c, t, n in zip(STATIONS["code"], STATIONS["township"], STATIONS["name"], strict=True)}


def _good_text(record_number: str, draw: str = "") -> str:
    """A circular's text that says what `_facts()` holds (`draw`: how the draw is described, if at all)."""
    return ("经检查组评分，得分在90分以上、本月未发现问题且无逾期未整改问题的所站共1个，予以通报表扬：1. 西镇丙站（91.00分）。"
            "其中1个所站未经检查组评分。截至2027年3月10日，全县共有2个所站的3条问题逾期未整改，西镇甲站、东镇己站。"
            "（二）收到整改通知的2个所站。（三）附件4所列2个所站要于2027年3月25日前完成。"
            f"{draw}抽查名单和抽样记录（{record_number}）已公布。附件：1．排名")


def test_the_text_must_say_what_the_facts_say() -> None:
    facts = _facts()
    good = _good_text(facts.record_number)
    assert circular_text_violations(facts, good, labels=LABELS) == []
    bad = good.replace("共1个", "共3个").replace("东镇己站", "").replace(facts.record_number, "3ab4d34ed158e57a") \
        + "按照“双随机、一公开”原则（station-cards.xlsx）"
    assert circular_text_violations(facts, bad, labels=LABELS) == [
        "software word '3ab4d34ed158e57a'", "software word 'station-cards.xlsx'", "unbacked claim 双随机",
        "does not say 所站共1个", "does not say worst overdue 006", "does not say the draw record's number"]


def test_a_draw_on_the_offices_own_value_is_not_called_random() -> None:
    facts = _facts()
    text = _good_text(facts.record_number, "县文明办按照公开的抽样方法随机抽取83个所站。")
    assert facts.random_draw and circular_text_violations(facts, text, labels=LABELS) == []
    office = type(facts)(**{**facts.__dict__, "random_draw": False})
    assert circular_text_violations(office, text, labels=LABELS) == [
        "a draw on the office's own value (the plan's checksum) is called random"]
    assert circular_text_violations(office, text.replace("随机抽取", "抽取"), labels=LABELS) == []
    assert seeded_by_office({"public_random": default_public_random("ab" * 32)})
    assert not seeded_by_office({"public_random": "2027001期福彩3D开奖号码 123"})


def test_a_drawn_record_has_a_reader_facing_number() -> None:
    assert draw_record_number("泗文明办", "2027-03") == "泗文明办抽〔2027〕3号"
    assert _facts().record_number == "泗文明办抽〔2027〕3号"


@pytest.mark.parametrize(("period", "expected"), [
    ("2027", date(2028, 1, 10)), ("2027-Q1", date(2027, 4, 10)), ("2027-H2", date(2028, 1, 10)),
    ("2027-02", date(2027, 3, 10))])
def test_an_evaluation_report_is_dated_after_its_period(period: str, expected: date) -> None:
    assert report_date(period, 10) == expected
