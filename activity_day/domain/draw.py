"""The inspection draw (see docs/draw.md): stratified, rotating, hash-ranked and re-derivable.

Pure functions: the record they build holds every input, so `rederive(record)` reproduces the
result with nothing but this module (and docs/verify_draw.py with nothing but the stdlib).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from activity_day.domain.draw_inputs import DrawInputs
from activity_day.domain.hashing import canonical_json, sha256_hex
from activity_day.domain.names import control_characters

ALGORITHM = "ad-draw/2"  # ad-draw/1 records (no risk) still re-derive: see `_weighs_risk`
ROTATION_WINDOW = 4  # every station is inspected at least once in any this many consecutive months


class AvoidanceError(ValueError):
    """No team may inspect a township: every team has a member from there (回避)."""


@dataclass(frozen=True)
class Candidate:
    code: str
    township: str
    priority: int  # 0 = not inspected in the rotation window; higher = inspected more recently
    risk: int = 0  # points from recorded facts (profile sampling.risk); higher = drawn ahead of rotation
    risk_from: tuple[str, ...] = ()  # the facts, e.g. ("整改逾期1次+3", "上月得分低于整改线+2")


LOOKBACK_MONTHS = 12


def rotation_priority(code: str, months_ago: dict[str, int]) -> int:
    """0 if not drawn in the last LOOKBACK_MONTHS months, else LOOKBACK_MONTHS + 1 - months_ago.

    Drawn last month gives the largest value, so within a township the stations inspected longest
    ago come first.
    """
    ago = months_ago.get(code)
    return 0 if ago is None or ago > LOOKBACK_MONTHS else LOOKBACK_MONTHS + 1 - ago


def build_candidates(stations: Iterable[tuple[str, str]], months_ago: dict[str, int],
                     risks: dict[str, list[tuple[str, int]]] | None = None) -> list[Candidate]:
    """The eligible list, sorted by code; months_ago maps a code to how many months since it was last drawn,
    risks a code to its facts as (label, points)."""
    risks = risks or {}
    out = []
    for code, township in stations:
        facts = [(label, points) for label, points in risks.get(code, []) if points > 0]
        out.append(Candidate(code, township, rotation_priority(code, months_ago), sum(p for _, p in facts),
                             tuple(f"{label}+{points}" for label, points in facts)))
    return sorted(out, key=lambda c: c.code)


def _weighs_risk(algorithm: str) -> bool:
    return algorithm != "ad-draw/1"


def candidate_line(c: Candidate, algorithm: str = ALGORITHM) -> str:
    """One line of the published list: code TAB township TAB priority (TAB risk, from ad-draw/2) LF."""
    return f"{c.code}\t{c.township}\t{c.priority}" + (f"\t{c.risk}" if _weighs_risk(algorithm) else "") + "\n"


def candidates_sha256(candidates: Sequence[Candidate], algorithm: str = ALGORITHM) -> str:
    """SHA-256 over the candidates' lines (`candidate_line`), in code order."""
    return sha256_hex("".join(candidate_line(c, algorithm) for c in candidates))


def seed_material(county: str, month: str, list_sha: str, public_random: str, algorithm: str = ALGORITHM) -> str:
    return f"{algorithm}|{county}|{month}|{list_sha}|{public_random}"


def station_key(seed: str, code: str) -> str:
    return sha256_hex(f"{seed}|{code}")


def round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def quotas(sizes: dict[str, int], ratio: Fraction, seed: str) -> dict[str, int]:
    """Per-township counts adding up to round(N × ratio), at least one per township (largest remainders).

    Each township starts at max(1, floor(n × ratio)). Places left go one at a time to the township
    whose ideal share most exceeds what it has (a township raised to one place by the minimum comes
    last); places over the total are taken back from the most over-served. Ties go to the smaller
    sha256(seed|township).
    """
    total = round_half_up(sum(sizes.values()) * ratio)
    ideal = {t: n * ratio for t, n in sizes.items()}
    base = {t: min(sizes[t], max(1 if sizes[t] else 0, math.floor(q))) for t, q in ideal.items()}
    tie = {t: sha256_hex(f"{seed}|{t}") for t in sizes}
    rest = total - sum(base.values())
    while rest > 0 and (room := [t for t in sizes if base[t] < sizes[t]]):
        chosen = min(room, key=lambda t: (base[t] - ideal[t], tie[t]))
        base[chosen] += 1
        rest -= 1
    while rest < 0 and (spare := [t for t in sizes if base[t] > 1]):
        chosen = min(spare, key=lambda t: (ideal[t] - base[t], tie[t]))
        base[chosen] -= 1
        rest += 1
    return base


