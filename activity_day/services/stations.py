"""A station's lifetime in the evaluation (joined_on, left_on): read, and set by the office where the registry's
inference is wrong (a station founded on 1 September but registered in October, a closure recorded late)."""

from __future__ import annotations

from datetime import date
from typing import Any

from activity_day.domain.codes import normalize_code
from activity_day.errors import OperatorError
from activity_day.store import crud
from activity_day.store.database import transaction

UNCHANGED: Any = object()  # a date option not given: the stored day stays


def lifetimes(county: str, *, include_removed: bool = True) -> list[dict[str, Any]]:
    """Every station with its lifetime: code, name, township, joined_on, left_on, active."""
    with transaction(read_only=True) as session:
        frame = crud.stations_ever(session=session, county=county)
    if not include_removed:
        frame = frame[frame["active"]]
    return [{"code": r["code"], "name": r["name"], "township": r["township"], "joined_on": _iso(r["joined_on"]),
             "left_on": _iso(r["left_on"]), "active": bool(r["active"])} for r in frame.to_dict("records")]


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else None


def set_lifetime(county: str, station: str, *, today: date, joined_on: date | None = UNCHANGED,
                 left_on: date | None = UNCHANGED) -> dict[str, Any]:
    """Set a station's first day (`joined_on`) and/or the day it closed (`left_on`; None: it is registered again).

    A closing day is never after `today`, and always after the first day. A closed station leaves the registry
    (its tokens stop working with it), and the next registry import that lists it brings it back.
    """
    code = normalize_code(station)
    if left_on is not UNCHANGED and left_on is not None and left_on > today:
        raise OperatorError(f"撤销日期 {left_on.isoformat()} 晚于今天（{today.isoformat()}）：所站撤销后再登记")
    with transaction() as session:
        found = {s["code"]: s for s in crud.stations_ever(session=session, county=county).to_dict("records")}
        if code not in found:
            raise OperatorError(f"所站名录中没有编号为 {code} 的所站（含已撤销的）")
        joined = found[code]["joined_on"] if joined_on is UNCHANGED else joined_on
        left = found[code]["left_on"] if left_on is UNCHANGED else left_on
        if joined is not None and left is not None and left <= joined:
            raise OperatorError(f"撤销日期 {left.isoformat()} 应晚于设立日期 {joined.isoformat()}")
        given = {k: v for k, v in (("joined_on", joined_on), ("left_on", left_on)) if v is not UNCHANGED}
        crud.set_lifetime(session=session, county=county, code=code, **given)
    return next(s for s in lifetimes(county) if s["code"] == code)
