"""Scoring by inspection teams and civic observers: their tokens, the stations each may score, and their scores.

A team's token reaches the stations the month's draw assigned to the team; an observer's token reaches the
active stations of the observer's township. A score sent through the API is validated exactly as a row of the
scores file (`intake.validate_scores` on a one-row frame), stored on the score's natural key, and every change
is a `ScoreRevision`. Once the month's circular is compiled, scores can no longer be changed.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from activity_day.domain.names import closest, control_characters, normalize_name, strip_control
from activity_day.domain.outcomes import Outcome
from activity_day.domain.profile import Profile
from activity_day.domain.timing import closed_message
from activity_day.domain.tokens import default_expiry, is_live
from activity_day.errors import OperatorError, Refused
from activity_day.intake import LIMITS, ROW, H, Problem, code_index, validate_scores
from activity_day.models import (
    DrawAssignment,
    InspectionScore,
    ScoreReceipt,
    ScorerToken,
    Station,
)
from activity_day.models.enums import InspectionMode, ScorerRole
from activity_day.services.scoring_inputs import ScoredStation, ScoreRows, TokenRequest
from activity_day.services.submissions import token_sha256, utcnow
from activity_day.store import closing, crud
from activity_day.store import scores as score_store
from activity_day.store.database import transaction
from activity_day.store.reading import reading

SOURCE = "评分接口"
ONLINE_PREFIX = "线上·"  # an online inspector is a one-person team, named like 线上·吴敏 in the draw
# JSON field of the score body -> the scores file's column, so problems name both.
FIELDS = {"score": H.SCORE, "problems": H.PROBLEMS, "category": H.CATEGORY, "suggestions": H.SUGGESTIONS,
          "scorer": H.SCORER}
COLUMN_FIELDS = {column: key for key, column in FIELDS.items()}
REJECTED = "评分有误，请按下列各项修改后重新提交"


# --- tokens -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scorer:
    """Who holds a live scoring token."""

    county: str
    role: ScorerRole
    name: str
    township: str
    prefix: str

    @property
    def actor(self) -> str:
        """How revisions name the writer: team:第一检查组（令牌 ab12cd）."""
        return f"{self.role.value}:{self.name}（令牌 {self.prefix}）"


def team_names(profile: Profile) -> list[str]:
    """The teams that may hold a token: the profile's inspection teams, then its online inspectors."""
    return [t.name for t in profile.teams] + [f"{ONLINE_PREFIX}{m.name}" for m in profile.sampling.online_inspectors]


def registered_townships(*, session: Session, county: str) -> list[str]:
    return sorted(set(crud.stations_frame(session=session, county=county)["township"]))


def _checked_team(name: str, known: list[str]) -> str:
    given = normalize_name(name)
    if given in known:
        return given
    guess = closest(given, known) if given else None
    hint = f"（是否为“{guess}”？）" if guess else ""
    raise OperatorError(f"没有检查组“{given}”{hint}；可签发的检查组：{'、'.join(known)}")


def _checked_name(name: str, what: str) -> str:
    given = normalize_name(name)
    if not given or control_characters(given):
        raise OperatorError(f"{what}不能为空，也不能含有控制字符")
    if len(given) > LIMITS[H.SCORER]:
        raise OperatorError(f"{what}“{given}”超过{LIMITS[H.SCORER]}个字")
    return given


def issue_scorer_tokens(*, session: Session, county: str, request: TokenRequest, now: datetime) -> dict[str, str]:
    """New tokens for teams, or for one observer in one township, working until `expires_at` (by default the
    end of the year). Each revokes the earlier ones of the same team, or of the same observer in the same
    township: an observer's tokens are per person and township, so one for a second township leaves the first
    working (`observer_townships` tells which). Returns name -> token. Raises OperatorError for a team not in
    the profile, an observer's township not in the registry, or a name too long to store."""
    role, names, township = request.role, request.names, request.township
    expires_at = request.expires_at or default_expiry(now)
    if role is ScorerRole.TEAM:
        known = team_names(crud.load_profile_of(session=session, county=county))
        chosen = [_checked_name(_checked_team(n, known), "检查组名称") for n in names]
        township = ""
    else:
        chosen = [_checked_name(n, "文明观察员姓名") for n in names]
        township = normalize_name(township)
        townships = registered_townships(session=session, county=county)
        if township not in townships:
            guess = closest(township, townships) if township else None
            hint = f"（是否为“{guess}”？）" if guess else ""
            raise OperatorError(f"所站名录中没有乡镇（街道）“{township}”{hint}")
    tokens = {}
    for name in dict.fromkeys(chosen):
        revoke_scorer_tokens(session=session, county=county, role=role, name=name, now=now,
                             township=township if role is ScorerRole.OBSERVER else None)
        # "sc_" tells a scoring token from a station's "ad_" one, and never starts like a spreadsheet formula.
        token = f"sc_{secrets.token_urlsafe(32)}"
        session.add(ScorerToken(county=county, role=role, name=name, township=township,
                                token_sha256=token_sha256(token), prefix=token[3:9], issued_at=now,
                                expires_at=expires_at))
        tokens[name] = token
    return tokens


