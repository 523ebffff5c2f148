"""Micro lecture teams (点单—派单): hypothesis properties, checked by the independent judge of teams, reasons and
promises in lecture_judge."""

from __future__ import annotations

import random
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activity_day.domain.lectures import (
    DISPATCHED,
    DispatchRequest,
    MenuItem,
    Order,
    Speaker,
    dispatch,
    load_of,
    redispatch,
)
from tests.domain.lecture_judge import _eligible, check_result
from tests.domain.test_lectures import MENU, od, sp

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



# Derandomized: the same examples on every run (CI never sees a new one by chance); wider random runs are done
# by hand with more examples (4000 passed on 2026-12-02).
PROPS = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@PROPS
@given(scenarios())
def test_every_order_dispatched_validly_or_explained(scenario) -> None:
    orders, speakers, menu, kw = scenario
    check_result(dispatch(DispatchRequest(orders, speakers, menu, **kw)), orders, speakers, menu, kw)


@PROPS
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_deterministic_whatever_the_input_order(scenario, seed) -> None:
    orders, speakers, menu, kw = scenario
    rnd = random.Random(seed)
    out = dispatch(DispatchRequest(orders, speakers, menu, **kw))
    assert out == dispatch(DispatchRequest(orders, speakers, menu, **kw))
    shuffled = [list(x) for x in (orders, speakers, menu)]
    for x in shuffled:
        rnd.shuffle(x)
    assert out == dispatch(DispatchRequest(*shuffled, **kw))


@PROPS
@given(scenarios())
def test_an_idle_speaker_is_never_passed_over_for_a_busier_one(scenario) -> None:
    """Lowest load first: a speaker left unused who could have joined a team was not more loaded than any
    member of it before the month began (a story teller forced onto the team is the one exception)."""
    orders, speakers, menu, kw = scenario
    out = dispatch(DispatchRequest(orders, speakers, menu, **kw))
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
    out = dispatch(DispatchRequest(orders, pool, MENU, seed=seed, team_min=team_min, team_max=team_min + extra))
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
    before = dispatch(DispatchRequest(orders, speakers, menu, **kw))
    declined = declines(rnd, before, speakers)
    after = redispatch(before, DispatchRequest(orders, speakers, menu, **kw), declined=declined)
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
    assert redispatch(before, DispatchRequest(orders, speakers, menu, **kw), declined=declined) == after
