"""Micro lecture teams (点单—派单—接单—评单): dispatch the month's orders, take the speakers' answers, list them.

Dispatch reads the stored orders, the active pool and the official plan's menu, and forms teams only for orders
still `ordered`; teams already formed keep their members and count towards the loads and pairs. The seed is
recorded on each order, so the same inputs give the same teams.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlmodel import Session

from activity_day.domain import lectures as rules
from activity_day.domain import timing
from activity_day.domain.codes import normalize_code
from activity_day.domain.dates import cn_month, month_days, parse_month
from activity_day.domain.lateness import deadline_of, judge_lateness, past_deadline
from activity_day.errors import MissingPrerequisite, OperatorError
from activity_day.intake.cells import code_index
from activity_day.intake.headers import ROW, H
from activity_day.intake.lectures import validate_orders
from activity_day.intake.problems import Problem, Validated
from activity_day.models import LectureOrder
from activity_day.services.speaker_tokens import SpeakerHolder as SpeakerHolder
from activity_day.services.speaker_tokens import issue_speaker_tokens as issue_speaker_tokens
from activity_day.services.speaker_tokens import speaker_for_token as speaker_for_token
from activity_day.store import crud
from activity_day.store import lectures as store
from activity_day.store.database import transaction
from activity_day.store.reading import reading

FORMED = ("dispatched", "confirmed", "delivered")
STATUS_CN = {"ordered": "待派单", "dispatched": "已派单", "confirmed": "已接单", "unserved": "无法派单",
             "delivered": "已宣讲"}


def order_key(month: str, station: str, menu_code: str) -> str:
    return f"{month}|{station}|{menu_code}"


def _speakers(pool: pd.DataFrame) -> list[rules.Speaker]:
    return [rules.Speaker(code=r.code, name=r.name, township=r.township, topics=frozenset(r.topics),
                          stories=frozenset(r.stories), weekdays=frozenset(int(w) for w in r.weekdays),
                          dates=frozenset(date.fromisoformat(d) for d in r.dates), cap=int(r.cap))
            for r in pool.itertuples()]


def _menu(content) -> list[rules.MenuItem]:
    return [rules.MenuItem(code=m.code, title=m.title, topic=m.topic, stories=tuple(m.stories))
            for m in content.lecture_menu or []]


def _order(month: str, o: LectureOrder, stations: pd.DataFrame) -> rules.Order:
    st = stations.loc[o.station_code] if o.station_code in stations.index else None
    point = None
    if st is not None and pd.notna(st["longitude"]) and pd.notna(st["latitude"]):
        point = (float(st["longitude"]), float(st["latitude"]))
    return rules.Order(key=order_key(month, o.station_code, o.menu_code), station=o.station_code,
                       township=st["township"] if st is not None else "", menu_code=o.menu_code, day=o.day,
                       audience=o.audience, point=point)


def _formed(orders: list[LectureOrder], month: str) -> list[rules.Assignment]:
    return [rules.Assignment(order=order_key(month, o.station_code, o.menu_code), team=tuple(sorted(o.team)),
                             status=rules.DISPATCHED) for o in orders if o.status in FORMED and o.team]


def _context(session: Session, county: str, month: str, lock: bool = False):
    profile = crud.load_profile_of(session=session, county=county)
    plan = crud.official_plan(session=session, county=county, month=month)
    stations = crud.stations_frame(session=session, county=county).set_index("code")
    pool = store.pool_frame(session=session, county=county)
    return profile, plan, stations, pool, store.orders(session=session, county=county, month=month, lock=lock)


def _busy(orders: list[LectureOrder]) -> dict[date, set[str]]:
    """The days on which the members of the formed teams lecture."""
    busy: dict[date, set[str]] = {}
    for o in orders:
        if o.status in FORMED and o.team:
            busy.setdefault(o.day, set()).update(o.team)
    return busy


def dispatch_month(county: str, month: str) -> dict[str, Any]:
    """Form teams for every order still waiting, and try again those left unserved (the pool or the other orders
    may have changed), all together over the month; teams already formed stay as they are and count towards the
    loads, the days taken and the pairs. Returns the counts."""
    with transaction() as session:
        profile, plan, stations, pool, orders = _context(session, county, month)
        waiting = [o for o in orders if o.status in ("ordered", "unserved")]
        if not waiting:
            return _counts(orders)
        rules_ = profile.lectures
        formed = _formed(orders, month)
        seed = f"lectures|{county}|{month}|{plan.sha256}"
        request = rules.DispatchRequest([_order(month, o, stations) for o in waiting], _speakers(pool),
                                        _menu(crud.plan_content(plan)), seed=seed, avoid_home=rules_.avoid_home,
                                        team_min=rules_.team_min, team_max=rules_.team_max,
                                        prior_load=rules.load_of(formed), prior_pairs=rules.pairs_of(formed),
                                        prior_busy=_busy(orders))
        results = rules.dispatch(request,
                                 declined={order_key(month, o.station_code, o.menu_code): set(o.declined)
                                           for o in waiting if o.declined})
        by_key = {a.order: a for a in results}
        for o in waiting:
            a = by_key[order_key(month, o.station_code, o.menu_code)]
            o.status, o.team, o.reason, o.suggestion, o.seed = a.status, list(a.team), a.reason, a.suggestion, seed
            session.add(o)
        return _counts(orders)


def _counts(orders: list[LectureOrder]) -> dict[str, Any]:
    statuses = Counter(o.status for o in orders)
    return {"orders": len(orders), **{s: statuses.get(s, 0) for s in STATUS_CN}}


class AnswerRefused(OperatorError):
    """A speaker's answer that cannot be taken; `status` is what the API answers (403 not theirs, 409 too late)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def answer(lecture: rules.LectureRef, speaker: str, accept: bool, *, now: datetime) -> dict[str, Any]:
    """A speaker confirms (接单) or declines a dispatched lecture; a decline forms that order's team again, and
    only that one. A lecture already delivered (rated) takes no answer, nor one whose day is too near or past
    (`lectures.answer_days_before`, 409); a decline repeated changes nothing, and a confirmation after a decline is
    refused (the team has been formed again). The month's orders stay locked while the answer is decided, so two
    answers at once never lose one another's change."""
    county, month = lecture.county, lecture.month
    station, menu_code = normalize_code(lecture.station), normalize_code(lecture.menu_code)
    speaker = normalize_code(speaker)
    with transaction() as session:
        profile, plan, stations, pool, orders = _context(session, county, month, lock=True)
        order = next((o for o in orders if o.station_code == station and o.menu_code == menu_code), None)
        if order is None:
            raise AnswerRefused(f"{cn_month(month)}没有所站{station}点的{menu_code}宣讲（用 activity-day lectures list 查看）",
                                403)
        if speaker in order.declined and speaker not in order.team:  # a phone's retry of a decline, or a change of mind
            if not accept:
                return public(order, stations.reset_index(), month)
            raise AnswerRefused(f"讲师{speaker}已谢绝这场宣讲，宣讲队已重新组建", 409)
        if speaker not in order.team:
            raise AnswerRefused(f"讲师{speaker}不在该宣讲队中（宣讲队：{'、'.join(order.team) or '无'}）", 403)
        if order.status == "delivered":
            raise AnswerRefused(f"所站{station}的{order.menu_code}宣讲已开讲并评单，不能再接单或谢绝", 409)
        if (late := timing.answer_refusal(order.day, now, profile.lectures.answer_days_before)) is not None:
            raise AnswerRefused(late, 409)
        if accept:
            order.confirmed = sorted(set(order.confirmed) | {speaker})
            if set(order.confirmed) >= set(order.team):
                order.status = "confirmed"
            session.add(order)
            return public(order, stations.reset_index(), month)
        order.declined = sorted(set(order.declined) | {speaker})
        key = order_key(month, station, order.menu_code)
        others = [o for o in orders if o.status in FORMED and o.team and o is not order]
        mine = rules.Assignment(order=key, team=tuple(sorted(order.team)), status=rules.DISPATCHED)
        rules_ = profile.lectures
        # Another team lends a member only if it has one to spare who has not confirmed, and its lecture is not
        # delivered nor too near to change (the speakers' own answers close then too).
        locked = {order_key(month, o.station_code, o.menu_code):
                  set(o.team) if o.status == "delivered" or timing.answer_refusal(o.day, now, rules_.answer_days_before)
                  else set(o.confirmed) for o in others}
        request = rules.DispatchRequest([_order(month, o, stations) for o in [order, *others]], _speakers(pool),
                                        _menu(crud.plan_content(plan)),
                                        seed=order.seed or f"lectures|{county}|{month}|{plan.sha256}",
                                        avoid_home=rules_.avoid_home, team_min=rules_.team_min,
                                        team_max=rules_.team_max)
        again = rules.redispatch([mine, *_formed(others, month)], request, declined={mine.order: set(order.declined)},
                                 locked=locked)
        by_key = {a.order: a for a in again}
        new = by_key[mine.order]
        order.status, order.team, order.reason, order.suggestion = new.status, list(new.team), new.reason, new.suggestion
        order.confirmed = [c for c in order.confirmed if c in order.team]
        session.add(order)
        for o in others:  # a team that lent a member to this one
            after = by_key[order_key(month, o.station_code, o.menu_code)]
            if list(after.team) != sorted(o.team):
                o.team = list(after.team)
                session.add(o)
        return public(order, stations.reset_index(), month)


