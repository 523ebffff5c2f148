"""Micro lecture teams (微型宣讲队), 点单—派单: the pure rules that turn a month's orders into teams.

Stations order lectures from the month's menu; the office sends each order a team of speakers. The month's open
orders are assigned together, as one small assignment model (`activity_day.domain.lecture_model`, CP-SAT), so that
an order late in the month is not left short because early days took its speakers. Every dispatched team
satisfies, and the tests prove:

1. its size is between ``team_min`` and ``min(team_max, team_min + 1)`` (the aim: one member more than the
   minimum, but only where no other order goes without a team for it);
2. every member lectures on the menu item's topic;
3. when the item lists stories, at least one member tells one of them;
4. every member is available on the day and nobody exceeds their monthly cap (prior load included);
5. nobody lectures twice on one day (teams formed earlier included);
6. with ``avoid_home``, nobody lectures in their home township (回避);
7. nobody is sent to a lecture they declined.

Among the assignments that serve the most orders with the most members, the one chosen has the smallest sum of
squared monthly loads (load spreads), then the smallest sum of ``sha256_hex(f"{seed}|{order.key}|{speaker}")``
weights (with, when a team is re-formed, the earlier pairings with its kept members first); then members are
exchanged between teams, keeping every rule and every load, while that lowers the repeated pairings (pairs
rotate). The same inputs, in any order, give the same teams.

A decline re-forms that team around the members who stayed: from free speakers first, and only when nobody free
can make up the team, with a member lent by another team that has more than ``team_min`` and where the member has
not confirmed (`locked`), rather than give the lecture up.

An order left unserved gets a reason that counts, among the speakers of the topic, who is excluded by what
(declined, not available that day, 回避, monthly cap reached, already lecturing that day), and one suggestion that
would work, worked out against the finished dispatch and the suggestions already made: another day of the month
within 7 days on which a team is free (that team is then promised to this order, not to another), else joining a
lecture on the same menu item the same day (each lecture promised once), else raising named speakers' monthly cap,
else the speakers the pool would need.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from activity_day.domain import lecture_model as lp
from activity_day.domain.dates import cn_date
from activity_day.domain.hashing import sha256_hex

DISPATCHED = "dispatched"
UNSERVED = "unserved"

SUGGEST_WINDOW_DAYS = 7
MERGE_RADIUS_KM = 10.0
PAIR_SWEEPS = 20  # passes of the pair-rotation exchange (each pass either improves or ends it)
_EARTH_RADIUS_KM = 6371.0088
_WEEKDAYS = "一二三四五六日"

SUGGEST_CHECK_MENU = "请核对点单的菜单编号"
REASON_NO_STORY = "会讲该主题的讲师中没有人会讲本菜单的故事"

# Why a speaker of the topic cannot join an unserved order: in this order, each speaker counted once, first match.
EXCLUDED_DECLINED = "本场已谢绝"
EXCLUDED_UNAVAILABLE = "当天不在可宣讲时间"
EXCLUDED_HOME = "本乡镇讲师回避"
EXCLUDED_CAP = "本月场次已满"
EXCLUDED_BUSY = "当天已有其他宣讲"
EXCLUSIONS = (EXCLUDED_DECLINED, EXCLUDED_UNAVAILABLE, EXCLUDED_HOME, EXCLUDED_CAP, EXCLUDED_BUSY)


@dataclass(frozen=True)
class Speaker:
    code: str
    name: str
    township: str  # home township
    topics: frozenset[str]  # topic keys the speaker can lecture on
    stories: frozenset[str]  # story titles the speaker tells
    weekdays: frozenset[int] = frozenset()  # ISO weekdays available (1=Mon..7=Sun)
    dates: frozenset[date] = frozenset()  # specific dates available
    cap: int = 4  # at most this many lectures in the month


@dataclass(frozen=True)
class MenuItem:
    code: str
    title: str
    topic: str
    stories: tuple[str, ...] = ()  # when non-empty a team needs a member telling one of them


@dataclass(frozen=True)
class Order:
    key: str  # natural key, unique, e.g. "2027-03|012|M01"
    station: str
    township: str
    menu_code: str
    day: date
    audience: int
    point: tuple[float, float] | None = None  # station (lon, lat) if known


@dataclass(frozen=True)
class Assignment:
    order: str  # Order.key
    team: tuple[str, ...]  # speaker codes, sorted; empty when unserved
    status: str  # DISPATCHED | UNSERVED
    reason: str = ""  # Chinese, when unserved: why
    suggestion: str = ""  # Chinese, when unserved: what would help


# ---------------------------------------------------------------------------------------------- helpers


def available(speaker: Speaker, day: date) -> bool:
    """On `day` if it is one of the speaker's dates or weekdays; a speaker with neither is free every day."""
    if not speaker.weekdays and not speaker.dates:
        return True
    return day in speaker.dates or day.isoweekday() in speaker.weekdays


