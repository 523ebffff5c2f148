#!/usr/bin/env python3
"""Re-derive a demonstration round's site visits from their record alone (docs/draw.md, ad-visits/1).
Usage: activity-day demonstration record --round 2027 > visits.json; python3 verify_site_visits.py visits.json"""
import hashlib  # noqa: E401
import json
import sys


def h(text): return hashlib.sha256(text.encode("utf-8")).hexdigest()  # noqa: E704


def fail(why): print(f"MISMATCH: {why}", file=sys.stderr); sys.exit(1)  # noqa: E702, E704


rec = json.load(open(sys.argv[1], encoding="utf-8") if len(sys.argv) > 1 else sys.stdin)
if rec["algorithm"] != "ad-visits/1":
    fail(f"unknown algorithm {rec['algorithm']}")
stations = sorted((s["code"], s["township"]) for s in rec["shortlist"])
assessors = [(a["name"], a["home_township"]) for a in rec["assessors"]]
if h("".join(f"{c}\t{t}\n" for c, t in stations)) != rec["shortlist_sha256"]:
    fail("the shortlist does not match its SHA-256")
if h("".join(f"{n}\t{t}\n" for n, t in assessors)) != rec["assessors_sha256"]:
    fail("the assessors do not match their SHA-256")
parts = rec.get("public_random_parts")
if parts:  # commit-reveal: each secret matches its commitment, and the value combines the secrets
    for dep, secret in parts["reveals"].items():
        if parts["commitments"].get(dep) != h(secret):
            fail(f"{dep}'s revealed secret does not match its commitment")
    body = "".join(f"{d}\t{parts['reveals'][d]}\n" for d in sorted(parts["reveals"]))
    if rec["public_random"] != "commit-reveal:" + h(body):
        fail("the public random value is not the combination of the revealed secrets")
seed = h("|".join([rec["algorithm"], rec["county"], rec["round"], rec["shortlist_sha256"], rec["assessors_sha256"],
                   str(rec["per_station"]), rec["public_random"]]))
if seed != rec["seed"]:
    fail("the seed does not follow from the recorded inputs")
load, visits = {n: 0 for n, _ in assessors}, []
for code, township in stations:
    allowed = list(dict.fromkeys(n for n, home in assessors if home != township))
    ranked = sorted(allowed, key=lambda n: (load[n], h(f"{seed}|{code}|{n}")))  # noqa: B023
    for name in ranked[:rec["per_station"]]:
        load[name] += 1
        visits.append({"code": code, "assessor": name})
if visits != rec["visits"]:
    fail("the visits do not follow from the seed")
print(f"OK: {len(stations)} stations, {len(visits)} visits re-derived; public random value from "
      f"{rec['public_random_source'] or 'an unnamed source'}")