def public(o: LectureOrder, stations: pd.DataFrame, month: str, township_of: dict[str, str] | None = None) -> dict:
    """An order as `lectures list --json` prints it (the contract)."""
    info = stations.set_index("code")
    return {"order": order_key(month, o.station_code, o.menu_code), "station": o.station_code,
            "township": info.loc[o.station_code, "township"] if o.station_code in info.index else "",
            "menu_code": o.menu_code, "date": o.day.isoformat(), "audience": o.audience,
            "team": [{"code": c, "township": (township_of or {}).get(c, "")} for c in o.team],
            "confirmed": list(o.confirmed), "declined": list(o.declined), "status": o.status,
            "reason": o.reason, "suggestion": o.suggestion}


def list_orders(county: str, month: str, session: Session | None = None) -> list[dict[str, Any]]:
    with reading(session) as session:
        if not store.orders(session=session, county=county, month=month):
            return []  # most months' pages: no order, nothing more to read
        stations = crud.stations_frame(session=session, county=county)
        pool = store.pool_frame(session=session, county=county)
        orders = store.orders(session=session, county=county, month=month)
        homes = dict(zip(pool["code"], pool["township"], strict=True))
        return [public(o, stations, month, homes) for o in orders]


def speakers_record(county: str, month: str) -> list[dict[str, Any]]:
    """Each active speaker's month: lectures on a team, confirmed, declined, delivered, and the average rating
    of the lectures delivered (each lecture's ratings averaged first)."""
    with transaction(read_only=True) as session:
        pool = store.pool_frame(session=session, county=county)
        orders = store.orders(session=session, county=county, month=month)
        ratings = store.ratings_frame(session=session, county=county, month=month)
    per_lecture = ratings.groupby(["station_code", "menu_code"])["score"].mean().to_dict() if len(ratings) else {}
    out = []
    for s in pool.itertuples():
        mine = [o for o in orders if s.code in o.team and o.status in FORMED]
        scores = [per_lecture[(o.station_code, o.menu_code)] for o in mine
                  if (o.station_code, o.menu_code) in per_lecture]
        out.append({"code": s.code, "name": s.name, "township": s.township, "cap": int(s.cap), "lectures": len(mine),
                    "confirmed": sum(s.code in o.confirmed for o in mine),
                    "declined": sum(s.code in o.declined for o in orders),
                    "delivered": sum(o.status == "delivered" for o in mine),
                    "rating": round(sum(scores) / len(scores), 2) if scores else None})
    return out