def pairs_of(assignments: Iterable[Assignment]) -> Counter[frozenset[str]]:
    """How often each unordered pair of speakers lectured together in the dispatched teams."""
    pairs: Counter[frozenset[str]] = Counter()
    for a in assignments:
        if a.status == DISPATCHED:
            team = sorted(set(a.team))
            pairs.update(frozenset((x, y)) for i, x in enumerate(team) for y in team[i + 1:])
    return pairs


def load_of(assignments: Iterable[Assignment]) -> Counter[str]:
    """Lectures per speaker in the dispatched teams."""
    return Counter(code for a in assignments if a.status == DISPATCHED for code in a.team)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lon, lat) points, in kilometres."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def cn_day_with_weekday(day: date) -> str:
    """2027年3月6日（星期六）."""
    return f"{cn_date(day)}（星期{_WEEKDAYS[day.isoweekday() - 1]}）"


def tie_hash(seed: str, order_key: str, speaker_code: str) -> str:
    return sha256_hex(f"{seed}|{order_key}|{speaker_code}")


def _tie(seed: str, order_key: str, code: str) -> int:
    return int(tie_hash(seed, order_key, code)[:6], 16) % 1000


# ---------------------------------------------------------------------------------------------- the month


@dataclass
class _Params:
    speakers: dict[str, Speaker]  # by code, sorted
    menu: dict[str, MenuItem]
    seed: str
    avoid_home: bool
    team_min: int
    team_max: int

    @property
    def target(self) -> int:
        return min(self.team_max, self.team_min + 1)


@dataclass
class _Month:
    """Who lectures when: loads (prior included), days taken, pairings; the teams of the month's orders."""

    load: Counter[str]
    busy: defaultdict[date, set[str]]
    pairs: Counter[frozenset[str]]
    teams: dict[str, tuple[str, ...]] = field(default_factory=dict)  # order key -> team (dispatched only)

    def add(self, order: Order, team: Iterable[str]) -> None:
        team = tuple(sorted(team))
        self.teams[order.key] = team
        self.load.update(team)
        self.busy[order.day].update(team)
        self.pairs.update(_pairs(team))

    def remove(self, order: Order) -> None:
        team = self.teams.pop(order.key)
        self.load.subtract(team)
        self.busy[order.day].difference_update(team)
        self.pairs.subtract(_pairs(team))

    def copy(self) -> _Month:
        return _Month(Counter(self.load), defaultdict(set, {d: set(c) for d, c in self.busy.items()}),
                      Counter(self.pairs), dict(self.teams))


def _pairs(team: Iterable[str]) -> list[frozenset[str]]:
    team = sorted(set(team))
    return [frozenset((x, y)) for i, x in enumerate(team) for y in team[i + 1:]]


def _index(items: Iterable, attr: str, what: str) -> dict:
    out: dict = {}
    for item in items:
        key = getattr(item, attr)
        if key in out:
            raise ValueError(f"duplicate {what}: {key!r}")
        out[key] = item
    return out


def _menu_index(menu: Iterable[MenuItem] | Mapping[str, MenuItem]) -> dict[str, MenuItem]:
    items = menu.values() if isinstance(menu, Mapping) else menu
    return _index(items, "code", "menu code")


