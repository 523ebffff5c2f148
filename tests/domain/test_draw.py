from collections import Counter
from fractions import Fraction

import pytest

from activity_day.domain import draw
from activity_day.domain.dates import shift_month
from activity_day.tasks.sample import months_since_drawn

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
    return draw.build_record(draw.DrawInputs(county="321323", month=month,
                                             candidates=cands, public_random=public),
                             ratio=THIRD,
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
    rec = draw.build_record(draw.DrawInputs(county="321323", month="2026-12",
                                            candidates=cands, public_random="p"),
                            ratio=THIRD,
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
        draw.build_record(draw.DrawInputs(county="321323", month="2026-12",
                                          candidates=cands, public_random="p"),
                          ratio=THIRD,
                          params=draw.DrawParams(teams=TEAMS, onsite_share=0.5, onsite_fixed=["T00"], slot_minutes=20,
                                                 online_start="09:00", activity_date="2026-12-05",
                                                 online_inspectors=inspectors))
    assert str(info.value).endswith("（线上·吴敏、线上·郑凯）") and "T04" in str(info.value)


def test_risky_stations_take_the_risk_places_and_the_rotation_still_covers_four_months() -> None:
    """Every month one station of each township carries risk: it is drawn every month, and still every station
    is drawn in every four consecutive months (ad-draw/2 keeps ceil(n/4) rotation places)."""
    import pandas as pd

    everyone = stations()
    risky = {min(c for c, t in everyone if t == township) for township in {t for _, t in everyone}}
    history: list[tuple[str, str]] = []
    month, drawn_by_month = "2027-01", {}
    for _ in range(24):
        frame = pd.DataFrame(history, columns=["code", "month"])
        cands = draw.build_candidates(everyone, months_since_drawn(frame, month),
                                      {c: [("整改逾期", 3)] for c in risky})
        rec = draw.build_record(draw.DrawInputs(county="321323", month=month,
                                                candidates=cands, public_random=month),
                                ratio=THIRD,
                                params=draw.DrawParams(teams=TEAMS, onsite_share=0.5, onsite_fixed=[], slot_minutes=20,
                                                       online_start="09:00", activity_date=f"{month}-05"))
        drawn_by_month[month] = {s["code"] for s in rec["selected"]}
        by_risk = {s["code"] for s in rec["selected"] if s["by"] == "risk"}
        assert by_risk and by_risk <= risky
        history += [(code, month) for code in drawn_by_month[month]]
        month = shift_month(month, 1)
    months = sorted(drawn_by_month)
    for start in range(len(months) - 3):
        window = set().union(*(drawn_by_month[m] for m in months[start:start + 4]))
        assert window == {code for code, _ in everyone}, months[start]
    # The risky stations are drawn every month, not the third of months the rotation alone would give them.
    assert all(risky <= drawn_by_month[m] for m in months)


def test_the_record_carries_each_candidates_weight_and_its_facts() -> None:
    cands = draw.build_candidates(stations(), {}, {"001": [("整改逾期1次", 3), ("本月未报送计划", 2), ("关闭", 0)]})
    rec = draw.build_record(draw.DrawInputs(county="321323", month="2027-01",
                                            candidates=cands, public_random="x"),
                            ratio=THIRD,
                            params=draw.DrawParams(teams=TEAMS, onsite_share=0.5, onsite_fixed=[], slot_minutes=20,
                                                   online_start="09:00", activity_date="2027-01-05"))
    first = next(c for c in rec["candidates"] if c["code"] == "001")
    assert first["risk"] == 5 and first["risk_from"] == ["整改逾期1次+3", "本月未报送计划+2"]
    assert next(c for c in rec["candidates"] if c["code"] == "002")["risk"] == 0
    assert "001" in {s["code"] for s in rec["selected"]}
    # The weight is in the hashed list: changing it changes the list's SHA-256 and so the seed.
    lowered = [draw.Candidate(c.code, c.township, c.priority, 0 if c.code == "001" else c.risk) for c in cands]
    assert draw.candidates_sha256(lowered) != rec["candidates_sha256"]
    assert draw.rederive(rec) == rec


def test_records_of_the_first_algorithm_still_rederive() -> None:
    cands = draw.build_candidates(stations(), {})
    rec = draw.build_record(draw.DrawInputs(county="321323", month="2026-12",
                                            candidates=cands, public_random="p"),
                            ratio=THIRD,
                            params=draw.DrawParams(teams=TEAMS, onsite_share=0.5, onsite_fixed=[], slot_minutes=20,
                                                   online_start="09:00", activity_date="2026-12-05"),
                            algorithm="ad-draw/1")
    assert rec["seed"].startswith("ad-draw/1|") and "risk" not in rec["candidates"][0]
    assert "by" not in rec["selected"][0]
    assert draw.rederive(rec) == rec


def test_commit_reveal_parts_check_the_public_value() -> None:
    reveals = {"理论科": "桂花", "网信科": "7 3 9 1"}
    commitments = {d: draw.commitment_of(s) for d, s in reveals.items()} | {"宣教科": draw.commitment_of("未公开")}
    value = draw.combine_reveals(reveals)
    rec = draw.build_record(draw.DrawInputs(county="321323", month="2027-01",
                                            candidates=draw.build_candidates(stations(), {}), public_random=value,
                                            public_random_parts={"commitments": commitments, "reveals": reveals}),
                            ratio=THIRD,
                            params=draw.DrawParams(teams=TEAMS, onsite_share=0.5, onsite_fixed=[], slot_minutes=20,
                                                   online_start="09:00", activity_date="2027-01-05"))
    assert draw.check_parts(rec) is None and draw.rederive(rec) == rec
    assert draw.check_parts(rec | {"public_random_parts": {"commitments": commitments,
                                                           "reveals": reveals | {"理论科": "梅花"}}}) \
        == "理论科公开的随机串与其事先提交的承诺值不符"
    assert draw.check_parts(rec | {"public_random": "commit-reveal:0"}) == "公开随机数不是各部门公开随机串的组合"
