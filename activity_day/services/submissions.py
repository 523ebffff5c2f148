"""Station plans submitted through the API: idempotent by submission id, validated like the plans file."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from activity_day.context import current
from activity_day.domain.hashing import sha256_hex
from activity_day.domain.lateness import past_deadline
from activity_day.domain.months import TZ
from activity_day.domain.names import control_characters, strip_control
from activity_day.domain.outcomes import Outcome
from activity_day.domain.tokens import default_expiry, is_live
from activity_day.intake import PLANS, H, Problem, code_index
from activity_day.models import Station, StationToken, Submission
from activity_day.models.enums import Channel, SubmissionStatus
from activity_day.services import plans
from activity_day.store import crud
from activity_day.store.database import transaction
from activity_day.store.reading import reading

# JSON field -> the plans file's column, so the API and the file share one validator.
FIELDS = {
    "name": "活动名称", "task": "任务类别", "action_kind": "动作类型", "start_time": "开始时间",
    "location": "活动地点", "expected_participants": "预计参与人数", "checklist_code": "清单编号",
    "volunteer_team": "志愿服务队伍", "menu_code": "菜单编号", "brand": "特色品牌", "statement": "申报理由",
}
SOURCE = "小程序提交"
# A submission id as the API's schema takes it (`schemas.SUBMISSION_ID`, 8 to 80 characters): the phone page's
# form is held to the same.
SUBMISSION_ID = re.compile(r"[A-Za-z0-9_.:-]{8,80}")
REJECTED = "活动计划有误，请按下列各项修改后重新提交"


def token_sha256(token: str) -> str:
    return sha256_hex(token)


def issue_tokens(*, session: Session, county: str, stations: list[str], now: datetime,
                 expires_at: datetime | None = None) -> dict[str, str]:
    """New tokens for the stations (each revokes the station's earlier ones), working until `expires_at` (by
    default the end of the year); returns code -> token."""
    expires_at = expires_at or default_expiry(now)
    tokens = {}
    for code in stations:
        for old in session.exec(select(StationToken).where(
                StationToken.county == county, StationToken.station_code == code,
                StationToken.revoked_at.is_(None))).all():  # type: ignore[union-attr]
            old.revoked_at = now
        # The prefix keeps tokens recognisable and never lets one start like a spreadsheet formula.
        token = f"ad_{secrets.token_urlsafe(32)}"
        session.add(StationToken(county=county, station_code=code, token_sha256=token_sha256(token),
                                 prefix=token[3:9], issued_at=now, expires_at=expires_at))
        tokens[code] = token
    return tokens


def revoke_tokens(*, session: Session, county: str, station: str, now: datetime) -> int:
    rows = session.exec(select(StationToken).where(
        StationToken.county == county, StationToken.station_code == station,
        StationToken.revoked_at.is_(None))).all()  # type: ignore[union-attr]
    for row in rows:
        row.revoked_at = now
    return len(rows)


# Every page and API request reads these: built once, not per request (bound values as parameters).
# A page's and a request's reads: plain rows of the columns they need, not ORM objects.
_TOKEN = (select(StationToken.county, StationToken.station_code, StationToken.expires_at)
          .join(Station, (Station.county == StationToken.county) & (Station.code == StationToken.station_code))
          .where(StationToken.token_sha256 == bindparam("sha"), StationToken.revoked_at.is_(None),  # type: ignore[union-attr]
                 Station.active))
_LAST_ACCEPTED = select(Submission.response).where(
    Submission.county == bindparam("county"), Submission.station_code == bindparam("station"),
    Submission.month == bindparam("month"), Submission.status == SubmissionStatus.ACCEPTED,
).order_by(Submission.id.desc()).limit(1)  # type: ignore[union-attr]


def station_for_token(*, session: Session, token: str, now: datetime | None = None) -> Any | None:
    """The token's row (county, station_code, expires_at) if it is live (not revoked, not expired) and its station
    is still in the registry."""
    row = session.connection().execute(_TOKEN, {"sha": token_sha256(token)}).first()
    return row if row is not None and is_live(row.expires_at, now or utcnow()) else None


def activities_frame(station_code: str, activities: list[dict[str, Any]]) -> pd.DataFrame:
    """The submitted activities as rows of a plans file (row n = the nth activity)."""
    rows = [{"所站编号": station_code, **{FIELDS[k]: a.get(k) for k in FIELDS}, "_row": i}
            for i, a in enumerate(activities, start=1)]
    return pd.DataFrame(rows, columns=[*PLANS.headers, "_row"]).astype(object)


COLUMN_FIELDS = {column: key for key, column in FIELDS.items()}


def _problem_json(p: Problem) -> dict[str, Any]:
    """A problem as the API lists it; `field` names the JSON field (activities.<index>.<key>), or `activities` for
    one about the whole plan (none sent, too many)."""
    key = COLUMN_FIELDS.get(p.column or "")
    where = f"activities.{p.row - 1}.{key}" if key and p.row is not None else None
    if p.column in (None, H.STATION_CODE) and where is None:
        where = "activities"
    return {"row": p.row, "column": p.column, "field": where, "value": p.value, "reason": p.message,
            "text": p.line()}


def _whole_plan_problem(reason: str, value: str | None, field: str = "activities") -> dict[str, Any]:
    return {"row": None, "column": None, "field": field, "value": value, "reason": reason, "text": reason}


def refusal(status: SubmissionStatus, message: str, **fields: Any) -> dict[str, Any]:
    """The body of a submission answered but not stored: the API's error shape plus the submission's facts."""
    return {"code": status.value, "status": status, "message": message, "problems": [], **fields}


def as_current_shape(body: dict[str, Any]) -> dict[str, Any]:
    """A stored response in today's shape: responses stored before the error shape had no `code`, and
    their problems said `message` where they now say `reason`."""
    if body.get("status") == SubmissionStatus.ACCEPTED or "code" in body:
        return body
    message = REJECTED if body.get("status") == SubmissionStatus.REJECTED else ""
    problems = [{k: v for k, v in p.items() if k != "message"} | {"reason": p.get("message", "")}
                for p in body.get("problems", [])]
    return {"code": body.get("status"), "message": body.get("message", message), **body, "problems": problems}


def control_problems(activities: list[dict[str, Any]]) -> list[Problem]:
    """NUL and other control characters in the submitted text: each is refused, naming the field.

    A program sent them, so the program is told to fix its input (files have them removed instead).
    The value is shown without them: PostgreSQL stores no NUL, not even in the stored response.
    """
    problems = []
    for row, activity in enumerate(activities, start=1):
        for key, column in FIELDS.items():
            value = activity.get(key)
            if isinstance(value, str) and (found := control_characters(value)):
                problems.append(Problem(SOURCE, row, column, strip_control(value),
                                        f"含有不可见的控制字符（{'、'.join(found)}），请删除后重新提交"))
    return problems


def _clean(activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: strip_control(v) if isinstance(v, str) else v for k, v in a.items()} for a in activities]


def _stored(row: Submission) -> Outcome:
    return Outcome(row.http_status, as_current_shape(row.response), replay=True)


@dataclass(frozen=True)
class PlanSubmission:
    """A station's plan for the month as sent once (its `submission_id`), and when it arrived."""

    county: str
    station: str
    month: str
    submission_id: str
    activities: list[dict[str, Any]]
    now: datetime


