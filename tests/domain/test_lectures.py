"""Micro lecture teams (点单—派单): examples for every constraint, reason and suggestion, then hypothesis properties
checked by an independent judge of teams, reasons and promises."""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activity_day.domain.lectures import (
    DISPATCHED,
    REASON_NO_STORY,
    SUGGEST_CHECK_MENU,
    UNSERVED,
    Assignment,
    MenuItem,
    Order,
    Speaker,
    available,
    dispatch,
    distance_km,
    load_of,
    pairs_of,
    redispatch,
)

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
        dispatch([od("001"), od("001")], [], MENU, seed="s")
    with pytest.raises(ValueError, match="duplicate speaker code"):
        dispatch([], [sp("A"), sp("A")], MENU, seed="s")
    with pytest.raises(ValueError, match="team_min"):
        dispatch([], [], MENU, seed="s", team_min=4, team_max=3)


# ---------------------------------------------------------------------------------------------- constraints


def test_team_aims_for_four_and_settles_for_three() -> None:
    five = [sp(c) for c in "ABCDE"]
    [a] = dispatch([od("001")], five, MENU, seed="s")
    assert a.status == DISPATCHED and len(a.team) == 4 and a.team == tuple(sorted(a.team))
    [a] = dispatch([od("001")], five[:3], MENU, seed="s")
    assert a.status == DISPATCHED and a.team == ("A", "B", "C")
    [a] = dispatch([od("001")], five, MENU, seed="s", team_max=3)
    assert len(a.team) == 3
    [a] = dispatch([od("001")], five, MENU, seed="s", team_min=2, team_max=5)
    assert len(a.team) == 3  # team_min + 1, even when team_max allows more


def test_only_speakers_of_the_topic_and_too_few_of_them() -> None:
    pool = [sp("A"), sp("B"), sp("C", topics=("HISTORY",)), sp("D", topics=("HISTORY", "THEORY"))]
    [a] = dispatch([od("001")], pool, MENU, seed="s")
    assert a.team == ("A", "B", "D")
    [a] = dispatch([od("001")], pool[:3], MENU, seed="s")
    assert a == Assignment(od("001").key, (), UNSERVED, "会讲该主题（THEORY）的讲师不足3人（讲师库中共2人）",
                           "请扩充讲师库：需要再有1名会讲该主题（THEORY）、2027年3月5日（星期五）可宣讲、不属东镇的讲师")


def test_a_member_tells_one_of_the_stories() -> None:
    pool = [sp(c, topics=("HISTORY",)) for c in "ABCDEFG"] + [sp("Z", topics=("HISTORY",), stories=("十送红军",))]
    for seed in map(str, range(20)):
        [a] = dispatch([od("001", menu="M02")], pool, MENU, seed=seed)
        assert "Z" in a.team
    [a] = dispatch([od("001", menu="M02")], pool[:-1], MENU, seed="s")
    assert (a.status, a.reason) == (UNSERVED, REASON_NO_STORY)
    assert a.suggestion == ("请扩充讲师库：需要再有1名会讲该主题（HISTORY）、2027年3月5日（星期五）可宣讲、不属东镇的讲师，"
                            "其中至少1人会讲本菜单的故事（半条被子、十送红军）")


def test_the_story_teller_busy_that_day() -> None:
    pool = [sp(c, topics=("HISTORY", "THEORY")) for c in "ABCDEFG"]
    pool.append(sp("Z", topics=("HISTORY", "THEORY"), stories=("半条被子",), dates={FRI}))
    orders = [od("001", menu="M02", day=SAT), od("002", menu="M02")]
    out = by_order(dispatch(orders, pool, MENU, seed="s"))
    assert out[orders[1].key].status == DISPATCHED and "Z" in out[orders[1].key].team
    out = by_order(dispatch(orders, pool, MENU, seed="s", prior_load={"Z": 4}))
    assert out[orders[0].key].reason == ("2027年3月6日组不成宣讲队：会讲该主题（HISTORY）的8名讲师中，当天不在可宣讲时间1人，"
                                         "可派的7人都不会讲本菜单的故事")
    assert out[orders[0].key].suggestion.endswith("的讲师，其中至少1人会讲本菜单的故事（半条被子、十送红军）")


