"""The rectification loop (整改): findings raised by the circular, reports from stations, the office's review."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlmodel import Session

from activity_day.context import current
from activity_day.domain import findings as rules
from activity_day.domain.codes import MAX_FINDING_NUMBER
from activity_day.domain.findings import FindingError, FindingStep
from activity_day.domain.names import strip_control
from activity_day.domain.timing import recorded_at
from activity_day.errors import Refused
from activity_day.intake import LIMITS, H
from activity_day.models import Finding
from activity_day.models.enums import FindingStatus
from activity_day.services import notices
from activity_day.store import crud
from activity_day.store import evidence as evidence_store
from activity_day.store import findings as store
from activity_day.store.database import transaction
from activity_day.store.reading import reading

TZ = ZoneInfo("Asia/Shanghai")
CONTRACT = ["id", "station", "source", "category", "text", "deadline", "status"]


class UnknownFinding(Refused):
    """No finding with that id in the county (or not the caller's station's): 404."""

    def __init__(self, finding_id: int):
        super().__init__(f"没有编号为 {finding_id} 的整改问题（用 activity-day findings list 查看编号）", 404)


class ReviewRefused(Refused):
    """The finding's state does not allow the step, or a cited photo is not the station's: 409."""

    def __init__(self, message: str):
        super().__init__(message, 409)


class PhotosNotOwn(ReviewRefused):
    """A cited photo is not one this station uploaded (unknown, or another station's: the same answer)."""

    def __init__(self, missing: Sequence[str]):
        super().__init__(f"照片尚未上传：{'、'.join(p[:12] for p in missing)}（请先上传照片）")
        self.problems = [{"row": None, "column": H.PHOTOS, "field": "photos", "value": None,
                          "reason": self.message, "text": f"【{H.PHOTOS}】{self.message}"}]


class ReportRejected(Refused):
    """The 整改报告's own content is wrong (blank, control characters, too long): 422, naming the field."""

    def __init__(self, reason: str, value: str):
        super().__init__(f"整改报告有误：{reason}", 422, [{
            "row": None, "column": H.REPORT, "field": "report", "value": strip_control(value)[:200],
            "reason": reason, "text": f"【{H.REPORT}】{reason}"}])


MAX_PHOTOS = 9  # what a phone lets a station pick at once; the API's bound too


def now() -> datetime:
    return current().local_now()


def today() -> date:
    """Today in Asia/Shanghai: what `overdue` is judged against outside a month's steps."""
    return now().date()


def public_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Findings as `findings list --json` prints them (the contract), plus the report and the rounds."""
    return [{"id": int(r.id), "station": r.station_code, "source": r.source, "category": r.category, "text": r.text,
             "deadline": r.deadline.isoformat(), "status": r.status, "month": r.month, "township": r.township,
             "rounds": int(r.rounds), "report": r.report, "photos": list(r.photos or []),
             "review_note": r.review_note} for r in frame.itertuples()]


def list_findings(county: str, *, month: str | None = None, up_to: str | None = None, station: str | None = None,
                  as_of: date | None = None, session: Session | None = None) -> pd.DataFrame:
    """Findings with their state as of `as_of` (today): an open finding past its deadline shows as overdue."""
    with reading(session) as session:
        frame = store.findings_frame(session=session, county=county, month=month, up_to=up_to, station=station)
    return rules.with_effective_status(frame, as_of or today()) if len(frame) else frame


def station_has_findings(county: str, station: str, session: Session) -> bool:
    """Whether the station has any finding, of any month and state."""
    return store.station_has_findings(session=session, county=county, station=station)


def _find(session: Session, county: str, finding_id: int, station: str | None = None) -> Finding:
    finding = store.get_finding(session=session, county=county, finding_id=finding_id) \
        if 0 < finding_id <= MAX_FINDING_ID else None
    if finding is None or (station is not None and finding.station_code != station):
        raise UnknownFinding(finding_id)
    return finding


MAX_FINDING_ID = MAX_FINDING_NUMBER  # the column's range: a larger id is no finding, never a database error


def not_own_photos(session: Session, county: str, station: str, photos: Sequence[str]) -> list[str]:
    """The checksums that are not photos this station uploaded (first or not: the same bytes from two stations are
    each one's): another station's and unknown ones alike, so the answer never tells whether a photo exists."""
    own = evidence_store.held_photos(session=session, county=county, station_code=station, shas=photos)
    return [p for p in photos if p not in own]


@dataclass(frozen=True)
class StationReport:
    """A station's 整改报告 as it came in: the text, the photos it cites (checksums of the station's own uploads),
    who sent it (the station, or a file's row) and when. With `keep_photos` the photos of a report waiting for
    review stay and these are added (a page that edits the text); otherwise they are the report's photos."""

    text: str
    photos: Sequence[str]
    at: datetime
    actor: str
    keep_photos: bool = False


def take_report(session: Session, county: str, station: str, finding_id: int,
                sent: StationReport) -> tuple[Finding, bool]:
    """Check and store a station's 整改报告 on one of its findings, in the caller's transaction: the one rule for
    the file, the API and the phone page. Returns the finding and whether anything was written (a report equal
    to the one waiting for review changes nothing).

    404 not the station's finding; 422 a blank text, control characters or too long; 409 a photo that is not the
    station's own upload (unknown or another station's: the same answer), or a state that takes no report
    (accepted). A report after the deadline is taken, and the finding's history shows it late.
    """
    finding = _find(session, county, finding_id, station)
    if (why := rules.report_problem(sent.text, LIMITS[H.REPORT])) is not None:
        raise ReportRejected(why, sent.text)
    text = sent.text.strip()
    wanted = list(dict.fromkeys(sent.photos))
    if missing := not_own_photos(session, county, station, wanted):
        raise PhotosNotOwn(missing)
    if sent.keep_photos and finding.status == FindingStatus.ANSWERED:
        wanted = list(dict.fromkeys([*finding.photos, *wanted]))
    if len(wanted) > MAX_PHOTOS:
        raise ReportRejected(f"照片至多{MAX_PHOTOS}张（现有{len(wanted)}张）", str(len(wanted)))
    if finding.status == FindingStatus.ANSWERED and finding.report == text and list(finding.photos) == wanted:
        return finding, False
    try:
        store.apply(session=session, finding=finding, step=FindingStep("report", sent.actor, text, sent.at, wanted))
    except FindingError as exc:
        raise ReviewRefused(str(exc)) from None
    return finding, True


def report(county: str, station: str, finding_id: int, sent: StationReport) -> dict[str, Any]:
    """A station's 整改报告 on one of its findings (`take_report`) in its own transaction; the finding's detail."""
    with transaction() as session:
        finding, _ = take_report(session, county, station, finding_id, sent)
        session.flush()
        return detail(session, county, finding, as_of=sent.at.astimezone(TZ).date())


def review(county: str, finding_id: int, step: FindingStep, *, seen_round: int | None = None) -> dict[str, Any]:
    """The office accepts (销号) or returns (退回) a report (`step`: the action, the reviewer, the note, the time),
    conditional on the state read: of two reviewers acting at once exactly one succeeds, the other gets
    ReviewRefused saying what the finding is now. `seen_round` is the report the reviewer read (its round, as a
    form showed it): a report replaced since is not decided unseen."""
    with transaction() as session:
        finding = _find(session, county, finding_id)
        if seen_round is not None and finding.rounds != seen_round:
            raise ReviewRefused(f"整改问题 {finding_id}：所站已更新整改报告（第{finding.rounds}次），请重新审核")
        try:
            store.apply(session=session, finding=finding, step=step)
        except FindingError as exc:
            raise ReviewRefused(f"整改问题 {finding_id}：{exc}") from None
        session.flush()
        return detail(session, county, finding, as_of=step.at.astimezone(TZ).date())


def show(county: str, finding_id: int, station: str | None = None) -> dict[str, Any]:
    with transaction(read_only=True) as session:
        return detail(session, county, _find(session, county, finding_id, station))


def detail(session: Session, county: str, finding: Finding, as_of: date | None = None) -> dict[str, Any]:
    status = rules.effective_status(finding.status, finding.deadline, as_of or today())
    return {"id": finding.number, "station": finding.station_code, "source": finding.source,
            "category": finding.category, "text": finding.text, "deadline": finding.deadline.isoformat(),
            "status": status.value, "status_label": status.label, "month": finding.month,
            "township": finding.township, "rounds": finding.rounds, "report": finding.report,
            "photos": list(finding.photos), "review_note": finding.review_note,
            "events": [{"action": e.action, "actor": e.actor, "note": e.note, "photos": list(e.photos),
                        "at": e.at.isoformat(timespec="seconds")}
                       for e in store.events(session=session, county=county, finding_id=finding.number)]}


def mark_overdue(county: str, on: date) -> int:
    """Store `overdue` on the county's open findings whose deadline passed before `on`."""
    with transaction() as session:
        return store.mark_overdue(session=session, county=county, today=on, now=recorded_at(now(), on))


def mark_overdue_and_notify(county: str, on: date) -> int:
    """mark_overdue, and the notices of the stations concerned, in one transaction; how many were marked."""
    with transaction() as session:
        marked = store.mark_overdue(session=session, county=county, today=on, now=recorded_at(now(), on))
        notices.enqueue_rectification(session, county, on)
    return marked


def answered(county: str) -> list[dict[str, Any]]:
    """Findings with a report waiting for the office's review, oldest report first."""
    frame = list_findings(county)
    if not len(frame):
        return []
    waiting = frame[frame["status"] == "answered"].sort_values(["reported_at", "id"])
    with transaction(read_only=True) as session:
        names = crud.stations_frame(session=session, county=county).set_index("code")["name"].to_dict()
    return [r | {"name": names.get(r["station"], r["station"])} for r in public_rows(waiting)]


def overdue_by_station(session: Session, county: str, today_: date) -> dict[str, int]:
    """Overdue 整改通知 per station as of `today_` (the draw's date): a fact the risk-aware draw weighs."""
    frame = store.findings_frame(session=session, county=county)
    return rules.overdue_by_station(frame, today_)
