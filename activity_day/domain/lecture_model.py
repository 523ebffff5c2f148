"""The month's lecture teams as one small assignment model: which orders are served (OR-Tools CP-SAT), then who
goes where (a min-cost flow, OR-Tools' SimpleMinCostFlow).

Pure: plain data in, teams out. `activity_day.domain.lectures` decides who may join which lecture (topic,
availability, 回避, declines) and explains what stays unserved; this module only chooses, for all the month's
open orders at once.

**Which orders are served.** First a greedy set: the scarcest orders first (fewest eligible speakers, then
tellers, then day and key), each kept when every order kept so far can still have its required places filled at
once (a max flow decides, not the order of days). No order can join that set without another leaving. Then a
CP-SAT model, started from that set, looks for more:

    x[o, s] = 1   speaker s is on the team of open order o        (only for s eligible for o)
    y[o]    = 1   order o is served
    r[t, m] = 1   member m leaves standing team t, to serve an open order (only members the caller lends)

subject to: a served team has `size_min` to `size_max` members (none when unserved) and holds a story teller when the menu item has stories; a standing team keeps at least `size_min` members and its story
teller; nobody lectures twice on a day; nobody exceeds their monthly cap (the fixed load included). It finds the
most orders served, then (a decline) the fewest members taken from standing teams, then the most `kept` members
kept. The solver runs on one worker
with a fixed seed and a deterministic time budget, so the same model gives the same answer on every run; models are
built in sorted order, so the order of the inputs does not matter.

**Who goes where.** With the served orders and the lent members fixed, forming the teams is a min-cost flow:

    source → speaker            one arc per further lecture k of the month, cost W·(2k+1): the sum of squared
                                loads grows by 2k+1 (prior load included), so the cheapest flow spreads load
    speaker → (speaker, day)    capacity 1: one lecture a day
    (speaker, day) → order's    teller slot (1, tellers only), required slots (size_min minus kept members and the
                                teller), extra slots (up to size_max): cost = the caller's tie weight
    slots → sink                required: cost −HUGE; extra: cost −BIG; an unused unit goes source → sink at 0

With HUGE > BIG > W·Σcap² > W > every tie weight together, the optimum fills every required place, then the most
extra places (a fourth member only where nobody goes short for it), then has the smallest sum of squared loads,
then the smallest sum of tie weights. A flow is integral and the solver exact, so this level is optimal, not budgeted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

# Work units of CP-SAT's deterministic clock per stage (roughly seconds on one idle core). A county's month is
# proved optimal well within it; a month far beyond its pool (200 orders on 12 days for 40 speakers) stops at the
# budget with the greedy set or better, and a budget reached still gives the same answer on every run.
STAGE_BUDGET = 0.5


@dataclass(frozen=True)
class Slot:
    """An open order: the team to form."""

    key: str
    day: date
    candidates: tuple[str, ...]  # eligible speakers (topic, day, 回避, declines, cap and day already checked)
    size_min: int
    size_max: int
    tellers: frozenset[str] | None = None  # when the item has stories: at least one member from these
    kept: tuple[str, ...] = ()  # members kept where the rules allow (a team re-formed after a decline)


@dataclass(frozen=True)
class Standing:
    """A team already formed that may lend members to open orders (only `lendable` ones, never below size_min)."""

    key: str
    day: date
    team: tuple[str, ...]
    lendable: tuple[str, ...]
    size_min: int
    tellers: frozenset[str] | None = None


@dataclass(frozen=True)
class Model:
    slots: tuple[Slot, ...]
    standing: tuple[Standing, ...]
    caps: Mapping[str, int]
    load: Mapping[str, int]  # lectures each speaker gives this month outside the model's variables
    tie: Callable[[str, str], int]  # (order key, speaker) -> a small non-negative weight: lower is preferred
    busy: Mapping[date, frozenset[str]] = field(default_factory=dict)  # taken outside the model's variables


@dataclass(frozen=True)
class Solution:
    teams: dict[str, tuple[str, ...]]  # open order key -> members (sorted); empty when unserved
    lent: dict[str, tuple[str, ...]]  # standing key -> members taken from it


def solve(model: Model) -> Solution:
    """Served orders and lent members from CP-SAT, then the teams from the flow; empty teams when unserved."""
    slots = sorted(model.slots, key=lambda s: s.key)
    standing = sorted(model.standing, key=lambda t: t.key)
    if not any(s.candidates for s in slots):
        return Solution({s.key: () for s in slots}, {})
    load: dict[str, int] = defaultdict(int, model.load)
    busy: dict[date, set[str]] = defaultdict(set, {d: set(c) for d, c in model.busy.items()})
    # The greedy start knows nothing of kept or lent members: a plain dispatch only.
    hint = _greedy(slots, model, load, busy) if not standing and not any(s.kept for s in slots) else None
    served, lent, retained = _serve(model, slots, standing, hint)
    slots = [replace(s, kept=retained[s.key]) for s in slots]
    for t in standing:
        for code in t.team:
            if code not in lent.get(t.key, ()):
                load[code] += 1
                busy[t.day].add(code)
    for s in slots:
        if s.key in served:
            for code in s.kept:
                load[code] += 1
                busy[s.day].add(code)
    teams = _form([s for s in slots if s.key in served], model, load, busy)
    return Solution({s.key: teams.get(s.key, ()) for s in slots}, lent)


def _lendable(t: Standing) -> list[str]:
    return [c for c in sorted(set(t.lendable)) if c in t.team] if len(t.team) > t.size_min else []


def _serve(model: Model, slots: list[Slot], standing: list[Standing], hint: dict[str, tuple[str, ...]] | None
           ) -> tuple[set[str], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """The most orders served, then the fewest members lent, then the most kept members kept (CP-SAT, from the
    greedy `hint`'s teams when given): the served keys, the lent members, the kept members each order keeps."""
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    x: dict[tuple[str, str], cp_model.IntVar] = {}
    y: dict[str, cp_model.IntVar] = {}
    r: dict[tuple[str, str], cp_model.IntVar] = {}
    per_day: dict[tuple[str, date], list] = defaultdict(list)  # (speaker, day) -> terms that take them that day
    per_speaker: dict[str, list] = defaultdict(list)  # speaker -> terms that count towards their load
    fixed_day: dict[tuple[str, date], int] = defaultdict(int)
    fixed_load: dict[str, int] = defaultdict(int, model.load)
    for s in slots:
        y[s.key] = m.NewBoolVar(f"y[{s.key}]")
        members = []
        for code in sorted(s.candidates):
            v = x[s.key, code] = m.NewBoolVar(f"x[{s.key},{code}]")
            members.append(v)
            per_day[code, s.day].append(v)
            per_speaker[code].append(v)
        m.Add(sum(members) >= s.size_min * y[s.key])
        m.Add(sum(members) <= max(s.size_max, len(s.kept)) * y[s.key])
        if s.tellers is not None:
            m.Add(sum(x[s.key, c] for c in sorted(s.tellers) if (s.key, c) in x) >= y[s.key])
    for t in standing:
        lend = _lendable(t)
        for code in t.team:
            if code in lend:
                v = r[t.key, code] = m.NewBoolVar(f"r[{t.key},{code}]")
                per_day[code, t.day].append(1 - v)
                per_speaker[code].append(1 - v)
            else:
                fixed_day[code, t.day] += 1
                fixed_load[code] += 1
        if lend:
            m.Add(sum(r[t.key, c] for c in lend) <= len(t.team) - t.size_min)
            if t.tellers is not None:
                m.Add(sum(1 - r[t.key, c] if c in lend else 1 for c in t.team if c in t.tellers) >= 1)
    for (code, day), terms in sorted(per_day.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        taken = fixed_day[code, day] + (code in model.busy.get(day, ()))
        m.Add(sum(terms) <= 1 - taken)
    for code, terms in sorted(per_speaker.items()):
        m.Add(sum(terms) <= model.caps[code] - fixed_load[code])

    if hint is not None:
        if sum(bool(t) for t in hint.values()) == sum(_alone(s, model) for s in slots):
            # every order that could be served alone is served
            return {k for k, t in hint.items() if t}, {}, {sl.key: () for sl in slots}
        for (key, code), v in x.items():
            m.AddHint(v, code in hint.get(key, ()))
        for key, v in y.items():
            m.AddHint(v, bool(hint.get(key)))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = STAGE_BUDGET

    def stage(expr, maximize: bool) -> None:
        (m.Maximize if maximize else m.Minimize)(expr)
        status = solver.Solve(m)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise RuntimeError(f"lecture model: no solution ({solver.StatusName(status)})")
        best = round(solver.ObjectiveValue())
        m.ClearHints()
        for v in [*x.values(), *y.values(), *r.values()]:
            m.AddHint(v, solver.Value(v))
        m.Add(expr >= best) if maximize else m.Add(expr <= best)

    stage(sum(y.values()), maximize=True)
    if r:
        stage(sum(r.values()), maximize=False)
    kept = [x[s.key, c] for s in slots for c in s.kept if (s.key, c) in x]
    if kept:
        stage(sum(kept), maximize=True)
    served = {k for k, v in y.items() if solver.Value(v)}
    retained = {s.key: tuple(c for c in s.kept if (s.key, c) in x and solver.Value(x[s.key, c])) for s in slots}
    lent: dict[str, list[str]] = defaultdict(list)
    for (key, code), v in sorted(r.items()):
        if solver.Value(v):
            lent[key].append(code)
    return served, {k: tuple(v) for k, v in lent.items()}, retained


def _alone(s: Slot, model: Model) -> bool:
    """Whether the slot could be served if it were the only open order."""
    busy = model.busy.get(s.day, frozenset())
    cands = [c for c in s.candidates if c not in busy and model.load.get(c, 0) < model.caps[c]]
    return (len(set(cands) | set(s.kept)) >= s.size_min and set(s.kept) <= set(cands)
            and (s.tellers is None or bool(s.tellers & set(cands))))


def _places(s: Slot, load: Mapping[str, int], busy: Mapping[date, set[str]],
            caps: Mapping[str, int]) -> tuple[int, int, int, list[str]]:
    """A served slot's places to fill (teller, required, extra) and who may fill them, kept members aside."""
    kept = set(s.kept)
    cands = [c for c in sorted(s.candidates) if c not in kept and c not in busy.get(s.day, ())
             and load.get(c, 0) < caps[c]]
    teller = 0 if s.tellers is None or kept & s.tellers else 1
    required = max(0, s.size_min - len(kept) - teller)
    extra = max(0, s.size_max - len(kept) - teller - required)
    return teller, required, extra, cands


def _fits(slots: list[Slot], model: Model, load: Mapping[str, int], busy: Mapping[date, set[str]]) -> bool:
    """Whether every slot can have its required places filled at once (a max flow that saturates them)."""
    from ortools.graph.python import max_flow

    flow = max_flow.SimpleMaxFlow()
    nodes: dict[object, int] = {"source": 0, "sink": 1}

    def node(name: object) -> int:
        return nodes.setdefault(name, len(nodes))

    need = 0
    for s in slots:
        teller, required, _, cands = _places(s, load, busy, model.caps)
        need += teller + required
        if teller:
            flow.add_arc_with_capacity(node(("teller", s.key)), 1, 1)
        if required:
            flow.add_arc_with_capacity(node(("required", s.key)), 1, required)
        for code in cands:
            if ("speaker", code) not in nodes:
                flow.add_arc_with_capacity(0, node(("speaker", code)), model.caps[code] - load.get(code, 0))
            if ("day", code, s.day) not in nodes:
                flow.add_arc_with_capacity(node(("speaker", code)), node(("day", code, s.day)), 1)
            if required:
                flow.add_arc_with_capacity(nodes["day", code, s.day], nodes["required", s.key], 1)
            if teller and code in s.tellers:
                flow.add_arc_with_capacity(nodes["day", code, s.day], nodes["teller", s.key], 1)
    if not need:
        return True
    return flow.solve(0, 1) == flow.OPTIMAL and flow.optimal_flow() == need


def _greedy(slots: list[Slot], model: Model, load: Mapping[str, int],
            busy: Mapping[date, set[str]]) -> dict[str, tuple[str, ...]]:
    """A served set no order can join without another leaving: the scarcest orders first, each kept when all the
    orders kept so far still fit (the flow decides, not the order of days); their teams, from the flow."""
    def scarcity(s: Slot):
        return (len(s.candidates), len(s.tellers) if s.tellers is not None else len(s.candidates), s.day, s.key)

    chosen: list[Slot] = []
    for s in sorted(slots, key=scarcity):
        if _alone(s, model) and _fits([*chosen, s], model, load, busy):
            chosen.append(s)
    return _form(chosen, model, load, busy)


def _form(slots: list[Slot], model: Model, load: Mapping[str, int],
          busy: Mapping[date, set[str]]) -> dict[str, tuple[str, ...]]:
    """The teams of the served `slots` (the flow above): key -> members, sorted."""
    from ortools.graph.python import min_cost_flow

    flow = min_cost_flow.SimpleMinCostFlow()
    nodes: dict[object, int] = {"source": 0, "sink": 1}

    def node(name: object) -> int:
        return nodes.setdefault(name, len(nodes))

    teams: dict[str, list[str]] = {s.key: list(s.kept) for s in slots}
    places = []  # (slot, teller places, required places, extra places, candidates)
    for s in slots:
        places.append((s, *_places(s, load, busy, model.caps)))
    ties = {(s.key, c): max(0, int(model.tie(s.key, c))) for s, *_, cands in places for c in cands}
    unit = sum(max((ties[s.key, c] for c in cands), default=0) * (t + q + e) for s, t, q, e, cands in places) + 1
    spread = unit * (sum(cap * cap for cap in model.caps.values()) + 1)
    extra_total = sum(e for *_, e, _ in places)
    big = spread + 1
    huge = big * (extra_total + 1) + spread + 1
    total = sum(t + q + e for _, t, q, e, _ in places)

    speakers = sorted({c for *_, cands in places for c in cands})
    for code in speakers:
        for k in range(load.get(code, 0), model.caps[code]):
            flow.add_arc_with_capacity_and_unit_cost(0, node(("speaker", code)), 1, unit * (2 * k + 1))
    arcs: list[tuple[int, str, str]] = []
    for s, teller, required, extra, cands in places:
        for kind, count, cost in (("teller", teller, -huge), ("required", required, -huge), ("extra", extra, -big)):
            if count:
                flow.add_arc_with_capacity_and_unit_cost(node((kind, s.key)), 1, count, cost)
        for code in cands:
            day = node(("day", code, s.day))
            if ("link", code, s.day) not in nodes:
                node(("link", code, s.day))
                flow.add_arc_with_capacity_and_unit_cost(node(("speaker", code)), day, 1, 0)
            kinds = ["required", "extra"] + (["teller"] if teller and code in (s.tellers or ()) else [])
            for kind in kinds:
                if (kind, s.key) in nodes:
                    arcs.append((flow.add_arc_with_capacity_and_unit_cost(day, nodes[kind, s.key], 1,
                                                                          ties[s.key, code]), s.key, code))
    flow.add_arc_with_capacity_and_unit_cost(0, 1, total, 0)
    flow.set_node_supply(0, total)
    flow.set_node_supply(1, -total)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"lecture model: the team flow failed ({status})")
    for arc, key, code in arcs:
        if flow.flow(arc):
            teams[key].append(code)
    return {k: tuple(sorted(v)) for k, v in teams.items()}