ORDER_FIELDS = {"menu_code": "菜单编号", "date": "宣讲日期", "audience": "预计听众"}


class OrderRefused(OperatorError):
    """An order from the API that the file's checks refuse; `problems` in the API's problem shape."""

    def __init__(self, message: str, problems: list[dict[str, Any]], status: int = 422):
        super().__init__(message)
        self.problems, self.status = problems, status


class NoMenu(MissingPrerequisite):
    """The month's official plan has no lecture menu: nothing can be ordered (409 through the API)."""

    def __init__(self, month: str):
        super().__init__(f"{cn_month(month)}正式方案没有宣讲菜单：请先导入宣讲员库（activity-day import speakers），再重新印发方案")


@dataclass
class OrderIntake:
    """What became of lecture orders: the validation, the orders new or changed, lateness, and the rows that would
    change a lecture already delivered (kept as they were: a file is told in a notice, the API answers 409)."""

    validated: Validated
    written: int = 0
    late: bool = False
    late_problem: Problem | None = None  # the late policy refused them all
    delivered: list[dict[str, Any]] = field(default_factory=list)


def take_orders(session: Session, *, county: str, month: str, rows: rules.LectureRows, stations: dict[str, str],
                received_at: datetime | None) -> OrderIntake:
    """Check lecture orders (rows of the orders file: station, menu code, day, audience) and store the accepted
    ones, in the caller's transaction: the one service for the orders file, the API and the station page. The
    official plan's menu, a day of the month (blank: the activity day), the station plans' deadline and late
    policy; an order repeated unchanged changes nothing, a changed one waits for a new team."""
    frame, source = rows.frame, rows.file
    profile = crud.load_profile_of(session=session, county=county)
    plan = crud.plan_content(crud.official_plan(session=session, county=county, month=month))
    if not plan.lecture_menu:
        raise NoMenu(month)
    days = month_days(*parse_month(month))
    validated = validate_orders(frame, source, stations=stations, menu={m.code: m.title for m in plan.lecture_menu},
                                days=(days[0], days[-1]), activity_date=plan.activity_date)
    deadline = deadline_of(plan, profile.intake.deadline_time)
    lateness = judge_lateness(received_at, deadline, profile.intake.late_submissions)
    intake = OrderIntake(validated, late=lateness.late)
    if lateness.refused:
        intake.late_problem = Problem(source, None, None, None, f"{past_deadline(deadline)}，点单不再接收")
        for unit in list(validated.units):
            del validated.units[unit]
            validated.refused[unit] = [intake.late_problem]
        validated.problems.append(intake.late_problem)
        return intake
    accepted = [r for unit in validated.units.values() for r in unit]
    intake.delivered = store.delivered_changes(session=session, county=county, month=month, rows=accepted)
    intake.written = store.save_orders(session=session, county=county, month=month, rows=accepted,
                                       receipt=store.OrderReceipt(rows.source_ref, received_at, lateness.late))
    return intake


