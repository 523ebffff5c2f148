"""Reads and writes of the application database. Every function takes a keyword-only `session`;
writes are upserts on natural keys and never commit: the caller owns the transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Text, cast, delete, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from activity_day.domain.activities import carried_uids
from activity_day.domain.dates import cn_month
from activity_day.domain.hashing import sha256_hex
from activity_day.domain.plan import PlanContent, as_plan_content
from activity_day.domain.profile import Profile, profile_from_json
from activity_day.errors import MissingPrerequisite
from activity_day.models import (
    AssessedScore,
    ChecklistItem,
    Circular,
    County,
    DepartmentComment,
    Document,
    Draw,
    DrawAssignment,
    FeedbackItem,
    InspectionScore,
    MonthPlan,
    PlannedActivity,
    Station,
    StationEvaluation,
    StationPlan,
    upsert,
)
from activity_day.models.enums import Channel, CommentSource, FeedbackStatus, PlanStatus

# --- county and profile -------------------------------------------------------------------------------

def save_profile(*, session: Session, profile: Profile) -> None:
    c = profile.county
    upsert(
        session,
        County,
        [dict(code=c.code, name=c.name, office_name=c.office_name, doc_prefix=c.doc_prefix,
              profile=profile.model_dump(mode="json"))],
        ["code"],
    )


def county_codes(*, session: Session) -> list[str]:
    return list(session.exec(select(County.code).order_by(County.code)).all())


def load_profile_of(*, session: Session, county: str) -> Profile:
    row = session.exec(select(County).where(County.code == county)).first()
    if row is None:
        raise MissingPrerequisite(f"县（市、区）{county}尚未设置：请先运行 activity-day init --profile 配置文件.yaml")
    return profile_from_json(row.profile)


# Per process, for the pages and the API: a profile read as its stored text and validated once while the text
# stays the same (a changed profile is a changed text), an official plan's content validated once per checksum.
_profiles: dict[str, tuple[str, Profile]] = {}
_plans: dict[tuple[int, str], PlanContent] = {}


def cached_profile_of(*, session: Session, county: str) -> Profile:
    """The county's profile, as load_profile_of gives it; validated again only when its stored text changed.
    Callers must not change it."""
    text = session.connection().execute(
        sa_select(cast(County.__table__.c.profile, Text)).where(County.code == county)).scalar()
    if text is None:
        return load_profile_of(session=session, county=county)  # its refusal
    hit = _profiles.get(county)
    if hit is None or hit[0] != text:
        hit = _profiles[county] = (text, profile_from_json(json.loads(text)))
    return hit[1]


def cached_plan_content(*, session: Session, county: str, month: str, version: int = 2) -> PlanContent | None:
    """That version of the month's plan (the official one by default) as content, or None; validated once per
    stored checksum (save_plan writes the checksum of the content with it). Callers must not change it."""
    row = session.connection().execute(
        sa_select(MonthPlan.id, MonthPlan.sha256).where(  # type: ignore[call-overload]
            MonthPlan.county == county, MonthPlan.month == month, MonthPlan.version == version)).first()
    if row is None:
        return None
    key = (row.id, row.sha256)
    content = _plans.get(key) if row.sha256 else None
    if content is None:
        plan = session.get(MonthPlan, row.id)
        assert plan is not None
        content = plan_content(plan)
        if row.sha256:
            if len(_plans) > 256:
                _plans.clear()
            _plans[key] = content
    return content


# --- stations -------------------------------------------------------------------------------------------

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


def _frame(session: Session, model: type, columns: list[str], *where: Any, order: list[str]) -> pd.DataFrame:
    """Selected columns as a frame: plain rows, no ORM objects (these reads run for a whole county)."""
    query = select(*(getattr(model, c) for c in columns)).where(*where).order_by(*(getattr(model, c) for c in order))
    # Core rows, no ORM loading; plain tuples, which pandas takes without probing each Row's attributes
    return pd.DataFrame([tuple(row) for row in session.connection().execute(query)], columns=columns)


def stations_frame(*, session: Session, county: str) -> pd.DataFrame:
    """Active stations of the county, ordered by code."""
    return _frame(session, Station, STATION_COLUMNS, Station.county == county, Station.active, order=["code"])


def station_entry(*, session: Session, county: str, code: str) -> Any | None:
    """One station's registry entry (STATION_COLUMNS) as a plain row, active or not; None if unknown."""
    return session.connection().execute(sa_select(*(getattr(Station, c) for c in STATION_COLUMNS)).where(
        Station.county == county, Station.code == code)).first()


