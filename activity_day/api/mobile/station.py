"""The station's page: this month's checklist, its plan (add, edit, submit), its lecture orders (宣讲点单, when the
official plan has a menu), check-in and check-out with photos on the day, and its findings with the 整改报告 form. Plans go through `submit_plan`, the mini program's path, so the
page shows the plans file's own validation messages, each next to its field."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import zip_longest
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup, escape
from pydantic import ValidationError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from activity_day.api.auth import Station, clock
from activity_day.api.evidence import EvidenceCreate
from activity_day.api.mobile import kept, lecture_orders
from activity_day.api.mobile.pages import (
    CSRF_FIELD,
    CSRF_HEADER,
    EXPIRED,
    FORBIDDEN,
    INVALID_LINK,
    SECURITY_HEADERS,
    cn_date,
    cookie_token,
    csrf_ok,
    csrf_token,
    enter,
    fragment,
    is_month,
    local_today,
    month_form,
    page_handler,
    redirect_with_flash,
    refusal_json,
    refusal_page,
    render,
    shown,
    split_problems,
    take_flash,
)
from activity_day.domain.codes import finding_number
from activity_day.domain.lateness import deadline_of
from activity_day.domain.lectures import LectureRef
from activity_day.domain.months import TZ, next_month, this_month
from activity_day.errors import Refused
from activity_day.models.enums import ActionKind, PracticeTask
from activity_day.services import findings
from activity_day.services.evidence import EvidenceRefused, receive_photo, record_evidence, records_of
from activity_day.services.lecture_ratings import STATION_RATER
from activity_day.services.submissions import FIELDS, last_accepted_at, station_for_token, submit_plan
from activity_day.store import crud
from activity_day.store.database import transaction
from activity_day.store.reading import reading

router = APIRouter()
PLAN_KEYS = ("name", "task", "action_kind", "start_time", "location", "expected_participants", "checklist_code",
             "volunteer_team")
LABELS = {key: FIELDS[key] for key in PLAN_KEYS}
FINDING_STATUS = {"open": "待整改", "answered": "待审核", "accepted": "已销号", "overdue": "已逾期"}
MAX_PHOTO_FORM = 9
UID = re.compile(r"[0-9A-Za-z_-]{1,32}")  # a planned activity's stable identity as the page names it


def _station(token: str | None, session: Session | None = None) -> Station | None:
    if not token:
        return None
    with reading(session) as session:
        row = station_for_token(session=session, token=token)
        return Station(county=row.county, code=row.station_code) if row is not None else None


def page_month(county: str, now: datetime, session: Session | None = None) -> str:
    """The month a station works on: next month once its official plan is out, else this month."""
    this, following = this_month(now), next_month(now)
    with reading(session) as session:
        return following if crud.cached_plan_content(session=session, county=county, month=following) else this


# A plan row's three lists, rendered once per list rather than once per row: (value, text, whether the option
# carries the value as an attribute).
TASK_OPTIONS = tuple((t.value, t.value, False) for t in PracticeTask)
KIND_OPTIONS = tuple((k.value, k.value, False) for k in ActionKind)


@lru_cache(maxsize=64)
def _option_parts(items: tuple[tuple[str, str, bool], ...]) -> tuple[tuple[str, str, str], ...]:
    return tuple((value, "<option" + (f' value="{escape(value)}"' if attribute else ""), f">{escape(text)}</option>")
                 for value, text, attribute in items)


def options(items: tuple[tuple[str, str, bool], ...], selected: str | None) -> Markup:
    """The <option>s of a select, the one whose value is `selected` marked so."""
    return Markup("".join(f"{head}{' selected' if value == selected else ''}{tail}"
                          for value, head, tail in _option_parts(items)))


@lru_cache(maxsize=4096)
def _plan_row(i: int, values: tuple[str, ...], errors: tuple[tuple[str, str], ...],
              code_options: tuple[tuple[str, str, bool], ...]) -> Markup:
    row = dict(zip(PLAN_KEYS, values, strict=True))
    return fragment("_plan_row.html", i=i, row=row, errors={(i, key): text for key, text in errors}, labels=LABELS,
                    options=options, task_options=TASK_OPTIONS, kind_options=KIND_OPTIONS, code_options=code_options)


def plan_row(i: int, row: dict[str, str], errors: dict[tuple[int, str], str],
             code_options: tuple[tuple[str, str, bool], ...]) -> Markup:
    """One activity row of the plan form as HTML. A row is the same HTML whenever its position, values, errors
    and the month's checklist codes are: rendered once per process and kept (most of a page's rendering was its
    ten rows, each with three lists)."""
    mine = tuple(sorted((key, text) for (n, key), text in errors.items() if n == i))
    return _plan_row(i, tuple(str(row.get(key, "")) for key in PLAN_KEYS), mine, code_options)


def _blank_row() -> dict[str, str]:
    return dict.fromkeys(PLAN_KEYS, "")


def stored_rows(county: str, code: str, month: str, session: Session | None = None) -> list[dict[str, str]]:
    """The station's stored plan as form rows (text as typed), each with its activity's stable identity (`uid`,
    which the check-in queue names)."""
    with reading(session) as session:
        mine = crud.station_activities(session=session, county=county, month=month, station=code)
    return [{"uid": r.uid, "name": r.name, "task": r.task, "action_kind": r.action_kind,
             "start_time": r.start_time.strftime("%Y-%m-%dT%H:%M"), "location": r.location,
             "expected_participants": str(int(r.expected_participants)),
             "checklist_code": r.checklist_code or "", "volunteer_team": r.volunteer_team or ""} for r in mine]


@dataclass(frozen=True)
class PageState:
    """What the station's page shows beside what is stored: the plan's rows as typed and their messages (a refused
    or growing plan), the last action's notice, a refused lecture form, a refused 整改报告."""

    rows: list[dict[str, str]] | None = None
    errors: dict[tuple[int, str], str] | None = None
    plan_problems: list[str] | None = None
    notice: dict[str, Any] | None = None
    lectures: lecture_orders.RefusedForm | None = None
    report_failed: dict[str, Any] | None = None


