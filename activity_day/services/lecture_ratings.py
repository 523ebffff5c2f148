"""Lecture ratings (评单): the ratings file's rows, a station's own and the observers', each checked as a row of
the file and stored through `record_ratings`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlmodel import Session

from activity_day.domain import timing
from activity_day.domain.codes import normalize_code
from activity_day.domain.dates import cn_month
from activity_day.domain.lectures import LectureRef, LectureRows
from activity_day.domain.names import control_problem, strip_control
from activity_day.errors import OperatorError
from activity_day.intake.cells import code_index
from activity_day.intake.headers import ROW, H
from activity_day.intake.lectures import validate_ratings
from activity_day.intake.problems import Problem, Validated
from activity_day.services.lectures import FORMED
from activity_day.store import closing, crud
from activity_day.store import lectures as store
from activity_day.store.database import transaction
from activity_day.store.reading import reading

STATION_RATER = "所站"  # how a station's own rating is recorded (the ratings file's convention)
RATING_FIELDS = {"score": H.RATING, "comment": H.RATING_NOTE, "menu_code": H.MENU_CODE, "rater": H.RATER,
                 "station": H.STATION_CODE}


class RatingRefused(OperatorError):
    """A rating from the API or a phone page that the ratings file's checks refuse (422, `problems` by field),
    or one sent after the month's circular was compiled (409)."""

    def __init__(self, message: str, problems: list[dict[str, Any]], status: int = 422):
        super().__init__(message)
        self.problems, self.status = problems, status


def _ensure_open(session: Session, county: str, month: str) -> None:
    """Ratings close with the scores (store.closing): refused (409) once the circular read them."""
    if (why := closing.state(session, county, month)) is not None:
        raise RatingRefused(timing.closed_message(month, "宣讲评价", compiling=why == closing.COMPILING), [], 409)


def record_ratings(*, session: Session, county: str, month: str, rows: LectureRows,
                   now: datetime) -> tuple[Validated, int, list[Problem]]:
    """Check ratings (rows of the ratings file) and store the accepted ones, the one write of a rating for the
    file, the API and the phone pages: refused whole (RatingRefused, 409) once the month's circular is compiled;
    each row of a lecture that had a team, 1 to 5, on or after the lecture's day at `now`. Accepted ratings are
    upserted on station, menu code and rater, and their lectures marked delivered. Returns the validation, the
    rows written and the rows refused for their time (a 409 through the API)."""
    frame, file = rows.frame, rows.file
    _ensure_open(session, county, month)
    orders = store.orders(session=session, county=county, month=month, lock=True)
    formed = {(o.station_code, o.menu_code): o for o in orders if o.status in FORMED}
    stations = crud.stations_frame(session=session, county=county)
    validated = validate_ratings(frame, file, delivered=set(formed), stations=code_index(stations["code"]))
    _refuse_control(validated, frame, file)
    early = []
    for unit, unit_rows in list(validated.units.items()):
        r = unit_rows[0]
        if (why := timing.rating_refusal(formed[(r["station_code"], r["menu_code"])].day, now)) is not None:
            problem = Problem(file, r[ROW], H.MENU_CODE, r["menu_code"], why)
            del validated.units[unit]
            validated.refused[unit] = [problem]
            validated.problems.append(problem)
            early.append(problem)
    accepted = [r for unit in validated.units.values() for r in unit]
    for r in accepted:
        order = formed[(r["station_code"], r["menu_code"])]
        order.status = "delivered"
        session.add(order)
    return validated, store.save_ratings(session=session, county=county, month=month, rows=accepted,
                                         source_ref=rows.source_ref), early


def _refuse_control(validated: Validated, frame: pd.DataFrame, file: str) -> None:
    """Refuse each row whose comment has control characters, by the rule the 整改报告 follows (a NUL is stored
    on SQLite and is a database error on PostgreSQL): the file keeps them for this check (`keeps_control`)."""
    if H.RATING_NOTE not in frame.columns:
        return
    for raw in frame.to_dict("records"):
        comment = raw.get(H.RATING_NOTE)
        if not isinstance(comment, str) or (why := control_problem(comment)) is None:
            continue
        unit = f"第{raw[ROW]}行"
        validated.units.pop(unit, None)
        problem = Problem(file, raw[ROW], H.RATING_NOTE, strip_control(comment), why)
        validated.refused.setdefault(unit, []).append(problem)
        validated.problems.append(problem)


def rating_of(*, session: Session, county: str, month: str, station: str, menu_code: str,
              rater: str) -> dict[str, Any] | None:
    ratings = store.ratings_frame(session=session, county=county, month=month)
    mine = ratings[(ratings["station_code"] == station) & (ratings["menu_code"] == menu_code)
                   & (ratings["rater"] == rater)]
    if mine.empty:
        return None
    row = mine.iloc[0]
    return {"score": int(row["score"]), "comment": row["comment"] or ""}


def rate_lecture(lecture: LectureRef, rater: str, score: Any, comment: str | None, *, now: datetime,
                 source: str = "api") -> dict[str, Any]:
    """One rating through the API or a phone page, checked exactly as a row of the ratings file; stored (the
    same rating sent twice is stored once) with its lecture marked delivered, in one transaction. Refused with
    409 once the month's circular is compiled (its lecture table is then final), as scores are."""
    county, month = lecture.county, lecture.month
    station, menu_code = normalize_code(lecture.station), normalize_code(lecture.menu_code)
    with transaction() as session:
        _ensure_open(session, county, month)
        ordered = {(o.station_code, o.menu_code): o for o in store.orders(session=session, county=county, month=month)}
        order = ordered.get((station, menu_code))
        if order is None:  # an unknown reference: no such lecture was ordered
            raise RatingRefused(f"所站{station}{cn_month(month)}没有点{menu_code}宣讲", [], 404)
        if order.status not in FORMED:
            raise RatingRefused(f"所站{station}的{order.menu_code}宣讲还没有派出宣讲队，不能评价", [], 409)
        frame = pd.DataFrame([{H.STATION_CODE: station, H.MENU_CODE: menu_code, H.RATER: rater, H.RATING: score,
                               H.RATING_NOTE: comment or "", ROW: 1}]).astype(object)
        validated, _, early = record_ratings(session=session, county=county, month=month,
                                             rows=LectureRows(frame, "评单", source), now=now)
        if early:  # the lecture's day has not come: a time, not the rating's content
            raise RatingRefused(early[0].message, [], 409)
        if validated.problems:
            fields = {v: k for k, v in RATING_FIELDS.items()}
            raise RatingRefused("宣讲评价有误", [{"row": None, "column": p.column, "field": fields.get(p.column or ""),
                                                 "value": p.value, "reason": p.message, "text": p.message}
                                                for p in validated.problems])
        session.flush()
        code = validated.units[next(iter(validated.units))][0]
        stored = rating_of(session=session, county=county, month=month, station=code["station_code"],
                           menu_code=code["menu_code"], rater=code["rater"])
        assert stored is not None
        return {"station": code["station_code"], "menu_code": code["menu_code"], "month": month,
                "rater": code["rater"], **stored, "status": "delivered"}


def ratings_by(county: str, month: str, rater: str,
               session: Session | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    """A rater's ratings of the month: (station, menu code) -> score and comment."""
    with reading(session) as session:
        ratings = store.ratings_frame(session=session, county=county, month=month)
    mine = ratings[ratings["rater"] == rater]
    return {(r.station_code, r.menu_code): {"score": int(r.score), "comment": r.comment or ""}
            for r in mine.itertuples()}
