"""Micro lecture teams (微型宣讲队), 点单—派单: the pure rules that turn stations' orders into teams.

Stations order lectures from the month's menu; the office sends each order a team of speakers. Every
dispatched team satisfies, and the tests prove:

1. its size is between ``team_min`` and ``team_max`` (aiming for ``team_min + 1`` when people allow);
2. every member lectures on the menu item's topic;
3. when the item lists stories, at least one member tells one of them;
4. every member is available on the day and nobody exceeds their monthly cap (prior load included);
5. nobody lectures twice on one day;
6. with ``avoid_home``, nobody lectures in their home township;
7. members are chosen by lowest load, then fewest earlier pairings with the members already chosen,
   then ``sha256_hex(f"{seed}|{order.key}|{speaker.code}")`` — so loads spread and pairs rotate.

Orders are taken day by day; within a day the order with the fewest eligible speakers goes first, and
every order of the day gets its ``team_min`` members before any gets a member more. An order that cannot
be served is "unserved", with a Chinese reason naming the binding constraint and a suggestion, worked out
against the loads of the finished dispatch: another day of the month (nearest first, within 7 days) on
which a team can still be formed, else merging into a dispatched lecture on the same menu item that day,
else enlarging the speaker pool.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from activity_day.domain.dates import cn_date
from activity_day.domain.hashing import sha256_hex

DISPATCHED = "dispatched"
UNSERVED = "unserved"

SUGGEST_WINDOW_DAYS = 7
MERGE_RADIUS_KM = 10.0
_EARTH_RADIUS_KM = 6371.0088
_WEEKDAYS = "一二三四五六日"

SUGGEST_GROW_TOPIC = "请扩充讲师库：需要会讲该主题的讲师"
SUGGEST_GROW_STORY = "请扩充讲师库：需要会讲本菜单故事的讲师"
SUGGEST_CHECK_MENU = "请核对点单的菜单编号"
REASON_NO_STORY = "没有讲师会讲本菜单的故事"


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


# ---------------------------------------------------------------------------------------------- state


@dataclass
class _Params:
    speakers: tuple[Speaker, ...]
    menu: dict[str, MenuItem]
    seed: str
    avoid_home: bool
    team_min: int
    team_max: int

    @property
    def target(self) -> int:
        return min(self.team_max, self.team_min + 1)


@dataclass
class _State:
    load: Counter[str]
    pairs: Counter[frozenset[str]]
    busy: defaultdict[date, set[str]]

    def take(self, code: str, day: date, team: list[str]) -> None:
        self.pairs.update(frozenset((code, other)) for other in team)
        self.load[code] += 1
        self.busy[day].add(code)
        team.append(code)


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
    return _Params(speakers=tuple(pool[c] for c in sorted(pool)), menu=_menu_index(menu), seed=seed,
                   avoid_home=avoid_home, team_min=team_min, team_max=team_max)


def _tells(speaker: Speaker, item: MenuItem) -> bool:
    return not speaker.stories.isdisjoint(item.stories)


def _static_ok(speaker: Speaker, order: Order, item: MenuItem, p: _Params, prior: Mapping[str, int]) -> bool:
    return (item.topic in speaker.topics and available(speaker, order.day)
            and not (p.avoid_home and speaker.township == order.township)
            and prior.get(speaker.code, 0) < speaker.cap)


def _filters(order: Order, item: MenuItem, p: _Params, st: _State, excluded: frozenset[str]):
    """The constraints on a member, in the order a shortage is explained: (label, test)."""
    steps = [("", lambda s: item.topic in s.topics)]
    if excluded:
        steps.append(("未谢绝本场", lambda s: s.code not in excluded))
    steps.append((f"{cn_date(order.day)}可用", lambda s: available(s, order.day)))
    if p.avoid_home:
        steps.append(("非本乡镇讲师", lambda s: s.township != order.township))
    steps.append(("未超月度上限", lambda s: st.load[s.code] < s.cap))
    steps.append(("当天未派其他宣讲", lambda s: s.code not in st.busy[order.day]))
    return steps


def _candidates(order: Order, item: MenuItem, p: _Params, st: _State, excluded: frozenset[str],
                day: date | None = None) -> list[Speaker]:
    """Speakers who may join `order` (on `day`, default its own) now: every constraint of `_filters`."""
    day = order.day if day is None else day
    busy = st.busy.get(day, set())
    home = order.township if p.avoid_home else None
    return [s for s in p.speakers
            if item.topic in s.topics and s.code not in excluded and available(s, day) and s.township != home
            and st.load[s.code] < s.cap and s.code not in busy]


def _can_form(cands: list[Speaker], item: MenuItem, team_min: int) -> bool:
    return len(cands) >= team_min and (not item.stories or any(_tells(s, item) for s in cands))


def _shortage(order: Order, item: MenuItem, p: _Params, st: _State, excluded: frozenset[str]) -> str:
    """Why no team can be formed now: the first constraint that leaves too few, else the stories."""
    pool = list(p.speakers)
    labels: list[str] = []
    for label, test in _filters(order, item, p, st, excluded):
        pool = [s for s in pool if test(s)]
        if not label:
            if len(pool) < p.team_min:
                return f"会讲该主题（{item.topic}）的讲师不足{p.team_min}人（讲师库中共{len(pool)}人）"
            continue
        labels.append(label)
        if len(pool) < p.team_min:
            return f"该主题可派讲师不足{p.team_min}人（{'且'.join(labels)}：{len(pool)}人）"
    if not any(_tells(s, item) for s in p.speakers if item.topic in s.topics):
        return REASON_NO_STORY
    return f"会讲本菜单故事的讲师{cn_date(order.day)}都派不出（可派的{len(pool)}人都不会讲）"


def _pick(order: Order, pool: list[Speaker], team: list[str], p: _Params, st: _State,
          keep: frozenset[str]) -> Speaker:
    def key(s: Speaker):
        together = sum(st.pairs[frozenset((s.code, m))] for m in team)
        return (s.code not in keep, st.load[s.code], together, tie_hash(p.seed, order.key, s.code), s.code)

    return min(pool, key=key)


# ---------------------------------------------------------------------------------------------- engine


@dataclass
class _Job:
    order: Order
    keep: frozenset[str] = frozenset()  # members to keep when possible (redispatch)
    excluded: frozenset[str] = frozenset()  # never on this order (declined)


def _run(jobs: list[_Job], p: _Params, st: _State, prior: Mapping[str, int]) -> dict[str, tuple[list[str], str]]:
    """Form the teams of `jobs` on top of `st`: order key -> (team, reason); an empty team is unserved."""

    def eligible_count(job: _Job) -> int:
        item = p.menu.get(job.order.menu_code)
        if item is None:
            return 0
        return sum(1 for s in p.speakers if s.code not in job.excluded and _static_ok(s, job.order, item, p, prior))

    ranked = sorted(jobs, key=lambda j: (j.order.day, eligible_count(j), j.order.key))
    out: dict[str, tuple[list[str], str]] = {}
    by_day: dict[date, list[_Job]] = defaultdict(list)
    for job in ranked:
        by_day[job.order.day].append(job)
    for day in sorted(by_day):
        served: list[_Job] = []
        for job in by_day[day]:
            order = job.order
            item = p.menu.get(order.menu_code)
            if item is None:
                out[order.key] = ([], f"菜单中没有编号为{order.menu_code}的项目")
                continue
            cands = _candidates(order, item, p, st, job.excluded)
            if not _can_form(cands, item, p.team_min):
                out[order.key] = ([], _shortage(order, item, p, st, job.excluded))
                continue
            team: list[str] = []
            for slot in range(p.team_min):
                pool = [s for s in cands if s.code not in team]
                told = any(_tells(s, item) for s in cands if s.code in team)
                if item.stories and not told and slot == p.team_min - 1:
                    pool = [s for s in pool if _tells(s, item)]
                st.take(_pick(order, pool, team, p, st, job.keep).code, day, team)
            out[order.key] = (team, "")
            served.append(job)
        # a member more for each team of the day, once every order of the day has its team_min
        for job in served:
            order, team = job.order, out[job.order.key][0]
            item = p.menu[order.menu_code]
            while len(team) < p.target:
                pool = [s for s in _candidates(order, item, p, st, job.excluded) if s.code not in team]
                if not pool:
                    break
                st.take(_pick(order, pool, team, p, st, job.keep).code, day, team)
    return out


def _suggest(order: Order, item: MenuItem | None, reason: str, p: _Params, st: _State,
             excluded: frozenset[str], orders: Mapping[str, Order], results: Mapping[str, Assignment]) -> str:
    """Against the finished dispatch: another day, else a merge, else a bigger speaker pool."""
    if item is None:
        return SUGGEST_CHECK_MENU
    for delta in range(1, SUGGEST_WINDOW_DAYS + 1):
        for day in (order.day + timedelta(days=delta), order.day - timedelta(days=delta)):
            if day.month == order.day.month and day.year == order.day.year and _can_form(
                    _candidates(order, item, p, st, excluded, day=day), item, p.team_min):
                return f"改到{cn_day_with_weekday(day)}可组队"
    homes = {s.code: s.township for s in p.speakers}
    merges = []
    for key, other in orders.items():
        done = results.get(key)
        if (key == order.key or done is None or done.status != DISPATCHED or other.day != order.day
                or other.menu_code != order.menu_code):
            continue
        if p.avoid_home and any(homes.get(c) == order.township for c in done.team):
            continue
        if not excluded.isdisjoint(done.team):  # a speaker who declined this order
            continue
        km = distance_km(order.point, other.point) if order.point and other.point else None
        if km is not None and km > MERGE_RADIUS_KM:
            continue
        merges.append((km is None, km or 0.0, key, other, km))
    if merges:
        *_, other, km = min(merges, key=lambda m: m[:3])
        far = f"，相距{km:.1f}公里" if km is not None else ""
        return f"可与{other.station}所站（同日、同菜单{far}）合并一场"
    return SUGGEST_GROW_STORY if "故事" in reason else SUGGEST_GROW_TOPIC


def _finish(orders: dict[str, Order], formed: dict[str, tuple[list[str], str]], fixed: dict[str, Assignment],
            jobs: dict[str, _Job], p: _Params, st: _State) -> list[Assignment]:
    results: dict[str, Assignment] = dict(fixed)
    for key, (team, _) in formed.items():
        if team:
            results[key] = Assignment(order=key, team=tuple(sorted(team)), status=DISPATCHED)
    for key, (team, reason) in formed.items():
        if not team:
            order = orders[key]
            suggestion = _suggest(order, p.menu.get(order.menu_code), reason, p, st, jobs[key].excluded,
                                  orders, results)
            results[key] = Assignment(order=key, team=(), status=UNSERVED, reason=reason, suggestion=suggestion)
    return [results[key] for key in sorted(orders)]


def _start(prior_load: Mapping[str, int] | None, prior_pairs: Mapping[frozenset[str], int] | None) -> _State:
    return _State(load=Counter(prior_load or {}), pairs=Counter(prior_pairs or {}), busy=defaultdict(set))


# ---------------------------------------------------------------------------------------------- API


def dispatch(orders: Iterable[Order], speakers: Iterable[Speaker],
             menu: Iterable[MenuItem] | Mapping[str, MenuItem], *, seed: str, avoid_home: bool = True,
             team_min: int = 3, team_max: int = 4, prior_load: Mapping[str, int] | None = None,
             prior_pairs: Mapping[frozenset[str], int] | None = None) -> list[Assignment]:
    """One Assignment per order, in key order; the same inputs (in any order) give the same result.

    prior_load: lectures each speaker already gives this month outside these orders (counts against cap).
    prior_pairs: how often each pair already lectured together (so new teams rotate away from them).
    """
    p = _params(speakers, menu, seed, avoid_home, team_min, team_max)
    by_key: dict[str, Order] = _index(orders, "key", "order key")
    prior = dict(prior_load or {})
    st = _start(prior_load, prior_pairs)
    jobs = {k: _Job(o) for k, o in by_key.items()}
    formed = _run(list(jobs.values()), p, st, prior)
    return _finish(by_key, formed, {}, jobs, p, st)


def redispatch(assignments: Iterable[Assignment], orders: Iterable[Order], speakers: Iterable[Speaker],
               menu: Iterable[MenuItem] | Mapping[str, MenuItem], *, declined: Mapping[str, set[str]],
               seed: str, avoid_home: bool = True, team_min: int = 3, team_max: int = 4,
               prior_load: Mapping[str, int] | None = None,
               prior_pairs: Mapping[frozenset[str], int] | None = None) -> list[Assignment]:
    """Refill the teams that lost members: `declined` maps an order key to the speakers who declined it.

    Every other assignment comes back unchanged, as does a declined order none of whose members declined.
    A changed order keeps its members who did not decline where the constraints allow, never gets a
    decliner back, and is filled around the load the unchanged teams already take; if that cannot be
    done it becomes unserved, with a reason and a suggestion.
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
    fixed = {k: a for k, a in before.items() if k not in changed}
    st = _start(prior_load, prior_pairs)
    st.load.update(load_of(fixed.values()))
    st.pairs.update(pairs_of(fixed.values()))
    for k, a in fixed.items():
        if a.status == DISPATCHED:
            st.busy[by_key[k].day].update(a.team)
    jobs = {}
    for k in sorted(changed):
        gone = frozenset(declined[k])
        jobs[k] = _Job(by_key[k], keep=frozenset(before[k].team) - gone, excluded=gone)
    formed = _run(list(jobs.values()), p, st, dict(prior_load or {}))
    return _finish(by_key, formed, fixed, jobs, p, st)
