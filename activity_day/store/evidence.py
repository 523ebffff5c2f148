"""Reads and writes of photos and evidence records (活动纪实). Keyword-only `session`; the caller commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from activity_day.models import EvidenceRecord, Photo, PhotoHolder, PlannedActivity, Station, upsert


def photos_by_sha(*, session: Session, county: str, shas: Iterable[str]) -> dict[str, Photo]:
    wanted = sorted(set(shas))
    if not wanted:
        return {}
    rows = session.exec(select(Photo).where(Photo.county == county, Photo.sha256.in_(wanted))).all()  # type: ignore[attr-defined]
    return {row.sha256: row for row in rows}


def add_photo(*, session: Session, photo: Photo) -> None:
    session.add(photo)
    session.flush()  # the unique (county, sha256) speaks now, inside the caller's transaction


def add_holder(*, session: Session, county: str, sha256: str, station_code: str, at: datetime) -> None:
    """Record that the station uploaded the photo (once: a station's later upload of it changes nothing)."""
    upsert(session, PhotoHolder, [{"county": county, "sha256": sha256, "station_code": station_code, "received_at": at}],
           ["county", "sha256", "station_code"], update=False)


def held_photos(*, session: Session, county: str, station_code: str, shas: Iterable[str]) -> set[str]:
    """Those of `shas` that the station uploaded itself."""
    wanted = sorted(set(shas))
    if not wanted:
        return set()
    return set(session.exec(select(PhotoHolder.sha256).where(
        PhotoHolder.county == county, PhotoHolder.station_code == station_code,
        PhotoHolder.sha256.in_(wanted))))  # type: ignore[attr-defined]


def station_row(*, session: Session, county: str, code: str) -> Station | None:
    return session.exec(select(Station).where(Station.county == county, Station.code == code)).first()


def planned_activity(*, session: Session, county: str, month: str, station_code: str,
                     seq: int, lock: bool = False) -> PlannedActivity | None:
    """The activity at position `seq` of the station's plan; with `lock`, its row stays locked until the caller's
    transaction ends, so records of one activity are judged one after another (a check-out sees its check-in)."""
    query = select(PlannedActivity).where(
        PlannedActivity.county == county, PlannedActivity.month == month,
        PlannedActivity.station_code == station_code, PlannedActivity.seq == seq)
    return session.exec(query.with_for_update() if lock else query).first()


def planned_activity_by_uid(*, session: Session, county: str, month: str, station_code: str,
                            uid: str, lock: bool = False) -> PlannedActivity | None:
    """The activity of the station's plan with that stable identity, wherever it is now (`planned_activity`'s
    lock)."""
    query = select(PlannedActivity).where(
        PlannedActivity.county == county, PlannedActivity.month == month,
        PlannedActivity.station_code == station_code, PlannedActivity.uid == uid)
    return session.exec(query.with_for_update() if lock else query).first()


def record_by_client_id(*, session: Session, county: str, station_code: str, client_id: str) -> EvidenceRecord | None:
    return session.exec(select(EvidenceRecord).where(
        EvidenceRecord.county == county, EvidenceRecord.station_code == station_code,
        EvidenceRecord.client_id == client_id)).first()


def activity_records(*, session: Session, county: str, month: str, station_code: str,
                     uid: str) -> list[EvidenceRecord]:
    """Every record of one planned activity (by its identity, wherever it stands in the plan now), oldest first."""
    return list(session.exec(select(EvidenceRecord).where(
        EvidenceRecord.county == county, EvidenceRecord.month == month,
        EvidenceRecord.station_code == station_code, EvidenceRecord.activity_uid == uid)
        .order_by(EvidenceRecord.taken_at, EvidenceRecord.id)).all())  # type: ignore[arg-type]


def positions(*, session: Session, county: str, month: str, station_code: str | None = None) -> dict[tuple[str, str], int]:
    """(station, activity uid) -> the activity's position in the station's plan as it stands."""
    query = select(PlannedActivity.station_code, PlannedActivity.uid, PlannedActivity.seq).where(
        PlannedActivity.county == county, PlannedActivity.month == month)
    if station_code is not None:
        query = query.where(PlannedActivity.station_code == station_code)
    return {(code, uid): seq for code, uid, seq in session.exec(query).all()}


# A station page's read, built once (bound values as parameters).
_STATION_RECORDS = sa_select(EvidenceRecord.__table__).where(  # rows with the records' columns: a page's read
    EvidenceRecord.county == bindparam("county"), EvidenceRecord.month == bindparam("month"),
    EvidenceRecord.station_code == bindparam("station")).order_by(EvidenceRecord.taken_at, EvidenceRecord.id)  # type: ignore[arg-type]


def station_records(*, session: Session, county: str, month: str,
                    station_code: str) -> list[tuple[Any, int]]:
    """The station's records of the activities its plan holds now, each with the activity's position today; a
    record of an activity no longer planned stays stored but is not listed."""
    rows = session.connection().execute(_STATION_RECORDS,
                                        {"county": county, "month": month, "station": station_code}).all()
    if not rows:
        return []  # most of the month: nothing recorded yet, no positions to read
    where = positions(session=session, county=county, month=month, station_code=station_code)
    found = [(r, where[(r.station_code, r.activity_uid)]) for r in rows if (r.station_code, r.activity_uid) in where]
    return sorted(found, key=lambda pair: pair[1])  # stable: by position, then as they came


def add_record(*, session: Session, record: EvidenceRecord) -> None:
    session.add(record)
    session.flush()


RECORD_FRAME_COLUMNS = ["station_code", "activity_seq", "kind", "taken_at", "verdict", "reasons"]


def records_frame(*, session: Session, county: str, month: str) -> pd.DataFrame:
    """The month's evidence records of the county, one row each (verdict as its text), `activity_seq` the
    position of the record's activity in its plan today; records of activities no longer planned are left out."""
    where = positions(session=session, county=county, month=month)
    rows: list[tuple[Any, ...]] = [
        (r.station_code, where[(r.station_code, r.activity_uid)], r.kind, r.taken_at, str(r.verdict), list(r.reasons))
        for r in session.exec(select(EvidenceRecord).where(EvidenceRecord.county == county,
                                                           EvidenceRecord.month == month)
                              .order_by(EvidenceRecord.station_code, EvidenceRecord.taken_at,
                                        EvidenceRecord.id)).all()  # type: ignore[arg-type]
        if (r.station_code, r.activity_uid) in where]
    return pd.DataFrame(rows, columns=RECORD_FRAME_COLUMNS).sort_values(
        ["station_code", "activity_seq", "taken_at"], kind="stable", ignore_index=True)