def station_directory(*, session: Session, county: str, township: str | None = None,
                      codes: Sequence[str] | None = None) -> dict[str, Any]:
    """Active stations of the county (of one township, or with these codes) as plain rows by code, in code order
    (a page's read: no frame)."""
    query = sa_select(*(getattr(Station, c) for c in STATION_COLUMNS)).where(
        Station.county == county, Station.active).order_by(Station.code)
    if township is not None:
        query = query.where(Station.township == township)
    if codes is not None:
        query = query.where(Station.code.in_(list(codes)))  # type: ignore[attr-defined]
    return {r.code: r for r in session.connection().execute(query)}


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


# --- plans ------------------------------------------------------------------------------------------------

def get_plan(*, session: Session, county: str, month: str, version: int | None = None) -> MonthPlan | None:
    """The given version of the month's plan, or the latest one."""
    query = select(MonthPlan).where(MonthPlan.county == county, MonthPlan.month == month)
    if version is not None:
        query = query.where(MonthPlan.version == version)
    return session.exec(query.order_by(MonthPlan.version.desc())).first()  # type: ignore[attr-defined]


def plan_content(plan: MonthPlan) -> PlanContent:
    """The plan row's content as the typed model (rows keep the stored JSON form in `.content`)."""
    return PlanContent.model_validate(plan.content)


def official_plan(*, session: Session, county: str, month: str) -> MonthPlan:
    plan = session.exec(select(MonthPlan).where(MonthPlan.county == county, MonthPlan.month == month,
                                                MonthPlan.status == PlanStatus.OFFICIAL.value)).first()
    if plan is None:
        raise MissingPrerequisite(
            f"{cn_month(month)}尚无正式方案：请先运行 activity-day run draft --month {month}，"
            f"再运行 activity-day run review --month {month}"
        )
    return plan


def save_plan(*, session: Session, county: str, month: str, version: int, content: PlanContent | dict[str, Any],
              doc_number: str) -> None:
    """Store version 1 (the draft for comment) or 2 (the official plan); the date and checksum come from the
    content."""
    plan = as_plan_content(content)
    upsert(session, MonthPlan,
           [dict(county=county, month=month, version=version,
                 status=PlanStatus.DRAFT if version == 1 else PlanStatus.OFFICIAL,
                 activity_date=plan.activity_date, doc_number=doc_number, content=plan.stored(),
                 sha256=plan.sha256())],
           ["county", "month", "version"])


def replace_month_items(*, session: Session, model: type, county: str, month: str,
                        rows: Sequence[dict[str, Any]]) -> None:
    """Make the month's learning or checklist items exactly `rows`."""
    records = [dict(r, county=county, month=month) for r in rows]
    upsert(session, model, records, ["county", "month", "code"])
    session.exec(delete(model).where(model.county == county, model.month == month,
                                     model.code.not_in([r["code"] for r in rows])))


def item_history(*, session: Session, model: type, county: str, before: str) -> pd.DataFrame:
    rows = session.exec(select(model.code, model.month).where(model.county == county,
                                                              model.month < before)).all()
    return pd.DataFrame(rows, columns=["code", "month"])


def checklist_codes(*, session: Session, county: str, month: str) -> set[str] | None:
    """The month's checklist codes, or None when the month has no plan yet."""
    codes = set(session.exec(select(ChecklistItem.code).where(ChecklistItem.county == county,
                                                              ChecklistItem.month == month)).all())
    return codes or None


