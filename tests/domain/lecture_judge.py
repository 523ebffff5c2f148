"""An independent judge of a lecture dispatch: valid teams, rightful refusals, counted reasons, promises."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date

from activity_day.domain.lectures import (
    DISPATCHED,
    REASON_NO_STORY,
    SUGGEST_CHECK_MENU,
    UNSERVED,
    MenuItem,
    Order,
    Speaker,
    available,
    distance_km,
    load_of,
)


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
