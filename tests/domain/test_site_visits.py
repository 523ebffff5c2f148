"""The demonstration site-visit draw (ad-visits/1): 回避 and an even load, the same visits from the same record,
a seed that moves with the public random value, and the stdlib verifier agreeing on random rounds."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from activity_day.domain.draw import combine_reveals, commitment_of
from activity_day.domain.selection import (
    AssignmentError,
    inputs_of,
    site_visit_inputs,
    site_visit_record,
    weak_public_random,
)

VERIFIER = Path(__file__).resolve().parents[2] / "docs" / "verify_site_visits.py"
TOWNS = ["众兴街道", "来安街道", "王集镇", "裴圩镇", "新袁镇"]


def a_round(rng: random.Random) -> dict:
    codes = [f"{i:03d}" for i in rng.sample(range(1, 249), rng.randint(1, 12))]
    shortlist = pd.DataFrame({"code": codes, "township": [rng.choice(TOWNS) for _ in codes]})
    assessors = [(f"评估员{i}", rng.choice(TOWNS)) for i in range(rng.randint(6, 10))]
    return site_visit_inputs("321323", "2027", shortlist, assessors, rng.randint(1, 3))


def test_visits_keep_avoidance_spread_the_load_and_follow_the_public_value() -> None:
    inputs = site_visit_inputs("321323", "2027", pd.DataFrame({"code": ["017", "003", "101"],
                                                               "township": ["王集镇", "众兴街道", "王集镇"]}),
                               [("甲", "王集镇"), ("乙", "众兴街道"), ("丙", "来安街道"), ("丁", "裴圩镇")], 2)
    assert [s["code"] for s in inputs["shortlist"]] == ["003", "017", "101"]  # by code, whatever the order given
    reveals = {"理论科": "山高月小", "网信科": "水落石出"}
    record = site_visit_record(inputs, combine_reveals(reveals), "部门承诺—公开组合",
                               {"commitments": {d: commitment_of(s) for d, s in reveals.items()}, "reveals": reveals})
    homes = {"甲": "王集镇", "乙": "众兴街道", "丙": "来安街道", "丁": "裴圩镇"}
    towns = {s["code"]: s["township"] for s in inputs["shortlist"]}
    assert len(record["visits"]) == 6 and all(homes[v["assessor"]] != towns[v["code"]] for v in record["visits"])
    load = Counter(v["assessor"] for v in record["visits"])
    assert max(load.values()) - min(load.values()) <= 1 and len(load) == 4
    assert site_visit_record(inputs_of(record), record["public_random"], record["public_random_source"],
                             record["public_random_parts"]) == record  # the same record, the same visits
    seeds = {site_visit_record(inputs, f"commit-reveal:{i}", "")["seed"] for i in range(20)}
    visits = {json.dumps(site_visit_record(inputs, f"commit-reveal:{i}", "")["visits"]) for i in range(20)}
    assert len(seeds) == 20 and len(visits) > 1  # the value decides: nobody can tell the visits before it is known
    weak = site_visit_record(inputs, weak_public_random(inputs), "入围名单SHA-256")
    assert weak["public_random"] == f"shortlist-sha256:{inputs['shortlist_sha256']}"
    with pytest.raises(AssignmentError, match="可回避的评估人员不足 4 人"):
        site_visit_record(inputs | {"per_station": 4}, "x", "")


def test_the_stdlib_verifier_agrees_and_catches_a_change(tmp_path: Path) -> None:
    rng = random.Random(28)
    for n in range(15):
        inputs = a_round(rng)
        reveals = {"理论科": f"秘密{n}"} if n % 2 else {}
        parts = {"commitments": {d: commitment_of(s) for d, s in reveals.items()}, "reveals": reveals} if reveals else None
        try:
            record = site_visit_record(inputs, combine_reveals(reveals) if reveals else weak_public_random(inputs),
                                       "测试", parts)
        except AssignmentError:
            continue
        path = tmp_path / f"visits-{n}.json"
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        checked = subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True, text=True, check=False)
        assert checked.returncode == 0 and checked.stdout.startswith("OK:"), checked.stderr
    record["visits"][0]["assessor"] = "冒名顶替"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    tampered = subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True, text=True, check=False)
    assert tampered.returncode == 1 and "MISMATCH: the visits do not follow from the seed" in tampered.stderr