def _params(speakers: Iterable[Speaker], menu, seed: str, avoid_home: bool, team_min: int,
            team_max: int) -> _Params:
    if team_min < 1 or team_max < team_min:
        raise ValueError(f"need 1 <= team_min <= team_max, got {team_min}..{team_max}")
    pool = _index(speakers, "code", "speaker code")
    return _Params(speakers={c: pool[c] for c in sorted(pool)}, menu=_menu_index(menu), seed=seed,
                   avoid_home=avoid_home, team_min=team_min, team_max=team_max)


def _tells(speaker: Speaker, item: MenuItem) -> bool:
    return not speaker.stories.isdisjoint(item.stories)


def _qualified(s: Speaker, order: Order, item: MenuItem, p: _Params, excluded: Collection[str], day: date) -> bool:
    """The rules that do not depend on the rest of the month: topic, declines, the day, 回避."""
    return (item.topic in s.topics and s.code not in excluded and available(s, day)
            and not (p.avoid_home and s.township == order.township))


def _free(order: Order, item: MenuItem, p: _Params, month: _Month, excluded: Collection[str],
          day: date | None = None) -> list[Speaker]:
    """Speakers who may join `order` on `day` (default its own) as the month stands."""
    day = order.day if day is None else day
    busy = month.busy.get(day, set())
    return [s for s in p.speakers.values() if _qualified(s, order, item, p, excluded, day)
            and month.load[s.code] < s.cap and s.code not in busy]


def _can_form(cands: list[Speaker], item: MenuItem, team_min: int) -> bool:
    return len(cands) >= team_min and (not item.stories or any(_tells(s, item) for s in cands))


def _slot(order: Order, item: MenuItem | None, p: _Params, month: _Month, excluded: Collection[str],
          kept: tuple[str, ...] = ()) -> lp.Slot:
    cands = _free(order, item, p, month, excluded) if item is not None else []
    tellers = frozenset(s.code for s in cands if _tells(s, item)) if item is not None and item.stories else None
    return lp.Slot(order.key, order.day, tuple(s.code for s in cands), p.team_min, p.target, tellers, kept)


def _greedy(order: Order, item: MenuItem, cands: list[Speaker], size: int, p: _Params, month: _Month,
            prefer=None) -> list[str]:
    """A valid team of `size` from `cands` (a story teller first when needed), lightest loads first."""
    def key(s: Speaker):
        return (prefer(s) if prefer else 0, month.load[s.code], _tie(p.seed, order.key, s.code), s.code)

    ranked = sorted(cands, key=key)
    team: list[Speaker] = []
    if item.stories:
        team.append(next(s for s in ranked if _tells(s, item)))
    team += [s for s in ranked if s not in team][:size - len(team)]
    return [s.code for s in team]


def _repair(jobs: list[_Job], p: _Params, month: _Month) -> None:
    """A safety net behind the model's budget: an unserved order that the leftover speakers can still serve is
    served, and a team below the aim takes a free member more."""
    for job in sorted(jobs, key=lambda j: (j.order.day, j.order.key)):
        item = p.menu.get(job.order.menu_code)
        if item is None or job.order.key in month.teams:
            continue
        cands = _free(job.order, item, p, month, job.excluded)
        if _can_form(cands, item, p.team_min):
            month.add(job.order, _greedy(job.order, item, cands, p.team_min, p, month))
    for job in sorted(jobs, key=lambda j: (j.order.day, j.order.key)):
        team = month.teams.get(job.order.key)
        if team is None or len(team) >= p.target:
            continue
        item = p.menu[job.order.menu_code]
        extra = [s for s in _free(job.order, item, p, month, job.excluded) if s.code not in team]
        if extra:
            month.remove(job.order)
            pick = min(extra, key=lambda s: (month.load[s.code], _tie(p.seed, job.order.key, s.code), s.code))
            month.add(job.order, [*team, pick.code])


def _pair_cost(month: _Month, pairs: Iterable[frozenset[str]]) -> int:
    return sum(month.pairs[q] ** 2 for q in pairs)


