"""A planned activity's identity across resubmissions of its station's plan. Pure.

A plan submitted again replaces the station's activities, and their positions move when one is added or taken
out. What refers to an activity (a check-in, a check-out) must follow the activity, not the position: an activity
of the new plan keeps the identity of the old one with the same name and start; failing that, of the only old one
with the same start (a name corrected). Anything else is a new activity with a new identity, and a check-in of an
old activity no longer planned stays on record without counting for any activity of the plan.

A new identity is derived from the activity (its name and start), never drawn at random, so that a rerun or another
worker stores the same rows; it skips every identity the old plan used, so that it never takes over another
activity's check-ins.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from activity_day.domain.hashing import sha256_hex


def new_uid(name: str, start: datetime, taken: set[str]) -> str:
    """The identity of a new activity: from its name and start, the first not in `taken`."""
    n = 0
    while (uid := sha256_hex(f"activity|{name}|{start.isoformat()}|{n}")[:32]) in taken:
        n += 1
    return uid


def carried_uids(old: Sequence[tuple[str, datetime, str]], new: Sequence[tuple[str, datetime]]) -> list[str]:
    """The identity of each new activity (name, start): an old one's (name, start, uid) where it is the same
    activity, else a new one. Each old identity goes to one new activity at most, in plan order."""
    free = list(old)
    found: list[str | None] = [None] * len(new)
    for i, (name, start) in enumerate(new):
        match = next((o for o in free if (o[0], o[1]) == (name, start)), None)
        if match is not None:
            found[i] = match[2]
            free.remove(match)
    for i, (_, start) in enumerate(new):
        if found[i] is not None:
            continue
        same_start = [o for o in free if o[1] == start]
        if len(same_start) == 1 and sum(1 for j, (_, s) in enumerate(new) if s == start and found[j] is None) == 1:
            found[i] = same_start[0][2]
            free.remove(same_start[0])
    taken = {o[2] for o in old} | {uid for uid in found if uid}
    uids = []
    for (name, start), uid in zip(new, found, strict=True):
        uid = uid or new_uid(name, start, taken)
        taken.add(uid)
        uids.append(uid)
    return uids