def _context(station: Station, token: str, month: str, now: datetime, state: PageState = PageState(),
             session: Session | None = None) -> dict[str, Any]:
    """What station.html shows, read in one transaction (the caller's, if it gives one)."""
    rows, errors, plan_problems, notice = state.rows, state.errors, state.plan_problems, state.notice
    with reading(session) as session:
        me = crud.station_entry(session=session, county=station.county, code=station.code)
        content = crud.cached_plan_content(session=session, county=station.county, month=month)
        profile = crud.load_profile_of(session=session, county=station.county)
        mine = crud.station_plan(session=session, county=station.county, month=month, station=station.code)
        stored = stored_rows(station.county, station.code, month, session=session)
        submitted = None
        if mine is not None:
            at = last_accepted_at(session=session, county=station.county, station=station.code, month=month)
            submitted = {"late": bool(mine.late), "count": int(mine.activity_count), "channel": str(mine.channel),
                         "at": (at or "")[:16].replace("T", " ")}
        records = records_of(county=station.county, station_code=station.code, month=month,
                             session=session) if stored else []
        found = findings.list_findings(station.county, station=station.code, as_of=local_today(now), session=session) \
            if findings.station_has_findings(station.county, station.code, session) else None
        ordering = lecture_orders.section(station.county, station.code, month, content, state.lectures,
                                          session=session)
    deadline = deadline_of(content, profile.intake.deadline_time) if content is not None else None
    return {
        "station": {"code": station.code, "county": station.county, "name": me.name if me is not None else station.code,
                    "township": me.township if me is not None else ""},
        "month": month, "month_cn": f"{int(month[:4])}年{int(month[5:])}月",
        "plan": content, "activity_date_cn": cn_date(content.activity_date) if content else "",
        "deadline_cn": deadline.astimezone(TZ).strftime("%Y年%-m月%-d日 %H:%M") if deadline else "",
        "past_deadline": deadline is not None and now > deadline,
        "is_activity_day": content is not None and local_today(now) == content.activity_date,
        "codes": [(i.code, i.title, i.required) for b in content.checklist for i in b.items] if content else [],
        "rows": rows if rows is not None else (stored or [_blank_row()]),
        "stored": stored, "submitted": submitted,
        "errors": errors or {}, "plan_problems": plan_problems or [], "notice": notice,
        "report_failed": state.report_failed or {},
        "labels": LABELS, "tasks": [t.value for t in PracticeTask], "kinds": [k.value for k in ActionKind],
        "plan_row": plan_row,
        "code_options": tuple((i.code, f"{i.code} {i.title}{'（必）' if i.required else ''}", True)
                              for b in content.checklist for i in b.items) if content else (),
        "records": records, "submission_id": new_submission_id(),
        "findings": findings.public_rows(found) if found is not None and len(found) else [], "finding_status": FINDING_STATUS,
        "lectures": ordering,
        "csrf": csrf_token(token), "max_photos": MAX_PHOTO_FORM,
        "max_photo_mb": profile.evidence.max_photo_bytes // (1024 * 1024),
    }