def risk_places(size: int, quota: int) -> int:
    """Places of a township's quota that go by risk; the rest go by rotation, at least ceil(size / 4) of them,
    which keeps every station inside the four-month window (docs/draw.md)."""
    return max(0, quota - min(quota, math.ceil(size / ROTATION_WINDOW)))


def select(candidates: Sequence[Candidate], seed: str, ratio: Fraction,
           algorithm: str = ALGORITHM) -> list[dict[str, Any]]:
    """The drawn stations: per township, the risk places to the highest (risk, then rotation), the other places
    to the lowest (priority, key); ranked by key overall."""
    by_township: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        by_township[c.township].append(c)
    quota = quotas({t: len(cs) for t, cs in by_township.items()}, ratio, seed)
    chosen: list[tuple[Candidate, str]] = []
    for township in sorted(by_township):
        group = by_township[township]
        risky: list[Candidate] = []
        if _weighs_risk(algorithm):
            places = risk_places(len(group), quota[township])
            risky = sorted((c for c in group if c.risk > 0),
                           key=lambda c: (-c.risk, c.priority, station_key(seed, c.code)))[:places]
        taken = {c.code for c in risky}
        rotation = sorted((c for c in group if c.code not in taken),
                          key=lambda c: (c.priority, station_key(seed, c.code)))[: quota[township] - len(risky)]
        chosen += [(c, "risk") for c in risky] + [(c, "rotation") for c in rotation]
    chosen.sort(key=lambda pair: station_key(seed, pair[0].code))
    return [
        {"rank": i, "code": c.code, "township": c.township, "key": station_key(seed, c.code)}
        | ({"by": by} if _weighs_risk(algorithm) else {})
        for i, (c, by) in enumerate(chosen, start=1)
    ]


def onsite_townships(townships: Sequence[str], seed: str, share: float, fixed: Sequence[str]) -> list[str]:
    """Townships patrolled on site: the profile's list, else the share of townships lowest by sha256(seed|onsite|t)."""
    if fixed:
        return sorted(t for t in townships if t in set(fixed))
    count = round_half_up(Fraction(len(townships)) * Fraction(share).limit_denominator(1000))
    return sorted(sorted(townships, key=lambda t: sha256_hex(f"{seed}|onsite|{t}"))[:count])


def _eligible(teams: Sequence[dict[str, Any]], township: str) -> list[str]:
    return [t["name"] for t in teams if all(m["home_township"] != township for m in t["members"])]


def _who(team: dict[str, Any], member: dict[str, Any]) -> str:
    """A member as the error names them: team·name, or the label alone for a one-person online inspector."""
    return team["name"] if team.get("person") else f"{team['name']}·{member['name']}"


def _avoidance_error(teams: Sequence[dict[str, Any]], township: str) -> AvoidanceError:
    members = "、".join(_who(t, m) for t in teams for m in t["members"] if m["home_township"] == township)
    return AvoidanceError(f"无法回避：{township} 的检查无组可派，每个检查组都有该乡镇的成员（{members}）")


def _spread(load: dict[str, int]) -> tuple[int, int]:
    values = list(load.values())
    return max(values) - min(values), sum(v * v for v in values)