def test_availability_and_the_next_day_suggestion() -> None:
    pool = [sp(c, weekdays={6}) for c in "ABCD"]
    [a] = dispatch([od("001")], pool, MENU, seed="s")
    assert a.reason == "2027年3月5日组不成宣讲队：会讲该主题（THEORY）的4名讲师中，当天不在可宣讲时间4人，可派0人（至少需3人）"
    assert re.fullmatch(r"改到2027年3月6日（星期六）可组队（[ABCD]、[ABCD]、[ABCD]届时有空）", a.suggestion)
    pool = [sp(c, dates={date(2027, 3, 3)}) for c in "ABC"]
    [a] = dispatch([od("001")], pool, MENU, seed="s")
    assert a.suggestion == "改到2027年3月3日（星期三）可组队（A、B、C届时有空）"
    # the month ends: 3月2日 is outside and 4月1日 is another month
    pool = [sp(c, dates={date(2027, 4, 1), date(2027, 3, 1)}) for c in "ABC"]
    [a] = dispatch([od("001", day=date(2027, 3, 31))], pool, MENU, seed="s")
    assert a.suggestion == "请扩充讲师库：需要再有3名会讲该主题（THEORY）、2027年3月31日（星期三）可宣讲、不属东镇的讲师"


def test_monthly_cap_counts_prior_load() -> None:
    pool = [sp(c, cap=1) for c in "ABC"]
    orders = [od("001"), od("002", day=SAT)]
    out = dispatch(orders, pool, MENU, seed="s")
    assert sorted(a.status for a in out) == [DISPATCHED, UNSERVED]
    left = next(a for a in out if a.status == UNSERVED)
    assert left.reason.endswith("会讲该主题（THEORY）的3名讲师中，本月场次已满3人，可派0人（至少需3人）")
    # every speaker covers the topic: the pool is not told to grow, the cap is named
    assert left.suggestion == "调高A、B、C的每月上限（各加1场），即可按原定日期由A、B、C组队"
    [a] = dispatch([od("001")], [sp(c) for c in "ABC"], MENU, seed="s", prior_load={"B": 4})
    assert a.status == UNSERVED and a.reason.endswith("本月场次已满1人，可派2人（至少需3人）")
    assert a.suggestion == "调高B的每月上限（各加1场），即可按原定日期由A、B、C组队"


def test_one_lecture_a_day_and_the_merge_suggestion() -> None:
    pool = [sp(c, dates={FRI}) for c in "ABCD"]
    first, second = od("001", point=(116.0, 40.0)), od("002", point=(116.02, 40.0))
    out = by_order(dispatch([first, second], pool, MENU, seed="s"))
    served, left = sorted(out.values(), key=lambda a: a.status)
    assert len(served.team) == 4  # the second order could not be served, so the first takes the 4th
    assert left.reason.endswith("4名讲师中，当天已有其他宣讲4人，可派0人（至少需3人）")
    other = first if left.order == second.key else second
    assert left.suggestion == f"可与{other.station}所站（同日、同菜单，相距1.7公里）合并一场"
    # more than 10 km apart: no merge
    far = od("002", point=(116.2, 40.0))
    left = next(a for a in dispatch([first, far], pool, MENU, seed="s") if a.status == UNSERVED)
    assert left.suggestion == "请扩充讲师库：需要再有3名会讲该主题（THEORY）、2027年3月5日（星期五）可宣讲、不属东镇的讲师"
    # no points: merge without a distance
    out = dispatch([od("001"), od("002")], pool, MENU, seed="s")
    left = next(a for a in out if a.status == UNSERVED)
    assert re.fullmatch(r"可与00[12]所站（同日、同菜单）合并一场", left.suggestion)


def test_merge_needs_the_same_menu_item() -> None:
    pool = [sp(c, topics=("THEORY", "HISTORY"), stories=("半条被子",), dates={FRI}) for c in "ABCD"]
    out = dispatch([od("001"), od("002", menu="M02")], pool, MENU, seed="s")
    left = next(a for a in out if a.status == UNSERVED)
    assert left.suggestion.startswith("请扩充讲师库：需要再有3名")


def test_merge_respects_avoid_home() -> None:
    pool = [sp(c, township="乙镇", dates={FRI}) for c in "ABC"]
    orders = [od("001", township="甲镇"), od("002", township="乙镇")]
    out = by_order(dispatch(orders, pool, MENU, seed="s"))
    assert out[orders[0].key].status == DISPATCHED
    assert out[orders[1].key].reason.endswith("3名讲师中，本乡镇讲师回避3人，可派0人（至少需3人）")
    # the 001 team lives in 乙镇: no merge; the pool needs speakers from elsewhere, and says so
    assert out[orders[1].key].suggestion == ("请扩充讲师库：需要再有3名会讲该主题（THEORY）、2027年3月5日（星期五）可宣讲、"
                                             "不属乙镇的讲师")