def new_submission_id() -> str:
    return f"h5-{uuid.uuid4().hex}"


def _resolve(request: Request) -> tuple[Station | None, str]:
    token = cookie_token(request, "station") or ""
    return _station(token), token


def flash_notice(flash: dict[str, Any] | None) -> dict[str, Any] | None:
    """The line a station's last action left (the server's flash, never the URL), and the part of the page it
    belongs in: the one the page jumps to, so the holder sees it where they look."""
    if flash is None:
        return None
    what, code = flash.get("what"), str(flash.get("code") or "")[:20]
    texts = {"plan": ("plan", "活动计划已报送"),
             "ordered": (f"menu-{code}", f"宣讲点单已提交（{code}），派单后可在此查看宣讲队"),
             "rated": (f"rating-{code}", f"宣讲评价已保存（{code}）"),
             "report": (f"finding-{code}", "整改报告已报送，等待县文明办审核")}
    if what not in texts:
        return None
    where, text = texts[what]
    return {"where": where, "text": text}


@router.get("/m/station")
@page_handler
def station_page(request: Request, now: Annotated[datetime, Depends(clock)],
                 t: str | None = None, month: str | None = None) -> Response:
    if t is not None:
        return enter(request, "station", t) if _station(t) is not None else refusal_page(401, INVALID_LINK)
    token = cookie_token(request, "station") or ""
    with transaction(read_only=True) as session:  # one read for the whole page
        station = _station(token, session)
        if station is None:
            return refusal_page(401, INVALID_LINK)
        month = month if month and is_month(month) else page_month(station.county, now, session)
        notice = flash_notice(take_flash(request, token, "station"))
        context = _context(station, token, month, now, PageState(notice=notice), session=session)
    if notice is not None:  # a page after an action, seen once: rendered for this answer alone
        return shown(request, render("station.html", **context))
    # Kept per process under what it shows; the submission id is new in every answer (two views of one page never
    # share an idempotency key).
    del context["submission_id"]
    return shown(request, kept.page(request, "station.html", context, fresh=("submission_id", new_submission_id)))


def rows_from_form(form: Any) -> list[dict[str, str]]:
    """The form's activity rows, in order, without the blank ones and those ticked for removal. The start time
    comes as a date and a time (two fields, which hold at a large font), or as one `start_time`."""
    columns = {key: form.getlist(key) for key in PLAN_KEYS}
    days, clocks = form.getlist("start_date"), form.getlist("start_clock")
    if days or clocks:
        columns["start_time"] = [f"{d.strip()}T{c.strip()}" if d.strip() and c.strip() else (d or c).strip()
                                 for d, c in zip_longest(days, clocks, fillvalue="")]
    removed = set(form.getlist("remove"))
    count = max((len(v) for v in columns.values()), default=0)
    rows = []
    for i in range(count):
        row = {key: (columns[key][i] if i < len(columns[key]) else "").strip() for key in PLAN_KEYS}
        if str(i) in removed or not any(row.values()):
            continue
        rows.append(row)
    return rows


def _problems(body: dict[str, Any]) -> tuple[dict[tuple[int, str], str], list[str]]:
    """The service's problems: those of a field next to it (row index, key), the rest at the top."""

    def place(p: dict[str, Any]) -> tuple[int, str] | None:
        parts = (p.get("field") or "").split(".")
        if len(parts) == 3 and parts[0] == "activities" and parts[1].isdigit() and parts[2] in PLAN_KEYS:
            return int(parts[1]), parts[2]
        return None

    return split_problems(body.get("problems", []), place, body.get("message", ""))