# --- department comments ----------------------------------------------------------------------------------

def save_comments(*, session: Session, county: str, month: str, rows: Sequence[dict[str, Any]],
                  update: bool = True) -> int:
    """Store comments keyed by department and text; with update=False an existing one is left as it is."""
    records = [
        dict(county=county, month=month, department=r["department"], digest=sha256_hex(r["content"]),
             content=r["content"], proposes_add=r.get("proposes_add", []),
             proposes_remove=r.get("proposes_remove", []), source=r["source"], source_ref=r.get("source_ref", ""),
             disposition=r.get("disposition"), reason=r.get("reason", ""), amendment=r.get("amendment", ""))
        for r in rows
    ]
    return upsert(session, DepartmentComment, records, ["county", "month", "department", "digest"], update=update)


def comments_frame(*, session: Session, county: str, month: str) -> pd.DataFrame:
    rows = session.exec(select(DepartmentComment).where(DepartmentComment.county == county,
                                                        DepartmentComment.month == month)
                        .order_by(DepartmentComment.id)).all()
    cols = ["id", "department", "content", "proposes_add", "proposes_remove", "source", "source_ref",
            "disposition", "reason", "amendment"]
    return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in rows], columns=cols)


def drop_silence(*, session: Session, county: str, month: str, departments: Sequence[str]) -> None:
    session.exec(delete(DepartmentComment).where(
        DepartmentComment.county == county, DepartmentComment.month == month,
        DepartmentComment.source == CommentSource.SILENCE.value,
        DepartmentComment.department.in_(departments)))  # type: ignore[attr-defined]


def set_dispositions(*, session: Session, decisions: Sequence[dict[str, Any]]) -> None:
    """Store decisions by comment id; a decision may also narrow the comment's proposed edits."""
    for d in decisions:
        values = {"disposition": d["disposition"], "reason": d.get("reason", "")}
        values |= {k: d[k] for k in ("proposes_add", "proposes_remove", "amendment") if k in d}
        session.exec(update(DepartmentComment).where(DepartmentComment.id == d["id"]).values(**values))


# --- station plans ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Receipt:
    """How a batch of station plans arrived: the same for every station of one file or one submission."""

    channel: Channel
    source_ref: str
    received_at: datetime | None = None
    late: bool = False
    submission_id: str | None = None  # the API client's id; files have none


def save_station_plans(*, session: Session, county: str, month: str, units: dict[str, list[dict[str, Any]]],
                       receipt: Receipt) -> int:
    """Replace each station's plan for the month with the given activities; returns activities written.

    The plan rows are upserted first: that locks each station's plan row, so two submissions of one
    station never interleave their activities. Then the old activities go and the new ones are
    inserted, in batches for the whole file.
    """
    if not units:
        return 0
    stations = sorted(units)
    upsert(session, StationPlan,
           [dict(county=county, month=month, station_code=station, channel=receipt.channel,
                 source_ref=receipt.source_ref, submission_id=receipt.submission_id,
                 activity_count=len(units[station]), late=receipt.late, received_at=receipt.received_at)
            for station in stations],
           ["county", "month", "station_code"])
    before: dict[str, list[tuple[str, datetime, str]]] = {}
    for start in range(0, len(stations), 500):
        chunk = stations[start:start + 500]
        for code, name, begins, uid in session.exec(select(
                PlannedActivity.station_code, PlannedActivity.name, PlannedActivity.start_time, PlannedActivity.uid)
                .where(PlannedActivity.county == county, PlannedActivity.month == month,
                       PlannedActivity.station_code.in_(chunk)).order_by(PlannedActivity.seq)):  # type: ignore[attr-defined]
            before.setdefault(code, []).append((name, begins, uid))
        session.exec(delete(PlannedActivity).where(
            PlannedActivity.county == county, PlannedActivity.month == month,
            PlannedActivity.station_code.in_(chunk)))  # type: ignore[attr-defined]
    rows = []
    for station in stations:
        uids = carried_uids(before.get(station, []), [(r["name"], r["start_time"]) for r in units[station]])
        rows += [dict(county=county, month=month, station_code=station, seq=i, uid=uid, name=r["name"],
                      task=r["task"], action_kind=r["action_kind"], start_time=r["start_time"],
                      location=r["location"], expected_participants=r["expected_participants"],
                      checklist_code=r.get("checklist_code"), volunteer_team=r.get("volunteer_team"))
                 for i, (r, uid) in enumerate(zip(units[station], uids, strict=True), start=1)]
    return upsert(session, PlannedActivity, rows, ["county", "month", "station_code", "seq"])