def test_avoid_home() -> None:
    pool = [sp("A", township="东镇"), sp("B"), sp("C"), sp("D")]
    for seed in map(str, range(10)):
        [a] = dispatch([od("001", township="东镇")], pool, MENU, seed=seed)
        assert a.team == ("B", "C", "D")
    [a] = dispatch([od("001", township="东镇")], pool, MENU, seed="s", avoid_home=False)
    assert a.team == ("A", "B", "C", "D")
    [a] = dispatch([od("001", township="西镇")], pool, MENU, seed="s")
    assert a.status == UNSERVED and a.reason.endswith("4名讲师中，本乡镇讲师回避3人，可派1人（至少需3人）")


def test_unknown_menu_code() -> None:
    [a] = dispatch([od("001", menu="M99")], [sp(c) for c in "ABCD"], MENU, seed="s")
    assert (a.status, a.reason, a.suggestion) == (UNSERVED, "菜单中没有编号为M99的项目", SUGGEST_CHECK_MENU)


def test_pairs_rotate_and_loads_even_out() -> None:
    pool = [sp(c) for c in "ABCD"]
    orders = [od(f"{i:03d}", day=FRI + timedelta(days=i)) for i in range(6)]
    for seed in map(str, range(10)):
        out = dispatch(orders, pool, MENU, seed=seed, team_min=2, team_max=2)
        assert all(a.status == DISPATCHED for a in out)
        assert pairs_of(out) == Counter({frozenset(p): 1 for p in combinations("ABCD", 2)})
        assert load_of(out) == Counter(dict.fromkeys("ABCD", 3))


def test_prior_pairs_are_avoided() -> None:
    pool = [sp(c) for c in "ABCD"]
    for seed in map(str, range(20)):
        [a] = dispatch([od("001")], pool, MENU, seed=seed, team_max=3, prior_pairs={frozenset("AB"): 5})
        assert not {"A", "B"} <= set(a.team)


def test_lowest_load_first() -> None:
    pool = [sp(c) for c in "ABCDE"]
    for seed in map(str, range(10)):
        [a] = dispatch([od("001")], pool, MENU, seed=seed, team_max=3, prior_load={"A": 2, "B": 1})
        assert a.team == ("C", "D", "E")


def test_scarce_orders_go_first() -> None:
    pool = [sp(c, topics=("THEORY", "HISTORY"), stories=("半条被子",)) for c in "ABC"] + [sp(c) for c in "DEF"]
    orders = [od("001"), od("002", menu="M02")]  # 001 sorts first but has 6 candidates; 002 has 3
    for seed in map(str, range(10)):
        out = by_order(dispatch(orders, pool, MENU, seed=seed))
        assert out[orders[1].key].team == ("A", "B", "C")
        assert out[orders[0].key].team == ("D", "E", "F")


def test_same_inputs_in_any_order_same_result() -> None:
    pool = [sp(c, township=t) for c, t in zip("ABCDEFGH", "东西南北东西南北", strict=True)]
    orders = [od(f"{i:03d}", day=FRI + timedelta(days=i % 3), township="东镇") for i in range(6)]
    out = dispatch(orders, pool, MENU, seed="s")
    assert out == dispatch(orders[::-1], pool[::-1], MENU[::-1], seed="s")


# ---------------------------------------------------------------------------------------------- redispatch


def test_a_decline_keeps_the_others_and_fills_the_place() -> None:
    pool = [sp(c) for c in "ABCDEFGH"]
    orders = [od("001"), od("002", day=SAT)]
    before = dispatch(orders, pool, MENU, seed="s")
    gone = before[0].team[0]
    after = redispatch(before, orders, pool, MENU, declined={orders[0].key: {gone}}, seed="s")
    assert after[1] == before[1]
    assert gone not in after[0].team and set(before[0].team) - {gone} < set(after[0].team)
    assert len(after[0].team) == 4
    # nobody on the team declined: nothing changes
    assert redispatch(before, orders, pool, MENU, declined={orders[0].key: {"Z"}}, seed="s") == before
    assert redispatch(before, orders, pool, MENU, declined={}, seed="s") == before


def test_a_decline_that_cannot_be_filled() -> None:
    pool = [sp(c) for c in "ABCD"]
    before = dispatch([od("001")], pool, MENU, seed="s")
    assert before[0].team == ("A", "B", "C", "D")
    [after] = redispatch(before, [od("001")], pool, MENU, declined={od("001").key: {"A", "B"}}, seed="s")
    assert after.status == UNSERVED
    assert after.reason == "2027年3月5日组不成宣讲队：会讲该主题（THEORY）的4名讲师中，本场已谢绝2人，可派2人（至少需3人）"
    assert after.suggestion.startswith("请扩充讲师库：需要再有1名")
    [after] = redispatch(before, [od("001")], pool, MENU, declined={od("001").key: {"A"}}, seed="s")
    assert after.team == ("B", "C", "D")


