"""A planned activity's identity across resubmissions of its station's plan. Pure.

A plan submitted again replaces the station's activities, and their positions move when one is added or taken
out. What refers to an activity (a check-in, a check-out) must follow the activity, not the position: an activity
of the new plan keeps the identity of the old one with the same name and start; failing that, of the only old one
with the same start (a name corrected). Anything else is a new activity with a new identity, and a check-in of an
old activity no longer planned stays on record without counting for any activity of the plan.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime


def new_uid() -> str:
    return uuid.uuid4().hex


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
    return [uid or new_uid() for uid in found]
