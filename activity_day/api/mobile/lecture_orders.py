"""The station page's 宣讲点单 section: the official plan's lecture menu, a small form per item (the day, blank for
the activity day, and the expected audience), and the station's orders with their teams. Orders go through
`services.lectures.order_from_api`, the API's path, so the messages are the orders file's own, each next to its
field. Each lecture with a team has a 评价 form (1–5 and a comment; the rater is 所站) that goes through
`services.lecture_ratings.rate_lecture`, the ratings API's path, with the station's current rating shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from activity_day.api.mobile.pages import cn_date, split_problems
from activity_day.domain.codes import normalize_code
from activity_day.domain.dates import month_days, parse_month
from activity_day.domain.lectures import LectureRef
from activity_day.errors import MissingPrerequisite
from activity_day.services.lecture_ratings import STATION_RATER, RatingRefused, rate_lecture, ratings_by
from activity_day.services.lectures import FORMED, STATUS_CN, OrderRefused, order_from_api, orders_of

FIELDS = ("date", "audience")
LABELS = {"date": "宣讲日期", "audience": "预计听众（人）"}
RATING_FIELDS = ("score", "comment")
RATING_LABELS = {"score": "评分（1-5）", "comment": "评价意见"}


def _shown(order: dict[str, Any]) -> dict[str, Any]:
    return {"status": order["status"], "status_cn": STATUS_CN.get(order["status"], order["status"]),
            "date_cn": cn_date(date.fromisoformat(order["date"])), "audience": order["audience"],
            "team": [m["code"] for m in order["team"]], "confirmed": order["confirmed"],
            "reason": order["reason"], "suggestion": order["suggestion"]}


def rating_form(order: dict[str, Any] | None, rated: dict[str, Any] | None,
                typed: dict[str, str] | None) -> dict[str, str] | None:
    """What a lecture's 评价 form shows (typed, else the stored rating), or None when it had no team."""
    if order is None or not order["team"] or order["status"] not in FORMED:
        return None
    if typed is not None:
        return typed
    return {"score": str(rated["score"]), "comment": rated["comment"]} if rated else dict.fromkeys(RATING_FIELDS, "")


@dataclass(frozen=True)
class RefusedForm:
    """A lecture form the page shows again after a refusal: its key (the menu code on a station's page, the
    lecture's key on an observer's), what was typed in it, the messages by (key, field) and the others; `rating`
    when it was a 评价 form rather than an order."""

    key: str
    typed: dict[str, str]
    errors: dict[tuple[str, str], str]
    problems: list[str]
    rating: bool = False


def section(county: str, station: str, month: str, content: Any, refused: RefusedForm | None = None,
            session: Session | None = None) -> dict[str, Any] | None:
    """The section's context, or None when the month's official plan has no lecture menu (read in the caller's
    transaction, if it gives one); a refused form is shown again where it was sent."""
    if content is None or not content.lecture_menu:
        return None
    ordered = refused is not None and not refused.rating
    typed = {refused.key: refused.typed} if refused is not None and ordered else None
    rating_typed = {refused.key: refused.typed} if refused is not None and refused.rating else None
    failed = refused.key if refused is not None and ordered else ""
    failed_rating = refused.key if refused is not None and refused.rating else ""
    errors, problems = (refused.errors, refused.problems) if refused is not None else (None, None)
    orders = {o["menu_code"]: o for o in orders_of(county, station, month, session)}
    rated = {menu: r for (code, menu), r in ratings_by(county, month, STATION_RATER, session).items()
             if code == station}
    days = month_days(*parse_month(month))
    items = []
    for m in content.lecture_menu:
        order = orders.get(m.code)
        stored = {"date": order["date"], "audience": str(order["audience"])} if order else dict.fromkeys(FIELDS, "")
        items.append({"code": m.code, "title": m.title, "topic": m.topic, "stories": list(m.stories),
                      "order": _shown(order) if order else None, "form": (typed or {}).get(m.code, stored),
                      "rating": rated.get(m.code),
                      "rate_form": rating_form(order, rated.get(m.code), (rating_typed or {}).get(m.code))})
    # A refusal goes where the page takes the holder: the item (or its 评价) that was sent, else the top.
    refusal_at = "top"
    if failed and failed in {i["code"] for i in items}:
        refusal_at = f"menu-{failed}"
    elif failed_rating and failed_rating in {i["code"] for i in items if i["rate_form"] is not None}:
        refusal_at = f"rating-{failed_rating}"
    return {"items": items, "errors": errors or {}, "problems": problems or [], "failed": failed,
            "refusal_at": refusal_at,
            "labels": LABELS, "rating_labels": RATING_LABELS, "first_day": days[0].isoformat(),
            "last_day": days[-1].isoformat(), "count": len(orders)}


def typed_of(form: Any) -> tuple[str, dict[str, str]]:
    """The menu code and what was typed in its form."""
    return (normalize_code(form.get("menu_code"))[:20],
            {key: str(form.get(key) or "").strip()[:40] for key in FIELDS})


def place(lecture: LectureRef, typed: dict[str, str],
          now: datetime) -> tuple[int, dict[tuple[str, str], str], list[str]]:
    """Order (or change the order of) one menu item: (HTTP status, errors by (menu code, field), the others)."""
    try:
        # The audience goes as typed, like a cell of the orders file: the file's checks name what is wrong with it.
        order_from_api(lecture, typed["date"] or None, typed["audience"], now)  # type: ignore[arg-type]
    except MissingPrerequisite as exc:  # no official plan for that month
        return 409, {}, [str(exc)]
    except OrderRefused as exc:
        errors, top = split_problems(exc.problems, lambda p: (lecture.menu_code, p["field"])
                                     if p.get("field") in FIELDS else None, str(exc))
        return exc.status, errors, top
    return 200, {}, []


def rating_typed_of(form: Any) -> tuple[str, dict[str, str]]:
    """The menu code and the score and comment typed in its 评价 form."""
    return (normalize_code(form.get("menu_code"))[:20],
            {"score": str(form.get("score") or "").strip()[:20], "comment": str(form.get("comment") or "").strip()})


def rate(lecture: LectureRef, rater: str, typed: dict[str, str], key: str,
         now: datetime) -> tuple[int, dict[tuple[str, str], str], list[str]]:
    """Rate one lecture (the station's or an observer's): (HTTP status, errors by (key, field), the others)."""
    try:
        # The score goes as typed, like a cell of the ratings file: the file's checks name what is wrong with it.
        rate_lecture(lecture, rater, typed["score"], typed["comment"], now=now, source="h5")
    except RatingRefused as exc:
        errors, top = split_problems(exc.problems, lambda p: (key, p["field"]) if p.get("field") in RATING_FIELDS
                                     else None, str(exc))
        return exc.status, errors, top
    return 200, {}, []