def test_redispatch_counts_the_unchanged_teams() -> None:
    pool = [sp(c, cap=1) for c in "ABCDEFG"]
    orders = [od("001"), od("002", day=SAT)]
    before = dispatch(orders, pool, MENU, seed="s", team_max=3)
    spare = set("ABCDEFG") - set(before[0].team) - set(before[1].team)
    gone = before[0].team[0]
    after = redispatch(before, orders, pool, MENU, declined={orders[0].key: {gone}}, seed="s", team_max=3)
    assert after[0].team == tuple(sorted(set(before[0].team) - {gone} | spare))


def test_redispatch_refuses_mismatched_inputs() -> None:
    before = dispatch([od("001")], [sp(c) for c in "ABC"], MENU, seed="s")
    with pytest.raises(ValueError, match="do not match"):
        redispatch(before, [od("001"), od("002")], [], MENU, declined={}, seed="s")
    with pytest.raises(ValueError, match="unknown orders"):
        redispatch(before, [od("001")], [], MENU, declined={"x": {"A"}}, seed="s")


def test_early_days_never_starve_later_orders() -> None:
    """Day by day, the first order took three of four speakers and the second went without; over the month,
    both are served with the minimum, and the fourth member goes only where nobody goes short for it."""
    pool = [sp(c, cap=1) for c in "ABCD"]
    orders = [od("001"), od("002", day=SAT)]
    out = dispatch(orders, pool, MENU, seed="s", team_min=2, team_max=3)
    assert [a.status for a in out] == [DISPATCHED, DISPATCHED] and [len(a.team) for a in out] == [2, 2]
    pool.append(sp("E", cap=1))
    out = dispatch(orders, pool, MENU, seed="s", team_min=2, team_max=3)
    assert sorted(len(a.team) for a in out) == [2, 3]


def test_the_month_serves_the_most_orders_not_the_earliest() -> None:
    """The only story teller, and nine speakers with a cap of one for three lectures of three: the story lecture
    gets the teller, nobody gets a fourth member, and nothing is left unserved, whatever the seed."""
    pool = ([sp("Z", topics=("THEORY", "HISTORY"), stories=("半条被子",), cap=1)]
            + [sp(c, topics=("THEORY", "HISTORY"), cap=1) for c in "ABCDEFGH"])
    orders = [od("001"), od("002", menu="M02"), od("003", day=SAT)]
    for seed in map(str, range(5)):
        out = by_order(dispatch(orders, pool, MENU, seed=seed))
        assert [len(a.team) for a in out.values()] == [3, 3, 3]
        assert "Z" in out[orders[1].key].team


def test_a_decline_borrows_a_fourth_member_before_giving_up() -> None:
    pool = [sp(c, cap=1) for c in "ABCDEFG"]
    orders = [od("001"), od("002", day=SAT)]
    before = dispatch(orders, pool, MENU, seed="s")
    assert sorted(len(a.team) for a in before) == [3, 4]
    three, four = sorted(before, key=lambda a: len(a.team))
    gone = three.team[0]
    after = by_order(redispatch(before, orders, pool, MENU, declined={three.order: {gone}}, seed="s"))
    # nobody is free (caps of one): the team of four lends one member, and both lectures are given
    assert after[three.order].status == DISPATCHED and gone not in after[three.order].team
    assert set(three.team) - {gone} < set(after[three.order].team)
    lent = set(after[three.order].team) - set(three.team)
    assert len(lent) == 1 and lent < set(four.team)
    assert after[four.order].team == tuple(sorted(set(four.team) - lent))
    # members who confirmed are not lent: then the lecture cannot be given, and the reason says why
    locked = {four.order: set(four.team)}
    after = by_order(redispatch(before, orders, pool, MENU, declined={three.order: {gone}}, seed="s", locked=locked))
    assert after[three.order].status == UNSERVED and after[four.order] == four
    assert after[three.order].reason.endswith("本场已谢绝1人、本月场次已满4人，可派2人（至少需3人）")


def test_prior_busy_days_are_taken() -> None:
    pool = [sp(c) for c in "ABCD"]
    [a] = dispatch([od("001")], pool, MENU, seed="s", prior_busy={FRI: {"A"}}, prior_load={"A": 1})
    assert a.team == ("B", "C", "D")
    [a] = dispatch([od("001")], pool, MENU, seed="s", prior_busy={FRI: {"A", "B"}}, prior_load={"A": 1, "B": 1})
    assert a.status == UNSERVED and a.reason.endswith("当天已有其他宣讲2人，可派2人（至少需3人）")


