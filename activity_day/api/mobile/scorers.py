"""The team's and the observer's pages: their stations (a team's in route order, with contact and a map link),
a scoring form after the profile's rubric, and an observer's own past scores. The observer's page also lists the
month's lectures with a team at the stations of its township, each with a 评价 form (1–5 and a comment, the rater
the observer) that goes through `services.lecture_ratings.rate_lecture`, the ratings API's path.

Scores are sent by static/scoring.js: each carries a key the phone made (crypto.randomUUID()) and is kept in
localStorage until the server has it, so a score made without signal is sent when the signal returns, and a
score sent twice is stored once (`score_station(client_key=…)`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from activity_day.api.auth import clock
from activity_day.api.mobile import kept, lecture_orders
from activity_day.api.mobile.pages import (
    CSRF_HEADER,
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
    map_link,
    month_form,
    page_handler,
    redirect_with_flash,
    refusal_json,
    refusal_page,
    render,
    shown,
    take_flash,
)
from activity_day.domain.codes import normalize_code
from activity_day.domain.hashing import sha256_hex
from activity_day.domain.lectures import LectureRef
from activity_day.domain.months import this_month
from activity_day.intake import LIMITS, H
from activity_day.models.enums import ScorerRole
from activity_day.services.lecture_ratings import ratings_by
from activity_day.services.lectures import STATUS_CN, lectures_in_township
from activity_day.services.scoring import (
    ScoredStation,
    Scorer,
    score_station,
    scorer_for_token,
    scores_by,
    station_mode,
    stations_and_places,
)
from activity_day.store import crud
from activity_day.store.database import transaction
from activity_day.store.reading import reading

router = APIRouter()
ROLES = {"team": ScorerRole.TEAM, "observer": ScorerRole.OBSERVER}
TEXT_FIELDS = ("problems", "category", "suggestions")


def _scorer(token: str | None, session: Session | None = None) -> Scorer | None:
    if not token:
        return None
    with reading(session) as session:
        return scorer_for_token(session=session, token=token)


def _who(request: Request, role: str, session: Session | None = None) -> tuple[Scorer | None, str, Response | None]:
    """The page's scorer from its cookie, or the refusal: 401 without a live token, 403 for the other role."""
    token = cookie_token(request, role) or ""
    scorer = _scorer(token, session)
    if scorer is None:
        return None, token, refusal_page(401, INVALID_LINK)
    if scorer.role is not ROLES[role]:
        return None, token, refusal_page(403, FORBIDDEN)
    return scorer, token, None


def _month(month: str | None, now: datetime) -> str:
    return month if month is not None and is_month(month) else this_month(now)


def lecture_key(station: str, menu_code: str) -> str:
    return f"{station}-{menu_code}"


def _lectures(scorer: Scorer, month: str, refused: lecture_orders.RefusedForm | None = None,
              names: dict[str, str] | None = None, session: Session | None = None) -> dict[str, Any]:
    """The observer's 评价 section: the township's lectures with a team this month, each with its form; a
    refusal is shown in the lecture that was sent (`refused.key`), where the page takes the holder."""
    typed = {refused.key: refused.typed} if refused is not None else None
    errors, problems = (refused.errors, refused.problems) if refused is not None else (None, None)
    failed = refused.key if refused is not None else ""
    with reading(session) as session:
        township = lectures_in_township(scorer.county, month, scorer.township, session)
        mine = ratings_by(scorer.county, month, scorer.name, session) if township else {}
    items = []
    for o in township:
        key = lecture_key(o["station"], o["menu_code"])
        rated = mine.get((o["station"], o["menu_code"]))
        items.append({"key": key, "station": o["station"], "name": (names or {}).get(o["station"], o["station"]),
                      "menu_code": o["menu_code"], "date": o["date"], "status_cn": STATUS_CN.get(o["status"], ""),
                      "rating": rated,
                      "form": lecture_orders.rating_form(o, rated, (typed or {}).get(key))})
    return {"items": items, "errors": errors or {}, "problems": problems or [],
            "labels": lecture_orders.RATING_LABELS,
            "refusal_at": failed if failed in {i["key"] for i in items} else "top"}


def holder_key(scorer: Scorer) -> str:
    """Who holds the page, for the phone's queue of unsent scores: the same team (or observer in the same
    township) under a reissued token keeps its queue; another holder on the same phone has its own. Not secret."""
    return sha256_hex(f"{scorer.county}|{scorer.role}|{scorer.name}|{scorer.township}")[:16]


