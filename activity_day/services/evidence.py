"""On-day evidence (活动纪实): photos kept once, check-ins and check-outs judged and stored, and the month's
coverage: each station's state, by station and township, and the order of the online spot checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from activity_day.domain import evidence as judging
from activity_day.domain import timing
from activity_day.domain.evidence import EvidenceKind, PhotoSeen, Report
from activity_day.domain.months import TZ
from activity_day.domain.outcomes import Outcome
from activity_day.domain.photo_facts import NotAPhoto, photo_facts
from activity_day.errors import MissingPrerequisite
from activity_day.models import EvidenceRecord, Photo
from activity_day.models.enums import InspectionMode, Verdict
from activity_day.store import crud
from activity_day.store import evidence as store
from activity_day.store.database import transaction
from activity_day.store.photos import photo_store
from activity_day.store.reading import reading


class EvidenceRefused(Exception):
    """A photo or record not taken: the HTTP status, a Chinese message and the fields' problems."""

    def __init__(self, status: int, message: str, problems: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.status, self.message, self.problems = status, message, problems or []


def problem(field_: str, value: Any, reason: str, label: str) -> dict[str, Any]:
    """One problem in the API's shape (row and column are the plans file's; evidence has neither)."""
    return {"row": None, "column": None, "field": field_, "value": None if value is None else str(value)[:200],
            "reason": reason, "text": f"【{label}】{reason}"}


def aware(moment: datetime) -> datetime:
    """A stored moment as UTC-aware (a database may hand back UTC wall time without its zone)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local(moment: datetime) -> datetime:
    """A moment as the county's local wall time (naive), as plans and EXIF give times."""
    return aware(moment).astimezone(TZ).replace(tzinfo=None)


def size_text(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB" if size >= 1024 * 1024 else f"{size / 1024:g} KB"


# --- photos -----------------------------------------------------------------------------------------------

def receive_photo(*, county: str, station_code: str, data: bytes, now: datetime) -> dict[str, Any]:
    """Keep a photo once by its SHA-256; returns its facts and whether it was new or already kept."""
    with transaction(read_only=True) as session:
        limit = crud.load_profile_of(session=session, county=county).evidence.max_photo_bytes
    if len(data) > limit:
        raise EvidenceRefused(413, f"照片过大（{size_text(len(data))}），上限 {size_text(limit)}")
    if not data:
        raise EvidenceRefused(422, "照片为空", [problem("file", None, "照片为空", "照片")])
    try:
        facts = photo_facts(data)
    except NotAPhoto as exc:
        raise EvidenceRefused(422, f"照片无法接收：{exc}", [problem("file", None, str(exc), "照片")]) from None
    keeper = photo_store()
    location, _ = keeper.put(facts.sha256, facts.media_type, data)  # a no-op when it is already there
    stored = "existing"
    for attempt in range(2):
        try:
            with transaction() as session:
                if not store.photos_by_sha(session=session, county=county, shas=[facts.sha256]):
                    store.add_photo(session=session, photo=Photo(
                        county=county, sha256=facts.sha256, size=facts.size, media_type=facts.media_type,
                        station_code=station_code, exif_time=facts.exif_time, exif_longitude=facts.exif_longitude,
                        exif_latitude=facts.exif_latitude, store=keeper.kind, location=location, received_at=now))
                    stored = "new"
                # Every station that uploads it holds it (its 整改报告 may cite it), not only the first.
                store.add_holder(session=session, county=county, sha256=facts.sha256, station_code=station_code,
                                 at=now)
            break
        except IntegrityError:
            if attempt:  # twice: not the race it guards against; never answer a photo its station does not hold
                raise
            stored = "existing"  # the same photo arrived twice at once and the other upload recorded it: once more
    return {"sha256": facts.sha256, "size": facts.size, "media_type": facts.media_type,
            "exif_time": facts.exif_time.isoformat() if facts.exif_time else None,
            "exif_longitude": facts.exif_longitude, "exif_latitude": facts.exif_latitude, "stored": stored}


# --- records ------------------------------------------------------------------------------------------------

def record_public(row: EvidenceRecord, seq: int | None = None) -> dict[str, Any]:
    """A record as the API gives it; `seq` the position of its activity in the plan today (else as sent)."""
    return {"client_id": row.client_id, "station_code": row.station_code, "month": row.month,
            "activity_seq": row.activity_seq if seq is None else seq, "kind": row.kind,
            "taken_at": row.taken_at.isoformat(timespec="seconds"),
            "longitude": row.longitude, "latitude": row.latitude, "photos": list(row.photos),
            "verdict": str(row.verdict), "reasons": list(row.reasons),
            "received_at": aware(row.received_at).astimezone(TZ).isoformat(timespec="seconds")}


def _same(row: EvidenceRecord, month: str, body: dict[str, Any]) -> bool:
    # A body naming its activity by identity is the same record wherever that activity stands in the plan now.
    activity = (row.activity_uid, body["activity_uid"]) if body.get("activity_uid") else (row.activity_seq,
                                                                                           body["activity_seq"])
    return activity[0] == activity[1] and (
        row.month, row.kind, row.taken_at, row.longitude, row.latitude, list(row.photos)) == (
        month, body["kind"], body["taken_at"], body.get("longitude"), body.get("latitude"),
        list(body.get("photos") or []))


def _seen(shas: list[str], photos: dict[str, Photo], station_code: str) -> tuple[PhotoSeen, ...]:
    return tuple(PhotoSeen(sha256=s, exif_time=photos[s].exif_time, longitude=photos[s].exif_longitude,
                           latitude=photos[s].exif_latitude, other_station=photos[s].station_code != station_code)
                 for s in shas if s in photos)


def _report(row: EvidenceRecord, photos: dict[str, Photo]) -> Report:
    return Report(kind=EvidenceKind(row.kind), taken_at=row.taken_at, longitude=row.longitude,
                  latitude=row.latitude, photos=_seen(list(row.photos), photos, row.station_code))


def record_evidence(*, county: str, station_code: str, month: str, body: dict[str, Any],
                    now: datetime) -> Outcome:
    """Judge and store a check-in or check-out, once per client id (a replay returns the stored record).

    `body` has client_id, activity_seq, kind, taken_at (local, naive), longitude, latitude and photos; the station
    page's queue also sends activity_uid, the activity's stable identity, which then decides the activity (a
    check-in queued before the plan was submitted again still belongs to its activity, at its new position).
    A check-in also re-judges the activity's check-outs, whose coverage depends on it.
    """
    try:
        return _record(county, station_code, month, body, now)
    except IntegrityError:
        with transaction() as session:  # the same client id arrived twice at once: answer as a replay
            row = store.record_by_client_id(session=session, county=county, station_code=station_code,
                                            client_id=body["client_id"])
            if row is None:
                raise
            return _replay(row, month, body)


def _replay(row: EvidenceRecord, month: str, body: dict[str, Any]) -> Outcome:
    if not _same(row, month, body):
        raise EvidenceRefused(409, "该纪实编号（client_id）已用于另一条纪实，请使用新的编号")
    return Outcome(200, record_public(row), replay=True)


def _record(county: str, station_code: str, month: str, body: dict[str, Any], now: datetime) -> Outcome:
    with transaction() as session:
        existing = store.record_by_client_id(session=session, county=county, station_code=station_code,
                                             client_id=body["client_id"])
        if existing is not None:
            return _replay(existing, month, body)
        seq, shas, uid = body["activity_seq"], list(body.get("photos") or []), body.get("activity_uid")
        if uid:
            activity = store.planned_activity_by_uid(session=session, county=county, month=month,
                                                     station_code=station_code, uid=uid, lock=True)
            seq = activity.seq if activity is not None else seq
        else:
            activity = store.planned_activity(session=session, county=county, month=month,
                                              station_code=station_code, seq=seq, lock=True)
        # Only the station's own uploads: another station's photo gets the answer an unknown one gets, so a
        # checksum tells nobody whether a photo exists (the same bytes uploaded by both are each one's own).
        held = store.held_photos(session=session, county=county, station_code=station_code, shas=shas)
        photos = {sha: photo for sha, photo in store.photos_by_sha(session=session, county=county, shas=shas).items()
                  if sha in held}
        problems = []
        if activity is None and uid:
            problems.append(problem("activity_uid", uid, f"本所站{month}的活动计划中已没有这项活动（计划已重新报送）",
                                    "活动"))
        elif activity is None:
            problems.append(problem("activity_seq", seq, f"本所站{month}的活动计划中没有第{seq}项活动", "活动序号"))
        problems += [problem(f"photos.{i}", s, "没有这张照片：请先上传照片，再提交纪实", f"第{i + 1}张照片")
                     for i, s in enumerate(shas) if s not in photos]
        if problems:  # what the record names does not exist: an unknown reference, not bad content
            raise EvidenceRefused(404, "纪实所指的活动或照片不存在：" + "；".join(p["reason"] for p in problems), problems)
        if len(set(shas)) != len(shas):
            raise EvidenceRefused(422, "活动纪实有误：同一张照片重复列出",
                                  [problem("photos", None, "同一张照片重复列出", "照片")])
        assert activity is not None
        rules = crud.load_profile_of(session=session, county=county).evidence
        kind = EvidenceKind(body["kind"])
        # Before its window or after it a record cannot be of this activity: refused, so never counted as evidence.
        if (why := timing.evidence_refusal(kind.cn, seq, activity.start_time, body["taken_at"], now, rules)):
            raise EvidenceRefused(409, why)
        station = store.station_row(session=session, county=county, code=station_code)
        place = (station.longitude, station.latitude) if station is not None and None not in (
            station.longitude, station.latitude) else None
        earlier = store.activity_records(session=session, county=county, month=month, station_code=station_code,
                                         uid=activity.uid)
        known = store.photos_by_sha(session=session, county=county,
                                    shas=[s for r in earlier for s in r.photos]) | photos
        report = Report(kind=EvidenceKind(body["kind"]), taken_at=body["taken_at"], longitude=body.get("longitude"),
                        latitude=body.get("latitude"), photos=_seen(shas, photos, station_code))
        checkins = [_report(r, known) for r in earlier if r.kind == EvidenceKind.CHECKIN]
        judged = judging.judge(report, start=activity.start_time, station=place, rules=rules,
                               checkin=judging.first_checkin(checkins), received=local(now))
        row = EvidenceRecord(county=county, month=month, station_code=station_code, activity_seq=seq,
                             activity_uid=activity.uid, kind=report.kind.value, client_id=body["client_id"], taken_at=report.taken_at,
                             longitude=report.longitude, latitude=report.latitude, photos=shas,
                             verdict=judged.verdict, reasons=list(judged.reasons), received_at=now)
        store.add_record(session=session, record=row)
        if report.kind == EvidenceKind.CHECKIN:
            pair = judging.first_checkin([*checkins, report])
            for other in earlier:
                if other.kind == EvidenceKind.CHECKOUT:
                    again = judging.judge(_report(other, known), start=activity.start_time, station=place,
                                          rules=rules, checkin=pair, received=local(other.received_at))
                    other.verdict, other.reasons = again.verdict, list(again.reasons)
                    session.add(other)
        return Outcome(200, record_public(row))


def records_of(*, county: str, station_code: str, month: str,
               session: Session | None = None) -> list[dict[str, Any]]:
    with reading(session) as session:
        return [record_public(r, seq) for r, seq in store.station_records(session=session, county=county,
                                                                           month=month, station_code=station_code)]


# --- the month's coverage ----------------------------------------------------------------------------------

def _per_activity(session: Session, county: str, month: str, records: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each on-day activity's state; empty when the month has no official plan (so no activity day).

    `records`: the month's evidence records (store.records_frame) where the caller has read them already."""
    try:
        plan = crud.official_plan(session=session, county=county, month=month)
    except MissingPrerequisite:
        return pd.DataFrame(columns=judging.ACTIVITY_COLUMNS)
    day = crud.plan_content(plan).activity_date
    activities = judging.on_day(crud.activities_frame(session=session, county=county, month=month), day)
    if records is None:
        records = store.records_frame(session=session, county=county, month=month)
    return judging.activity_states(activities, records)


def evidence_states(session: Session, county: str, month: str) -> dict[str, str]:
    """Each station that planned an activity on the month's activity day: 完整, 存疑 or 缺失.

    A month without an official plan has no activity day, so no station has a state (an empty dict).
    """
    return judging.station_states(_per_activity(session, county, month))


@dataclass(frozen=True)
class Coverage:
    month: str
    by_station: pd.DataFrame  # judging.STATION_COVERAGE_COLUMNS
    by_township: pd.DataFrame  # judging.TOWNSHIP_COVERAGE_COLUMNS
    priority: pd.DataFrame  # judging.PRIORITY_COLUMNS: the online spot checks, doubtful ones first
    summary: dict[str, Any] = field(default_factory=dict)


def coverage(session: Session, county: str, month: str) -> Coverage:
    """The month's evidence coverage by station and by township, and the online spot checks' order."""
    records = store.records_frame(session=session, county=county, month=month)
    per_activity = _per_activity(session, county, month, records)
    stations = crud.stations_frame(session=session, county=county)
    by_station = judging.coverage_by_station(per_activity, stations)
    by_township = judging.coverage_by_township(by_station)
    drawn = crud.assignments_frame(session=session, county=county, month=month)
    online = drawn[drawn["mode"].astype(str) == InspectionMode.ONLINE.value]
    priority = judging.spot_check_priority(online, by_station)
    states = by_station["state"].value_counts() if len(by_station) else pd.Series(dtype=int)
    summary = {
        "stations": len(by_station),
        **{key: int(states.get(state.value, 0)) for key, state in (
            ("complete", judging.EvidenceState.COMPLETE), ("doubtful", judging.EvidenceState.DOUBTFUL),
            ("missing", judging.EvidenceState.MISSING))},
        "records": len(records),
        "verdicts": {v.value: int((records["verdict"] == v.value).sum()) for v in Verdict},
    }
    return Coverage(month=month, by_station=by_station, by_township=by_township, priority=priority, summary=summary)