def station_plans_frame(*, session: Session, county: str, month: str, station: str | None = None) -> pd.DataFrame:
    """The month's station plans (one station's, with `station`)."""
    where = [StationPlan.station_code == station] if station is not None else []
    return _frame(session, StationPlan, ["station_code", "channel", "activity_count", "late"],
                  StationPlan.county == county, StationPlan.month == month, *where, order=["station_code"])


ACTIVITY_COLUMNS = ["station_code", "seq", "name", "task", "action_kind", "start_time", "location",
                    "expected_participants", "checklist_code", "volunteer_team"]


def station_plan(*, session: Session, county: str, month: str, station: str) -> Any | None:
    """One station's plan of the month as a plain row (channel, activity_count, late), or None."""
    return session.connection().execute(sa_select(StationPlan.channel, StationPlan.activity_count, StationPlan.late)
                                        .where(StationPlan.county == county, StationPlan.month == month,
                                               StationPlan.station_code == station)).first()


def station_activities(*, session: Session, county: str, month: str, station: str) -> list[Any]:
    """One station's planned activities of the month in plan order, as plain rows (a page's read: no frame)."""
    query = sa_select(*(getattr(PlannedActivity, c) for c in ACTIVITY_COLUMNS)).where(
        PlannedActivity.county == county, PlannedActivity.month == month, PlannedActivity.station_code == station,
    ).order_by(PlannedActivity.seq)
    return list(session.connection().execute(query))


def activities_frame(*, session: Session, county: str, month: str, station: str | None = None) -> pd.DataFrame:
    """The month's planned activities (one station's, with `station`), by station and position."""
    where = [PlannedActivity.station_code == station] if station is not None else []
    return _frame(session, PlannedActivity, ACTIVITY_COLUMNS, PlannedActivity.county == county, PlannedActivity.month == month,
                  *where, order=["station_code", "seq"])


# --- draw -------------------------------------------------------------------------------------------------

def get_draw(*, session: Session, county: str, month: str) -> Draw | None:
    return session.exec(select(Draw).where(Draw.county == county, Draw.month == month)).first()


def require_draw(*, session: Session, county: str, month: str) -> Draw:
    draw = get_draw(session=session, county=county, month=month)
    if draw is None:
        raise MissingPrerequisite(f"{cn_month(month)}尚未抽样：请先运行 activity-day run sample --month {month}")
    return draw


def save_draw(*, session: Session, county: str, month: str, record: dict[str, Any], digest_: str,
              assignments: Sequence[dict[str, Any]]) -> None:
    upsert(session, Draw,
           [dict(county=county, month=month, algorithm=record["algorithm"], public_random=record["public_random"],
                 candidates_sha256=record["candidates_sha256"], seed=record["seed"], record=record, digest=digest_)],
           ["county", "month"])
    session.exec(delete(DrawAssignment).where(DrawAssignment.county == county, DrawAssignment.month == month))
    upsert(session, DrawAssignment, [dict(a, county=county, month=month) for a in assignments],
           ["county", "month", "station_code"])


def drawn_months(*, session: Session, county: str, before: str, after: str) -> pd.DataFrame:
    """Stations drawn in the months strictly between `after` and `before` (code, month), for rotation."""
    rows = session.exec(select(DrawAssignment.station_code, DrawAssignment.month)
                        .where(DrawAssignment.county == county, DrawAssignment.month < before,
                               DrawAssignment.month > after)).all()
    return pd.DataFrame(rows, columns=["code", "month"])


