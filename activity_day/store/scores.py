"""The scores' audit trail: every score written (file or API) that changes what is stored becomes a
`ScoreRevision`. Like crud, nothing here commits: the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import Session, select

from activity_day.models import InspectionScore, ScoreRevision
from activity_day.store.closing import advisory_xact_lock

# What a revision records of a score; two scores with the same content are the same score.
CONTENT = ("score", "items", "problems", "category", "suggestions")
# The actor of the revision that records a score stored before revisions were kept.
BEFORE_REVISIONS = "修订记录启用前的评分"


def lock_score(*, session: Session, county: str, month: str, code: str, mode: str, scorer: str) -> None:
    """Hold, until the caller's transaction ends, the right to write one scorer's score of one station, so that
    phones correcting it at once take their revision numbers one after another. PostgreSQL: a transaction-level
    advisory lock on the score's key; SQLite: nothing to do, a write transaction holds the database's lock from
    its BEGIN (models.db)."""
    advisory_xact_lock(session, county, month, code, mode, scorer)


def _key(row: dict[str, Any]) -> tuple[str, str, str]:
    return str(row["station_code"]), str(row["mode"]), str(row["scorer"])


def content_of(row: dict[str, Any] | InspectionScore | ScoreRevision) -> tuple:
    """A score's content, comparable: floats rounded as the validators round them, items as sorted pairs."""
    get = row.get if isinstance(row, dict) else lambda k, d=None: getattr(row, k, d)
    items = get("items") or {}
    return (round(float(get("score")), 2), tuple(sorted((str(k), round(float(v), 2)) for k, v in items.items())),
            get("problems") or "", get("category") or "", get("suggestions") or "")


def current_scores(*, session: Session, county: str, month: str,
                   keys: Sequence[tuple[str, str, str]]) -> dict[tuple[str, str, str], InspectionScore]:
    """The stored scores of the given (station, mode, scorer) keys; a row is locked where the database can."""
    found: dict[tuple[str, str, str], InspectionScore] = {}
    codes = sorted({k[0] for k in keys})
    for start in range(0, len(codes), 500):
        rows = session.exec(select(InspectionScore).where(
            InspectionScore.county == county, InspectionScore.month == month,
            InspectionScore.station_code.in_(codes[start:start + 500]))  # type: ignore[attr-defined]
            .with_for_update()).all()
        found |= {(r.station_code, str(r.mode), r.scorer): r for r in rows}
    wanted = set(keys)
    return {k: v for k, v in found.items() if k in wanted}


_LATEST = select(ScoreRevision.station_code, ScoreRevision.mode, ScoreRevision.scorer,
                 func.max(ScoreRevision.revision)).where(
    ScoreRevision.county == bindparam("county"), ScoreRevision.month == bindparam("month"),
    ScoreRevision.station_code.in_(bindparam("codes", expanding=True)),  # type: ignore[attr-defined]
).group_by(ScoreRevision.station_code, ScoreRevision.mode, ScoreRevision.scorer)


_LATEST_OF_SCORER = select(ScoreRevision.station_code, ScoreRevision.mode, func.max(ScoreRevision.revision)).where(
    ScoreRevision.county == bindparam("county"), ScoreRevision.month == bindparam("month"),
    ScoreRevision.scorer == bindparam("scorer"),
).group_by(ScoreRevision.station_code, ScoreRevision.mode)


def scorer_revisions(*, session: Session, county: str, month: str, scorer: str) -> dict[tuple[str, str, str], int]:
    """(station, mode, scorer) -> the highest revision number recorded, for every score of one scorer this month
    (a scorer's page: one statement with no list of stations to expand)."""
    rows = session.connection().execute(_LATEST_OF_SCORER, {"county": county, "month": month, "scorer": scorer})
    return {(code, str(mode), scorer): int(n) for code, mode, n in rows}


def latest_revisions(*, session: Session, county: str, month: str,
                     codes: Sequence[str]) -> dict[tuple[str, str, str], int]:
    """(station, mode, scorer) -> the highest revision number recorded, for the given stations."""
    out: dict[tuple[str, str, str], int] = {}
    unique = sorted(set(codes))
    for start in range(0, len(unique), 500):
        rows = session.connection().execute(_LATEST, {"county": county, "month": month,
                                                      "codes": unique[start:start + 500]}).all()
        out |= {(code, str(mode), scorer): int(n) for code, mode, scorer, n in rows}
    return out


def record_revisions(*, session: Session, county: str, month: str, rows: Sequence[dict[str, Any]],
                     actors: Sequence[str], at: datetime) -> list[ScoreRevision]:
    """Append a revision for each row whose content differs from the stored score; returns those written.

    Call it before the scores are upserted: it compares with what is stored. A row equal to the stored score
    writes nothing, so importing a file again, or repeating a PUT, adds no revision. A score stored before
    revisions were kept is first recorded as it was (actor `BEFORE_REVISIONS` or its source), so that the
    correction is revision 2, not 1. Rows are the validated score rows (`station_code`, `mode` as its value,
    `scorer`, `score`, `items`, `problems`, `category`, `suggestions`); `actors[i]` wrote `rows[i]`.
    """
    if not rows:
        return []

    def revision(key: tuple[str, str, str], number: int, score: dict[str, Any] | InspectionScore,
                 actor: str) -> ScoreRevision:
        """The score as revision `number` of the month's score `key` (code, mode, scorer), by `actor` at `at`."""
        get = score.get if isinstance(score, dict) else lambda k, d=None: getattr(score, k, d)
        code, mode, scorer = key
        return ScoreRevision(county=county, month=month, station_code=code, mode=mode, scorer=scorer,
                             revision=number, score=float(get("score")), items=dict(get("items") or {}),
                             problems=get("problems") or "", category=get("category") or "",
                             suggestions=get("suggestions") or "", actor=actor[:100], at=at)

    keys = [_key(r) for r in rows]
    # Revision numbers first, then the scores: a score committed by a concurrent writer in between is then seen as
    # stored (equal: nothing to write; different: our revision 1 collides with theirs and the caller retries),
    # never as a revision number without its content.
    numbers = latest_revisions(session=session, county=county, month=month, codes=[k[0] for k in keys])
    stored = current_scores(session=session, county=county, month=month, keys=keys)
    written: list[ScoreRevision] = []
    for row, actor, key in zip(rows, actors, keys, strict=True):
        before = stored.get(key)
        if before is not None and content_of(before) == content_of(row):
            continue
        if before is not None and key not in numbers:
            written.append(revision(key, 1, before, before.source_ref or BEFORE_REVISIONS))
            numbers[key] = 1
        numbers[key] = numbers.get(key, 0) + 1
        written.append(revision(key, numbers[key], row, actor))
    session.add_all(written)
    session.flush()
    return written


def revisions_of(*, session: Session, county: str, month: str, station_code: str, mode: str,
                 scorer: str) -> list[ScoreRevision]:
    """One scorer's revisions of one station's score, oldest first."""
    return list(session.exec(select(ScoreRevision).where(
        ScoreRevision.county == county, ScoreRevision.month == month, ScoreRevision.station_code == station_code,
        ScoreRevision.mode == mode, ScoreRevision.scorer == scorer).order_by(ScoreRevision.revision)).all())