@lru_cache(maxsize=4096)
def _station_card(card: str, role: str, month: str, only: str | None, rubric: tuple[tuple[str, float], ...],
                  limits: tuple[tuple[str, int], ...]) -> Markup:
    return fragment("_station_card.html", s=json.loads(card), role=role, month=month, only=only, rubric=list(rubric),
                    limits=dict(limits))


def station_card(s: dict[str, Any], role: str, month: str, only: str | None, rubric: list[tuple[str, float]],
                 limits: dict[str, int]) -> Markup:
    """One station's card with its scoring form as HTML. A card is the same HTML whenever what it shows is (the
    station, its score, the page's role, month and rubric): rendered once per process and kept (most of a team's
    or an observer's page was its cards)."""
    return _station_card(json.dumps(s, ensure_ascii=False, sort_keys=True), role, month, only,
                         tuple((name, weight) for name, weight in rubric), tuple(sorted(limits.items())))


@dataclass(frozen=True)
class Holder:
    """Who holds a scorer's page: the page's role ("team" or "observer"), the scorer and the page's token."""

    role: str
    scorer: Scorer
    token: str


def _context(holder: Holder, month: str, only: str | None = None, refused: lecture_orders.RefusedForm | None = None,
             now: datetime | None = None, session: Session | None = None) -> dict[str, Any]:
    role, scorer, token = holder.role, holder.scorer, holder.token
    whole = role == "observer" and only is None  # the observer's own page: past scores and lectures too
    with reading(session) as session:  # one read for the whole page (the caller's, if it gives one)
        profile = crud.load_profile_of(session=session, county=scorer.county)
        plan = crud.cached_plan_content(session=session, county=scorer.county, month=month)
        # The listed stations with their places; an observer's lectures are at stations of the township, all listed.
        listed, places = stations_and_places(scorer=scorer, month=month, session=session)
        past = scores_by(scorer=scorer, session=session) if whole else []
        section = _lectures(scorer, month, refused, names={code: r.name for code, r in places.items()},
                            session=session) if whole else None
    day = plan.activity_date if plan is not None else None
    if only is not None:
        listed = [s for s in listed if s["station_code"] == only]
    for s in listed:
        place = places.get(s["station_code"])
        lon, lat = (place.longitude, place.latitude) if place is not None else (None, None)
        s["map"] = map_link(s["name"], s["township"], None if lon is None else float(lon),
                            None if lat is None else float(lat))
    rubric = profile.scoring.rubric_pairs
    return {
        "role": role, "role_cn": "检查组" if role == "team" else "文明观察员", "scorer": scorer,
        "month": month, "month_cn": f"{int(month[:4])}年{int(month[5:])}月", "stations": listed, "only": only,
        "rubric": [(name, weight) for name, weight in rubric], "categories": [name for name, _ in rubric],
        "past": past, "station_card": station_card,
        "lectures": section,
        "csrf": csrf_token(token), "notice": None, "holder": holder_key(scorer),
        # "今日" only on the activity day itself: a month ahead it is that month's route, not today's.
        "today": day is not None and now is not None and local_today(now) == day,
        "activity_date_cn": cn_date(day) if day is not None else "",
        "limits": {f: LIMITS[h] for f, h in (("problems", H.PROBLEMS), ("category", H.CATEGORY),
                                              ("suggestions", H.SUGGESTIONS))},
    }


def _page(role: str):
    @page_handler
    def page(request: Request, now: Annotated[datetime, Depends(clock)], t: str | None = None,
             month: str | None = None) -> Response:
        if t is not None:
            found = _scorer(t)
            if found is None:
                return refusal_page(401, INVALID_LINK)
            return enter(request, role, t) if found.role is ROLES[role] else refusal_page(403, FORBIDDEN)
        with transaction(read_only=True) as session:  # one read for the whole page, the token's check too
            scorer, token, refused = _who(request, role, session)
            if refused is not None or scorer is None:
                return refused or refusal_page(401, INVALID_LINK)
            flash = take_flash(request, token, role)  # the server's word after an action, never the URL's
            notice = ({"where": f"lecture-{flash['key']}", "text": f"宣讲评价已保存（{str(flash['key'])[:30]}）"}
                      if flash and flash.get("what") == "rated" else None)
            context = _context(Holder(role, scorer, token), _month(month, now), now=now, session=session) \
                | {"notice": notice}
        if notice is not None:  # a page after an action, seen once: rendered for this answer alone
            return shown(request, render("scorer.html", **context))
        return shown(request, kept.page(request, "scorer.html", context))  # kept per process under what it shows

    return page


