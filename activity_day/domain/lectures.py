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

This module holds `dispatch` and `redispatch` and re-exports the public names of its parts: `lecture_data` (the
data and what is read off it), `lecture_month` (the month as it stands, who may join), `lecture_teams` (forming and
rotating teams) and `lecture_reasons` (why unserved, what would help).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from activity_day.domain import lecture_model as lp
from activity_day.domain.lecture_data import (
    DISPATCHED,
    UNSERVED,
    Assignment,
    DispatchRequest,
    LectureRef,
    LectureRows,
    MenuItem,
    Order,
    Speaker,
    available,
    cn_day_with_weekday,
    distance_km,
    load_of,
    pairs_of,
    tie_hash,
)
from activity_day.domain.lecture_month import _index, _Job, _Month, _Params, _params, _start, _tells
from activity_day.domain.lecture_reasons import (
    EXCLUDED_BUSY,
    EXCLUDED_CAP,
    EXCLUDED_DECLINED,
    EXCLUDED_HOME,
    EXCLUDED_UNAVAILABLE,
    EXCLUSIONS,
    MERGE_RADIUS_KM,
    REASON_NO_STORY,
    SUGGEST_CHECK_MENU,
    SUGGEST_WINDOW_DAYS,
    _Promises,
    _reason,
    _suggest,
)
from activity_day.domain.lecture_teams import PAIR_SWEEPS, _assign, _repair, _rotate_pairs

__all__ = [
    "DISPATCHED", "EXCLUDED_BUSY", "EXCLUDED_CAP", "EXCLUDED_DECLINED", "EXCLUDED_HOME", "EXCLUDED_UNAVAILABLE",
    "EXCLUSIONS", "MERGE_RADIUS_KM", "PAIR_SWEEPS", "REASON_NO_STORY", "SUGGEST_CHECK_MENU", "SUGGEST_WINDOW_DAYS",
    "UNSERVED", "Assignment", "DispatchRequest", "LectureRef", "LectureRows", "MenuItem", "Order", "Speaker",
    "available", "cn_day_with_weekday", "dispatch",
    "distance_km", "load_of", "pairs_of", "redispatch", "tie_hash",
]


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


def dispatch(request: DispatchRequest, *,
             declined: Mapping[str, Collection[str]] | None = None) -> list[Assignment]:
    """One Assignment per order, in key order, all the orders assigned together; the same inputs (in any order)
    give the same result.

    declined: speakers who declined an order (an order unserved after a decline, dispatched again).
    """
    p = _params(request)
    by_key: dict[str, Order] = _index(request.orders, "key", "order key")
    unknown = sorted(set(declined or {}) - set(by_key))
    if unknown:
        raise ValueError(f"declines for unknown orders: {unknown[:5]}")
    month = _start(request.prior_load, request.prior_pairs, request.prior_busy)
    jobs = {k: _Job(o, excluded=frozenset((declined or {}).get(k, ()))) for k, o in sorted(by_key.items())}
    _assign(list(jobs.values()), [], by_key, p, month)
    _repair(list(jobs.values()), p, month)
    _rotate_pairs(list(jobs.values()), by_key, p, month)
    return _finish(by_key, jobs, {}, p, month)


def redispatch(assignments: Iterable[Assignment], request: DispatchRequest, *,
               declined: Mapping[str, Collection[str]],
               locked: Mapping[str, Collection[str]] | None = None) -> list[Assignment]:
    """Refill the teams that lost members: `declined` maps an order key to the speakers who declined it.

    A changed order (one of whose members declined, or that was unserved) keeps its members who did not decline,
    never gets a decliner back, and is made up from free speakers; when nobody free can make up the team, another
    team with more than `team_min` members lends one who is not in `locked[key]` (a member who confirmed, a
    lecture too near to change), rather than give the lecture up. Every other assignment comes back unchanged but
    for a member it lent; an order that still cannot be served becomes unserved, with a reason and a suggestion.
    The request takes no `prior_busy`: the assignments hold the month's teams.
    """
    if request.prior_busy is not None:
        raise ValueError("a redispatch takes no prior_busy: the assignments hold the month's teams")
    p = _params(request)
    by_key: dict[str, Order] = _index(request.orders, "key", "order key")
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
    month = _start(request.prior_load, request.prior_pairs, None)
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
