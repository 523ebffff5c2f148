"""Forming the month's teams: the assignment model, the repair behind its budget, and the pair rotation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from activity_day.domain import lecture_model as lp
from activity_day.domain.lecture_data import Order
from activity_day.domain.lecture_month import (
    _can_form,
    _free,
    _greedy,
    _Job,
    _Month,
    _pairs,
    _Params,
    _qualified,
    _slot,
    _tells,
    _tie,
)

PAIR_SWEEPS = 20  # passes of the pair-rotation exchange (each pass either improves or ends it)


def _repair(jobs: list[_Job], p: _Params, month: _Month) -> None:
    """A safety net behind the model's budget: an unserved order that the leftover speakers can still serve is
    served, and a team below the aim takes a free member more."""
    for job in sorted(jobs, key=lambda j: (j.order.day, j.order.key)):
        item = p.menu.get(job.order.menu_code)
        if item is None or job.order.key in month.teams:
            continue
        cands = _free(job.order, item, p, month, job.excluded)
        if _can_form(cands, item, p.team_min):
            month.add(job.order, _greedy(job.order, item, cands, p, month))
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