def submit_plan(*, county: str, station_code: str, month: str, submission_id: str,
                activities: list[dict[str, Any]], now: datetime) -> Outcome:
    """Validate and store a station's plan for the month, once per submission id."""
    # Not canonical_json: stored submissions were hashed with json.dumps' default separators, and a replay
    # of one of them must still match.
    # A blank 菜单编号 (a field added later) is left out, so submissions hashed before it existed still match.
    hashed = [{k: v for k, v in a.items() if not (k == "menu_code" and v is None)} for a in activities]
    payload = sha256_hex(json.dumps(hashed, ensure_ascii=False, sort_keys=True, default=str))
    try:
        return _submit(PlanSubmission(county, station_code, month, submission_id, activities, now), payload)
    except IntegrityError:
        # The same submission id arrived twice at once and the other one won: answer as a replay.
        with transaction() as session:
            row = _find(session, county, station_code, submission_id)
            if row is None:
                raise
            return _replay(row, payload, month)


def _find(session: Session, county: str, station: str, submission_id: str) -> Submission | None:
    return session.exec(select(Submission).where(Submission.county == county, Submission.station_code == station,
                                                 Submission.submission_id == submission_id)).first()


def _replay(row: Submission, payload: str, month: str) -> Outcome:
    if row.payload_sha256 != payload or row.month != month:
        return Outcome(409, refusal(SubmissionStatus.CONFLICT, "该提交编号已用于另一份内容，请使用新的提交编号",
                                    submission_id=row.submission_id))
    return _stored(row)


