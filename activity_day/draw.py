"""The inspection draw (see docs/draw.md): stratified, rotating, hash-ranked and re-derivable.

Pure functions: the record they build holds every input, so `rederive(record)` reproduces the
result with nothing but this module (and docs/verify_draw.py with nothing but the stdlib).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

ALGORITHM = "ad-draw/1"


class AvoidanceError(ValueError):
    """No team may inspect a township: every team has a member from there (回避)."""


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Candidate:
    code: str
    township: str
    priority: int  # 0 = not inspected in the rotation window; higher = inspected more recently


LOOKBACK_MONTHS = 12


def rotation_priority(code: str, months_ago: dict[str, int]) -> int:
    """0 if not drawn in the last LOOKBACK_MONTHS months, else LOOKBACK_MONTHS + 1 - months_ago.

    Drawn last month gives the largest value, so within a township the stations inspected longest
    ago come first.
    """
    ago = months_ago.get(code)
    return 0 if ago is None or ago > LOOKBACK_MONTHS else LOOKBACK_MONTHS + 1 - ago


def build_candidates(stations: Iterable[tuple[str, str]], months_ago: dict[str, int]) -> list[Candidate]:
    """The eligible list, sorted by code; months_ago maps a code to how many months since it was last drawn."""
    return sorted(
        (Candidate(code, township, rotation_priority(code, months_ago)) for code, township in stations),
        key=lambda c: c.code,
    )


def candidates_sha256(candidates: Sequence[Candidate]) -> str:
    """SHA-256 over one line a candidate: code TAB township TAB priority LF, in code order."""
    return sha256_hex("".join(f"{c.code}\t{c.township}\t{c.priority}\n" for c in candidates))


def seed_material(county: str, month: str, list_sha: str, public_random: str) -> str:
    return f"{ALGORITHM}|{county}|{month}|{list_sha}|{public_random}"


def station_key(seed: str, code: str) -> str:
    return sha256_hex(f"{seed}|{code}")


def round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def quotas(sizes: dict[str, int], ratio: Fraction, seed: str) -> dict[str, int]:
    """Per-township counts adding up to round(N × ratio), at least one per township (largest remainders).

    Ties in remainder go to the township with the smaller sha256(seed|township).
    """
    total = round_half_up(sum(sizes.values()) * ratio)
    ideal = {t: n * ratio for t, n in sizes.items()}
    base = {t: min(sizes[t], max(1 if sizes[t] else 0, math.floor(q))) for t, q in ideal.items()}
    rest = total - sum(base.values())
    tie = {t: sha256_hex(f"{seed}|{t}") for t in sizes}
    if rest > 0:
        order = sorted(sizes, key=lambda t: (-(ideal[t] - math.floor(ideal[t])), tie[t]))
        while rest > 0 and any(base[t] < sizes[t] for t in order):
            for t in order:
                if rest and base[t] < sizes[t]:
                    base[t] += 1
                    rest -= 1
    elif rest < 0:  # the minimum of one overshot: take back from the most over-served townships
        order = sorted(sizes, key=lambda t: (ideal[t] - base[t], tie[t]))
        while rest < 0 and any(base[t] > 1 for t in order):
            for t in order:
                if rest and base[t] > 1:
                    base[t] -= 1
                    rest += 1
    return base


def select(candidates: Sequence[Candidate], seed: str, ratio: Fraction) -> list[dict[str, Any]]:
    """The drawn stations: per township, the quota of lowest (priority, key); ranked by key overall."""
    by_township: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        by_township[c.township].append(c)
    quota = quotas({t: len(cs) for t, cs in by_township.items()}, ratio, seed)
    chosen = []
    for township in sorted(by_township):
        ranked = sorted(by_township[township], key=lambda c: (c.priority, station_key(seed, c.code)))
        chosen += ranked[: quota[township]]
    chosen.sort(key=lambda c: station_key(seed, c.code))
    return [
        {"rank": i, "code": c.code, "township": c.township, "key": station_key(seed, c.code)}
        for i, c in enumerate(chosen, start=1)
    ]


def onsite_townships(townships: Sequence[str], seed: str, share: float, fixed: Sequence[str]) -> list[str]:
    """Townships patrolled on site: the profile's list, else the share of townships lowest by sha256(seed|onsite|t)."""
    if fixed:
        return sorted(t for t in townships if t in set(fixed))
    count = round_half_up(Fraction(len(townships)) * Fraction(share).limit_denominator(1000))
    return sorted(sorted(townships, key=lambda t: sha256_hex(f"{seed}|onsite|{t}"))[:count])


def _eligible(teams: Sequence[dict[str, Any]], township: str) -> list[str]:
    return [t["name"] for t in teams if all(m["home_township"] != township for m in t["members"])]