async def _station_form(request: Request) -> tuple[Any, str, Any, str, Response | None]:
    """The station holding the cookie, its token and a page form's fields and month; else the refusal page."""
    station, token = _resolve(request)
    if station is None:
        return None, token, None, "", refusal_page(401, INVALID_LINK)
    form, month, refused = await month_form(request, token)
    return station, token, form, month, refused


@router.post("/m/station/plan")
async def post_plan(request: Request, now: Annotated[datetime, Depends(clock)]) -> Response:
    station, token, form, month, refused = await _station_form(request)
    if refused is not None:
        return refused
    rows = rows_from_form(form)
    if form.get("action") == "add":
        return render("station.html", **await run_in_threadpool(
            _context, station, token, month, now, PageState(rows=rows + [_blank_row()])))
    outcome = await run_in_threadpool(
        lambda: submit_plan(county=station.county, station_code=station.code, month=month,
                            submission_id=str(form.get("submission_id") or f"h5-{uuid.uuid4().hex}"),
                            activities=rows, now=now))
    if outcome.http_status == 200:
        return redirect_with_flash(request, f"/m/station?month={month}#plan", token, "station", what="plan")
    errors, top = _problems(outcome.body)
    state = PageState(rows=rows or [_blank_row()], errors=errors, plan_problems=top)
    context = await run_in_threadpool(_context, station, token, month, now, state)
    return render("station.html", status=outcome.http_status, **context)


@router.post("/m/station/lectures")
async def post_lecture_order(request: Request, now: Annotated[datetime, Depends(clock)]) -> Response:
    """Order one item of the lecture menu, or change its order; a refusal shows the messages by the fields."""
    station, token, form, month, refused = await _station_form(request)
    if refused is not None:
        return refused
    code, typed = lecture_orders.typed_of(form)
    status, errors, top = await run_in_threadpool(
        lecture_orders.place, LectureRef(station.county, month, station.code, code), typed, now)
    if status == 200:
        return redirect_with_flash(request, f"/m/station?month={month}#menu-{code}", token, "station",
                                   what="ordered", code=code)
    again = PageState(lectures=lecture_orders.RefusedForm(code, typed, errors, top))
    return render("station.html", status=status, **await run_in_threadpool(_context, station, token, month, now, again))


@router.post("/m/station/ratings")
async def post_lecture_rating(request: Request, now: Annotated[datetime, Depends(clock)]) -> Response:
    """Rate (评单) one of the station's lectures that had a team, or change the rating; a refusal shows the
    messages by the fields."""
    station, token, form, month, refused = await _station_form(request)
    if refused is not None:
        return refused
    code, typed = lecture_orders.rating_typed_of(form)
    status, errors, top = await run_in_threadpool(
        lecture_orders.rate, LectureRef(station.county, month, station.code, code), STATION_RATER, typed, code, now)
    if status == 200:
        return redirect_with_flash(request, f"/m/station?month={month}#rating-{code}", token, "station",
                                   what="rated", code=code)
    again = PageState(lectures=lecture_orders.RefusedForm(code, typed, errors, top, rating=True))
    return render("station.html", status=status, **await run_in_threadpool(_context, station, token, month, now, again))


# --- the day: photos and check-in/out (called by static/station.js) -------------------------------------------

def _json_guard(request: Request) -> tuple[Station | None, Response | None]:
    station, token = _resolve(request)
    if station is None:
        return None, refusal_json(401, INVALID_LINK)
    if not csrf_ok(token, request.headers.get(CSRF_HEADER)):
        return None, refusal_json(403, "页面已过期，请刷新后重试")
    return station, None