def _submit(sent: PlanSubmission, payload: str) -> Outcome:
    county, station, month, submission_id = sent.county, sent.station, sent.month, sent.submission_id
    activities, now = sent.activities, sent.now
    with transaction() as session:
        existing = _find(session, county, station, submission_id)
        if existing is not None:
            return _replay(existing, payload, month)
        if crud.cached_plan_content(session=session, county=county, month=month) is None:
            return Outcome(409, refusal(SubmissionStatus.NOT_OPEN,
                                        f"{month}的集中活动日正式方案尚未印发，暂不接收活动计划",
                                        submission_id=submission_id, station_code=station, month=month))
        if not SUBMISSION_ID.fullmatch(submission_id):  # the API's own pattern, for the pages that call this too
            return Outcome(422, refusal(SubmissionStatus.REJECTED, REJECTED, submission_id=None, station_code=station,
                                        month=month) | {"problems": [_whole_plan_problem(
                                            "提交编号格式不对（8～80个字母、数字或 _ . : -），请刷新页面后重新提交", None,
                                            field="submission_id")]})
        # A control character refuses the submission (files have them removed instead): the plan is then only
        # checked, so that every problem is told at once, and nothing is stored.
        unclean = control_problems(activities)
        batch = plans.PlanBatch(frame=activities_frame(station, _clean(activities)), source=SOURCE,
                                channel=Channel.API, source_ref=f"submission:{submission_id}", received_at=now,
                                submission_id=submission_id, required=[station])
        taken = plans.take_plans(session, county=county, month=month, batch=batch, stations=code_index([station]),
                                 store=not unclean)
        base = {"submission_id": submission_id, "station_code": station, "month": month, "late": taken.late,
                "received_at": now.astimezone(TZ).isoformat(timespec="seconds")}
        if taken.refused_late:
            assert taken.deadline is not None
            outcome = Outcome(409, refusal(SubmissionStatus.REFUSED_LATE, f"{past_deadline(taken.deadline)}，不再接收",
                                           **base))
        elif unclean or taken.validated.problems:
            problems = sorted(unclean + taken.validated.problems, key=lambda p: p.row or 0)
            outcome = Outcome(422, refusal(SubmissionStatus.REJECTED, REJECTED, **base)
                              | {"problems": [_problem_json(p) for p in problems]})
        else:
            # What the plan could not change (a delivered lecture's day and audience) is said, as the file says it.
            outcome = Outcome(200, base | {"status": SubmissionStatus.ACCEPTED, "activities": len(activities),
                                           "notices": [p.message for p in taken.notices]})
        session.add(Submission(county=county, month=month, station_code=station, submission_id=submission_id,
                               payload_sha256=payload, status=outcome.body["status"], late=taken.late,
                               http_status=outcome.http_status, response=outcome.body, received_at=now))
        session.flush()  # a concurrent twin fails here, before anything of this one is committed
        return outcome


def submissions_of(*, county: str, station: str, month: str | None,
                   session: Session | None = None) -> list[dict[str, Any]]:
    """The station's submissions (of the month), in the caller's transaction if it gives one."""
    with reading(session) as session:
        query = select(Submission).where(Submission.county == county, Submission.station_code == station)
        if month:
            query = query.where(Submission.month == month)
        rows = session.exec(query.order_by(Submission.id)).all()
        return [{"submission_id": r.submission_id, "month": r.month, "status": r.status, "late": r.late,
                 "http_status": r.http_status, "received_at": r.response.get("received_at"),
                 "activities": r.response.get("activities")} for r in rows]


def last_accepted_at(*, session: Session, county: str, station: str, month: str) -> str | None:
    """When the station's last accepted submission of the month was received (as its answer says), or None: one
    row, however many times the station submitted."""
    response = session.connection().execute(_LAST_ACCEPTED,
                                            {"county": county, "station": station, "month": month}).scalar()
    return response.get("received_at") if response is not None else None


def utcnow() -> datetime:
    """Now, by the context's clock (aware, UTC)."""
    return current().now()
