"""A month's dispatch as it stands (loads, days taken, pairings, teams) and who may join a lecture in it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from activity_day.domain import lecture_model as lp
from activity_day.domain.lecture_data import DispatchRequest, MenuItem, Order, Speaker, available, tie_hash


def _tie(seed: str, order_key: str, code: str) -> int:
    return int(tie_hash(seed, order_key, code)[:6], 16) % 1000


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


def _params(request: DispatchRequest) -> _Params:
    team_min, team_max = request.team_min, request.team_max
    if team_min < 1 or team_max < team_min:
        raise ValueError(f"need 1 <= team_min <= team_max, got {team_min}..{team_max}")
    pool = _index(request.speakers, "code", "speaker code")
    return _Params(speakers={c: pool[c] for c in sorted(pool)}, menu=_menu_index(request.menu), seed=request.seed,
                   avoid_home=request.avoid_home, team_min=team_min, team_max=team_max)


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


def _greedy(order: Order, item: MenuItem, cands: list[Speaker], p: _Params, month: _Month,
            prefer=None) -> list[str]:
    """A valid team of `p.team_min` from `cands` (a story teller first when needed), lightest loads first."""
    def key(s: Speaker):
        return (prefer(s) if prefer else 0, month.load[s.code], _tie(p.seed, order.key, s.code), s.code)

    ranked = sorted(cands, key=key)
    team: list[Speaker] = []
    if item.stories:
        team.append(next(s for s in ranked if _tells(s, item)))
    team += [s for s in ranked if s not in team][:p.team_min - len(team)]
    return [s.code for s in team]


@dataclass
class _Job:
    order: Order
    kept: tuple[str, ...] = ()  # members who stay (a team re-formed after a decline)
    excluded: frozenset[str] = frozenset()  # never on this order (declined)


def _start(prior_load: Mapping[str, int] | None, prior_pairs: Mapping[frozenset[str], int] | None,
           prior_busy: Mapping[date, Collection[str]] | None) -> _Month:
    return _Month(load=Counter(prior_load or {}), pairs=Counter(prior_pairs or {}),
                  busy=defaultdict(set, {d: set(c) for d, c in (prior_busy or {}).items()}))
