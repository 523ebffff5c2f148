from collections import Counter
from fractions import Fraction

import pytest

from activity_day.domain import draw
from activity_day.domain.dates import shift_month
from tasks.sample import months_since_drawn

THIRD = Fraction(1, 3)
TEAMS = [
    {"name": "第一组", "members": [{"name": "甲", "home_township": "T00"}, {"name": "乙", "home_township": "T01"}]},
    {"name": "第二组", "members": [{"name": "丙", "home_township": "T02"}]},
    {"name": "第三组", "members": [{"name": "丁", "home_township": "T03"}]},
]


def stations(n: int = 248, townships: int = 16) -> list[tuple[str, str]]:
    return [(f"{i:03d}", f"T{i % townships:02d}") for i in range(1, n + 1)]


def record(month: str = "2026-12", public: str = "p", months_ago: dict | None = None, teams=TEAMS, **kw) -> dict:
    cands = draw.build_candidates(kw.pop("stations", stations()), months_ago or {})
    params = draw.DrawParams(teams=teams, onsite_share=0.5, onsite_fixed=kw.pop("onsite_fixed", []),
                             slot_minutes=15, online_start="09:00", activity_date=f"{month}-05")
    return draw.build_record(county="321323", month=month, candidates=cands, public_random=public, ratio=THIRD,
                             params=params)


def test_quotas_add_up_with_one_per_township() -> None:
    sizes = {"a": 40, "b": 1, "c": 2, "d": 17, "e": 3}
    q = draw.quotas(sizes, THIRD, "seed")
    assert sum(q.values()) == draw.round_half_up(sum(sizes.values()) * THIRD) == 21
    assert all(q[t] >= 1 for t in sizes) and all(q[t] <= sizes[t] for t in sizes)
    assert q["a"] in (13, 14)


def test_a_township_raised_to_one_place_gets_no_more_before_the_others() -> None:
    q = draw.quotas({"A": 2, "B": 4, "C": 4, "D": 4}, THIRD, "s")
    assert q["A"] == 1 and sum(q.values()) == 5 and sorted(q.values()) == [1, 1, 1, 2]


def test_quotas_take_back_when_minimum_overshoots() -> None:
    q = draw.quotas({"a": 10, "b": 1, "c": 1, "d": 1}, THIRD, "s")
    assert q == {"a": 1, "b": 1, "c": 1, "d": 1}  # round(13/3) = 4, one each
    # more townships than round(N × ratio): one each wins over the total
    q = draw.quotas({f"t{i}": 1 for i in range(9)} | {"big": 3}, THIRD, "s")
    assert q == {f"t{i}": 1 for i in range(9)} | {"big": 1}


def test_draw_reproduces_and_months_differ() -> None:
    first, again = record(), record()
    assert first == again and draw.rederive(first) == first
    assert len(first["selected"]) == draw.round_half_up(248 * THIRD) == 83
    assert Counter(s["township"] for s in first["selected"]).keys() == {f"T{i:02d}" for i in range(16)}
    other = record(month="2027-01")
    assert {s["code"] for s in other["selected"]} != {s["code"] for s in first["selected"]}
    assert record(public="q")["selected"] != first["selected"]


def test_tampered_record_does_not_rederive() -> None:
    rec = record()
    rec["selected"][0]["team"] = "第九组"
    assert draw.rederive(rec) != rec


def test_avoidance_holds_and_online_slots_never_overlap() -> None:
    rec = record()
    homes = {t["name"]: {m["home_township"] for m in t["members"]} for t in TEAMS}
    for s in rec["selected"]:
        assert s["township"] not in homes[s["team"]]
    onsite_teams = {}
    for s in rec["selected"]:
        if s["mode"] == "onsite":
            onsite_teams.setdefault(s["township"], set()).add(s["team"])
    assert all(len(t) == 1 for t in onsite_teams.values())
    slots = Counter((s["team"], s["slot"]) for s in rec["selected"] if s["mode"] == "online")
    assert max(slots.values()) == 1


def test_impossible_avoidance_names_township_and_members() -> None:
    teams = [{"name": f"组{i}", "members": [{"name": f"人{i}", "home_township": "T05"}]} for i in range(3)]
    with pytest.raises(draw.AvoidanceError) as info:
        record(teams=teams)
    message = str(info.value)
    assert "T05" in message and "组0·人0" in message and "组2·人2" in message


def test_rotation_covers_every_station_within_four_months() -> None:
    history: list[tuple[str, str]] = []
    month = "2027-01"
    drawn_by_month = {}
    for _ in range(24):
        import pandas as pd

        frame = pd.DataFrame(history, columns=["code", "month"])
        rec = record(month=month, months_ago=months_since_drawn(frame, month))
        drawn_by_month[month] = {s["code"] for s in rec["selected"]}
        history += [(code, month) for code in drawn_by_month[month]]
        month = shift_month(month, 1)
    months = sorted(drawn_by_month)
    everyone = {code for code, _ in stations()}
    for start in range(len(months) - 3):
        window = set().union(*(drawn_by_month[m] for m in months[start:start + 4]))
        assert window == everyone, months[start]


def test_inclusion_frequency_over_many_seeds_is_near_the_ratio() -> None:
    counts: Counter = Counter()
    runs = 1000
    cands = draw.build_candidates(stations(), {})
    for i in range(runs):
        seed = draw.seed_material("321323", "2026-12", "x", str(i))
        counts.update(s["code"] for s in draw.select(cands, seed, THIRD))
    # p is about 1/3; 5 standard deviations of a binomial(1000, 1/3) is about 75
    for code, _ in stations():
        assert abs(counts[code] - runs / 3) < 80, code


def test_online_inspectors_take_the_video_checks() -> None:
    inspectors = [{"name": "吴", "home_township": "T04"}, {"name": "郑", "home_township": "T05"}]
    cands = draw.build_candidates(stations(), {})
    params = draw.DrawParams(teams=TEAMS, onsite_share=0.5, onsite_fixed=[], slot_minutes=20, online_start="09:00",
                             activity_date="2026-12-05", online_inspectors=inspectors)
    rec = draw.build_record(county="321323", month="2026-12", candidates=cands, public_random="p", ratio=THIRD,
                            params=params)
    online = [s for s in rec["selected"] if s["mode"] == "online"]
    assert {s["team"] for s in online} == {"线上·吴", "线上·郑"}
    assert all(not (s["team"] == "线上·吴" and s["township"] == "T04") for s in online)
    assert all(not (s["team"] == "线上·郑" and s["township"] == "T05") for s in online)
    slots = sorted(s["slot"] for s in online if s["team"] == "线上·吴")
    assert slots[0] == "09:00-09:20" and len(set(slots)) == len(slots)
    assert draw.rederive(rec) == rec


def test_an_online_inspector_is_named_once_in_an_avoidance_error() -> None:
    inspectors = [{"name": "吴敏", "home_township": "T04"}, {"name": "郑凯", "home_township": "T04"}]
    cands = draw.build_candidates(stations(), {})
    with pytest.raises(draw.AvoidanceError) as info:
        draw.build_record(county="321323", month="2026-12", candidates=cands, public_random="p", ratio=THIRD,
                          params=draw.DrawParams(teams=TEAMS, onsite_share=0.5, onsite_fixed=["T00"], slot_minutes=20,
                                                 online_start="09:00", activity_date="2026-12-05",
                                                 online_inspectors=inspectors))
    assert str(info.value).endswith("（线上·吴敏、线上·郑凯）") and "T04" in str(info.value)