def test_no_two_suggestions_promise_the_same_free_team() -> None:
    """Six orders on Friday for a pool that forms one team on Friday and one on Saturday: the Saturday team is
    promised once, and the orders after it are told something else that holds."""
    pool = [sp(c, dates={FRI}) for c in "ABC"] + [sp(c, dates={SAT}) for c in "DEF"]
    orders = [od(f"{i:03d}") for i in range(1, 7)]
    out = dispatch(orders, pool, MENU, seed="s")
    unserved = [a for a in out if a.status == UNSERVED]
    moved = [a for a in unserved if a.suggestion.startswith("改到")]
    assert len(moved) == 1 and moved[0].suggestion == "改到2027年3月6日（星期六）可组队（D、E、F届时有空）"
    joined = [a for a in unserved if a.suggestion.startswith("可与")]
    assert len(joined) == 1  # one lecture to join, promised once
    kw = dict(seed="s", avoid_home=True, team_min=3, team_max=4, prior_load={}, prior_pairs={})
    check_result(out, orders, pool, MENU, kw)


# ---------------------------------------------------------------------------------------------- properties

MONTH_DAYS = [date(2027, 3, d) for d in range(1, 32)]
TOPICS = ["T1", "T2", "T3"]
STORIES = ["s1", "s2", "s3"]
TOWNS = ["甲镇", "乙镇", "丙镇"]


# A few integers per speaker and per order, decoded into fields: drawing the fields one by one made data
# generation dominate the run time. Hypothesis shrinks integers towards 0, the plainest speaker/order.
_SPEAKER = st.tuples(st.integers(0, 3 * 7 * 8 * 4 - 1), st.integers(0, 5), st.integers(0, 127),
                     st.integers(0, 2**31 - 1), st.integers(0, 2**31 - 1))
_ORDER = st.tuples(st.integers(0, 20 * 3 * 31 - 1), st.none() | st.tuples(st.integers(0, 2000), st.integers(0, 1000)))
_PRIORS = st.lists(st.tuples(st.integers(0, 39), st.integers(0, 3)), max_size=8)
_PAIRS = st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39), st.integers(1, 3)), max_size=10)
_MENU_ITEM = st.tuples(st.sampled_from(TOPICS), st.lists(st.sampled_from(STORIES), unique=True, max_size=2))


def _take(x: int, n: int) -> tuple[int, int]:
    return x % n, x // n


def _bits(mask: int, values: list) -> frozenset:
    return frozenset(v for i, v in enumerate(values) if mask >> i & 1)


def _speaker(i: int, fields: tuple[int, int, int, int, int]) -> Speaker:
    x, cap, weekdays, dates_a, dates_b = fields
    town, x = _take(x, 3)
    topics, x = _take(x, 7)
    stories, mode = _take(x, 8)  # mode 0, 1: any day; 2: some weekdays; 3: some dates (about a quarter)
    return Speaker(f"S{i:02d}", f"讲师{i}", TOWNS[town], _bits(topics + 1, TOPICS), _bits(stories, STORIES),
                   _bits(weekdays, list(range(1, 8))) if mode == 2 else frozenset(),
                   _bits(dates_a & dates_b, MONTH_DAYS) if mode == 3 else frozenset(), cap)


def _order(i: int, fields: tuple[int, tuple[int, int] | None], menu: list[MenuItem]) -> Order:
    x, grid = fields
    m, x = _take(x, 20)
    town, day = _take(x, 3)
    menu_code = menu[m % len(menu)].code if m < 19 else "M9"  # M9 is on no menu
    point = (116.0 + grid[0] / 10000, 40.0 + grid[1] / 10000) if grid else None
    return Order(f"2027-03|{i:03d}|{menu_code}", f"{i:03d}", TOWNS[town], menu_code, MONTH_DAYS[day], 30, point)


@st.composite
def scenarios(draw):
    menu = [MenuItem(f"M{i}", f"菜单{i}", topic, tuple(stories))
            for i, (topic, stories) in enumerate(draw(st.lists(_MENU_ITEM, min_size=1, max_size=4)))]
    n, k = draw(st.integers(0, 40)), draw(st.integers(0, 30))
    speakers = [_speaker(i, x) for i, x in enumerate(draw(st.lists(_SPEAKER, min_size=n, max_size=n)))]
    orders = [_order(i, x, menu) for i, x in enumerate(draw(st.lists(_ORDER, min_size=k, max_size=k)))]
    team_min = draw(st.integers(2, 3))
    team_max = draw(st.integers(team_min, 4))
    prior_load = {speakers[i % n].code: k for i, k in draw(_PRIORS)} if n else {}
    prior_pairs = {frozenset((speakers[a % n].code, speakers[b % n].code)): k
                   for a, b, k in draw(_PAIRS) if n and a % n != b % n}
    kwargs = dict(seed=draw(st.text("abc", max_size=4)), avoid_home=draw(st.booleans()), team_min=team_min,
                  team_max=team_max, prior_load=prior_load, prior_pairs=prior_pairs)
    return orders, speakers, menu, kwargs


