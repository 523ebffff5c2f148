"""Micro lecture teams (点单—派单): examples for every constraint, reason and suggestion. The hypothesis
properties are in test_lecture_properties; both are checked by the independent judge in lecture_judge."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from itertools import combinations

import pytest

from activity_day.domain.lectures import (
    DISPATCHED,
    REASON_NO_STORY,
    SUGGEST_CHECK_MENU,
    UNSERVED,
    Assignment,
    DispatchRequest,
    MenuItem,
    Order,
    Speaker,
    available,
    dispatch,
    load_of,
    pairs_of,
    redispatch,
)
from tests.domain.lecture_judge import check_result

FRI = date(2027, 3, 5)  # a Friday
SAT = date(2027, 3, 6)
THEORY = MenuItem("M01", "党的创新理论", "THEORY")
STORY = MenuItem("M02", "红色故事会", "HISTORY", stories=("半条被子", "十送红军"))
MENU = [THEORY, STORY]


def sp(code: str, *, township: str = "西镇", topics=("THEORY",), stories=(), weekdays=(), dates=(),
       cap: int = 4) -> Speaker:
    return Speaker(code, f"讲师{code}", township, frozenset(topics), frozenset(stories), frozenset(weekdays),
                   frozenset(dates), cap)


def od(station: str, *, menu: str = "M01", day: date = FRI, township: str = "东镇",
       point: tuple[float, float] | None = None) -> Order:
    return Order(f"2027-03|{station}|{menu}", station, township, menu, day, 50, point)


def by_order(result: list[Assignment]) -> dict[str, Assignment]:
    return {a.order: a for a in result}


# ---------------------------------------------------------------------------------------------- helpers


def test_available_by_weekday_date_or_any_day() -> None:
    assert available(sp("A"), FRI) and available(sp("A"), SAT)
    assert available(sp("A", weekdays={5}), FRI) and not available(sp("A", weekdays={5}), SAT)
    assert available(sp("A", dates={SAT}), SAT) and not available(sp("A", dates={SAT}), FRI)
    assert available(sp("A", weekdays={6}, dates={FRI}), FRI) and available(sp("A", weekdays={6}, dates={FRI}), SAT)
    assert not available(sp("A", weekdays={6}, dates={FRI}), date(2027, 3, 4))


def test_pairs_and_load_count_only_dispatched_teams() -> None:
    result = [Assignment("a", ("A", "B", "C"), DISPATCHED), Assignment("b", ("A", "B", "D"), DISPATCHED),
              Assignment("c", (), UNSERVED, "r", "s")]
    assert load_of(result) == Counter({"A": 2, "B": 2, "C": 1, "D": 1})
    assert pairs_of(result) == Counter({frozenset("AB"): 2, frozenset("AC"): 1, frozenset("BC"): 1,
                                        frozenset("AD"): 1, frozenset("BD"): 1})


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate order key"):
        dispatch(DispatchRequest([od("001"), od("001")], [], MENU, seed="s"))
    with pytest.raises(ValueError, match="duplicate speaker code"):
        dispatch(DispatchRequest([], [sp("A"), sp("A")], MENU, seed="s"))
    with pytest.raises(ValueError, match="team_min"):
        dispatch(DispatchRequest([], [], MENU, seed="s", team_min=4, team_max=3))


# ---------------------------------------------------------------------------------------------- constraints


def test_team_aims_for_four_and_settles_for_three() -> None:
    five = [sp(c) for c in "ABCDE"]
    [a] = dispatch(DispatchRequest([od("001")], five, MENU, seed="s"))
    assert a.status == DISPATCHED and len(a.team) == 4 and a.team == tuple(sorted(a.team))
    [a] = dispatch(DispatchRequest([od("001")], five[:3], MENU, seed="s"))
    assert a.status == DISPATCHED and a.team == ("A", "B", "C")
    [a] = dispatch(DispatchRequest([od("001")], five, MENU, seed="s", team_max=3))
    assert len(a.team) == 3
    [a] = dispatch(DispatchRequest([od("001")], five, MENU, seed="s", team_min=2, team_max=5))
    assert len(a.team) == 3  # team_min + 1, even when team_max allows more


def test_only_speakers_of_the_topic_and_too_few_of_them() -> None:
    pool = [sp("A"), sp("B"), sp("C", topics=("HISTORY",)), sp("D", topics=("HISTORY", "THEORY"))]
    [a] = dispatch(DispatchRequest([od("001")], pool, MENU, seed="s"))
    assert a.team == ("A", "B", "D")
    [a] = dispatch(DispatchRequest([od("001")], pool[:3], MENU, seed="s"))
    assert a == Assignment(od("001").key, (), UNSERVED, "会讲该主题（THEORY）的讲师不足3人（讲师库中共2人）",
                           "请扩充讲师库：需要再有1名会讲该主题（THEORY）、2027年3月5日（星期五）可宣讲、不属东镇的讲师")


def test_a_member_tells_one_of_the_stories() -> None:
    pool = [sp(c, topics=("HISTORY",)) for c in "ABCDEFG"] + [sp("Z", topics=("HISTORY",), stories=("十送红军",))]
    for seed in map(str, range(20)):
        [a] = dispatch(DispatchRequest([od("001", menu="M02")], pool, MENU, seed=seed))
        assert "Z" in a.team
    [a] = dispatch(DispatchRequest([od("001", menu="M02")], pool[:-1], MENU, seed="s"))
    assert (a.status, a.reason) == (UNSERVED, REASON_NO_STORY)
    assert a.suggestion == ("请扩充讲师库：需要再有1名会讲该主题（HISTORY）、2027年3月5日（星期五）可宣讲、不属东镇的讲师，"
                            "其中至少1人会讲本菜单的故事（半条被子、十送红军）")


def test_the_story_teller_busy_that_day() -> None:
    pool = [sp(c, topics=("HISTORY", "THEORY")) for c in "ABCDEFG"]
    pool.append(sp("Z", topics=("HISTORY", "THEORY"), stories=("半条被子",), dates={FRI}))
    orders = [od("001", menu="M02", day=SAT), od("002", menu="M02")]
    out = by_order(dispatch(DispatchRequest(orders, pool, MENU, seed="s")))
    assert out[orders[1].key].status == DISPATCHED and "Z" in out[orders[1].key].team
    out = by_order(dispatch(DispatchRequest(orders, pool, MENU, seed="s", prior_load={"Z": 4})))
    assert out[orders[0].key].reason == ("2027年3月6日组不成宣讲队：会讲该主题（HISTORY）的8名讲师中，当天不在可宣讲时间1人，"
                                         "可派的7人都不会讲本菜单的故事")
    assert out[orders[0].key].suggestion.endswith("的讲师，其中至少1人会讲本菜单的故事（半条被子、十送红军）")


def test_availability_and_the_next_day_suggestion() -> None:
    pool = [sp(c, weekdays={6}) for c in "ABCD"]
    [a] = dispatch(DispatchRequest([od("001")], pool, MENU, seed="s"))
    assert a.reason == "2027年3月5日组不成宣讲队：会讲该主题（THEORY）的4名讲师中，当天不在可宣讲时间4人，可派0人（至少需3人）"
    assert re.fullmatch(r"改到2027年3月6日（星期六）可组队（[ABCD]、[ABCD]、[ABCD]届时有空）", a.suggestion)
    pool = [sp(c, dates={date(2027, 3, 3)}) for c in "ABC"]
    [a] = dispatch(DispatchRequest([od("001")], pool, MENU, seed="s"))
    assert a.suggestion == "改到2027年3月3日（星期三）可组队（A、B、C届时有空）"
    # the month ends: 3月2日 is outside and 4月1日 is another month
    pool = [sp(c, dates={date(2027, 4, 1), date(2027, 3, 1)}) for c in "ABC"]
    [a] = dispatch(DispatchRequest([od("001", day=date(2027, 3, 31))], pool, MENU, seed="s"))
    assert a.suggestion == "请扩充讲师库：需要再有3名会讲该主题（THEORY）、2027年3月31日（星期三）可宣讲、不属东镇的讲师"


def test_monthly_cap_counts_prior_load() -> None:
    pool = [sp(c, cap=1) for c in "ABC"]
    orders = [od("001"), od("002", day=SAT)]
    out = dispatch(DispatchRequest(orders, pool, MENU, seed="s"))
    assert sorted(a.status for a in out) == [DISPATCHED, UNSERVED]
    left = next(a for a in out if a.status == UNSERVED)
    assert left.reason.endswith("会讲该主题（THEORY）的3名讲师中，本月场次已满3人，可派0人（至少需3人）")
    # every speaker covers the topic: the pool is not told to grow, the cap is named
    assert left.suggestion == "调高A、B、C的每月上限（各加1场），即可按原定日期由A、B、C组队"
    [a] = dispatch(DispatchRequest([od("001")], [sp(c) for c in "ABC"], MENU, seed="s", prior_load={"B": 4}))
    assert a.status == UNSERVED and a.reason.endswith("本月场次已满1人，可派2人（至少需3人）")
    assert a.suggestion == "调高B的每月上限（各加1场），即可按原定日期由A、B、C组队"


def test_one_lecture_a_day_and_the_merge_suggestion() -> None:
    pool = [sp(c, dates={FRI}) for c in "ABCD"]
    first, second = od("001", point=(116.0, 40.0)), od("002", point=(116.02, 40.0))
    out = by_order(dispatch(DispatchRequest([first, second], pool, MENU, seed="s")))
    served, left = sorted(out.values(), key=lambda a: a.status)
    assert len(served.team) == 4  # the second order could not be served, so the first takes the 4th
    assert left.reason.endswith("4名讲师中，当天已有其他宣讲4人，可派0人（至少需3人）")
    other = first if left.order == second.key else second
    assert left.suggestion == f"可与{other.station}所站（同日、同菜单，相距1.7公里）合并一场"
    # more than 10 km apart: no merge
    far = od("002", point=(116.2, 40.0))
    left = next(a for a in dispatch(DispatchRequest([first, far], pool, MENU, seed="s")) if a.status == UNSERVED)
    assert left.suggestion == "请扩充讲师库：需要再有3名会讲该主题（THEORY）、2027年3月5日（星期五）可宣讲、不属东镇的讲师"
    # no points: merge without a distance
    out = dispatch(DispatchRequest([od("001"), od("002")], pool, MENU, seed="s"))
    left = next(a for a in out if a.status == UNSERVED)
    assert re.fullmatch(r"可与00[12]所站（同日、同菜单）合并一场", left.suggestion)


def test_merge_needs_the_same_menu_item() -> None:
    pool = [sp(c, topics=("THEORY", "HISTORY"), stories=("半条被子",), dates={FRI}) for c in "ABCD"]
    out = dispatch(DispatchRequest([od("001"), od("002", menu="M02")], pool, MENU, seed="s"))
    left = next(a for a in out if a.status == UNSERVED)
    assert left.suggestion.startswith("请扩充讲师库：需要再有3名")


def test_merge_respects_avoid_home() -> None:
    pool = [sp(c, township="乙镇", dates={FRI}) for c in "ABC"]
    orders = [od("001", township="甲镇"), od("002", township="乙镇")]
    out = by_order(dispatch(DispatchRequest(orders, pool, MENU, seed="s")))
    assert out[orders[0].key].status == DISPATCHED
    assert out[orders[1].key].reason.endswith("3名讲师中，本乡镇讲师回避3人，可派0人（至少需3人）")
    # the 001 team lives in 乙镇: no merge; the pool needs speakers from elsewhere, and says so
    assert out[orders[1].key].suggestion == ("请扩充讲师库：需要再有3名会讲该主题（THEORY）、2027年3月5日（星期五）可宣讲、"
                                             "不属乙镇的讲师")


def test_avoid_home() -> None:
    pool = [sp("A", township="东镇"), sp("B"), sp("C"), sp("D")]
    for seed in map(str, range(10)):
        [a] = dispatch(DispatchRequest([od("001", township="东镇")], pool, MENU, seed=seed))
        assert a.team == ("B", "C", "D")
    [a] = dispatch(DispatchRequest([od("001", township="东镇")], pool, MENU, seed="s", avoid_home=False))
    assert a.team == ("A", "B", "C", "D")
    [a] = dispatch(DispatchRequest([od("001", township="西镇")], pool, MENU, seed="s"))
    assert a.status == UNSERVED and a.reason.endswith("4名讲师中，本乡镇讲师回避3人，可派1人（至少需3人）")


def test_unknown_menu_code() -> None:
    [a] = dispatch(DispatchRequest([od("001", menu="M99")], [sp(c) for c in "ABCD"], MENU, seed="s"))
    assert (a.status, a.reason, a.suggestion) == (UNSERVED, "菜单中没有编号为M99的项目", SUGGEST_CHECK_MENU)


def test_pairs_rotate_and_loads_even_out() -> None:
    pool = [sp(c) for c in "ABCD"]
    orders = [od(f"{i:03d}", day=FRI + timedelta(days=i)) for i in range(6)]
    for seed in map(str, range(10)):
        out = dispatch(DispatchRequest(orders, pool, MENU, seed=seed, team_min=2, team_max=2))
        assert all(a.status == DISPATCHED for a in out)
        assert pairs_of(out) == Counter({frozenset(p): 1 for p in combinations("ABCD", 2)})
        assert load_of(out) == Counter(dict.fromkeys("ABCD", 3))


def test_prior_pairs_are_avoided() -> None:
    pool = [sp(c) for c in "ABCD"]
    for seed in map(str, range(20)):
        [a] = dispatch(DispatchRequest([od("001")], pool, MENU, seed=seed, team_max=3, prior_pairs={frozenset("AB"): 5}))
        assert not {"A", "B"} <= set(a.team)


def test_lowest_load_first() -> None:
    pool = [sp(c) for c in "ABCDE"]
    for seed in map(str, range(10)):
        [a] = dispatch(DispatchRequest([od("001")], pool, MENU, seed=seed, team_max=3, prior_load={"A": 2, "B": 1}))
        assert a.team == ("C", "D", "E")


def test_scarce_orders_go_first() -> None:
    pool = [sp(c, topics=("THEORY", "HISTORY"), stories=("半条被子",)) for c in "ABC"] + [sp(c) for c in "DEF"]
    orders = [od("001"), od("002", menu="M02")]  # 001 sorts first but has 6 candidates; 002 has 3
    for seed in map(str, range(10)):
        out = by_order(dispatch(DispatchRequest(orders, pool, MENU, seed=seed)))
        assert out[orders[1].key].team == ("A", "B", "C")
        assert out[orders[0].key].team == ("D", "E", "F")


def test_same_inputs_in_any_order_same_result() -> None:
    pool = [sp(c, township=t) for c, t in zip("ABCDEFGH", "东西南北东西南北", strict=True)]
    orders = [od(f"{i:03d}", day=FRI + timedelta(days=i % 3), township="东镇") for i in range(6)]
    out = dispatch(DispatchRequest(orders, pool, MENU, seed="s"))
    assert out == dispatch(DispatchRequest(orders[::-1], pool[::-1], MENU[::-1], seed="s"))


# ---------------------------------------------------------------------------------------------- redispatch


def test_a_decline_keeps_the_others_and_fills_the_place() -> None:
    pool = [sp(c) for c in "ABCDEFGH"]
    orders = [od("001"), od("002", day=SAT)]
    before = dispatch(DispatchRequest(orders, pool, MENU, seed="s"))
    gone = before[0].team[0]
    after = redispatch(before, DispatchRequest(orders, pool, MENU, seed="s"), declined={orders[0].key: {gone}})
    assert after[1] == before[1]
    assert gone not in after[0].team and set(before[0].team) - {gone} < set(after[0].team)
    assert len(after[0].team) == 4
    # nobody on the team declined: nothing changes
    assert redispatch(before, DispatchRequest(orders, pool, MENU, seed="s"), declined={orders[0].key: {"Z"}}) == before
    assert redispatch(before, DispatchRequest(orders, pool, MENU, seed="s"), declined={}) == before


def test_a_decline_that_cannot_be_filled() -> None:
    pool = [sp(c) for c in "ABCD"]
    before = dispatch(DispatchRequest([od("001")], pool, MENU, seed="s"))
    assert before[0].team == ("A", "B", "C", "D")
    [after] = redispatch(before, DispatchRequest([od("001")], pool, MENU, seed="s"), declined={od("001").key: {"A", "B"}})
    assert after.status == UNSERVED
    assert after.reason == "2027年3月5日组不成宣讲队：会讲该主题（THEORY）的4名讲师中，本场已谢绝2人，可派2人（至少需3人）"
    assert after.suggestion.startswith("请扩充讲师库：需要再有1名")
    [after] = redispatch(before, DispatchRequest([od("001")], pool, MENU, seed="s"), declined={od("001").key: {"A"}})
    assert after.team == ("B", "C", "D")


def test_redispatch_counts_the_unchanged_teams() -> None:
    pool = [sp(c, cap=1) for c in "ABCDEFG"]
    orders = [od("001"), od("002", day=SAT)]
    before = dispatch(DispatchRequest(orders, pool, MENU, seed="s", team_max=3))
    spare = set("ABCDEFG") - set(before[0].team) - set(before[1].team)
    gone = before[0].team[0]
    after = redispatch(before, DispatchRequest(orders, pool, MENU, seed="s", team_max=3), declined={orders[0].key: {gone}})
    assert after[0].team == tuple(sorted(set(before[0].team) - {gone} | spare))


def test_redispatch_refuses_mismatched_inputs() -> None:
    before = dispatch(DispatchRequest([od("001")], [sp(c) for c in "ABC"], MENU, seed="s"))
    with pytest.raises(ValueError, match="do not match"):
        redispatch(before, DispatchRequest([od("001"), od("002")], [], MENU, seed="s"), declined={})
    with pytest.raises(ValueError, match="unknown orders"):
        redispatch(before, DispatchRequest([od("001")], [], MENU, seed="s"), declined={"x": {"A"}})


def test_early_days_never_starve_later_orders() -> None:
    """Day by day, the first order took three of four speakers and the second went without; over the month,
    both are served with the minimum, and the fourth member goes only where nobody goes short for it."""
    pool = [sp(c, cap=1) for c in "ABCD"]
    orders = [od("001"), od("002", day=SAT)]
    out = dispatch(DispatchRequest(orders, pool, MENU, seed="s", team_min=2, team_max=3))
    assert [a.status for a in out] == [DISPATCHED, DISPATCHED] and [len(a.team) for a in out] == [2, 2]
    pool.append(sp("E", cap=1))
    out = dispatch(DispatchRequest(orders, pool, MENU, seed="s", team_min=2, team_max=3))
    assert sorted(len(a.team) for a in out) == [2, 3]


def test_the_month_serves_the_most_orders_not_the_earliest() -> None:
    """The only story teller, and nine speakers with a cap of one for three lectures of three: the story lecture
    gets the teller, nobody gets a fourth member, and nothing is left unserved, whatever the seed."""
    pool = ([sp("Z", topics=("THEORY", "HISTORY"), stories=("半条被子",), cap=1)]
            + [sp(c, topics=("THEORY", "HISTORY"), cap=1) for c in "ABCDEFGH"])
    orders = [od("001"), od("002", menu="M02"), od("003", day=SAT)]
    for seed in map(str, range(5)):
        out = by_order(dispatch(DispatchRequest(orders, pool, MENU, seed=seed)))
        assert [len(a.team) for a in out.values()] == [3, 3, 3]
        assert "Z" in out[orders[1].key].team


def test_a_decline_borrows_a_fourth_member_before_giving_up() -> None:
    pool = [sp(c, cap=1) for c in "ABCDEFG"]
    orders = [od("001"), od("002", day=SAT)]
    before = dispatch(DispatchRequest(orders, pool, MENU, seed="s"))
    assert sorted(len(a.team) for a in before) == [3, 4]
    three, four = sorted(before, key=lambda a: len(a.team))
    gone = three.team[0]
    after = by_order(redispatch(before, DispatchRequest(orders, pool, MENU, seed="s"), declined={three.order: {gone}}))
    # nobody is free (caps of one): the team of four lends one member, and both lectures are given
    assert after[three.order].status == DISPATCHED and gone not in after[three.order].team
    assert set(three.team) - {gone} < set(after[three.order].team)
    lent = set(after[three.order].team) - set(three.team)
    assert len(lent) == 1 and lent < set(four.team)
    assert after[four.order].team == tuple(sorted(set(four.team) - lent))
    # members who confirmed are not lent: then the lecture cannot be given, and the reason says why
    locked = {four.order: set(four.team)}
    after = by_order(redispatch(before, DispatchRequest(orders, pool, MENU, seed="s"), declined={three.order: {gone}}, locked=locked))
    assert after[three.order].status == UNSERVED and after[four.order] == four
    assert after[three.order].reason.endswith("本场已谢绝1人、本月场次已满4人，可派2人（至少需3人）")


def test_prior_busy_days_are_taken() -> None:
    pool = [sp(c) for c in "ABCD"]
    [a] = dispatch(DispatchRequest([od("001")], pool, MENU, seed="s", prior_load={"A": 1}, prior_busy={FRI: {"A"}}))
    assert a.team == ("B", "C", "D")
    [a] = dispatch(DispatchRequest([od("001")], pool, MENU, seed="s", prior_load={"A": 1, "B": 1}, prior_busy={FRI: {"A", "B"}}))
    assert a.status == UNSERVED and a.reason.endswith("当天已有其他宣讲2人，可派2人（至少需3人）")


def test_no_two_suggestions_promise_the_same_free_team() -> None:
    """Six orders on Friday for a pool that forms one team on Friday and one on Saturday: the Saturday team is
    promised once, and the orders after it are told something else that holds."""
    pool = [sp(c, dates={FRI}) for c in "ABC"] + [sp(c, dates={SAT}) for c in "DEF"]
    orders = [od(f"{i:03d}") for i in range(1, 7)]
    out = dispatch(DispatchRequest(orders, pool, MENU, seed="s"))
    unserved = [a for a in out if a.status == UNSERVED]
    moved = [a for a in unserved if a.suggestion.startswith("改到")]
    assert len(moved) == 1 and moved[0].suggestion == "改到2027年3月6日（星期六）可组队（D、E、F届时有空）"
    joined = [a for a in unserved if a.suggestion.startswith("可与")]
    assert len(joined) == 1  # one lecture to join, promised once
    kw = dict(seed="s", avoid_home=True, team_min=3, team_max=4, prior_load={}, prior_pairs={})
    check_result(out, orders, pool, MENU, kw)