def _unrevoked(session: Session, county: str, role: ScorerRole, name: str,
               township: str | None = None) -> list[ScorerToken]:
    query = select(ScorerToken).where(
        ScorerToken.county == county, ScorerToken.role == role, ScorerToken.name == normalize_name(name),
        ScorerToken.revoked_at.is_(None))  # type: ignore[union-attr]
    if township is not None:
        query = query.where(ScorerToken.township == normalize_name(township))
    return list(session.exec(query).all())


def revoke_scorer_tokens(*, session: Session, county: str, role: ScorerRole, name: str, now: datetime,
                         township: str | None = None) -> int:
    """Revoke the unrevoked tokens of a team, a speaker or an observer (in one township, or all of them);
    returns how many there were."""
    rows = _unrevoked(session, county, role, name, township)
    for row in rows:
        row.revoked_at = now
        session.add(row)
    return len(rows)


def observer_townships(*, session: Session, county: str, name: str, now: datetime) -> list[str]:
    """The townships in which an observer holds a working token."""
    return sorted({row.township for row in _unrevoked(session, county, ScorerRole.OBSERVER, name)
                   if is_live(row.expires_at, now)})


# Every scorer's page and score reads these: built once (bound values as parameters), as plain rows of the
# columns they need (no ORM objects: a page reads and renders, it never changes them).
_SCORER_TOKEN = select(ScorerToken.county, ScorerToken.role, ScorerToken.name, ScorerToken.township,
                       ScorerToken.prefix, ScorerToken.expires_at).where(
    ScorerToken.token_sha256 == bindparam("sha"), ScorerToken.revoked_at.is_(None),  # type: ignore[union-attr]
    ScorerToken.role.in_([ScorerRole.TEAM, ScorerRole.OBSERVER]))  # type: ignore[attr-defined]
_SCORE_COLUMNS = (InspectionScore.station_code, InspectionScore.mode, InspectionScore.score, InspectionScore.items,
                  InspectionScore.problems, InspectionScore.category, InspectionScore.suggestions)
# A scorer's scores of the month: no more than the stations they score, so no list of stations to expand.
_SCORES_OF = select(*_SCORE_COLUMNS).where(
    InspectionScore.county == bindparam("county"), InspectionScore.month == bindparam("month"),
    InspectionScore.scorer == bindparam("scorer"))


def _scores_by_query(observer: bool) -> Any:
    query = select(InspectionScore.month, *_SCORE_COLUMNS, Station.name).join(
        Station, (Station.county == InspectionScore.county) & (Station.code == InspectionScore.station_code),
        isouter=True).where(InspectionScore.county == bindparam("county"),
                            InspectionScore.scorer == bindparam("scorer"))
    return query.where(InspectionScore.mode == InspectionMode.OBSERVER) if observer else query


_SCORES_BY = {observer: _scores_by_query(observer) for observer in (False, True)}


def scorer_for_token(*, session: Session, token: str, now: datetime | None = None) -> Scorer | None:
    """The holder of a live (not revoked, not expired) scoring token, or None (a speaker's token does not
    score)."""
    row = session.connection().execute(_SCORER_TOKEN, {"sha": token_sha256(token)}).first()
    if row is None or not is_live(row.expires_at, now or utcnow()):
        return None
    return Scorer(county=row.county, role=ScorerRole(row.role), name=row.name, township=row.township,
                  prefix=row.prefix)


# --- which stations a scorer reaches -----------------------------------------------------------------------------

def _plausible_code(code: str) -> bool:
    """A code that could be stored: anything else is nobody's station (and never reaches the database)."""
    return 0 < len(code) <= LIMITS[H.STATION_CODE] and not control_characters(code)


