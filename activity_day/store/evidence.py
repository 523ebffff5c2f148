"""Reads and writes of photos and evidence records (活动纪实). Keyword-only `session`; the caller commits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlmodel import Session, select

from models import EvidenceRecord, Photo, PlannedActivity, Station


def photos_by_sha(*, session: Session, county: str, shas: Iterable[str]) -> dict[str, Photo]:
    wanted = sorted(set(shas))
    if not wanted:
        return {}
    rows = session.exec(select(Photo).where(Photo.county == county, Photo.sha256.in_(wanted))).all()  # type: ignore[attr-defined]
    return {row.sha256: row for row in rows}


def add_photo(*, session: Session, photo: Photo) -> None:
    session.add(photo)
    session.flush()  # the unique (county, sha256) speaks now, inside the caller's transaction


def station_row(*, session: Session, county: str, code: str) -> Station | None:
    return session.exec(select(Station).where(Station.county == county, Station.code == code)).first()


def planned_activity(*, session: Session, county: str, month: str, station_code: str,
                     seq: int) -> PlannedActivity | None:
    return session.exec(select(PlannedActivity).where(
        PlannedActivity.county == county, PlannedActivity.month == month,
        PlannedActivity.station_code == station_code, PlannedActivity.seq == seq)).first()


def record_by_client_id(*, session: Session, county: str, station_code: str, client_id: str) -> EvidenceRecord | None:
    return session.exec(select(EvidenceRecord).where(
        EvidenceRecord.county == county, EvidenceRecord.station_code == station_code,
        EvidenceRecord.client_id == client_id)).first()


def activity_records(*, session: Session, county: str, month: str, station_code: str,
                     seq: int) -> list[EvidenceRecord]:
    """Every record of one planned activity, oldest first."""
    return list(session.exec(select(EvidenceRecord).where(
        EvidenceRecord.county == county, EvidenceRecord.month == month,
        EvidenceRecord.station_code == station_code, EvidenceRecord.activity_seq == seq)
        .order_by(EvidenceRecord.taken_at, EvidenceRecord.id)).all())  # type: ignore[arg-type]


def station_records(*, session: Session, county: str, month: str, station_code: str) -> list[EvidenceRecord]:
    return list(session.exec(select(EvidenceRecord).where(
        EvidenceRecord.county == county, EvidenceRecord.month == month, EvidenceRecord.station_code == station_code)
        .order_by(EvidenceRecord.activity_seq, EvidenceRecord.taken_at, EvidenceRecord.id)).all())  # type: ignore[arg-type]


def add_record(*, session: Session, record: EvidenceRecord) -> None:
    session.add(record)
    session.flush()


RECORD_FRAME_COLUMNS = ["station_code", "activity_seq", "kind", "taken_at", "verdict", "reasons"]


def records_frame(*, session: Session, county: str, month: str) -> pd.DataFrame:
    """The month's evidence records of the county, one row each (verdict as its text)."""
    rows: list[tuple[Any, ...]] = [
        (r.station_code, r.activity_seq, r.kind, r.taken_at, str(r.verdict), list(r.reasons))
        for r in session.exec(select(EvidenceRecord).where(EvidenceRecord.county == county,
                                                           EvidenceRecord.month == month)
                              .order_by(EvidenceRecord.station_code, EvidenceRecord.activity_seq,
                                        EvidenceRecord.taken_at)).all()]  # type: ignore[arg-type]
    return pd.DataFrame(rows, columns=RECORD_FRAME_COLUMNS)
