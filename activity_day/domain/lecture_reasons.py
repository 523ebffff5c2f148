"""Why an order goes unserved, and one suggestion that would serve it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from activity_day.domain.dates import cn_date
from activity_day.domain.lecture_data import (
    MenuItem,
    Order,
    Speaker,
    available,
    cn_day_with_weekday,
    distance_km,
)
from activity_day.domain.lecture_month import _can_form, _free, _greedy, _Month, _Params, _qualified, _tells

SUGGEST_WINDOW_DAYS = 7
MERGE_RADIUS_KM = 10.0

SUGGEST_CHECK_MENU = "请核对点单的菜单编号"
REASON_NO_STORY = "会讲该主题的讲师中没有人会讲本菜单的故事"

# Why a speaker of the topic cannot join an unserved order: in this order, each speaker counted once, first match.
EXCLUDED_DECLINED = "本场已谢绝"
EXCLUDED_UNAVAILABLE = "当天不在可宣讲时间"
EXCLUDED_HOME = "本乡镇讲师回避"
EXCLUDED_CAP = "本月场次已满"
EXCLUDED_BUSY = "当天已有其他宣讲"
EXCLUSIONS = (EXCLUDED_DECLINED, EXCLUDED_UNAVAILABLE, EXCLUDED_HOME, EXCLUDED_CAP, EXCLUDED_BUSY)


def _breakdown(order: Order, item: MenuItem, p: _Params, month: _Month, excluded: Collection[str]):
    """The topic's speakers, and who of them is excluded by what (first match in EXCLUSIONS), and who is left."""
    topic = [s for s in p.speakers.values() if item.topic in s.topics]
    counts: Counter[str] = Counter()
    left: list[Speaker] = []
    busy = month.busy.get(order.day, set())
    for s in topic:
        if s.code in excluded:
            counts[EXCLUDED_DECLINED] += 1
        elif not available(s, order.day):
            counts[EXCLUDED_UNAVAILABLE] += 1
        elif p.avoid_home and s.township == order.township:
            counts[EXCLUDED_HOME] += 1
        elif month.load[s.code] >= s.cap:
            counts[EXCLUDED_CAP] += 1
        elif s.code in busy:
            counts[EXCLUDED_BUSY] += 1
        else:
            left.append(s)
    return topic, counts, left


def _reason(order: Order, item: MenuItem | None, p: _Params, month: _Month, excluded: Collection[str]) -> str:
    """Why no team can be formed, counted against the pool and the finished dispatch."""
    if item is None:
        return f"菜单中没有编号为{order.menu_code}的项目"
    topic, counts, left = _breakdown(order, item, p, month, excluded)
    if len(topic) < p.team_min:
        return f"会讲该主题（{item.topic}）的讲师不足{p.team_min}人（讲师库中共{len(topic)}人）"
    if item.stories and not any(_tells(s, item) for s in topic):
        return REASON_NO_STORY
    parts = "、".join(f"{label}{counts[label]}人" for label in EXCLUSIONS if counts[label])
    head = f"{cn_date(order.day)}组不成宣讲队：会讲该主题（{item.topic}）的{len(topic)}名讲师中，{parts}"
    if len(left) >= p.team_min and item.stories and not any(_tells(s, item) for s in left):
        return f"{head}，可派的{len(left)}人都不会讲本菜单的故事"
    return f"{head}，可派{len(left)}人（至少需{p.team_min}人）"


@dataclass
class _Promises:
    """What suggestions have promised so far: free teams (as loads and days) and lectures to join."""

    month: _Month
    joined: set[str] = field(default_factory=set)


def _suggest(order: Order, item: MenuItem | None, p: _Params, promised: _Promises, excluded: Collection[str],
             orders: Mapping[str, Order]) -> str:
    """One suggestion that works against the finished dispatch and the suggestions already made; what it
    promises (a free team, a lecture to join, speakers over their cap) is taken from the month for the next."""
    if item is None:
        return SUGGEST_CHECK_MENU
    month = promised.month
    for delta in range(1, SUGGEST_WINDOW_DAYS + 1):
        for day in (order.day + timedelta(days=delta), order.day - timedelta(days=delta)):
            if (day.year, day.month) != (order.day.year, order.day.month):
                continue
            cands = _free(order, item, p, month, excluded, day=day)
            if _can_form(cands, item, p.team_min):
                team = _greedy(order, item, cands, p, month)
                month.add(Order(f"{order.key}@{day}", order.station, order.township, order.menu_code, day,
                                order.audience), team)
                return f"改到{cn_day_with_weekday(day)}可组队（{'、'.join(sorted(team))}届时有空）"
    if (merge := _merge(order, p, promised, excluded, orders)) is not None:
        return merge
    busy = month.busy.get(order.day, set())
    unbound = [s for s in p.speakers.values() if _qualified(s, order, item, p, excluded, order.day)
               and s.code not in busy]
    if _can_form(unbound, item, p.team_min):
        team = _greedy(order, item, unbound, p, month, prefer=lambda s: month.load[s.code] >= s.cap)
        over = sorted(c for c in team if month.load[c] >= p.speakers[c].cap)
        month.add(Order(f"{order.key}@cap", order.station, order.township, order.menu_code, order.day,
                        order.audience), team)
        return f"调高{'、'.join(over)}的每月上限（各加1场），即可按原定日期由{'、'.join(sorted(team))}组队"
    return _grow(order, item, p, month, excluded)


def _merge(order: Order, p: _Params, promised: _Promises, excluded: Collection[str],
           orders: Mapping[str, Order]) -> str | None:
    homes = {c: s.township for c, s in p.speakers.items()}
    merges = []
    for key, team in promised.month.teams.items():
        other = orders.get(key)
        if (other is None or key == order.key or key in promised.joined or other.day != order.day
                or other.menu_code != order.menu_code):
            continue
        if p.avoid_home and any(homes.get(c) == order.township for c in team):
            continue
        if not set(excluded).isdisjoint(team):  # a speaker who declined this order
            continue
        km = distance_km(order.point, other.point) if order.point and other.point else None
        if km is not None and km > MERGE_RADIUS_KM:
            continue
        merges.append((km is None, km or 0.0, key, other, km))
    if not merges:
        return None
    *_, key, other, km = min(merges, key=lambda m: m[:3])
    promised.joined.add(key)
    far = f"，相距{km:.1f}公里" if km is not None else ""
    return f"可与{other.station}所站（同日、同菜单{far}）合并一场"


def _grow(order: Order, item: MenuItem, p: _Params, month: _Month, excluded: Collection[str]) -> str:
    """The speakers the pool lacks for this order: how many, with every rule they would have to meet."""
    free = _free(order, item, p, month, excluded)
    story = bool(item.stories) and not any(_tells(s, item) for s in free)
    needed = max(p.team_min - len(free), 1 if story else 0)
    rules = [f"会讲该主题（{item.topic}）", f"{cn_day_with_weekday(order.day)}可宣讲"]
    if p.avoid_home:
        rules.append(f"不属{order.township or '本乡镇'}")
    told = f"，其中至少1人会讲本菜单的故事（{'、'.join(item.stories)}）" if story else ""
    return f"请扩充讲师库：需要再有{needed}名{'、'.join(rules)}的讲师{told}"