def station_mode(*, session: Session, scorer: Scorer, month: str, code: str) -> InspectionMode | None:
    """The mode in which the scorer scores this station this month, or None if the station is not theirs."""
    if not _plausible_code(code):
        return None
    if scorer.role is ScorerRole.TEAM:
        mode = session.exec(select(DrawAssignment.mode).where(
            DrawAssignment.county == scorer.county, DrawAssignment.month == month,
            DrawAssignment.station_code == code, DrawAssignment.team == scorer.name)).first()
        return InspectionMode(mode) if mode is not None else None
    found = session.exec(select(Station.code).where(Station.county == scorer.county, Station.code == code,
                                                    Station.active, Station.township == scorer.township)).first()
    return InspectionMode.OBSERVER if found is not None else None


def _visit_order(slot: Any) -> tuple[int, str]:
    """Sort key of a slot: on-site "第3站 09:50" by its number, online "09:00-09:15" by its time."""
    text = slot if isinstance(slot, str) else ""
    match = re.match(r"第(\d+)站", text)
    return (int(match[1]) if match else 0, text)


def _score_public(row: Any, revision: int | None) -> dict[str, Any]:
    """A stored score (a row of its columns, or a dict) as the pages and the API show it."""
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    return {"score": float(get("score")), "items": {str(k): float(v) for k, v in (get("items") or {}).items()},
            "problems": get("problems") or "", "category": get("category") or "",
            "suggestions": get("suggestions") or "", "revision": revision}


def _cell(stations: dict[str, Any], code: str, column: str) -> str:
    """A registry text for the station ('' for a station no longer active, or a blank cell)."""
    row = stations.get(code)
    value = getattr(row, column) if row is not None else None
    return value if isinstance(value, str) else ""