def order_from_api(lecture: rules.LectureRef, day: str | None, audience: int, now: datetime) -> dict[str, Any]:
    """One station's order through the API or its page: `take_orders`, with the refusals as the API says them."""
    county, month, station, menu_code = lecture.county, lecture.month, lecture.station, lecture.menu_code
    with transaction() as session:
        frame = pd.DataFrame([{H.STATION_CODE: station, H.MENU_CODE: menu_code, H.LECTURE_DATE: day,
                               H.AUDIENCE: audience, ROW: 1}])
        try:
            intake = take_orders(session, county=county, month=month, rows=rules.LectureRows(frame, "点单", "api"),
                                 stations=code_index([station]), received_at=now)
        except NoMenu:
            raise OrderRefused(f"{cn_month(month)}正式方案没有宣讲菜单", [], status=409) from None
        validated = intake.validated
        validated.problems = [p for p in validated.problems if p is not intake.late_problem]
        if validated.problems:
            fields = {v: k for k, v in ORDER_FIELDS.items()}
            problems = [{"row": None, "column": p.column, "field": fields.get(p.column or ""), "value": p.value,
                         "reason": p.message, "text": p.message} for p in validated.problems]
            if any(p["field"] == "menu_code" for p in problems):  # not on the month's menu: an unknown reference
                raise OrderRefused(f"{cn_month(month)}宣讲菜单中没有{menu_code}", problems, status=404)
            raise OrderRefused("点单有误", problems)
        if intake.late_problem is not None:
            raise OrderRefused(intake.late_problem.message, [], status=409)
        if intake.delivered:
            raise OrderRefused(f"所站{station}的{intake.delivered[0]['menu_code']}宣讲已开讲并评单，不能再修改", [],
                               status=409)
        session.flush()
        code = next(iter(validated.units.values()))[0]["menu_code"]
        stations = crud.stations_frame(session=session, county=county)
        order = next(o for o in store.orders(session=session, county=county, month=month)
                     if o.station_code == station and o.menu_code == code)
        return public(order, stations, month)


def orders_of(county: str, station: str, month: str, session: Session | None = None) -> list[dict[str, Any]]:
    return [r for r in list_orders(county, month, session) if r["station"] == station]


# --- speakers' own tokens (接单 through the API): services/speaker_tokens.py, re-exported above -----------

def lectures_of_speaker(county: str, month: str, code: str) -> list[dict[str, Any]]:
    """The month's lectures a speaker is on, or declined."""
    return [r for r in list_orders(county, month)
            if code in {m["code"] for m in r["team"]} or code in r["declined"]]


def lectures_in_township(county: str, month: str, township: str,
                         session: Session | None = None) -> list[dict[str, Any]]:
    """The month's lectures with a team at the stations of a township (what an observer may rate)."""
    return [r for r in list_orders(county, month, session) if r["township"] == township and r["status"] in FORMED]
