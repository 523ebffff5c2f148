"""Property tests of team assignment (hypothesis) and the standalone verifier against the project."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activity_day.domain import draw
from activity_day.domain.dates import shift_month

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_draw.py"


@st.composite
def counties(draw_, max_townships: int = 12):
    townships = [f"乡镇{i:02d}" for i in range(draw_(st.integers(3, max_townships)))]
    sizes = {t: draw_(st.integers(1, 25)) for t in townships}
    team_count = draw_(st.integers(3, 5))
    teams = []
    for k in range(team_count):
        homes = draw_(st.lists(st.sampled_from(townships), min_size=1, max_size=3))
        teams.append({"name": f"第{k + 1}组", "members": [{"name": f"成员{k}{j}", "home_township": h}
                                                          for j, h in enumerate(homes)]})
    return sizes, teams


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counties(), st.integers(0, 10**6))
def test_nobody_inspects_their_own_township(county, salt) -> None:
    sizes, teams = county
    stations = [(f"{t}-{i:02d}", t) for t, n in sizes.items() for i in range(n)]
    homes = {t["name"]: {m["home_township"] for m in t["members"]} for t in teams}
    blocked = [t for t in sizes if all(t in h for h in homes.values())]
    candidates = draw.build_candidates(stations, {})
    inputs = draw.DrawInputs(county="x", month="2027-03", candidates=candidates, public_random=str(salt))
    kwargs = dict(ratio=Fraction(1, 3), params=draw.DrawParams(teams=teams, onsite_share=0.5, onsite_fixed=[],
                                                              slot_minutes=15, online_start="09:00",
                                                              activity_date="2027-03-05"))
    if blocked:
        with pytest.raises(draw.AvoidanceError) as info:
            draw.build_record(inputs, **kwargs)
        assert any(t in str(info.value) for t in blocked)
        return
    record = draw.build_record(inputs, **kwargs)
    for s in record["selected"]:
        assert s["township"] not in homes[s["team"]]
    slots = Counter((s["team"], s["slot"]) for s in record["selected"] if s["mode"] == "online")
    assert not slots or max(slots.values()) == 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text("abcdefghij", min_size=1, max_size=3), st.integers(1, 20), min_size=1, max_size=10),
       st.integers(3, 5))
def test_loads_differ_by_at_most_one_township_when_teams_are_free(sizes, team_count) -> None:
    teams = [{"name": f"T{k}", "members": [{"name": "m", "home_township": "elsewhere"}]} for k in range(team_count)]
    team_of = draw.assign_townships(sizes, teams)
    load = Counter({t["name"]: 0 for t in teams})
    for township, team in team_of.items():
        load[team] += sizes[township]
    assert max(load.values()) - min(load.values()) <= max(sizes.values())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counties(max_townships=8))
def test_loads_stay_within_one_township_with_a_single_conflict_each(county) -> None:
    sizes, _ = county
    names = sorted(sizes)
    # each team has one member, from a different township: every township keeps all but one team
    teams = [{"name": f"T{k}", "members": [{"name": "m", "home_township": names[k % len(names)]}]} for k in range(4)]
    home = {t["name"]: t["members"][0]["home_township"] for t in teams}
    team_of = draw.assign_townships(sizes, teams)
    load = Counter({t["name"]: 0 for t in teams})
    for township, team in team_of.items():
        assert home[team] != township
        load[team] += sizes[township]
    assert max(load.values()) - min(load.values()) <= max(sizes.values())


def test_route_is_no_longer_than_nearest_neighbour() -> None:
    import random

    rng = random.Random(5)
    points = {f"s{i}": (118.5 + rng.random() * 0.4, 33.5 + rng.random() * 0.4) for i in range(12)}
    seat = (118.7, 33.7)
    path = draw.route(points, seat)
    assert sorted(path) == sorted(points)

    def length(order):
        stops = [seat, *(points[c] for c in order)]
        return sum(draw.haversine_km(a, b) for a, b in zip(stops, stops[1:], strict=False))

    left, here, greedy = dict(points), seat, []
    while left:
        code = min(sorted(left), key=lambda c: draw.haversine_km(here, left[c]))
        greedy.append(code)
        here = left.pop(code)
    assert length(path) <= length(greedy) + 1e-9


def test_standalone_script_agrees_on_fifty_months(tmp_path: Path) -> None:
    import random

    rng = random.Random(50)
    teams = [{"name": f"第{k}组", "members": [{"name": "甲", "home_township": f"T{k:02d}"}]} for k in range(4)]
    month = "2027-01"
    for n in range(50):
        township_count = rng.randint(3, 20)
        stations = [(f"{i:03d}", f"T{rng.randrange(township_count):02d}") for i in range(1, rng.randint(30, 300))]
        months_ago = {code: rng.randint(1, 14) for code, _ in stations if rng.random() < 0.5}
        risks = {code: [("整改逾期", rng.randint(1, 6))] for code, _ in stations if rng.random() < 0.2}
        record = draw.build_record(draw.DrawInputs(county=f"32{n:04d}", month=month,
                                                   candidates=draw.build_candidates(stations, months_ago, risks),
                                                   public_random=f"{rng.randrange(10**6):06d}"),
                                   ratio=Fraction(rng.choice(["1/3", "1/4", "2/5", "1/2"])),
                                   params=draw.DrawParams(teams=teams, onsite_share=0.5, onsite_fixed=[], slot_minutes=15,
                                   online_start="09:00", activity_date=f"{month}-05"))
        path = tmp_path / f"{n}.json"
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        done = subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, (n, done.stderr)
        assert done.stdout.split() == [s["code"] for s in record["selected"]]
        month = shift_month(month, 1)


def test_standalone_script_detects_tampering(tmp_path: Path) -> None:
    stations = [(f"{i:03d}", f"T{i % 5}") for i in range(1, 61)]
    teams = [{"name": f"第{k}组", "members": [{"name": "甲", "home_township": "none"}]} for k in range(3)]
    record = draw.build_record(draw.DrawInputs(county="x", month="2027-01",
                                               candidates=draw.build_candidates(stations, {}), public_random="1"),
                               ratio=Fraction(1, 3),
                               params=draw.DrawParams(teams=teams, onsite_share=0.5, onsite_fixed=[], slot_minutes=15,
                                                      online_start="09:00", activity_date="2027-01-05"))
    record["selected"][0]["code"], record["selected"][1]["code"] = record["selected"][1]["code"], record["selected"][0]["code"]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    done = subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "MISMATCH" in done.stderr
