#!/usr/bin/env python3
"""Re-derive an activity-day inspection sample from its record alone (docs/draw.md, ad-draw/1).
Usage: activity-day sample record --month 2026-12 > draw.json; python3 verify_draw.py draw.json"""
import hashlib  # noqa: E401
import json
import math
import sys
from collections import defaultdict
from fractions import Fraction


def h(text): return hashlib.sha256(text.encode("utf-8")).hexdigest()  # noqa: E704


rec = json.load(open(sys.argv[1], encoding="utf-8") if len(sys.argv) > 1 else sys.stdin)
cands = sorted(rec["candidates"], key=lambda c: c["code"])
assert h("".join(f"{c['code']}\t{c['township']}\t{c['priority']}\n" for c in cands)) == rec["candidates_sha256"]
seed = f"{rec['algorithm']}|{rec['county']}|{rec['month']}|{rec['candidates_sha256']}|{rec['public_random']}"
assert seed == rec["seed"], "the seed does not follow from the recorded inputs"
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
picked = [c for t in sorted(groups) for c in sorted(groups[t], key=lambda c: (c["priority"], key(c)))[: quota[t]]]
codes, recorded = [c["code"] for c in sorted(picked, key=key)], [s["code"] for s in rec["selected"]]
print("\n".join(codes))
print(("OK" if codes == recorded else "MISMATCH") + f": {len(codes)} of {len(cands)} stations", file=sys.stderr)
sys.exit(0 if codes == recorded else 1)
