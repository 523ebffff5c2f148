"""When a bearer token stops working: pure rules over dates, with no clock of their own."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from activity_day.domain.months import TZ


def end_of_day(day: date) -> datetime:
    """The first moment after `day` in Beijing time, as UTC: a token valid "until 2027-12-31" works all that day."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=TZ).astimezone(UTC)


def default_expiry(issued_at: datetime) -> datetime:
    """The end of the year a token is issued in (Beijing time): the county's cycle runs by the calendar year."""
    return end_of_day(date(issued_at.astimezone(TZ).year, 12, 31))


def expiry(issued_at: datetime, until: date | None) -> datetime:
    """When a token issued at `issued_at` stops working: the end of `until`, or else of the issuing year."""
    return end_of_day(until) if until is not None else default_expiry(issued_at)


def _utc(moment: datetime) -> datetime:
    """Naive moments are UTC, as the database keeps them."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def is_live(expires_at: datetime | None, now: datetime) -> bool:
    """Whether a token that expires at `expires_at` (None: never) still works at `now`."""
    return expires_at is None or _utc(now) < _utc(expires_at)


def last_day(expires_at: datetime) -> date:
    """The last day (Beijing time) on which a token still works: what the office is told."""
    return (_utc(expires_at).astimezone(TZ) - timedelta(microseconds=1)).date()
