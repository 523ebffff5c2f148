#!/usr/bin/env python3
"""Re-derive an activity-day inspection sample from its record alone (docs/draw.md, ad-draw/1 and ad-draw/2).
Usage: activity-day sample record --month 2026-12 > draw.json; python3 verify_draw.py draw.json"""
import hashlib  # noqa: E401
import json
import math
import sys
from collections import defaultdict
from fractions import Fraction


def h(text): return hashlib.sha256(text.encode("utf-8")).hexdigest()  # noqa: E704


def fail(why): print(f"MISMATCH: {why}", file=sys.stderr); sys.exit(1)  # noqa: E702, E704


rec = json.load(open(sys.argv[1], encoding="utf-8") if len(sys.argv) > 1 else sys.stdin)
v2 = rec["algorithm"] != "ad-draw/1"  # ad-draw/2 adds each candidate's risk points
cands = sorted(rec["candidates"], key=lambda c: c["code"])
line = lambda c: f"{c['code']}\t{c['township']}\t{c['priority']}" + (f"\t{c['risk']}" if v2 else "") + "\n"  # noqa: E731
if h("".join(line(c) for c in cands)) != rec["candidates_sha256"]:
    fail("the candidate list does not match its SHA-256")
parts = rec.get("public_random_parts")
if parts:  # commit-reveal: each secret matches its commitment, and the value combines the secrets
    for dep, secret in parts["reveals"].items():
        if parts["commitments"].get(dep) != h(secret):
            fail(f"{dep}'s revealed secret does not match its commitment")
    body = "".join(f"{d}\t{parts['reveals'][d]}\n" for d in sorted(parts["reveals"]))
    if rec["public_random"] != "commit-reveal:" + h(body):
        fail("the public random value is not the combination of the revealed secrets")
seed = f"{rec['algorithm']}|{rec['county']}|{rec['month']}|{rec['candidates_sha256']}|{rec['public_random']}"
if seed != rec["seed"]:
    fail("the seed does not follow from the recorded inputs")
groups = defaultdict(list)
for c in cands:
    groups[c["township"]].append(c)
size, ratio = {t: len(g) for t, g in groups.items()}, Fraction(rec["ratio"])
ideal = {t: n * ratio for t, n in size.items()}
quota = {t: min(size[t], max(1, math.floor(q))) for t, q in ideal.items()}
rest = math.floor(sum(size.values()) * ratio + Fraction(1, 2)) - sum(quota.values())
tie = {t: h(f"{seed}|{t}") for t in size}
while rest > 0 and [t for t in size if quota[t] < size[t]]:
    t = min((t for t in size if quota[t] < size[t]), key=lambda t: (quota[t] - ideal[t], tie[t]))
    quota[t], rest = quota[t] + 1, rest - 1
while rest < 0 and [t for t in size if quota[t] > 1]:
    t = min((t for t in size if quota[t] > 1), key=lambda t: (ideal[t] - quota[t], tie[t]))
    quota[t], rest = quota[t] - 1, rest + 1
key = lambda c: h(f"{seed}|{c['code']}")  # noqa: E731
picked = []
for t in sorted(groups):
    risky = []
    if v2:  # risk places: the quota beyond ceil(n/4) rotation places, to the highest (risk, then rotation)
        places = max(0, quota[t] - min(quota[t], math.ceil(size[t] / 4)))
        risky = sorted((c for c in groups[t] if c["risk"] > 0), key=lambda c: (-c["risk"], c["priority"], key(c)))
        risky = risky[:places]
    others = sorted((c for c in groups[t] if c not in risky), key=lambda c: (c["priority"], key(c)))
    picked += risky + others[: quota[t] - len(risky)]
codes, recorded = [c["code"] for c in sorted(picked, key=key)], [s["code"] for s in rec["selected"]]
print("\n".join(codes))
print(("OK" if codes == recorded else "MISMATCH") + f": {len(codes)} of {len(cands)} stations", file=sys.stderr)
sys.exit(0 if codes == recorded else 1)
