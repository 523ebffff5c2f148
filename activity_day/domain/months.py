"""Month arithmetic in the county's time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from activity_day.domain.dates import shift_month

TZ = ZoneInfo("Asia/Shanghai")


def this_month(now: datetime) -> str:
    """The month of `now` in Asia/Shanghai."""
    now = now.astimezone(TZ)
    return f"{now.year:04d}-{now.month:02d}"


def next_month(now: datetime) -> str:
    """The month after `now`'s in Asia/Shanghai: the default for every command (with the context's time)."""
    return shift_month(this_month(now), 1)



def local_day(moment: datetime) -> date:
    """The county's calendar day at `moment` (a naive moment is taken as already local)."""
    return moment.astimezone(TZ).date() if moment.tzinfo else moment.date()