def _eligible(s: Speaker, order: Order, item: MenuItem, day: date, avoid_home: bool) -> bool:
    return (item.topic in s.topics and available(s, day) and not (avoid_home and s.township == order.township))


def _team_possible(order, day, result, orders, speakers, menu, kw, excluded=frozenset()) -> bool:
    """Independently: could a valid team be formed for `order` on `day` with what `result` leaves?"""
    item = {m.code: m for m in menu}.get(order.menu_code)
    if item is None:
        return False
    load = Counter(kw["prior_load"]) + load_of(result)
    day_of = {o.key: o.day for o in orders}
    busy = {c for a in result if a.status == DISPATCHED and day_of[a.order] == day for c in a.team}
    cands = [s for s in speakers if _eligible(s, order, item, day, kw["avoid_home"])
             and load[s.code] < s.cap and s.code not in busy and s.code not in excluded]
    return len(cands) >= kw["team_min"] and (not item.stories or any(s.stories & set(item.stories) for s in cands))


DAY_SUGGESTION = re.compile(r"改到(\d+)年(\d+)月(\d+)日（星期([一二三四五六日])）可组队（(.+)届时有空）")
MERGE_SUGGESTION = re.compile(r"可与(\d+)所站（同日、同菜单(?:，相距(\d+\.\d)公里)?）合并一场")
CAP_SUGGESTION = re.compile(r"调高(.+)的每月上限（各加1场），即可按原定日期由(.+)组队")
GROW_SUGGESTION = re.compile(r"请扩充讲师库：需要再有(\d+)名会讲该主题（(.+?)）、(\d+)年(\d+)月(\d+)日（星期.）可宣讲(?:、不属(.+?))?"
                             r"的讲师(，其中至少1人会讲本菜单的故事（.+）)?")
REASON = re.compile(r"(\d+)年(\d+)月(\d+)日组不成宣讲队：会讲该主题（(.+?)）的(\d+)名讲师中，(.*?)，"
                    r"(?:可派(\d+)人（至少需(\d+)人）|可派的(\d+)人都不会讲本菜单的故事)")
LABELS = ["本场已谢绝", "当天不在可宣讲时间", "本乡镇讲师回避", "本月场次已满", "当天已有其他宣讲"]


def _judge_counts(order, item, speakers, load, busy, declined, avoid_home) -> tuple[dict[str, int], list]:
    """Independently: each speaker of the topic counted once, by the first rule that keeps them off the order."""
    counts = dict.fromkeys(LABELS, 0)
    left = []
    for s in speakers:
        if item.topic not in s.topics:
            continue
        if s.code in declined:
            counts["本场已谢绝"] += 1
        elif not available(s, order.day):
            counts["当天不在可宣讲时间"] += 1
        elif avoid_home and s.township == order.township:
            counts["本乡镇讲师回避"] += 1
        elif load[s.code] >= s.cap:
            counts["本月场次已满"] += 1
        elif s.code in busy:
            counts["当天已有其他宣讲"] += 1
        else:
            left.append(s)
    return counts, left