def _station_page(role: str):
    @page_handler
    def page(code: str, request: Request, now: Annotated[datetime, Depends(clock)],
             month: str | None = None) -> Response:
        month = _month(month, now)
        with transaction(read_only=True) as session:  # one read for the whole page, the token's check too
            scorer, token, refused = _who(request, role, session)
            if refused is not None or scorer is None:
                return refused or refusal_page(401, INVALID_LINK)
            mode = station_mode(session=session, scorer=scorer, month=month, code=code)
            if mode is None:  # another team's or township's station, or none at all: the same bare 403
                return refusal_page(403, FORBIDDEN)
            context = _context(Holder(role, scorer, token), month, only=code, now=now, session=session)
        return kept.page(request, "scorer.html", context)

    return page


def _points(value: Any) -> Any:
    """A typed number as a number; anything else as typed, for the validator to name."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text) if text else None
        except ValueError:
            return text
    return value


def _score(role: str):
    async def post(request: Request, now: Annotated[datetime, Depends(clock)]) -> Response:
        token = cookie_token(request, role) or ""
        scorer = await run_in_threadpool(_scorer, token)
        if scorer is None:
            return refusal_json(401, INVALID_LINK)
        if scorer.role is not ROLES[role] or not csrf_ok(token, request.headers.get(CSRF_HEADER)):
            return refusal_json(403, FORBIDDEN if scorer.role is not ROLES[role] else "页面已过期，请刷新后重试")
        try:
            raw = await request.json()
            code, month, key = str(raw["station_code"]), str(raw["month"]), str(raw["client_key"])
            items = {str(k): _points(v) for k, v in dict(raw.get("items") or {}).items()}
            body = {"items": {k: v for k, v in items.items() if v is not None} or None, "score": None,
                    **{f: str(raw.get(f) or "").strip() for f in TEXT_FIELDS}}
        except (ValueError, KeyError, TypeError, AttributeError):
            return refusal_json(422, "评分内容有误，请刷新页面后重试")

        def store() -> Any:
            with transaction(read_only=True) as session:
                mode = station_mode(session=session, scorer=scorer, month=month, code=code)
            if mode is None:
                return None
            return score_station(ScoredStation(scorer, month, code, mode), body, now=now, client_key=key)

        outcome = await run_in_threadpool(store)
        if outcome is None:
            return refusal_json(403, FORBIDDEN)
        if outcome.http_status != 200:
            return refusal_json(outcome.http_status, outcome.body["message"], outcome.body["problems"])
        shown = {k: outcome.body[k] for k in ("station_code", "score", "revision", "changed")}
        return Response(json.dumps(shown | {"replay": outcome.replay}, ensure_ascii=False),
                        media_type="application/json", headers=SECURITY_HEADERS)

    return post


async def post_lecture_rating(request: Request, now: Annotated[datetime, Depends(clock)]) -> Response:
    """An observer rates (评单) a lecture at a station of its township; a station outside it gets the bare 403,
    a refusal shows the messages by the fields."""
    scorer, token, refused = _who(request, "observer")
    if refused is not None or scorer is None:
        return refused or refusal_page(401, INVALID_LINK)
    form, month, refused = await month_form(request, token)
    if refused is not None:
        return refused
    code = normalize_code(form.get("station"))[:20]
    menu_code, typed = lecture_orders.rating_typed_of(form)

    def ours() -> bool:
        with transaction(read_only=True) as session:
            return station_mode(session=session, scorer=scorer, month=month, code=code) is not None

    if not await run_in_threadpool(ours):
        return refusal_page(403, FORBIDDEN)
    key = lecture_key(code, menu_code)
    status, errors, top = await run_in_threadpool(
        lecture_orders.rate, LectureRef(scorer.county, month, code, menu_code), scorer.name, typed, key, now)
    if status == 200:
        return redirect_with_flash(request, f"/m/observer?month={month}#lecture-{key}", token, "observer",
                                   what="rated", key=key)
    again = lecture_orders.RefusedForm(key, typed, errors, top, rating=True)
    context = await run_in_threadpool(lambda: _context(Holder("observer", scorer, token), month, refused=again, now=now))
    return render("scorer.html", status=status, **context)


for _role in ROLES:
    router.add_api_route(f"/m/{_role}", _page(_role), methods=["GET"])
    router.add_api_route(f"/m/{_role}/stations/{{code}}", _station_page(_role), methods=["GET"])
    router.add_api_route(f"/m/{_role}/scores", _score(_role), methods=["POST"])
router.add_api_route("/m/observer/lectures", post_lecture_rating, methods=["POST"])