def _avoidance_error(teams: Sequence[dict[str, Any]], township: str) -> AvoidanceError:
    members = "、".join(
        f"{t['name']}·{m['name']}" for t in teams for m in t["members"] if m["home_township"] == township
    )
    return AvoidanceError(f"无法回避：{township} 的检查无组可派，每个检查组都有该乡镇的成员（{members}）")


def assign(
    selected: Sequence[dict[str, Any]],
    *,
    teams: Sequence[dict[str, Any]],
    onsite: Sequence[str],
    slot_minutes: int,
    online_start: str,
    activity_date: str,
) -> list[dict[str, Any]]:
    """Mode, team and slot for each drawn station.

    On-site townships go whole to one team (largest township first, to the least-loaded eligible
    team); online stations go one by one to the eligible team with the fewest, in slots of
    `slot_minutes` from `online_start`. No team gets a township one of its members lives in.
    """
    onsite_set = set(onsite)
    load = {t["name"]: 0 for t in teams}
    by_township: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in selected:
        by_township[s["township"]].append(s)
    team_of: dict[str, str] = {}
    for township in sorted(onsite_set & set(by_township), key=lambda t: (-len(by_township[t]), t)):
        eligible = _eligible(teams, township)
        if not eligible:
            raise _avoidance_error(teams, township)
        team = min(eligible, key=lambda name: (load[name], [t["name"] for t in teams].index(name)))
        team_of[township] = team
        load[team] += len(by_township[township])
    online_load = {t["name"]: 0 for t in teams}
    start = datetime.fromisoformat(f"{activity_date}T{online_start}")
    result = []
    order_in_township: dict[str, int] = defaultdict(int)
    for s in sorted(selected, key=lambda s: (s["township"], s["rank"])):
        if s["township"] in onsite_set:
            order_in_township[s["township"]] += 1
            result.append(dict(s, mode="onsite", team=team_of[s["township"]],
                               slot=f"第{order_in_township[s['township']]}站"))
            continue
        eligible = _eligible(teams, s["township"])
        if not eligible:
            raise _avoidance_error(teams, s["township"])
        team = min(eligible, key=lambda name: (online_load[name], [t["name"] for t in teams].index(name)))
        begin = start + timedelta(minutes=slot_minutes * online_load[team])
        online_load[team] += 1
        end = begin + timedelta(minutes=slot_minutes)
        result.append(dict(s, mode="online", team=team, slot=f"{begin:%H:%M}-{end:%H:%M}"))
    return sorted(result, key=lambda r: r["rank"])


def build_record(
    *,
    county: str,
    month: str,
    candidates: Sequence[Candidate],
    public_random: str,
    ratio: Fraction,
    teams: Sequence[dict[str, Any]],
    onsite_share: float,
    onsite_fixed: Sequence[str],
    slot_minutes: int,
    online_start: str,
    activity_date: str,
) -> dict[str, Any]:
    """Run the draw and return its full record: inputs and result."""
    list_sha = candidates_sha256(candidates)
    seed = seed_material(county, month, list_sha, public_random)
    selected = select(candidates, seed, ratio)
    townships = sorted({c.township for c in candidates})
    onsite = onsite_townships(townships, seed, onsite_share, onsite_fixed)
    assigned = assign(selected, teams=teams, onsite=onsite, slot_minutes=slot_minutes,
                      online_start=online_start, activity_date=activity_date)
    return {
        "algorithm": ALGORITHM,
        "county": county,
        "month": month,
        "ratio": str(ratio),
        "public_random": public_random,
        "candidates": [{"code": c.code, "township": c.township, "priority": c.priority} for c in candidates],
        "candidates_sha256": list_sha,
        "seed": seed,
        "params": {"teams": list(teams), "onsite_share": onsite_share, "onsite_fixed": list(onsite_fixed),
                   "slot_minutes": slot_minutes, "online_start": online_start, "activity_date": activity_date},
        "onsite_townships": onsite,
        "selected": assigned,
    }


def record_digest(record: dict[str, Any]) -> str:
    return sha256_hex(canonical_json(record))


def rederive(record: dict[str, Any]) -> dict[str, Any]:
    """Recompute a record from its own inputs (what `sample verify` compares against)."""
    candidates = [Candidate(c["code"], c["township"], c["priority"]) for c in record["candidates"]]
    p = record["params"]
    return build_record(
        county=record["county"], month=record["month"], candidates=candidates,
        public_random=record["public_random"], ratio=Fraction(record["ratio"]), teams=p["teams"],
        onsite_share=p["onsite_share"], onsite_fixed=p["onsite_fixed"], slot_minutes=p["slot_minutes"],
        online_start=p["online_start"], activity_date=p["activity_date"],
    )


def default_public_random(plan_sha256: str) -> str:
    """Unattended runs: the official plan's checksum, published before the draw and unknown before review."""
    return f"plan-sha256:{plan_sha256}"