def _rotate_pairs(jobs: list[_Job], orders: Mapping[str, Order], p: _Params, month: _Month) -> None:
    """Exchange members between the open teams, keeping every rule and every load, while that lowers the sum of
    squared pairings (earlier months included): pairs rotate. Kept members stay where they are."""
    open_keys = sorted(j.order.key for j in jobs if j.order.key in month.teams)
    fixed = {j.order.key: frozenset(j.kept) for j in jobs}
    excluded = {j.order.key: j.excluded for j in jobs}
    for _ in range(PAIR_SWEEPS):
        improved = False
        for k1 in open_keys:
            if _try_replace(orders[k1], fixed, excluded, p, month):
                improved = True
            for k2 in open_keys:
                if k2 <= k1:
                    continue
                if _try_exchange(orders[k1], orders[k2], fixed, excluded, p, month):
                    improved = True
        if not improved:
            return


def _try_replace(order: Order, fixed, excluded, p: _Params, month: _Month) -> bool:
    """The first replacement of a member by someone free that day who has one lecture less this month (the sum of
    squared loads stays the same) that lowers the pairings; True if made."""
    team = month.teams[order.key]
    item = p.menu[order.menu_code]
    free = [s for s in _free(order, item, p, month, excluded[order.key]) if s.code not in team]
    for a in team:
        if a in fixed[order.key]:
            continue
        for c in free:
            if month.load[c.code] != month.load[a] - 1:
                continue
            new = [m for m in team if m != a] + [c.code]
            if item.stories and not any(_tells(p.speakers[m], item) for m in new):
                continue
            touched = set(_pairs(team)) | set(_pairs(new))
            before = _pair_cost(month, touched)
            month.remove(order)
            month.add(order, new)
            if _pair_cost(month, touched) < before:
                return True
            month.remove(order)
            month.add(order, team)
    return False


def _try_exchange(o1: Order, o2: Order, fixed, excluded, p: _Params, month: _Month) -> bool:
    """The first exchange of one member of o1's team with one of o2's that lowers the pairings; True if made."""
    t1, t2 = month.teams[o1.key], month.teams[o2.key]
    i1, i2 = p.menu[o1.menu_code], p.menu[o2.menu_code]
    for a in t1:
        if a in fixed[o1.key] or a in t2:
            continue
        sa = p.speakers[a]
        if not _qualified(sa, o2, i2, p, excluded[o2.key], o2.day):
            continue
        if o1.day != o2.day and a in month.busy.get(o2.day, set()):
            continue
        for b in t2:
            if b in fixed[o2.key] or b in t1:
                continue
            sb = p.speakers[b]
            if not _qualified(sb, o1, i1, p, excluded[o1.key], o1.day):
                continue
            if o1.day != o2.day and b in month.busy.get(o1.day, set()):
                continue
            n1 = [c for c in t1 if c != a] + [b]
            n2 = [c for c in t2 if c != b] + [a]
            if i1.stories and not any(_tells(p.speakers[c], i1) for c in n1):
                continue
            if i2.stories and not any(_tells(p.speakers[c], i2) for c in n2):
                continue
            touched = set(_pairs(t1)) | set(_pairs(t2)) | set(_pairs(n1)) | set(_pairs(n2))
            before = _pair_cost(month, touched)
            month.remove(o1)
            month.remove(o2)
            month.add(o1, n1)
            month.add(o2, n2)
            if _pair_cost(month, touched) < before:
                return True
            month.remove(o1)
            month.remove(o2)
            month.add(o1, t1)
            month.add(o2, t2)
    return False


@dataclass
class _Job:
    order: Order
    kept: tuple[str, ...] = ()  # members who stay (a team re-formed after a decline)
    excluded: frozenset[str] = frozenset()  # never on this order (declined)


