"""The speaker's page: the lectures of the month whose micro team holds the speaker (and those the speaker
declined), each with the station, the day, the menu item, the team and its state, and 接单 / 谢绝 buttons.

Answers go through `services.lectures.answer`, the API's path: a decline re-forms that one team and the page shows
the new team (or why none could be formed); a lecture that is not the speaker's is a bare 403; an answer that
comes too late (the lecture already rated, or a confirmation after a decline) is 409 with its message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from activity_day.api.auth import clock
from activity_day.api.mobile.pages import (
    CSRF_FIELD,
    FORBIDDEN,
    INVALID_LINK,
    cn_date,
    cookie_token,
    csrf_ok,
    csrf_token,
    enter,
    is_month,
    page_handler,
    redirect_with_flash,
    refusal_page,
    render,
    shown,
    take_flash,
)
from activity_day.api.mobile.station import page_month
from activity_day.domain.codes import normalize_code
from activity_day.domain.lectures import LectureRef
from activity_day.errors import MissingPrerequisite
from activity_day.services.lectures import (
    FORMED,
    STATUS_CN,
    AnswerRefused,
    SpeakerHolder,
    answer,
    lectures_of_speaker,
    speaker_for_token,
)
from activity_day.store import crud
from activity_day.store import lectures as lecture_store
from activity_day.store.database import transaction

router = APIRouter()


def _speaker(token: str | None) -> SpeakerHolder | None:
    if not token:
        return None
    with transaction(read_only=True) as session:
        return speaker_for_token(session=session, token=token)


def _lectures(speaker: SpeakerHolder, month: str) -> list[dict[str, Any]]:
    """The speaker's lectures as the page shows them."""
    with transaction(read_only=True) as session:
        stations = crud.stations_frame(session=session, county=speaker.county).set_index("code")
        pool = lecture_store.pool_frame(session=session, county=speaker.county).set_index("code")
        plan = crud.get_plan(session=session, county=speaker.county, month=month, version=2)
        content = crud.plan_content(plan) if plan is not None else None
    titles = {m.code: m.title for m in (content.lecture_menu or [])} if content is not None else {}
    shown = []
    for r in lectures_of_speaker(speaker.county, month, speaker.code):
        on_team = speaker.code in {m["code"] for m in r["team"]}
        shown.append({
            "station": r["station"], "menu_code": r["menu_code"], "title": titles.get(r["menu_code"], ""),
            "station_name": stations.loc[r["station"], "name"] if r["station"] in stations.index else r["station"],
            "township": r["township"], "date_cn": cn_date(date.fromisoformat(r["date"])), "audience": r["audience"],
            "team": [{"code": m["code"], "name": pool.loc[m["code"], "name"] if m["code"] in pool.index else "",
                      "township": m["township"], "me": m["code"] == speaker.code,
                      "confirmed": m["code"] in r["confirmed"]} for m in r["team"]],
            "status": r["status"], "status_cn": STATUS_CN.get(r["status"], r["status"]),
            "reason": r["reason"], "suggestion": r["suggestion"], "on_team": on_team,
            "confirmed": speaker.code in r["confirmed"], "declined": not on_team,
            "answerable": on_team and r["status"] in FORMED and r["status"] != "delivered",
        })
    return shown


def _notice(lectures: list[dict[str, Any]], answered: str | None, key: str | None) -> tuple[str, str]:
    """The line after an answer, from the lecture's state now: (text, "ok" or "bad")."""
    if answered not in ("accept", "decline") or not key:
        return "", ""
    found = next((lec for lec in lectures if f"{lec['station']}/{lec['menu_code']}" == key), None)
    if found is None:
        return "", ""
    what = f"{found['station_name']}的{found['menu_code']}宣讲（{found['date_cn']}）"
    if answered == "accept":
        return f"已接单：{what}", "ok"
    if found["status"] == "unserved":
        return f"已谢绝{what}。这场宣讲暂时无法重新组队：{found['reason']}", "ok"
    team = "、".join(f"{m['name'] or m['code']}" for m in found["team"]) or "—"
    return f"已谢绝{what}，已重新组建宣讲队：{team}", "ok"


@dataclass(frozen=True)
class CardNote:
    """What the page says in one lecture's card (`key`): the answer just taken (`answered`, "accept" or
    "decline"), or its refusal (`problem`); `confirm` names the lecture whose 谢绝 waits for the speaker's
    confirmation."""

    answered: str | None = None
    key: str | None = None
    problem: str = ""
    confirm: str | None = None


