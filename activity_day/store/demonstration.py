"""The demonstration-station rounds (示范所站评选): applications, decisions and objections, each with who
decided, when and why. The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlmodel import Session, select

from activity_day.errors import MissingPrerequisite
from activity_day.models import DemoApplication, DemoObjection, DemoRound, StationEvaluation, upsert

APPLICATION_COLUMNS = ["station_code", "brand", "statement", "eligible", "review_reason", "assessors", "site_score",
                       "decision", "decision_reason", "decided_by", "decided_at", "named"]


def save_applications(*, session: Session, county: str, round_: str, rows: Sequence[dict[str, Any]],
                      source_ref: str) -> int:
    """Applications (自主申报) upserted on (county, round, station): a station that applies again updates its own."""
    records = [dict(county=county, round=round_, station_code=r["station_code"], brand=r["brand"],
                    statement=r.get("statement", ""), source_ref=f"{source_ref}:{r['_row']}" if "_row" in r else source_ref)
               for r in rows]
    return upsert(session, DemoApplication, records, ["county", "round", "station_code"])


def applications(*, session: Session, county: str, round_: str) -> list[DemoApplication]:
    return list(session.exec(select(DemoApplication).where(DemoApplication.county == county,
                                                           DemoApplication.round == round_)
                             .order_by(DemoApplication.station_code)).all())


def require_applications(*, session: Session, county: str, round_: str) -> list[DemoApplication]:
    found = applications(session=session, county=county, round_=round_)
    if not found:
        raise MissingPrerequisite(f"{round_}年度示范所站评选还没有任何申报：请先导入申报表"
                                  f"（activity-day demonstration apply 申报表.xlsx --round {round_}）")
    return found


def evaluation_frame(*, session: Session, county: str, period: str) -> pd.DataFrame:
    rows = session.exec(select(StationEvaluation).where(StationEvaluation.county == county,
                                                        StationEvaluation.period == period)).all()
    if not rows:
        raise MissingPrerequisite(f"尚无 {period} 的所站综合评价：请先运行 activity-day evaluate --period {period}")
    return pd.DataFrame([{"code": r.station_code, "township": r.township, "total": r.total, "stars": r.stars,
                          "watch": r.watch} for r in rows])


def named_codes(*, session: Session, county: str, up_to_round: str) -> set[str]:
    """The stations named demonstration stations in any round up to `up_to_round` (a year)."""
    return set(session.exec(select(DemoApplication.station_code).where(
        DemoApplication.county == county, DemoApplication.named, DemoApplication.round <= up_to_round)).all())


def watch_codes(*, session: Session, county: str, period: str) -> set[str]:
    """The stations the evaluation of `period` put on the watch list (none if that period was not evaluated)."""
    return set(session.exec(select(StationEvaluation.station_code).where(
        StationEvaluation.county == county, StationEvaluation.period == period, StationEvaluation.watch != "")).all())


def get_round(*, session: Session, county: str, round_: str) -> DemoRound | None:
    return session.exec(select(DemoRound).where(DemoRound.county == county, DemoRound.round == round_)).first()


def save_round(*, session: Session, county: str, round_: str, **values: Any) -> None:
    upsert(session, DemoRound, [dict(county=county, round=round_, **values)], ["county", "round"])


def update_application(*, session: Session, county: str, round_: str, station: str, **values: Any) -> None:
    app = session.exec(select(DemoApplication).where(DemoApplication.county == county, DemoApplication.round == round_,
                                                     DemoApplication.station_code == station)).one()
    for key, value in values.items():
        setattr(app, key, value)
    session.add(app)


def add_objection(*, session: Session, objection: DemoObjection) -> int:
    """Store a new objection; returns its id."""
    session.add(objection)
    session.flush()
    return int(objection.id or 0)


def objections(*, session: Session, county: str, round_: str) -> list[DemoObjection]:
    return list(session.exec(select(DemoObjection).where(DemoObjection.county == county, DemoObjection.round == round_)
                             .order_by(DemoObjection.id)).all())