def stations_and_places(*, scorer: Scorer, month: str,
                        session: Session | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The stations the scorer scores this month, in visiting order, each with the scorer's current score, and
    their registry rows by code (their places, for a page's map links); read in the caller's transaction, if it
    gives one."""
    with reading(session) as session:
        if scorer.role is ScorerRole.TEAM:
            mine = crud.team_assignments(session=session, county=scorer.county, month=month, team=scorer.name)
            listed = [{"station_code": r.station_code, "township": r.township, "mode": InspectionMode(r.mode),
                       "slot": r.slot if isinstance(r.slot, str) else None, "rank": int(r.rank)} for r in mine]
            listed.sort(key=lambda s: (s["mode"].rank, _visit_order(s["slot"]), s["rank"]))
            stations = crud.station_directory(session=session, county=scorer.county,
                                              codes=[s["station_code"] for s in listed])
        else:
            stations = crud.station_directory(session=session, county=scorer.county, township=scorer.township)
            listed = [{"station_code": code, "township": scorer.township, "mode": InspectionMode.OBSERVER,
                       "slot": None} for code in stations]
        scores = {(r.station_code, str(r.mode)): r for r in session.connection().execute(_SCORES_OF, {
            "county": scorer.county, "month": month, "scorer": scorer.name})} if listed else {}
        numbers = score_store.scorer_revisions(session=session, county=scorer.county, month=month,
                                               scorer=scorer.name) if listed else {}
    out = []
    for order, s in enumerate(listed, start=1):
        code, mode = s["station_code"], s["mode"]
        current = scores.get((code, mode.value))
        out.append({
            "station_code": code, "name": _cell(stations, code, "name"),
            "township": s["township"], "mode": mode.value, "mode_label": mode.label, "order": order,
            "slot": s["slot"], "contact": _cell(stations, code, "leader"), "phone": _cell(stations, code, "phone"),
            "score": _score_public(current, numbers.get((code, mode.value, scorer.name)))
            if current is not None else None,
        })
    return out, stations


# --- scoring ------------------------------------------------------------------------------------------------

# A phone's own key for one score (crypto.randomUUID()): a score kept offline and sent again is stored once.
CLIENT_KEY = re.compile(r"^[0-9A-Za-z-]{8,36}$")


def _problem(field: str | None, column: str | None, value: Any, reason: str) -> dict[str, Any]:
    shown = None if value is None else strip_control(str(value))[:200]
    where = f"【{column}】" if column else (field or "请求内容")
    return {"row": None, "column": column, "field": field, "value": shown, "reason": reason,
            "text": f"{where}：{reason}"}


def _from_validator(p: Problem, rubric: dict[str, float]) -> dict[str, Any]:
    column = p.column
    field = f"items.{column}" if column in rubric else COLUMN_FIELDS.get(column or "", None)
    return _problem(field, column, p.value, p.message)


def _shape_problems(body: dict[str, Any], rubric: dict[str, float], scorer: Scorer) -> list[dict[str, Any]]:
    """What a score file's header and the token settle and the body must settle itself: a total or every
    rubric item, no item outside the rubric, no control characters, and the token's own scorer."""
    problems = []
    items = body.get("items") or {}
    names = "、".join(rubric)
    for name in items:
        if name not in rubric:
            problems.append(_problem(f"items.{name}", None, name, f"不是评分细则中的项目（细则：{names}）"))
    given = [n for n in rubric if n in items]
    if given and len(given) < len(rubric):
        missing = "、".join(n for n in rubric if n not in items)
        problems.append(_problem("items", None, None, f"评分细则各项须全部填写，缺少：{missing}"))
    if not items and body.get("score") is None:
        problems.append(_problem("score", H.SCORE, None, f"请填写{H.SCORE}，或按评分细则逐项打分（{names}）"))
    for key in ("problems", "category", "suggestions", "scorer"):
        value = body.get(key)
        if isinstance(value, str) and (found := control_characters(value)):
            problems.append(_problem(key, FIELDS[key], value,
                                     f"含有不可见的控制字符（{'、'.join(found)}），请删除后重新提交"))
    claimed = body.get("scorer")
    if isinstance(claimed, str) and claimed.strip() and normalize_name(claimed) != scorer.name:
        who = "检查组的评分人就是检查组本身，可不填" if scorer.role is ScorerRole.TEAM else "应为令牌持有人本人"
        problems.append(_problem("scorer", H.SCORER, claimed, f"{who}：“{scorer.name}”"))
    return problems


def score_frame(code: str, mode: InspectionMode, scorer: str, body: dict[str, Any]) -> pd.DataFrame:
    """The body as one row of a scores file, with only the columns the body carries (as a file's header)."""
    row: dict[str, Any] = {H.STATION_CODE: code, H.MODE: mode.label, H.SCORER: scorer}
    if body.get("score") is not None:
        row[H.SCORE] = body["score"]
    row |= dict(body.get("items") or {})
    for key in ("problems", "category", "suggestions"):
        row[FIELDS[key]] = body.get(key) or ""
    frame = pd.DataFrame([row | {ROW: 1}]).astype(object)
    frame.attrs["found"] = set(row)
    return frame


class ScoresClosed(Refused):
    """The month's circular is compiled: its scores are final (409 on the API, a refused file)."""

    def __init__(self, month: str, compiling: bool = False):
        super().__init__(closed_message(month, compiling=compiling), 409)


def ensure_open(session: Session, county: str, month: str) -> None:
    """ScoresClosed once the month's circular is compiled, or being compiled (store.closing)."""
    if (why := closing.state(session, county, month)) is not None:
        raise ScoresClosed(month, compiling=why == closing.COMPILING)


def keep_scores(*, session: Session, county: str, month: str, scores: ScoreRows, now: datetime) -> list[dict[str, Any]]:
    """Store validated score rows, the one write of a score for the file, the API and the phone pages: refused
    (ScoresClosed) once the month's circular is compiled; each row that changes the stored score gets a revision
    by its actor and is stored, an identical one writes nothing. Returns the rows stored."""
    ensure_open(session, county, month)
    rows = scores.rows
    # The audit trail first: it compares each row with the score stored before.
    revisions = score_store.record_revisions(session=session, county=county, month=month, rows=rows,
                                             actors=scores.actors, at=now)
    changed = {(r.station_code, str(r.mode), r.scorer) for r in revisions}
    stored = [r for r in rows if (str(r["station_code"]), str(r["mode"]), str(r["scorer"])) in changed]
    crud.save_scores(session=session, county=county, month=month, rows=stored, source_ref=scores.source_ref)
    return stored


def _receipt(session: Session, scorer: Scorer, client_key: str) -> ScoreReceipt | None:
    return session.exec(select(ScoreReceipt).where(ScoreReceipt.county == scorer.county,
                                                   ScoreReceipt.client_key == client_key)).first()


def score_station(station: ScoredStation, body: dict[str, Any], *, now: datetime,
                  client_key: str | None = None) -> Outcome:
    """Validate and store the scorer's score of a station (already known to be theirs, in `station.mode`).

    200 with the stored score (`changed` false when it equals the current one: nothing is written); 409 once
    the month's circular exists; 422 with one problem per field otherwise wrong. A `client_key` (the phone's
    id of this score, see CLIENT_KEY) already received answers 200 with the stored score and writes nothing,
    even when a later score has changed it since; the same key for another station is a 409. Requests racing
    for the same revision number or key: each one that loses is tried again, as if it had come after the winner.
    """
    if client_key is not None and not CLIENT_KEY.match(client_key):
        return Outcome(422, {"code": "rejected", "message": REJECTED, "problems": [
            _problem("client_key", None, client_key, "评分编号格式不对（8～36个字母、数字或连字符）")]})
    # Phones correcting one station at once take turns (score_store.lock_score); a race on a client key, or
    # with a scores file, is retried.
    for _ in range(RACE_ATTEMPTS - 1):
        try:
            return _score_station(station, body, now, client_key)
        except IntegrityError:
            continue
    return _score_station(station, body, now, client_key)


RACE_ATTEMPTS = 3


def _score_station(station: ScoredStation, body: dict[str, Any], now: datetime, client_key: str | None) -> Outcome:
    scorer, month, code, mode = station.scorer, station.month, station.code, station.mode
    with transaction() as session:
        score_store.lock_score(session=session, county=scorer.county, month=month, code=code, mode=mode.value,
                               scorer=scorer.name)
        receipt = _receipt(session, scorer, client_key) if client_key is not None else None
        if receipt is not None:
            if (receipt.month, receipt.station_code, receipt.scorer) != (month, code, scorer.name):
                return Outcome(409, {"code": "conflict", "problems": [], "message":
                                     f"评分编号 {client_key} 已用于{receipt.station_code}的评分，请换一个编号"})
            stored = session.exec(select(InspectionScore).where(
                InspectionScore.county == scorer.county, InspectionScore.month == month,
                InspectionScore.station_code == code, InspectionScore.mode == mode,
                InspectionScore.scorer == scorer.name)).first()
            number = score_store.latest_revisions(session=session, county=scorer.county, month=month,
                                                  codes=[code]).get((code, mode.value, scorer.name))
            return Outcome(200, {"station_code": code, "month": month, "mode": mode.value, "scorer": scorer.name,
                                 **_score_public(stored, number), "changed": False}, replay=True)
        try:
            ensure_open(session, scorer.county, month)
        except ScoresClosed as exc:
            return Outcome(409, {"code": "conflict", "message": exc.message, "problems": []})
        rubric = dict(crud.load_profile_of(session=session, county=scorer.county).scoring.rubric_pairs)
        problems = _shape_problems(body, rubric, scorer)
        if not problems:
            validated = validate_scores(score_frame(code, mode, scorer.name, body), SOURCE,
                                        stations=code_index([code]), rubric=list(rubric.items()))
            problems = [_from_validator(p, rubric) for p in validated.problems]
        if problems:
            return Outcome(422, {"code": "rejected", "message": REJECTED, "problems": problems})
        row = {k: v for k, v in validated.units[next(iter(validated.units))][0].items() if k != ROW}
        revisions = keep_scores(session=session, county=scorer.county, month=month,
                                scores=ScoreRows([row], [scorer.actor], f"api:{scorer.actor}"), now=now)
        if client_key is not None:  # recorded even when the score is unchanged: a late replay never overwrites
            session.add(ScoreReceipt(county=scorer.county, client_key=client_key, month=month, station_code=code,
                                     mode=mode, scorer=scorer.name, at=now))
        session.flush()  # a racing request's revision or key fails here, inside the retry
        number = score_store.latest_revisions(session=session, county=scorer.county, month=month,
                                              codes=[code]).get((code, mode.value, scorer.name))
    return Outcome(200, {"station_code": code, "month": month, "mode": mode.value, "scorer": scorer.name,
                         **_score_public(row, number), "changed": bool(revisions)})


def revisions_for(*, scorer: Scorer, month: str, code: str, mode: InspectionMode) -> list[dict[str, Any]]:
    """The scorer's revisions of the station's score, oldest first."""
    with transaction(read_only=True) as session:
        rows = score_store.revisions_of(session=session, county=scorer.county, month=month, station_code=code,
                                        mode=mode.value, scorer=scorer.name)
    return [{"revision": r.revision, **{k: v for k, v in _score_public(r.model_dump(), r.revision).items()
                                        if k != "revision"},
             "actor": r.actor, "at": r.at} for r in rows]


def scores_by(*, scorer: Scorer, session: Session | None = None) -> list[dict[str, Any]]:
    """Every score the scorer holds, newest month first, each with its station's name."""
    with reading(session) as session:
        rows = session.connection().execute(_SCORES_BY[scorer.role is ScorerRole.OBSERVER],
                                            {"county": scorer.county, "scorer": scorer.name}).all()
        out = [{"month": r.month, "station_code": r.station_code, "name": r.name or "", "mode": str(r.mode),
                **_score_public(r, None)} for r in rows]
    return sorted(out, key=lambda s: (s["month"], s["station_code"]), reverse=True)
