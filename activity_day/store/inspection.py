"""Reads and writes of the inspection: the draw and its assignments, scores, feedback and the circular.

The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from activity_day.domain.dates import cn_month
from activity_day.domain.hashing import sha256_hex
from activity_day.errors import MissingPrerequisite
from activity_day.models import Circular, Draw, DrawAssignment, FeedbackItem, InspectionScore, upsert
from activity_day.models.enums import FeedbackStatus
from activity_day.store.frames import _frame


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


def save_circular(*, session: Session, circular: Circular) -> None:
    """The month's circular (its number, the stations scored, the draw's digest and its summary), stored once per
    county and month: a compile run again replaces it."""
    upsert(session, Circular,
           [dict(county=circular.county, month=circular.month, doc_number=circular.doc_number,
                 scored_stations=circular.scored_stations, draw_digest=circular.draw_digest, summary=circular.summary)],
           ["county", "month"])
