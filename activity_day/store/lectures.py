"""Reads and writes of the lecture pool, the stations' orders with their teams, and ratings. The caller owns the
transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from activity_day.models import LectureOrder, LectureRating, Speaker, upsert
from activity_day.store.crud import _frame

SPEAKER_COLUMNS = ["code", "name", "unit", "township", "topics", "stories", "weekdays", "dates", "cap"]
ORDER_COLUMNS = ["id", "station_code", "menu_code", "day", "audience", "status", "team", "confirmed", "declined",
                 "reason", "suggestion", "late", "source_ref"]


def replace_pool(*, session: Session, county: str, rows: Sequence[dict[str, Any]]) -> int:
    """The pool is the file: listed speakers are upserted, the others set inactive (their past teams stay)."""
    session.connection().execute(update(Speaker).where(Speaker.county == county).values(active=False))
    return upsert(session, Speaker, [dict(county=county, active=True, **{k: r[k] for k in SPEAKER_COLUMNS})
                                     for r in rows], ["county", "code"])


def pool_frame(*, session: Session, county: str) -> pd.DataFrame:
    return _frame(session, Speaker, SPEAKER_COLUMNS, Speaker.county == county, Speaker.active, order=["code"])


@dataclass(frozen=True)
class OrderReceipt:
    """Where a batch of orders came from (`source_ref`, with each row's number when it has one), when it arrived
    and whether after the deadline."""

    source_ref: str
    received_at: datetime | None = None
    late: bool = False


def save_orders(*, session: Session, county: str, month: str, rows: Sequence[dict[str, Any]],
                receipt: OrderReceipt) -> int:
    """Insert new orders; an order whose day or audience changed goes back to `ordered` for a new team. An order
    repeated as it is changes nothing, and so does a change to a lecture already delivered (rated): callers tell
    the sender (`delivered_changes`). Returns how many orders were new or changed."""
    source_ref, received_at, late = receipt.source_ref, receipt.received_at, receipt.late
    stored = {(o.station_code, o.menu_code): o for o in orders(session=session, county=county, month=month, lock=True)}
    written = 0
    for r in rows:
        found = stored.get((r["station_code"], r["menu_code"]))
        if found is not None and (found.status == "delivered"
                                  or (found.day == r["day"] and found.audience == r["audience"])):
            continue
        if found is None:
            found = LectureOrder(county=county, month=month, station_code=r["station_code"], menu_code=r["menu_code"],
                                 day=r["day"], audience=r["audience"])
        found.day, found.audience, found.late, found.received_at = r["day"], r["audience"], late, received_at
        found.source_ref = f"{source_ref}:{r['_row']}" if "_row" in r else source_ref
        found.status, found.team, found.confirmed, found.declined = "ordered", [], [], []
        found.reason = found.suggestion = ""
        session.add(found)
        written += 1
    return written


def delivered_changes(*, session: Session, county: str, month: str,
                      rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows that would change the day or audience of a lecture already delivered (save_orders keeps those)."""
    delivered = {(o.station_code, o.menu_code): o for o in session.exec(select(LectureOrder).where(
        LectureOrder.county == county, LectureOrder.month == month, LectureOrder.status == "delivered"))}
    return [r for r in rows if (o := delivered.get((r["station_code"], r["menu_code"]))) is not None
            and (o.day, o.audience) != (r["day"], r["audience"])]


def orders_frame(*, session: Session, county: str, month: str) -> pd.DataFrame:
    return _frame(session, LectureOrder, ORDER_COLUMNS, LectureOrder.county == county, LectureOrder.month == month,
                  order=["station_code", "menu_code"])


def orders(*, session: Session, county: str, month: str, lock: bool = False) -> list[LectureOrder]:
    """The month's orders; with `lock`, their rows stay locked until the caller's transaction ends (PostgreSQL;
    SQLite writers queue at BEGIN), so a state change decided on them cannot be lost to a concurrent one."""
    return list(session.exec(_ORDERS_LOCKED if lock else _ORDERS, params={"county": county, "month": month}))


# Built once (every page with a lecture menu reads them): bound values as parameters.
_ORDERS = select(LectureOrder).where(LectureOrder.county == bindparam("county"),
                                     LectureOrder.month == bindparam("month")) \
    .order_by(LectureOrder.station_code, LectureOrder.menu_code)
_ORDERS_LOCKED = _ORDERS.with_for_update()


def save_ratings(*, session: Session, county: str, month: str, rows: Sequence[dict[str, Any]], source_ref: str) -> int:
    records = [dict(county=county, month=month, station_code=r["station_code"], menu_code=r["menu_code"],
                    rater=r["rater"], score=r["score"], comment=r.get("comment", ""),
                    source_ref=f"{source_ref}:{r['_row']}" if "_row" in r else source_ref) for r in rows]
    return upsert(session, LectureRating, records, ["county", "month", "station_code", "menu_code", "rater"])


def ratings_frame(*, session: Session, county: str, month: str) -> pd.DataFrame:
    return _frame(session, LectureRating, ["station_code", "menu_code", "rater", "score", "comment"],
                  LectureRating.county == county, LectureRating.month == month,
                  order=["station_code", "menu_code", "rater"])


def orders_in(*, session: Session, county: str, months: list[str]) -> pd.DataFrame:
    """The evaluation's view of the orders: month, station, menu code, status."""
    return _frame(session, LectureOrder, ["month", "station_code", "menu_code", "status"],
                  LectureOrder.county == county, LectureOrder.month.in_(months),  # type: ignore[attr-defined]
                  order=["month", "station_code", "menu_code"])


def ratings_in(*, session: Session, county: str, months: list[str]) -> pd.DataFrame:
    return _frame(session, LectureRating, ["month", "station_code", "menu_code", "rater", "score"],
                  LectureRating.county == county, LectureRating.month.in_(months),  # type: ignore[attr-defined]
                  order=["month", "station_code", "menu_code", "rater"])