def check_result(result, orders, speakers, menu, kw, declined=None, judged=None, lent_ok=False) -> None:
    """Every rule on dispatched teams; for the `judged` unserved orders (default all), that no team was left for
    them, that the reason's counts are the pool's, and that each suggestion's promise holds and is made once."""
    declined = declined or {}
    by_key = {o.key: o for o in orders}
    pool = {s.code: s for s in speakers}
    items = {m.code: m for m in menu}
    target = min(kw["team_max"], kw["team_min"] + 1)
    assert [a.order for a in result] == sorted(by_key)
    per_day: Counter = Counter()
    for a in result:
        order = by_key[a.order]
        if a.status == DISPATCHED:
            item = items[order.menu_code]
            assert a.team == tuple(sorted(set(a.team)))
            assert kw["team_min"] <= len(a.team) <= target
            assert not a.reason and not a.suggestion
            for code in a.team:
                assert _eligible(pool[code], order, item, order.day, kw["avoid_home"])
                assert code not in declined.get(a.order, set())
            assert not item.stories or any(pool[c].stories & set(item.stories) for c in a.team)
            per_day.update((order.day, c) for c in a.team)
            continue
        assert a.status == UNSERVED and a.team == () and a.reason and a.suggestion
    assert max(per_day.values(), default=1) == 1
    load = Counter(kw["prior_load"]) + load_of(result)
    for code, n in load_of(result).items():
        assert kw["prior_load"].get(code, 0) + n <= pool[code].cap
    day_of = {o.key: o.day for o in orders}
    busy = defaultdict(set)
    for a in result:
        if a.status == DISPATCHED:
            busy[day_of[a.order]].update(a.team)
    promised_load, promised_busy, joined = Counter(load), defaultdict(set, {d: set(c) for d, c in busy.items()}), set()
    for a in sorted((a for a in result if a.status == UNSERVED), key=lambda a: (by_key[a.order].day, a.order)):
        order = by_key[a.order]
        if judged is not None and a.order not in judged:
            continue
        excluded = frozenset(declined.get(a.order, set()))
        assert not _team_possible(order, order.day, result, orders, speakers, menu, kw, excluded)
        item = items.get(order.menu_code)
        if item is None:
            assert (a.reason, a.suggestion) == (f"菜单中没有编号为{order.menu_code}的项目", SUGGEST_CHECK_MENU)
            continue
        # The reason: the pool's numbers as the finished dispatch leaves them.
        topic = [s for s in speakers if item.topic in s.topics]
        counts, left = _judge_counts(order, item, speakers, load, busy[order.day], excluded, kw["avoid_home"])
        if len(topic) < kw["team_min"]:
            assert a.reason == f"会讲该主题（{item.topic}）的讲师不足{kw['team_min']}人（讲师库中共{len(topic)}人）"
        elif item.stories and not any(s.stories & set(item.stories) for s in topic):
            assert a.reason == REASON_NO_STORY
        else:
            hit = REASON.fullmatch(a.reason)
            assert hit, a.reason
            assert date(*map(int, hit.groups()[:3])) == order.day and hit.group(4) == item.topic
            assert int(hit.group(5)) == len(topic)
            said = {label: int(n) for label, n in re.findall(r"(\D+?)(\d+)人", hit.group(6).replace("、", ""))}
            assert said == {k: v for k, v in counts.items() if v}, (a.reason, counts)
            if hit.group(7) is not None:
                assert int(hit.group(7)) == len(left) < kw["team_min"] == int(hit.group(8))
            else:
                assert int(hit.group(9)) == len(left) >= kw["team_min"]
                assert not any(s.stories & set(item.stories) for s in left)
        # The suggestion: what it promises is there, against the dispatch and the promises made before it.
        day_hit, merge_hit = DAY_SUGGESTION.fullmatch(a.suggestion), MERGE_SUGGESTION.fullmatch(a.suggestion)
        cap_hit, grow_hit = CAP_SUGGESTION.fullmatch(a.suggestion), GROW_SUGGESTION.fullmatch(a.suggestion)
        if day_hit:
            day = date(*map(int, day_hit.groups()[:3]))
            team = day_hit.group(5).split("、")
            assert "一二三四五六日"[day.isoweekday() - 1] == day_hit.group(4)
            assert 0 < abs((day - order.day).days) <= 7 and day.month == order.day.month
            assert len(team) == kw["team_min"] == len(set(team))
            assert not item.stories or any(pool[c].stories & set(item.stories) for c in team)
            for code in team:
                assert _eligible(pool[code], order, item, day, kw["avoid_home"]) and code not in excluded
                assert code not in promised_busy[day] and promised_load[code] < pool[code].cap
                promised_busy[day].add(code)
                promised_load[code] += 1
        elif merge_hit:
            [other] = [o for o in orders if o.station == merge_hit.group(1)]
            done = next(x for x in result if x.order == other.key)
            assert other.key != order.key and done.status == DISPATCHED and not excluded & set(done.team)
            assert (other.day, other.menu_code) == (order.day, order.menu_code)
            assert other.key not in joined  # a lecture is promised to one order at most
            joined.add(other.key)
            if order.point and other.point:
                assert float(merge_hit.group(2)) == round(distance_km(order.point, other.point), 1) <= 10.05
        elif cap_hit:
            over, team = cap_hit.group(1).split("、"), cap_hit.group(2).split("、")
            assert len(team) == kw["team_min"] == len(set(team)) and set(over) <= set(team)
            assert not item.stories or any(pool[c].stories & set(item.stories) for c in team)
            for code in team:
                assert _eligible(pool[code], order, item, order.day, kw["avoid_home"]) and code not in excluded
                assert code not in promised_busy[order.day]
                assert (promised_load[code] >= pool[code].cap) == (code in over)
                promised_busy[order.day].add(code)
                promised_load[code] += 1
        else:
            assert grow_hit, a.suggestion
            free = [s for s in speakers if _eligible(s, order, item, order.day, kw["avoid_home"])
                    and s.code not in excluded and s.code not in promised_busy[order.day]
                    and promised_load[s.code] < s.cap]
            story = bool(item.stories) and not any(s.stories & set(item.stories) for s in free)
            assert int(grow_hit.group(1)) == max(kw["team_min"] - len(free), 1 if story else 0) > 0
            assert grow_hit.group(2) == item.topic and bool(grow_hit.group(7)) == story
            assert (grow_hit.group(6) is not None) == kw["avoid_home"]