def _context(speaker: SpeakerHolder, token: str, month: str, note: CardNote = CardNote()) -> dict[str, Any]:
    """The page; the line after an answer (or its refusal) goes in the card of that lecture, where the page jumps,
    and `note.confirm` names the lecture whose 谢绝 waits for the speaker's confirmation."""
    answered, key, problem, confirm = note.answered, note.key, note.problem, note.confirm
    with transaction(read_only=True) as session:
        pool = lecture_store.pool_frame(session=session, county=speaker.county).set_index("code")
    lectures = _lectures(speaker, month)
    text, kind = (problem, "bad") if problem else _notice(lectures, answered, key)
    keys = {f"{lec['station']}/{lec['menu_code']}" for lec in lectures}
    notice = {"where": key if key in keys else "top", "text": text, "kind": kind} if text else None
    return {"speaker": {"code": speaker.code, "township": speaker.township,
                        "name": pool.loc[speaker.code, "name"] if speaker.code in pool.index else speaker.code},
            "month": month, "month_cn": f"{int(month[:4])}年{int(month[5:])}月", "lectures": lectures,
            "notice": notice, "confirm": confirm, "csrf": csrf_token(token)}


def _resolve(request: Request) -> tuple[SpeakerHolder | None, str]:
    token = cookie_token(request, "speaker") or ""
    return _speaker(token), token


@router.get("/m/speaker")
@page_handler
def speaker_page(request: Request, now: Annotated[datetime, Depends(clock)], t: str | None = None,
                 month: str | None = None) -> Response:
    if t is not None:
        return enter(request, "speaker", t) if _speaker(t) is not None else refusal_page(401, INVALID_LINK)
    speaker, token = _resolve(request)
    if speaker is None:
        return refusal_page(401, INVALID_LINK)
    month = month if month and is_month(month) else page_month(speaker.county, now)
    flash = take_flash(request, token, "speaker") or {}  # what the last answer did: the server's word, not the URL's
    note = CardNote(answered=flash.get("answered"), key=flash.get("order"))
    return shown(request, render("speaker.html", **_context(speaker, token, month, note)))


@router.post("/m/speaker/answer")
async def post_answer(request: Request, now: Annotated[datetime, Depends(clock)]) -> Response:
    """接单 (accept=1) or 谢绝 (accept=0) one lecture."""
    speaker, token = _resolve(request)
    if speaker is None:
        return refusal_page(401, INVALID_LINK)
    form = await request.form()
    if not csrf_ok(token, form.get(CSRF_FIELD)):  # type: ignore[arg-type]
        return refusal_page(403, "页面已过期，请刷新后重试")
    month = str(form.get("month") or "")
    station, menu_code = normalize_code(form.get("station"))[:20], normalize_code(form.get("menu_code"))[:20]
    accept = str(form.get("accept") or "")
    if not is_month(month) or accept not in ("0", "1"):
        return refusal_page(422, "内容有误，请刷新页面后重试", back="/m/speaker")
    key = f"{station}/{menu_code}"
    if accept == "0" and form.get("confirmed") != "1":
        # 谢绝 cannot be taken back (the team is formed again without the speaker): ask first, in the lecture's card.
        context = await run_in_threadpool(lambda: _context(speaker, token, month, CardNote(confirm=key)))
        return render("speaker.html", **context)
    try:
        await run_in_threadpool(lambda: answer(LectureRef(speaker.county, month, station, menu_code), speaker.code,
                                               accept == "1", now=now))
    except MissingPrerequisite:
        return refusal_page(404, "该月没有宣讲安排", back=f"/m/speaker?month={month}")
    except AnswerRefused as exc:
        if exc.status == 403:  # not theirs, or no such lecture: the same bare refusal either way
            return refusal_page(403, FORBIDDEN, back=f"/m/speaker?month={month}")
        context = await run_in_threadpool(_context, speaker, token, month, CardNote(key=key, problem=str(exc)))
        return render("speaker.html", status=exc.status, **context)
    done = "accept" if accept == "1" else "decline"
    return redirect_with_flash(request, f"/m/speaker?{urlencode({'month': month})}#{card_id(station, menu_code)}",
                               token, "speaker", answered=done, order=key)


def card_id(station: str, menu_code: str) -> str:
    return f"l-{station}-{menu_code}"