def _assign(jobs: list[_Job], standing: list[lp.Standing], orders: Mapping[str, Order], p: _Params,
            month: _Month) -> None:
    """Solve the open `jobs` on top of `month` (which holds the standing teams, in full); `month` ends with the new
    teams in it and the standing teams without the members they lent."""
    def shift(codes_of, step: int) -> None:
        for t in standing:
            for code in codes_of(t):
                month.load[code] += step
                (month.busy[t.day].add if step > 0 else month.busy[t.day].discard)(code)

    shift(lambda t: t.lendable, -1)  # a lendable member is free for the open orders as far as the rules go; the model decides
    slots = [_slot(j.order, p.menu.get(j.order.menu_code), p, month, j.excluded, j.kept) for j in jobs]
    shift(lambda t: [c for c in t.team if c not in t.lendable], -1)  # the model counts the standing teams itself
    load, busy = dict(month.load), {d: frozenset(c) for d, c in month.busy.items()}
    shift(lambda t: t.team, +1)
    kept = {j.order.key: j.kept for j in jobs}

    def tie(key: str, code: str) -> int:
        if key in kept:  # an open order: earlier pairings with its kept members first, then the hash
            return 1000 * sum(month.pairs[frozenset((code, k))] for k in kept[key]) + _tie(p.seed, key, code)
        return _tie(p.seed, key, code)  # a standing team: which member it lends

    caps = {c: s.cap for c, s in p.speakers.items()}
    solution = lp.solve(lp.Model(tuple(slots), tuple(standing), caps, load, tie, busy))
    for key, gone in solution.lent.items():
        team = month.teams[key]
        month.remove(orders[key])
        month.add(orders[key], [c for c in team if c not in gone])
    for j in jobs:
        if solution.teams[j.order.key]:
            month.add(j.order, solution.teams[j.order.key])


# ---------------------------------------------------------------------------------------------- explanations


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
                team = _greedy(order, item, cands, p.team_min, p, month)
                month.add(Order(f"{order.key}@{day}", order.station, order.township, order.menu_code, day,
                                order.audience), team)
                return f"改到{cn_day_with_weekday(day)}可组队（{'、'.join(sorted(team))}届时有空）"
    if (merge := _merge(order, p, promised, excluded, orders)) is not None:
        return merge
    busy = month.busy.get(order.day, set())
    unbound = [s for s in p.speakers.values() if _qualified(s, order, item, p, excluded, order.day)
               and s.code not in busy]
    if _can_form(unbound, item, p.team_min):
        team = _greedy(order, item, unbound, p.team_min, p, month, prefer=lambda s: month.load[s.code] >= s.cap)
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


def _finish(by_key: dict[str, Order], jobs: dict[str, _Job], fixed: dict[str, Assignment], p: _Params,
            month: _Month) -> list[Assignment]:
    results: dict[str, Assignment] = dict(fixed)
    for key in jobs:
        if key in month.teams:
            results[key] = Assignment(order=key, team=month.teams[key], status=DISPATCHED)
    promised = _Promises(month.copy())
    unserved = sorted((k for k in jobs if k not in month.teams), key=lambda k: (by_key[k].day, k))
    reasons = {k: _reason(by_key[k], p.menu.get(by_key[k].menu_code), p, month, jobs[k].excluded) for k in unserved}
    for key in unserved:
        order = by_key[key]
        suggestion = _suggest(order, p.menu.get(order.menu_code), p, promised, jobs[key].excluded, by_key)
        results[key] = Assignment(order=key, team=(), status=UNSERVED, reason=reasons[key], suggestion=suggestion)
    return [results[key] for key in sorted(by_key)]


def _start(prior_load: Mapping[str, int] | None, prior_pairs: Mapping[frozenset[str], int] | None,
           prior_busy: Mapping[date, Collection[str]] | None) -> _Month:
    return _Month(load=Counter(prior_load or {}), pairs=Counter(prior_pairs or {}),
                  busy=defaultdict(set, {d: set(c) for d, c in (prior_busy or {}).items()}))


# ---------------------------------------------------------------------------------------------- API


