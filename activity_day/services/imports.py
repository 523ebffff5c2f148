"""Importing a file: read, validate everything, then write the accepted units in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlmodel import Session

from activity_day.context import current
from activity_day.domain import menu
from activity_day.domain.lectures import LectureRef, LectureRows
from activity_day.domain.months import local_day
from activity_day.domain.planning import foreign_festival_codes, load_checklist_catalog, load_learning_catalog
from activity_day.domain.profile import unknown_townships
from activity_day.errors import OperatorError, Refused
from activity_day.intake import (
    KINDS,
    REGISTRY,
    ROW,
    FileUnusable,
    H,
    Problem,
    Validated,
    check_score_columns,
    code_index,
    column_length,
    file_label,
    read_table,
    scores_kind,
    validate_applications,
    validate_assessed,
    validate_comments,
    validate_reports,
    validate_scores,
    validate_stations,
)
from activity_day.intake.lectures import (
    validate_answers,
    validate_speakers,
)
from activity_day.models import CommentSource
from activity_day.models.enums import Channel
from activity_day.services import demonstration as demo_service
from activity_day.services import findings as findings_service
from activity_day.services import lecture_ratings, lectures, plans, scoring
from activity_day.services.scoring_inputs import ScoreRows
from activity_day.store import crud
from activity_day.store import demonstration as demo_store
from activity_day.store import findings as findings_store
from activity_day.store import lectures as lecture_store
from activity_day.store.database import transaction


@dataclass
class ImportReport:
    kind: str
    file: str
    accepted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_written: int = 0
    unusable: bool = False
    notices: list[Problem] = field(default_factory=list)  # what was corrected on the way in (not refused)

    @property
    def exit_code(self) -> int:
        """0 all in, 1 some units refused, 2 the file as a whole unusable."""
        if self.unusable:
            return 2
        return 1 if self.refused else 0

    def lines(self) -> list[str]:
        out = [p.line() for p in self.problems]
        if self.unusable:
            return out
        out += [p.line() for p in self.notices]
        noun = {"stations": "份名录", "plans": "个所站的计划", "comments": "条意见", "scores": "条评分",
                "evaluation": "条实地评估", "applications": "个所站的申报", "reports": "份整改报告",
                "speakers": "份宣讲员库", "orders": "个宣讲点单", "ratings": "条宣讲评价",
                "answers": "条讲师答复"}[self.kind]
        summary = f"{self.file}：接收 {len(self.accepted)} {noun}，拒收 {len(self.refused)} {noun}，写入 {self.rows_written} 行"
        if self.refused and self.kind == "plans":
            summary += f"（拒收：{'、'.join(self.refused)}）"
        return [*out, summary]


def refuse_all(validated: Validated, file: str, reason: str) -> None:
    """A state or time that takes none of the file's units (late plans, a month whose circular is compiled):
    every unit refused with the one reason."""
    problem = Problem(file, None, None, None, reason)
    for unit in list(validated.units):
        validated.refused[unit] = [problem]
    validated.units.clear()
    validated.problems.append(problem)


def _report(validated: Validated, written: int, notices: list[Problem]) -> ImportReport:
    return ImportReport(validated.kind, validated.file, accepted=list(validated.units),
                        refused=list(validated.refused), problems=validated.problems, rows_written=written,
                        notices=notices)


def source_ref(name: str, column: str, *, row: int | None = None, last_row: int = 0) -> str:
    """`name` (or `name:row`) shortened in the middle to fit `column` (`table.column`).

    With `row` None, room is left for `:last_row` so a writer that appends the row still fits.
    """
    room = column_length(column) - len(f":{max(row or 0, last_row)}")
    if len(name) > room:
        keep = room - 1
        name = name[:keep - keep // 3] + "…" + name[len(name) - keep // 3:]
    return name if row is None else f"{name}:{row}"


@dataclass
class Incoming:
    """One file being imported, as every importer reads it: the table read and its reading notices (importers
    add theirs), the county, the month or round it belongs to, and the clock."""

    kind: str
    county: str
    name: str  # the file as reports name it
    frame: pd.DataFrame
    notices: list[Problem]
    now: datetime
    month: str | None = None
    round_: str | None = None
    received_at: datetime | None = None
    rubric: list[tuple[str, float]] = field(default_factory=list)

    @property
    def last_row(self) -> int:
        return int(self.frame[ROW].max())

    def the_month(self) -> str:
        assert self.month is not None, f"{self.kind} belong to a month"
        return self.month


@dataclass(frozen=True)
class ImportClock:
    """A file's times. `received_at`, for plans and orders, is when the file arrived (the inbox): plans received
    after the deadline are flagged late. `now` is the clock the time rules read (a lecture rated only from its
    day, an answer only before it, a 整改报告's time); the entry point gives it, else the receipt time or the
    moment of the call."""

    received_at: datetime | None = None
    now: datetime | None = None


def import_file(kind: str, path: Path, *, county: str, month: str | None = None, round_: str | None = None,
                clock: ImportClock = ImportClock()) -> ImportReport:
    """Import one file of the given kind for the county (plans, comments and scores need the month; applications
    the round), at the file's `clock`.

    Bad input never raises: an unusable file is a report with exit code 2, and every text is checked against its
    column before the database is touched. Each kind's importer is in IMPORTERS (one transaction for the file)
    or OWN_TRANSACTIONS (a step per row).
    """
    received_at = clock.received_at
    now = clock.now or received_at or current().now()
    path = Path(path)
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(KINDS)}")
    name = file_label(path)
    rubric: list[tuple[str, float]] = []
    if kind == "scores":
        with transaction() as session:
            rubric = crud.load_profile_of(session=session, county=county).scoring.rubric_pairs
    try:
        frame = read_table(path, scores_kind(rubric) if kind == "scores" else KINDS[kind])
    except FileUnusable as exc:
        return ImportReport(kind, name, problems=[exc.problem], unusable=True)
    incoming = Incoming(kind, county, name, frame, list(frame.attrs.get("notices", [])), now, month=month,
                        round_=round_, received_at=received_at, rubric=rubric)
    if kind == "scores" and (problem := check_score_columns(frame, name, rubric)):
        return ImportReport(kind, name, problems=[problem], unusable=True)
    if kind in OWN_TRANSACTIONS:
        return _report(*OWN_TRANSACTIONS[kind](incoming), incoming.notices)
    with transaction() as session:
        return _report(*IMPORTERS[kind](session, incoming), incoming.notices)


def _save_stations(session: Session, incoming: Incoming) -> tuple[Validated, int]:
    """The registry: the file wins; the profile must follow before the next draw (回避), and a township the
    profile does not know is noted."""
    county, name = incoming.county, incoming.name
    registered = crud.registered_codes(session=session, county=county)
    today = local_day(incoming.now)
    validated = validate_stations(incoming.frame, name, existing=code_index(registered), today=today)
    rows = validated.units.get(REGISTRY, [])
    written = crud.replace_registry(session=session, county=county, rows=rows, today=today) if rows else 0
    if rows:
        profile = crud.load_profile_of(session=session, county=county)
        incoming.notices.extend(
            Problem(name, None, None, None, f"注意：{problem}；抽样前请修改县情配置并重新运行 activity-day init")
            for problem in unknown_townships(profile, {r["township"] for r in rows}))
    return validated, written


def _save_applications(session: Session, incoming: Incoming) -> tuple[Validated, int]:
    """A demonstration-station round's applications (示范所站评选): a round, not a month."""
    assert incoming.round_ is not None, "applications belong to a round"
    county, name = incoming.county, incoming.name
    demo_service.applications_open(session, county, incoming.round_)
    stations = crud.stations_frame(session=session, county=county)
    validated = validate_applications(incoming.frame, name, stations=code_index(stations["code"]))
    rows = [r for unit in validated.units.values() for r in unit]
    ref = source_ref(name, "demo_application.source_ref", last_row=incoming.last_row)
    return validated, demo_store.save_applications(session=session, county=county, round_=incoming.round_,
                                                   rows=rows, source_ref=ref)


def _save_assessed(session: Session, incoming: Incoming) -> tuple[Validated, int]:
    """The evaluation's assessed indicators: each row names its month (评估月份)."""
    county, name = incoming.county, incoming.name
    profile = crud.load_profile_of(session=session, county=county)
    stations = crud.stations_frame(session=session, county=county)
    indicators = {i.code: i.name for d in profile.evaluation.dimensions for i in d.indicators
                  if i.source == "assessed"}
    assessors = {m.name: m.home_township for t in profile.teams for m in t.members}
    assessors |= {m.name: m.home_township for m in profile.sampling.online_inspectors}
    validated = validate_assessed(incoming.frame, name, stations=code_index(stations["code"]),
                                  townships=dict(zip(stations["code"], stations["township"], strict=True)),
                                  indicators=indicators, assessors=assessors)
    rows = [r for unit in validated.units.values() for r in unit]
    ref = source_ref(name, "assessed_score.source_ref", last_row=incoming.last_row)
    return validated, crud.save_assessed(session=session, county=county, rows=rows, source_ref=ref)


def _save_comments(session: Session, incoming: Incoming) -> tuple[Validated, int]:
    """The departments' comments on the month's draft plan."""
    county, name, month = incoming.county, incoming.name, incoming.the_month()
    profile = crud.load_profile_of(session=session, county=county)
    draft = crud.get_plan(session=session, county=county, month=month, version=1)
    learning, checklist = load_learning_catalog(), load_checklist_catalog()
    planned = crud.plan_content(draft) if draft else None
    validated = validate_comments(
        incoming.frame, name, departments=profile.departments,
        catalog_codes=set(learning["code"]) | set(checklist["code"]),
        in_plan=planned.codes() if planned else None,
        foreign=foreign_festival_codes(planned, learning, checklist) if planned else None)
    rows = [dict(r, source=CommentSource.FILE.value,
                 source_ref=source_ref(name, "department_comment.source_ref", row=r[ROW]))
            for unit in validated.units.values() for r in unit]
    # A row that decides (处理意见) updates the stored comment; one that does not leaves any
    # decision already taken alone, so importing the same file again changes nothing.
    decided = [r for r in rows if r.get("disposition")]
    crud.save_comments(session=session, county=county, month=month, rows=decided)
    crud.save_comments(session=session, county=county, month=month, update=False,
                       rows=[r for r in rows if not r.get("disposition")])
    return validated, len(rows)


def _save_plans(session: Session, incoming: Incoming) -> tuple[Validated, int]:
    """Station plans, through the service every path of a station plan goes through (`plans.take_plans`)."""
    county, name = incoming.county, incoming.name
    known = code_index(crud.stations_frame(session=session, county=county)["code"])
    batch = plans.PlanBatch(frame=incoming.frame, source=name, channel=Channel.EXCEL,
                            source_ref=source_ref(name, "station_plan.source_ref"), received_at=incoming.received_at)
    taken = plans.take_plans(session, county=county, month=incoming.the_month(), batch=batch, stations=known)
    incoming.notices.extend(taken.notices)
    return taken.validated, taken.written


def _save_scores(session: Session, incoming: Incoming) -> tuple[Validated, int]:
    """The teams' and observers' scores, kept by the service the API and the pages use (`scoring.keep_scores`)."""
    county, name, month = incoming.county, incoming.name, incoming.the_month()
    known = code_index(crud.stations_frame(session=session, county=county)["code"])
    validated = validate_scores(incoming.frame, name, stations=known, rubric=incoming.rubric)
    rows = [r for unit in validated.units.values() for r in unit]
    ref = source_ref(name, "inspection_score.source_ref", last_row=incoming.last_row)
    try:
        actors = [source_ref(name, "score_revision.actor", row=r[ROW]) for r in rows]
        stored = scoring.keep_scores(session=session, county=county, month=month,
                                     scores=ScoreRows(rows, actors, ref), now=incoming.now)
    except scoring.ScoresClosed as exc:  # as the API and the pages: the circular made the month's scores final
        refuse_all(validated, name, exc.message)
        stored = []
    return validated, len(stored)


def _save_reports(session: Session, incoming: Incoming) -> tuple[Validated, int]:
    """Each 整改报告 row read and checked (`validate_reports`), then checked and stored by the service every path
    uses (`findings.take_report`); a refusal becomes that row's problem, by its column. A row that repeats the
    report already waiting for review changes nothing (importing a file twice is a no-op). Each row names its
    finding, of whatever month."""
    county, name, now = incoming.county, incoming.name, incoming.now
    stations = crud.stations_frame(session=session, county=county)
    validated = validate_reports(incoming.frame, name, stations=code_index(stations["code"]))
    written = 0
    for unit, rows in list(validated.units.items()):
        row = rows[0]
        try:
            _, changed = findings_service.take_report(
                session, county, row["station_code"], row["finding_id"], findings_service.StationReport(
                    row["report"], row["photos"], at=now, actor=source_ref(name, "finding_event.actor", row=row[ROW])))
            written += changed
        except Refused as exc:
            _refuse_row(validated, unit, _report_problem(session, county, name, row, exc))
    return validated, written


def _report_problem(session, county: str, name: str, row: dict, exc: Refused) -> Problem:
    """A refused 整改报告 row's problem, by the column it is about; the office sees whose finding it is."""
    if isinstance(exc, findings_service.UnknownFinding):
        owner = findings_store.get_finding(session=session, county=county, finding_id=row["finding_id"])
        if owner is not None:
            return Problem(name, row[ROW], H.STATION_CODE, row["station_code"],
                           f"整改编号{row['finding_id']}是所站{owner.station_code}的问题")
        return Problem(name, row[ROW], H.FINDING_ID, str(row["finding_id"]),
                       "没有这个整改编号（见整改台账 activity-day findings export）")
    if isinstance(exc, findings_service.PhotosNotOwn):
        return Problem(name, row[ROW], H.PHOTOS, "、".join(p[:12] for p in row["photos"]), exc.message)
    if isinstance(exc, findings_service.ReportRejected):
        return Problem(name, row[ROW], H.REPORT, row["report"][:40], exc.problems[0]["reason"])
    return Problem(name, row[ROW], H.FINDING_ID, str(row["finding_id"]), exc.message)


def _refuse_row(validated: Validated, unit: str, problem: Problem) -> None:
    """A unit the service refused after the file's own checks passed: moved to the refused ones."""
    validated.units.pop(unit, None)
    validated.refused[unit] = [problem]
    validated.problems.append(problem)


def _save_speakers(session: Session, incoming: Incoming) -> tuple[Validated, int]:
    """The lecture pool, a registry like the stations'."""
    county, name = incoming.county, incoming.name
    profile = crud.load_profile_of(session=session, county=county)
    stations = crud.stations_frame(session=session, county=county)
    catalog = load_learning_catalog()
    topics = menu.topics_of(None, catalog["category_name"].drop_duplicates(), [p.name for p in profile.county_programs])
    validated = validate_speakers(incoming.frame, name, topics=topics, townships=set(stations["township"]),
                                  default_cap=profile.lectures.default_cap)
    rows = validated.units.get(REGISTRY, [])
    return validated, (lecture_store.replace_pool(session=session, county=county, rows=rows) if rows else 0)


def _save_orders(session: Session, incoming: Incoming) -> tuple[Validated, int]:
    """Orders through the service the API's and the page's use (`lectures.take_orders`); a change to a lecture
    already delivered is kept out and added to the notices."""
    county, name = incoming.county, incoming.name
    stations = crud.stations_frame(session=session, county=county)
    rows = LectureRows(incoming.frame, name, source_ref(name, "lecture_order.source_ref"))
    intake = lectures.take_orders(session, county=county, month=incoming.the_month(), rows=rows,
                                  stations=code_index(stations["code"]), received_at=incoming.received_at)
    incoming.notices.extend(plans.delivered_notices(intake.delivered, name))
    return intake.validated, intake.written


def _save_ratings(session: Session, incoming: Incoming) -> tuple[Validated, int]:
    """Ratings of the lectures that had a team, through the service the API's ratings use (`record_ratings`):
    once the month's circular is compiled the whole file is refused, as the API and the pages refuse."""
    name, frame = incoming.name, incoming.frame
    try:
        validated, written, _ = lecture_ratings.record_ratings(
            session=session, county=incoming.county, month=incoming.the_month(),
            rows=LectureRows(frame, name, source_ref(name, "lecture_rating.source_ref")), now=incoming.now)
    except lecture_ratings.RatingRefused as exc:
        problem = Problem(name, None, None, None, str(exc))
        return Validated("ratings", name, refused={f"第{r}行": [problem] for r in frame[ROW]}, problems=[problem]), 0
    return validated, written


def _import_answers(incoming: Incoming) -> tuple[Validated, int]:
    """Validate every answer against the teams as they stand, then record the accepted ones in file order through
    the service the API and the speaker page use (`lectures.answer`: the same time rule). Each answer is its own
    step: a decline re-forms that team."""
    county, month, name, now = incoming.county, incoming.the_month(), incoming.name, incoming.now
    with transaction(read_only=True) as session:
        orders = lecture_store.orders(session=session, county=county, month=month)
        stations = crud.stations_frame(session=session, county=county)
    teams = {(o.station_code, o.menu_code): list(o.team) for o in orders if o.status in ("dispatched", "confirmed")}
    validated = validate_answers(incoming.frame, name, teams=teams, stations=code_index(stations["code"]))
    written = 0
    for unit, rows in list(validated.units.items()):
        for row in rows:
            try:
                lectures.answer(LectureRef(county, month, row["station_code"], row["menu_code"]), row["speaker"],
                                row["accept"], now=now)
                written += 1
            except OperatorError as exc:  # too late, or an earlier row of the file re-formed this team without them
                problem = Problem(name, row[ROW], H.SPEAKER_CODE, row["speaker"], str(exc))
                validated.refused[unit] = [problem]
                validated.problems.append(problem)
                del validated.units[unit]
    return validated, written


# Each kind of file, by the name `activity-day import KIND` and the inbox give it: its importer, run in one
# transaction for the whole file (validate everything, then write what is accepted) ...
IMPORTERS: dict[str, Callable[[Session, Incoming], tuple[Validated, int]]] = {
    "stations": _save_stations,
    "applications": _save_applications,
    "evaluation": _save_assessed,
    "speakers": _save_speakers,
    "ratings": _save_ratings,
    "orders": _save_orders,
    "reports": _save_reports,
    "comments": _save_comments,
    "plans": _save_plans,
    "scores": _save_scores,
}
# ... or as steps of their own, one per row.
OWN_TRANSACTIONS: dict[str, Callable[[Incoming], tuple[Validated, int]]] = {
    "answers": _import_answers,
}
