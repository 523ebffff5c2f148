"""Reads and writes of the station registry. The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from activity_day.errors import MissingPrerequisite
from activity_day.models import Station, upsert
from activity_day.store.frames import _frame


def replace_registry(*, session: Session, county: str, rows: Sequence[dict[str, Any]], today: date) -> int:
    """Load a station registry: upsert its stations, mark the ones it no longer lists inactive, and keep each
    station's lifetime (`joined_on`, `left_on`).

    A date the file gives wins. Otherwise a station new to a county that already has a registry joins `today`
    (the county's first registry lists stations that were there before any record), one the file no longer lists
    leaves `today`, and one listed again is back with the day it first joined. A station listed with a 撤销日期
    is out of the registry from that day.
    """
    known = dict(session.exec(select(Station.code, Station.joined_on).where(Station.county == county)).all())
    records = []
    for r in rows:
        joined = r.get("joined_on") or (known[r["code"]] if r["code"] in known else None if not known else today)
        left = r.get("left_on")
        records.append(dict(r, county=county, joined_on=joined, left_on=left, active=left is None))
    upsert(session, Station, records, ["county", "code"])
    codes = [r["code"] for r in rows]
    session.exec(update(Station).where(Station.county == county, Station.code.not_in(codes),  # type: ignore[attr-defined]
                                       Station.active).values(active=False, left_on=today))
    return len(records)


def registered_codes(*, session: Session, county: str) -> list[str]:
    """Every station code the county has registered, active or not."""
    return list(session.exec(select(Station.code).where(Station.county == county)).all())


STATION_COLUMNS = ["code", "name", "kind", "township", "leader", "phone", "longitude", "latitude"]


def stations_frame(*, session: Session, county: str) -> pd.DataFrame:
    """Active stations of the county, ordered by code."""
    return _frame(session, Station, STATION_COLUMNS, Station.county == county, Station.active, order=["code"])


_ENTRY = sa_select(*(getattr(Station, c) for c in STATION_COLUMNS)).where(
    Station.county == bindparam("county"), Station.code == bindparam("code"))


def station_entry(*, session: Session, county: str, code: str) -> Any | None:
    """One station's registry entry (STATION_COLUMNS) as a plain row, active or not; None if unknown."""
    return session.connection().execute(_ENTRY, {"county": county, "code": code}).first()


def _directory(township: bool, codes: bool) -> Any:
    query = sa_select(*(getattr(Station, c) for c in STATION_COLUMNS)).where(
        Station.county == bindparam("county"), Station.active).order_by(Station.code)
    if township:
        query = query.where(Station.township == bindparam("township"))
    if codes:
        query = query.where(Station.code.in_(bindparam("codes", expanding=True)))  # type: ignore[attr-defined]
    return query


# The pages' reads, built once: by (of one township, with these codes).
_DIRECTORY = {(t, c): _directory(t, c) for t in (False, True) for c in (False, True)}


def station_directory(*, session: Session, county: str, township: str | None = None,
                      codes: Sequence[str] | None = None) -> dict[str, Any]:
    """Active stations of the county (of one township, or with these codes) as plain rows by code, in code order
    (a page's read: no frame)."""
    params: dict[str, Any] = {"county": county}
    if township is not None:
        params["township"] = township
    if codes is not None:
        params["codes"] = list(codes)
    query = _DIRECTORY[township is not None, codes is not None]
    return {r.code: r for r in session.connection().execute(query, params)}


LIFETIME_COLUMNS = ["joined_on", "left_on", "active"]


def stations_ever(*, session: Session, county: str) -> pd.DataFrame:
    """Every station the county has registered, in the registry or removed, with its lifetime (joined_on,
    left_on, active), ordered by code: what the evaluation of a past period reads."""
    return _frame(session, Station, STATION_COLUMNS + LIFETIME_COLUMNS, Station.county == county, order=["code"])


def set_lifetime(*, session: Session, county: str, code: str, **dates: date | None) -> Station:
    """Set a station's `joined_on` and/or `left_on` (the office's word over the registry's inference); a station
    given a day it left is out of the registry, one whose day is cleared is back in it."""
    station = session.exec(select(Station).where(Station.county == county, Station.code == code)).first()
    if station is None:
        raise MissingPrerequisite(f"所站名录中没有编号为 {code} 的所站（含已撤销的）")
    for key, value in dates.items():
        setattr(station, key, value)
    if "left_on" in dates:
        station.active = station.left_on is None
    session.add(station)
    return station