def dispatch(orders: Iterable[Order], speakers: Iterable[Speaker],
             menu: Iterable[MenuItem] | Mapping[str, MenuItem], *, seed: str, avoid_home: bool = True,
             team_min: int = 3, team_max: int = 4, prior_load: Mapping[str, int] | None = None,
             prior_pairs: Mapping[frozenset[str], int] | None = None,
             prior_busy: Mapping[date, Collection[str]] | None = None,
             declined: Mapping[str, Collection[str]] | None = None) -> list[Assignment]:
    """One Assignment per order, in key order, all the orders assigned together; the same inputs (in any order)
    give the same result.

    prior_load: lectures each speaker already gives this month outside these orders (counts against cap).
    prior_pairs: how often each pair already lectured together (so new teams rotate away from them).
    prior_busy: the days on which speakers already lecture outside these orders (one lecture a day).
    declined: speakers who declined an order (an order unserved after a decline, dispatched again).
    """
    p = _params(speakers, menu, seed, avoid_home, team_min, team_max)
    by_key: dict[str, Order] = _index(orders, "key", "order key")
    unknown = sorted(set(declined or {}) - set(by_key))
    if unknown:
        raise ValueError(f"declines for unknown orders: {unknown[:5]}")
    month = _start(prior_load, prior_pairs, prior_busy)
    jobs = {k: _Job(o, excluded=frozenset((declined or {}).get(k, ()))) for k, o in sorted(by_key.items())}
    _assign(list(jobs.values()), [], by_key, p, month)
    _repair(list(jobs.values()), p, month)
    _rotate_pairs(list(jobs.values()), by_key, p, month)
    return _finish(by_key, jobs, {}, p, month)


def redispatch(assignments: Iterable[Assignment], orders: Iterable[Order], speakers: Iterable[Speaker],
               menu: Iterable[MenuItem] | Mapping[str, MenuItem], *, declined: Mapping[str, Collection[str]],
               seed: str, avoid_home: bool = True, team_min: int = 3, team_max: int = 4,
               prior_load: Mapping[str, int] | None = None,
               prior_pairs: Mapping[frozenset[str], int] | None = None,
               locked: Mapping[str, Collection[str]] | None = None) -> list[Assignment]:
    """Refill the teams that lost members: `declined` maps an order key to the speakers who declined it.

    A changed order (one of whose members declined, or that was unserved) keeps its members who did not decline,
    never gets a decliner back, and is made up from free speakers; when nobody free can make up the team, another
    team with more than `team_min` members lends one who is not in `locked[key]` (a member who confirmed, a
    lecture too near to change), rather than give the lecture up. Every other assignment comes back unchanged but
    for a member it lent; an order that still cannot be served becomes unserved, with a reason and a suggestion.
    """
    p = _params(speakers, menu, seed, avoid_home, team_min, team_max)
    by_key: dict[str, Order] = _index(orders, "key", "order key")
    before: dict[str, Assignment] = _index(assignments, "order", "assignment for order")
    if set(before) != set(by_key):
        missing = sorted(set(by_key) ^ set(before))
        raise ValueError(f"assignments and orders do not match: {missing[:5]}")
    unknown = sorted(set(declined) - set(by_key))
    if unknown:
        raise ValueError(f"declines for unknown orders: {unknown[:5]}")
    changed = {k for k, codes in declined.items()
               if before[k].status != DISPATCHED or not set(codes).isdisjoint(before[k].team)}
    if not changed:
        return [before[k] for k in sorted(by_key)]
    fixed = {k: a for k, a in before.items() if k not in changed}
    month = _start(prior_load, prior_pairs, None)
    standing = []
    for k, a in sorted(fixed.items()):
        if a.status != DISPATCHED:
            continue
        month.add(by_key[k], a.team)
        item = p.menu.get(by_key[k].menu_code)
        tellers = frozenset(c for c in a.team if c in p.speakers and _tells(p.speakers[c], item)) \
            if item is not None and item.stories else None
        lendable = tuple(sorted(c for c in a.team if c in p.speakers and c not in set((locked or {}).get(k, ()))))
        standing.append(lp.Standing(k, by_key[k].day, a.team, lendable, p.team_min, tellers))
    jobs = {}
    for k in sorted(changed):
        gone = frozenset(declined[k])
        kept = tuple(sorted(set(before[k].team) - gone)) if before[k].status == DISPATCHED else ()
        jobs[k] = _Job(by_key[k], kept=kept, excluded=gone)
    standing = [t for t in standing if len(t.team) > p.team_min and t.lendable]
    _assign(list(jobs.values()), standing, by_key, p, month)
    _repair(list(jobs.values()), p, month)
    for k, a in fixed.items():
        if a.status == DISPATCHED and month.teams.get(k) != a.team:
            fixed[k] = Assignment(order=k, team=month.teams[k], status=DISPATCHED)
    return _finish(by_key, jobs, fixed, p, month)