# Derandomized: the same examples on every run (CI never sees a new one by chance); wider random runs are done
# by hand with more examples (4000 passed on 2026-12-02).
PROPS = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@PROPS
@given(scenarios())
def test_every_order_dispatched_validly_or_explained(scenario) -> None:
    orders, speakers, menu, kw = scenario
    check_result(dispatch(orders, speakers, menu, **kw), orders, speakers, menu, kw)


@PROPS
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_deterministic_whatever_the_input_order(scenario, seed) -> None:
    orders, speakers, menu, kw = scenario
    rnd = random.Random(seed)
    out = dispatch(orders, speakers, menu, **kw)
    assert out == dispatch(orders, speakers, menu, **kw)
    shuffled = [list(x) for x in (orders, speakers, menu)]
    for x in shuffled:
        rnd.shuffle(x)
    assert out == dispatch(*shuffled, **kw)


@PROPS
@given(scenarios())
def test_an_idle_speaker_is_never_passed_over_for_a_busier_one(scenario) -> None:
    """Lowest load first: a speaker left unused who could have joined a team was not more loaded than any
    member of it before the month began (a story teller forced onto the team is the one exception)."""
    orders, speakers, menu, kw = scenario
    out = dispatch(orders, speakers, menu, **kw)
    used = load_of(out)
    prior = kw["prior_load"]
    items = {m.code: m for m in menu}
    by_key = {o.key: o for o in orders}
    for a in out:
        if a.status != DISPATCHED:
            continue
        order = by_key[a.order]
        item = items[order.menu_code]
        for s in speakers:
            idle = used[s.code] == 0 and prior.get(s.code, 0) < s.cap
            if idle and _eligible(s, order, item, order.day, kw["avoid_home"]) and (
                    not item.stories or s.stories & set(item.stories)):
                assert all(prior.get(m, 0) <= prior.get(s.code, 0) for m in a.team)


@PROPS
@given(st.integers(3, 14), st.integers(1, 6), st.lists(st.sampled_from(MONTH_DAYS), max_size=30),
       st.integers(2, 3), st.integers(0, 1), st.text("abc", max_size=3))
def test_a_uniform_pool_stays_within_one_lecture(n, cap, days, team_min, extra, seed) -> None:
    """Speakers who can all do everything end the month within one lecture of each other."""
    pool = [sp(f"S{i:02d}", cap=cap) for i in range(n)]
    orders = [od(f"{i:03d}", day=d) for i, d in enumerate(days)]
    out = dispatch(orders, pool, MENU, seed=seed, team_min=team_min, team_max=team_min + extra)
    load = load_of(out)
    counts = [load[s.code] for s in pool]
    assert max(counts) - min(counts) <= 1


def declines(rnd, result, speakers):
    """Some orders' declines: members of the team, and now and then someone not on it (a Random, not a strategy:
    Hypothesis takes a draw that touches the global random state, e.g. from another test's thread, as flaky)."""
    declined = {}
    codes = [s.code for s in speakers]
    for a in result:
        if rnd.randint(0, 3) == 0:
            gone = {c for c in a.team if rnd.random() < 0.5}
            if codes and rnd.random() < 0.5:
                gone.add(rnd.choice(codes))
            declined[a.order] = gone
    return declined


@PROPS
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_redispatch_changes_only_the_declined_orders(scenario, seed) -> None:
    orders, speakers, menu, kw = scenario
    rnd = random.Random(seed)  # drawn up front: nothing is drawn from Hypothesis while the test runs
    before = dispatch(orders, speakers, menu, **kw)
    declined = declines(rnd, before, speakers)
    after = redispatch(before, orders, speakers, menu, declined=declined, **kw)
    changed = {a.order for a in before if a.order in declined
               and (a.status != DISPATCHED or declined[a.order] & set(a.team))}
    check_result(after, orders, speakers, menu, kw, declined, judged=changed)
    joined = {c for a in after if a.order in changed for c in a.team}
    for old, new in zip(before, after, strict=True):
        gone = declined.get(old.order)
        if gone is None or (old.status == DISPATCHED and not gone & set(old.team)):
            # unchanged, or a team of more than team_min that lent members to a re-formed team
            lent = set(old.team) - set(new.team)
            assert new == old or (new.status == DISPATCHED and set(new.team) < set(old.team) and lent <= joined
                                  and len(new.team) >= kw["team_min"])
        else:
            assert not gone & set(new.team)
    assert redispatch(before, orders, speakers, menu, declined=declined, **kw) == after