@router.post("/m/station/photos")
async def post_photo(request: Request, now: Annotated[datetime, Depends(clock)]) -> Response:
    """One photo (multipart field `file`); the same checks of type and size as the API's upload."""
    station, refused = _json_guard(request)
    if refused is not None or station is None:
        return refused or refusal_json(401, INVALID_LINK)
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        return refusal_json(422, "请选择照片")
    data = await upload.read()
    try:
        facts = await run_in_threadpool(
            lambda: receive_photo(county=station.county, station_code=station.code, data=data, now=now))
    except EvidenceRefused as exc:
        return refusal_json(exc.status, exc.message, exc.problems)
    return Response(json.dumps({"sha256": facts["sha256"], "stored": facts["stored"]}),
                    media_type="application/json", headers=SECURITY_HEADERS)


@router.post("/m/station/evidence")
async def post_evidence(request: Request, now: Annotated[datetime, Depends(clock)]) -> Response:
    """A check-in or check-out, once per client id (a resend after a lost answer returns the stored record)."""
    station, refused = _json_guard(request)
    if refused is not None or station is None:
        return refused or refusal_json(401, INVALID_LINK)
    try:
        raw = await request.json()
        month = str(raw.pop("month", ""))
        uid = str(raw.pop("activity_uid", "") or "")  # the page's queue names the activity itself
        body = EvidenceCreate.model_validate(raw)
    except (ValueError, ValidationError, AttributeError):
        return refusal_json(422, "签到内容有误，请刷新页面后重试")
    if not is_month(month):
        return refusal_json(422, "月份不对，请刷新页面")
    if uid and not UID.fullmatch(uid):
        return refusal_json(422, "活动编号不对，请刷新页面后重新签到")
    try:
        outcome = await run_in_threadpool(lambda: record_evidence(
            county=station.county, station_code=station.code, month=month,
            body=body.model_dump() | {"activity_uid": uid or None}, now=now))
    except EvidenceRefused as exc:
        return refusal_json(exc.status, exc.message, exc.problems)
    record = outcome.body
    return Response(json.dumps({"verdict": record["verdict"], "reasons": record["reasons"],
                                "taken_at": record["taken_at"], "kind": record["kind"]}, ensure_ascii=False),
                    media_type="application/json", headers=SECURITY_HEADERS)


# --- findings: the 整改报告 form -------------------------------------------------------------------------------

@router.post("/m/station/findings/{finding_id}")
async def post_report(finding_id: str, request: Request, now: Annotated[datetime, Depends(clock)]) -> Response:
    """A 整改报告 through `findings.report`, the API's service: the same refusals (a blank text or control
    characters, a photo not the station's own, an accepted finding). Editing a report waiting for review keeps its
    photos, adding new ones, unless the station ticks 删除原有照片."""
    station, token = _resolve(request)
    if station is None:
        return refusal_page(401, INVALID_LINK)
    form = await request.form()
    if not csrf_ok(token, form.get(CSRF_FIELD)):  # type: ignore[arg-type]
        return refusal_page(403, EXPIRED)
    # Read as the API reads it (domain.codes: `１２` is 12); an id that cannot be a finding is nobody's, answered
    # like another station's.
    number = finding_number(finding_id) or 0
    text = str(form.get("report") or "")
    photos = [s for s in str(form.get("photos") or "").split(",") if s][:MAX_PHOTO_FORM]
    month = str(form.get("month") or "")
    month = month if is_month(month) else await run_in_threadpool(page_month, station.county, now)
    try:
        sent = findings.StationReport(text, photos, at=now, actor=f"所站{station.code}",
                                      keep_photos=not form.get("remove_photos"))
        await run_in_threadpool(lambda: findings.report(station.county, station.code, number, sent))
    except findings.UnknownFinding:
        return refusal_page(403, FORBIDDEN, back=f"/m/station?month={month}#findings")
    except Refused as exc:  # 422 the text, 409 a photo not uploaded or a finding that takes no report
        # The station's page again, the reason under the report it sent and what it typed kept (the form's address
        # takes the page to that finding).
        failed = {"id": number, "text": text,
                  "reason": "；".join(p["reason"] for p in exc.problems) if exc.problems else exc.message}
        context = await run_in_threadpool(lambda: _context(station, token, month, now, PageState(report_failed=failed)))
        return render("station.html", status=exc.status, **context)
    return redirect_with_flash(request, f"/m/station?month={month}#finding-{number}", token, "station",
                               what="report", code=str(number))