def assign_townships(sizes: dict[str, int], teams: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Each on-site township to one team with no member from it (回避), loads as even as possible.

    Largest township first to the least-loaded eligible team, then single moves and pairwise swaps
    while they narrow the spread of loads (then the sum of squares). Ties go by team order and
    township name, so the result is deterministic.
    """
    order = [t["name"] for t in teams]
    eligible = {}
    for township in sizes:
        eligible[township] = _eligible(teams, township)
        if not eligible[township]:
            raise _avoidance_error(teams, township)
    load = dict.fromkeys(order, 0)
    team_of: dict[str, str] = {}
    for township in sorted(sizes, key=lambda t: (-sizes[t], t)):
        team = min(eligible[township], key=lambda name: (load[name], order.index(name)))
        team_of[township] = team
        load[team] += sizes[township]
    for _ in range(200):
        best, best_score = None, _spread(load)
        for township in sorted(team_of):
            here = team_of[township]
            for there in eligible[township]:  # move
                if there == here:
                    continue
                trial = dict(load)
                trial[here] -= sizes[township]
                trial[there] += sizes[township]
                if _spread(trial) < best_score:
                    best, best_score = ((township, there),), _spread(trial)
            for other in sorted(team_of):  # swap
                there = team_of[other]
                if other <= township or there == here:
                    continue
                if here not in eligible[other] or there not in eligible[township]:
                    continue
                trial = dict(load)
                delta = sizes[township] - sizes[other]
                trial[here] -= delta
                trial[there] += delta
                if _spread(trial) < best_score:
                    best, best_score = ((township, there), (other, here)), _spread(trial)
        if best is None:
            break
        for township, team in best:
            load[team_of[township]] -= sizes[township]
            team_of[township] = team
            load[team] += sizes[township]
    return team_of


def haversine_km(a: Sequence[float], b: Sequence[float]) -> float:
    """Great-circle distance between (lon, lat) points in kilometres."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def route(points: dict[str, Sequence[float]], start: Sequence[float]) -> list[str]:
    """A short visiting order from `start`: nearest neighbour, then 2-opt on the open path."""
    left, here, path = dict(points), start, []
    while left:
        code = min(sorted(left), key=lambda c: haversine_km(here, left[c]))
        path.append(code)
        here = left.pop(code)

    def at(i: int) -> Sequence[float]:
        return start if i < 0 else points[path[i]]

    improved = True
    while improved:
        improved = False
        for i in range(len(path) - 1):
            for j in range(i + 1, len(path)):
                before = haversine_km(at(i - 1), at(i)) + (haversine_km(at(j), at(j + 1)) if j + 1 < len(path) else 0)
                after = haversine_km(at(i - 1), at(j)) + (haversine_km(at(i), at(j + 1)) if j + 1 < len(path) else 0)
                if after < before - 1e-9:
                    path[i : j + 1] = reversed(path[i : j + 1])
                    improved = True
    return path


@dataclass(frozen=True)
class DrawParams:
    """How the drawn stations are split, assigned and scheduled: the record's "params" (docs/draw.md).

    `teams` and `online_inspectors` are dicts of name and members (each a name and a home township),
    `geo` maps station codes to (longitude, latitude), `seat` is where the patrols set out.
    """

    teams: Sequence[dict[str, Any]]
    onsite_share: float
    onsite_fixed: Sequence[str]
    slot_minutes: int
    online_start: str
    activity_date: str
    geo: dict[str, Sequence[float]] | None = None
    seat: Sequence[float] | None = None
    onsite_start: str = "08:30"
    visit_minutes: int = 40
    travel_kmh: float = 30.0
    online_inspectors: Sequence[dict[str, Any]] = ()

    def as_record(self) -> dict[str, Any]:
        """The params as the record stores them (and as `from_record` reads them back)."""
        return {"teams": list(self.teams), "onsite_share": self.onsite_share, "onsite_fixed": list(self.onsite_fixed),
                "slot_minutes": self.slot_minutes, "online_start": self.online_start,
                "activity_date": self.activity_date, "geo": self.geo,
                "seat": list(self.seat) if self.seat else None, "onsite_start": self.onsite_start,
                "visit_minutes": self.visit_minutes, "travel_kmh": self.travel_kmh,
                "online_inspectors": list(self.online_inspectors)}

    @classmethod
    def from_record(cls, p: dict[str, Any]) -> DrawParams:
        return cls(teams=p["teams"], onsite_share=p["onsite_share"], onsite_fixed=p["onsite_fixed"],
                   slot_minutes=p["slot_minutes"], online_start=p["online_start"], activity_date=p["activity_date"],
                   geo=p["geo"], seat=p["seat"], onsite_start=p["onsite_start"], visit_minutes=p["visit_minutes"],
                   travel_kmh=p["travel_kmh"], online_inspectors=p.get("online_inspectors", []))


def assign(selected: Sequence[dict[str, Any]], *, onsite: Sequence[str], params: DrawParams) -> list[dict[str, Any]]:
    """Mode, team, visiting order and time for each drawn station.

    On-site townships go whole to one team (`assign_townships`); each team visits its stations in a
    short route from the county seat where coordinates are known (the rest follow in rank order),
    with arrival times from `onsite_start`, `visit_minutes` a visit and `travel_kmh` between visits.
    Online stations go one by one to the eligible online inspector (the teams, when the profile
    names no inspectors) with the fewest, in back-to-back slots of `slot_minutes` from
    `online_start`, so no inspector's video checks overlap. Nobody gets a township they live in.
    """
    teams, geo, seat, online_inspectors = params.teams, params.geo or {}, params.seat, params.online_inspectors
    onsite_start, visit_minutes, travel_kmh = params.onsite_start, params.visit_minutes, params.travel_kmh
    slot_minutes, online_start, activity_date = params.slot_minutes, params.online_start, params.activity_date
    onsite_set = set(onsite)
    by_township: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in selected:
        by_township[s["township"]].append(s)
    team_of = assign_townships({t: len(by_township[t]) for t in sorted(onsite_set & set(by_township))}, teams)
    result: list[dict[str, Any]] = []
    day = datetime.fromisoformat(f"{activity_date}T00:00")
    for team in [t["name"] for t in teams]:
        stations = sorted((s for s in selected if team_of.get(s["township"]) == team), key=lambda s: s["rank"])
        located = {s["code"]: geo[s["code"]] for s in stations if s["code"] in geo}
        origin = seat or (next(iter(located.values())) if located else (0.0, 0.0))
        order = route(located, origin) + [s["code"] for s in stations if s["code"] not in located]
        clock = day + timedelta(hours=int(onsite_start[:2]), minutes=int(onsite_start[3:]))
        here = origin
        for n, code in enumerate(order, start=1):
            if code in located:
                clock += timedelta(minutes=round(60 * haversine_km(here, located[code]) / travel_kmh))
                here = located[code]
            s = next(s for s in stations if s["code"] == code)
            result.append(dict(s, mode="onsite", team=team, order=n, slot=f"第{n}站 {clock:%H:%M}"))
            clock += timedelta(minutes=visit_minutes)
    # An online inspector is a team of one, labelled by the person (not recorded: the record keeps the inspectors).
    checkers = [{"name": f"线上·{m['name']}", "members": [m], "person": True} for m in online_inspectors] \
        or list(teams)
    online_load = {t["name"]: 0 for t in checkers}
    start = datetime.fromisoformat(f"{activity_date}T{online_start}")
    for s in sorted(selected, key=lambda s: (s["township"], s["rank"])):
        if s["township"] in onsite_set:
            continue
        eligible = _eligible(checkers, s["township"])
        if not eligible:
            raise _avoidance_error(checkers, s["township"])
        team = min(eligible, key=lambda name: (online_load[name], [t["name"] for t in checkers].index(name)))
        begin = start + timedelta(minutes=slot_minutes * online_load[team])
        online_load[team] += 1
        end = begin + timedelta(minutes=slot_minutes)
        result.append(dict(s, mode="online", team=team, order=online_load[team],
                           slot=f"{begin:%H:%M}-{end:%H:%M}"))
    return sorted(result, key=lambda r: r["rank"])


def build_record(inputs: DrawInputs, *, ratio: Fraction, params: DrawParams, algorithm: str = ALGORITHM) -> dict[str, Any]:
    """Run the draw and return its full record: inputs (`DrawInputs`, the county's ratio and params) and result."""
    county, month, candidates, public_random = inputs.county, inputs.month, inputs.candidates, inputs.public_random
    list_sha = candidates_sha256(candidates, algorithm)
    seed = seed_material(county, month, list_sha, public_random, algorithm)
    selected = select(candidates, seed, ratio, algorithm)
    townships = sorted({c.township for c in candidates})
    onsite = onsite_townships(townships, seed, params.onsite_share, params.onsite_fixed)
    geo = {code: [float(x) for x in point] for code, point in sorted((params.geo or {}).items())}
    params = replace(params, geo=geo)
    weighs = _weighs_risk(algorithm)
    record = {
        "algorithm": algorithm,
        "county": county,
        "month": month,
        "ratio": str(ratio),
        "public_random": public_random,
        "public_random_source": inputs.public_random_source,
        "candidates": [{"code": c.code, "township": c.township, "priority": c.priority}
                       | ({"risk": c.risk, "risk_from": list(c.risk_from)} if weighs else {}) for c in candidates],
        "candidates_sha256": list_sha,
        "seed": seed,
        "params": params.as_record(),
        "onsite_townships": onsite,
        "selected": assign(selected, onsite=onsite, params=params),
    }
    if inputs.public_random_parts is not None:
        record["public_random_parts"] = inputs.public_random_parts
    return record


def record_digest(record: dict[str, Any]) -> str:
    return sha256_hex(canonical_json(record))


def candidates_of(record: dict[str, Any]) -> list[Candidate]:
    return [Candidate(c["code"], c["township"], c["priority"], c.get("risk", 0), tuple(c.get("risk_from", [])))
            for c in record["candidates"]]


def rederive(record: dict[str, Any]) -> dict[str, Any]:
    """Recompute a record from its own inputs (what `sample verify` compares against)."""
    inputs = DrawInputs(record["county"], record["month"], candidates_of(record), record["public_random"],
                        record.get("public_random_source", ""), record.get("public_random_parts"))
    return build_record(inputs, ratio=Fraction(record["ratio"]), params=DrawParams.from_record(record["params"]),
                        algorithm=record["algorithm"])


def public_random_problem(value: str | None, source: str = "") -> str | None:
    """What is wrong with a public random value an operator gives (a lottery result) and its source, in Chinese,
    or None: 1 to 200 characters, no control characters. The monthly draw and the site visits take it alike."""
    if value is not None and not 0 < len(value) <= 200:
        return "公开随机数应为1到200个字符"
    if len(source) > 200:
        return "公开随机数的来源不超过200个字符"
    if control_characters((value or "") + source):
        return "公开随机数和来源中不能有控制字符"
    return None


def default_public_random(plan_sha256: str) -> str:
    """Unattended runs without commitments: the official plan's checksum (weak: the office can see it first)."""
    return f"plan-sha256:{plan_sha256}"


def seeded_by_office(record: dict) -> bool:
    """Whether a draw's random value was the office's own (the official plan's checksum, the unattended default):
    its result could be known beforehand, so it is not called random in what the office issues."""
    return str(record.get("public_random", "")).startswith("plan-sha256:")


def commitment_of(secret: str) -> str:
    """What a department publishes before the list: SHA-256 of its secret (UTF-8)."""
    return sha256_hex(secret)


def combine_reveals(reveals: dict[str, str]) -> str:
    """The public random value from the departments' revealed secrets: SHA-256 over `department TAB secret LF`
    in department order, prefixed `commit-reveal:`. One honest department's secret makes it unpredictable."""
    body = "".join(f"{d}\t{reveals[d]}\n" for d in sorted(reveals))
    return f"commit-reveal:{sha256_hex(body)}"


def check_parts(record: dict[str, Any]) -> str | None:
    """Why a record's commit-reveal parts do not give its public random value, or None when they do (or it has none)."""
    parts = record.get("public_random_parts")
    if not parts:
        return None
    commitments, reveals = parts.get("commitments", {}), parts.get("reveals", {})
    for department, secret in sorted(reveals.items()):
        if commitments.get(department) != commitment_of(secret):
            return f"{department}公开的随机串与其事先提交的承诺值不符"
    if combine_reveals(reveals) != record["public_random"]:
        return "公开随机数不是各部门公开随机串的组合"
    return None