def team_assignments(*, session: Session, county: str, month: str, team: str) -> list[Any]:
    """The stations the month's draw gave one team, as plain rows by draw rank."""
    query = sa_select(DrawAssignment.station_code, DrawAssignment.township, DrawAssignment.rank,
                      DrawAssignment.mode, DrawAssignment.slot).where(
        DrawAssignment.county == county, DrawAssignment.month == month, DrawAssignment.team == team,
    ).order_by(DrawAssignment.rank)
    return list(session.connection().execute(query))


def assignments_frame(*, session: Session, county: str, month: str) -> pd.DataFrame:
    return _frame(session, DrawAssignment, ["station_code", "township", "rank", "mode", "team", "slot"],
                  DrawAssignment.county == county, DrawAssignment.month == month, order=["rank"])


# --- scores and feedback --------------------------------------------------------------------------------------

def save_scores(*, session: Session, county: str, month: str, rows: Sequence[dict[str, Any]],
                source_ref: str) -> int:
    records = [dict(county=county, month=month, station_code=r["station_code"], mode=r["mode"], scorer=r["scorer"],
                    score=r["score"], items=r.get("items") or {}, problems=r.get("problems", ""),
                    category=r.get("category", ""), suggestions=r.get("suggestions", ""),
                    source_ref=f"{source_ref}:{r['_row']}" if "_row" in r else source_ref) for r in rows]
    return upsert(session, InspectionScore, records, ["county", "month", "station_code", "mode", "scorer"])


def scores_frame(*, session: Session, county: str, month: str) -> pd.DataFrame:
    return _frame(session, InspectionScore,
                  ["station_code", "mode", "scorer", "score", "items", "problems", "category", "suggestions"],
                  InspectionScore.county == county, InspectionScore.month == month,
                  order=["station_code", "mode", "scorer"])


def scores_between(*, session: Session, county: str, first: str, last: str) -> pd.DataFrame:
    """Scores of the months first..last (inclusive), with their month, for trends."""
    return _frame(session, InspectionScore, ["month", "station_code", "mode", "scorer", "score"],
                  InspectionScore.county == county, InspectionScore.month >= first, InspectionScore.month <= last,
                  order=["month", "station_code", "mode", "scorer"])


def save_feedback(*, session: Session, county: str, month: str, rows: Sequence[dict[str, Any]]) -> int:
    records = [dict(county=county, month=month, station_code=r["station_code"], township=r["township"],
                    category=r.get("category", ""), digest=sha256_hex(r["content"]), content=r["content"])
               for r in rows]
    # Existing items keep their status: only insert new ones.
    return upsert(session, FeedbackItem, records, ["county", "month", "station_code", "digest"]) if records else 0


def feedback_frame(*, session: Session, county: str, up_to: str) -> pd.DataFrame:
    return _frame(session, FeedbackItem,
                  ["id", "month", "station_code", "township", "category", "content", "status", "answer", "closed_month"],
                  FeedbackItem.county == county, FeedbackItem.month <= up_to, order=["month", "station_code", "id"])


def set_feedback_status(*, session: Session, county: str, item_id: int, status: str, answer: str | None,
                        closed_month: str | None) -> FeedbackItem:
    """Answer or close a feedback item; raises LookupError for an unknown id."""
    item = session.exec(select(FeedbackItem).where(FeedbackItem.county == county, FeedbackItem.id == item_id)).first()
    if item is None:
        raise LookupError(f"no feedback item {item_id} in county {county}")
    item.status = status
    if answer:
        item.answer = answer
    item.closed_month = closed_month if status == FeedbackStatus.CLOSED.value else None
    session.add(item)
    return item


def save_circular(*, session: Session, county: str, month: str, doc_number: str, scored: int, draw_digest: str,
                  summary: dict[str, Any]) -> None:
    upsert(session, Circular,
           [dict(county=county, month=month, doc_number=doc_number, scored_stations=scored,
                 draw_digest=draw_digest, summary=summary)],
           ["county", "month"])


# --- documents and status ---------------------------------------------------------------------------------------

def record_documents(*, session: Session, county: str, month: str, kind: str, files: dict[str, tuple[str, str]]) -> None:
    """files: fmt -> (path, sha256)."""
    upsert(session, Document,
           [dict(county=county, month=month, kind=kind, fmt=fmt, path=path, sha256=sha)
            for fmt, (path, sha) in sorted(files.items())],
           ["county", "month", "kind", "fmt"])


def documents(*, session: Session, county: str, month: str) -> list[Document]:
    return list(session.exec(select(Document).where(Document.county == county, Document.month == month)
                             .order_by(Document.kind, Document.fmt)).all())


def count(*, session: Session, model: type, county: str, month: str | None = None, **where: Any) -> int:
    query = select(func.count()).select_from(model).where(model.county == county)
    if month is not None:
        query = query.where(model.month == month)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return int(session.exec(query).one())


# --- year-round evaluation ----------------------------------------------------------------------------------

def official_plans_in(*, session: Session, county: str, months: list[str]) -> dict[str, MonthPlan]:
    """month -> official plan, for the months given that have one."""
    rows = session.exec(select(MonthPlan).where(MonthPlan.county == county, MonthPlan.month.in_(months),  # type: ignore[attr-defined]
                                                MonthPlan.status == PlanStatus.OFFICIAL.value)).all()
    return {row.month: row for row in rows}


def station_plans_in(*, session: Session, county: str, months: list[str]) -> pd.DataFrame:
    return _frame(session, StationPlan, ["month", "station_code", "late", "activity_count"],
                  StationPlan.county == county, StationPlan.month.in_(months),  # type: ignore[attr-defined]
                  order=["month", "station_code"])


def activities_in(*, session: Session, county: str, months: list[str]) -> pd.DataFrame:
    return _frame(session, PlannedActivity, ["month", "station_code", "seq", "task", "checklist_code",
                                             "expected_participants", "volunteer_team"],
                  PlannedActivity.county == county, PlannedActivity.month.in_(months),  # type: ignore[attr-defined]
                  order=["month", "station_code", "seq"])


def feedback_in(*, session: Session, county: str, months: list[str]) -> pd.DataFrame:
    return _frame(session, FeedbackItem, ["id", "month", "station_code", "status"],
                  FeedbackItem.county == county, FeedbackItem.month.in_(months),  # type: ignore[attr-defined]
                  order=["month", "station_code", "id"])


def assessed_in(*, session: Session, county: str, months: list[str]) -> pd.DataFrame:
    return _frame(session, AssessedScore, ["month", "station_code", "indicator", "assessor", "score"],
                  AssessedScore.county == county, AssessedScore.month.in_(months),  # type: ignore[attr-defined]
                  order=["month", "station_code", "indicator", "assessor"])


def save_assessed(*, session: Session, county: str, rows: Sequence[dict[str, Any]], source_ref: str) -> int:
    records = [dict(county=county, month=r["month"], station_code=r["station_code"], indicator=r["indicator"],
                    assessor=r["assessor"], score=r["score"], note=r.get("note", ""),
                    source_ref=f"{source_ref}:{r['_row']}" if "_row" in r else source_ref) for r in rows]
    return upsert(session, AssessedScore, records, ["county", "month", "station_code", "indicator", "assessor"])


def save_evaluations(*, session: Session, county: str, period: str, rows: Sequence[dict[str, Any]]) -> int:
    """Store a period's evaluation, replacing the stations' earlier one for the same period."""
    records = [dict(r, county=county, period=period) for r in rows]
    session.exec(delete(StationEvaluation).where(StationEvaluation.county == county,
                                                 StationEvaluation.period == period))
    return upsert(session, StationEvaluation, records, ["county", "period", "station_code"]) if records else 0
