"""Demonstration-station rounds (示范所站评选), stage by stage, each stage stored before the next starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import chinese_calendar
import pandas as pd

from activity_day.context import current
from activity_day.domain import draw
from activity_day.domain.codes import normalize_code
from activity_day.domain.dates import cn_date
from activity_day.domain.selection import (
    AssignmentError,
    assign_site_visits,
    final_list,
    inputs_of,
    publicity_end,
    review_applications,
    site_visit_inputs,
    site_visit_record,
    weak_public_random,
)
from activity_day.errors import MissingPrerequisite, OperatorError
from activity_day.models import DemoObjection
from activity_day.models.enums import FeedbackStatus
from activity_day.services import commitments
from activity_day.store import crud
from activity_day.store import demonstration as store
from activity_day.store.database import transaction


def now() -> datetime:
    return current().local_now()


def today() -> date:
    """Today in Asia/Shanghai: when a 公示 closes and objections stop (tests set the clock here)."""
    return now().date()


def document_review(county: str, round_: str, period: str) -> pd.DataFrame:
    """资料审核 against the stored evaluation of `period`; every application gets its result and reasons.

    The review publishes the site-visit draw's inputs (the shortlist and the assessors, docs/draw.md) in the round's
    record; once a department has revealed its secret they are fixed: a review that would change them is refused.
    """
    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
        found = store.get_round(session=session, county=county, round_=round_)
        if found is not None and found.stage in ("publicity", "named"):
            raise OperatorError(f"{round_}年度示范所站评选{STAGES_CN[found.stage]}，不能重新审核")
        apps = store.require_applications(session=session, county=county, round_=round_)
        evaluation = store.evaluation_frame(session=session, county=county, period=period)
        active = set(crud.stations_frame(session=session, county=county)["code"])
        evaluation = evaluation[evaluation["code"].isin(active)]  # a station stopped since is not eligible
        feedback = crud.feedback_frame(session=session, county=county, up_to="9999-12")
        open_items = feedback[feedback["status"].astype(str) == FeedbackStatus.OPEN.value]
        reviewed = review_applications(
            pd.DataFrame({"code": [a.station_code for a in apps], "brand": [a.brand for a in apps],
                          "statement": [a.statement for a in apps]}),
            evaluation, open_items.groupby("station_code").size().to_dict(), profile.demonstration)
        record = _published_inputs(session, county, round_, profile, found, reviewed)
        for row in reviewed.itertuples():
            # a new review starts the round over: what the later stages recorded no longer holds
            store.update_application(session=session, county=county, round_=round_, station=row.code,
                                     eligible=bool(row.eligible), review_reason=row.reasons, assessors=[],
                                     site_score=None, decision=None, decision_reason="", decided_by="",
                                     decided_at=None, named=False)
        store.save_round(session=session, county=county, round_=round_, period=period, stage="reviewed",
                         site_visit_record=record)
    return reviewed


def _published_inputs(session, county: str, round_: str, profile, found, reviewed: pd.DataFrame) -> dict:
    """The site-visit record the review leaves: the inputs it publishes, or the stored record when they are the
    same (a rerun keeps a draw already made). Changed inputs are refused once a secret is revealed."""
    stations = crud.stations_frame(session=session, county=county)
    shortlist = stations[stations["code"].isin(reviewed.loc[reviewed["eligible"], "code"])][["code", "township"]]
    assessors = list(dict.fromkeys((m.name, m.home_township) for t in profile.teams for m in t.members))
    per_station = profile.demonstration.assessors_per_station
    try:  # 回避 leaves enough assessors for every station whatever the random value: known before it is taken
        assign_site_visits(shortlist, assessors, per_station, "")
    except AssignmentError as exc:
        raise OperatorError(str(exc)) from exc
    inputs = site_visit_inputs(county, round_, shortlist, assessors, per_station)
    old = found.site_visit_record if found is not None else None
    if old and inputs_of(old) == inputs:
        return old
    parts = commitments.round_parts(session, county, round_)
    if old and parts and parts["reveals"]:
        raise OperatorError(f"{round_}年度示范所站评选已有部门公开随机串（{'、'.join(parts['reveals'])}），入围名单和"
                            "评估人员不能再变动：本次审核结果与公布的不同，未保存")
    return inputs


WEAK_SOURCE = "入围名单SHA-256（未使用部门承诺值：县文明办事先可以推算，仅作默认）"


def operator_source(source: str) -> str:
    """How the record names a value the operator gave (`--public-random`): entered by the operator, with the
    source given (a lottery draw), or saying none was."""
    return f"操作员录入：{source.strip()}" if source.strip() else "操作员录入（未注明出处）"


def weak_random_warning(round_: str) -> str:
    """What the operator is told when the site visits had no public random value but the shortlist's checksum."""
    return (f"{round_}年度示范所站实地评估未取得公开随机数，暂以入围名单的校验值代替；该值县文明办事先可以推算，"
            f"评估人员的安排可被预知。本轮已抽定，不再重抽；今后各轮请在资料审核前由部门提交承诺值"
            f"（activity-day demonstration commit/reveal），或事先公布将采用的某期开奖号码，开奖后运行 "
            f"activity-day demonstration run --round 年度 --public-random 开奖号码")


@dataclass(frozen=True)
class SiteVisits:
    """The round's site visits (code, assessor), the draw's seed, and the operator's warnings (never in a
    document)."""

    visits: pd.DataFrame
    seed: str
    warnings: list[str] = field(default_factory=list)


def site_visits(county: str, round_: str, public_random: str | None = None,
                public_random_source: str = "") -> SiteVisits:
    """实地评估: assessors for each shortlisted station, drawn with 回避 from the inputs the document review
    published and a public random value the office cannot choose: the reviewing departments' secrets, committed
    before the review and revealed after it, or a value published after the shortlist (a lottery result) given as
    `public_random` with its source (docs/draw.md). A round without either falls back to the shortlist's checksum,
    its record says so and the operator is warned. A draw made is kept: a rerun returns it, and a different value
    for a drawn round is refused."""
    if problem := draw.public_random_problem(public_random, public_random_source):
        raise OperatorError(problem)
    warnings: list[str] = []
    with transaction() as session:
        found = store.get_round(session=session, county=county, round_=round_)
        if found is None or not found.site_visit_record:
            raise MissingPrerequisite(f"{round_}年度示范所站评选尚未资料审核：请先运行 activity-day demonstration run")
        record = found.site_visit_record
        if "visits" in record:
            if public_random and public_random != record["public_random"]:
                raise OperatorError(f"{round_}年度示范所站实地评估人员已用公开随机数“{record['public_random']}”抽定"
                                    "（activity-day demonstration record 查看），一经抽定不再重抽")
        else:
            parts = commitments.round_parts(session, county, round_)
            if public_random is not None:
                if parts is not None:
                    raise OperatorError(
                        f"{round_}年度示范所站评选已有部门提交承诺值（{'、'.join(parts['commitments'])}），公开随机数由"
                        "各部门公开的随机串组合而成，不能另行指定：请去掉 --public-random，由各部门运行 "
                        f"activity-day demonstration reveal --round {round_}")
                value, source, parts = public_random, operator_source(public_random_source), None
            elif parts is None:
                value, source = weak_public_random(record), WEAK_SOURCE
                warnings.append(weak_random_warning(round_))
            elif not parts["reveals"]:
                raise OperatorError(
                    f"{round_}年度示范所站评选已有部门提交承诺值（{'、'.join(parts['commitments'])}），但尚无部门公开随机串，"
                    f"暂不抽取实地评估人员。入围名单已公布（{len(record['shortlist'])} 个所站，SHA-256 "
                    f"{record['shortlist_sha256']}）：请各部门运行 activity-day demonstration reveal --round {round_} "
                    "--department 部门 --secret 随机串，再重跑 activity-day demonstration run")
            else:
                value = draw.combine_reveals(parts["reveals"])
                source = "部门承诺—公开组合（" + "、".join(
                    f"{d}{'已公开' if d in parts['reveals'] else '未公开'}" for d in parts["commitments"]) + "）"
            try:
                record = site_visit_record(inputs_of(record), value, source, parts)
            except AssignmentError as exc:
                raise OperatorError(str(exc)) from exc
        visits = pd.DataFrame(record["visits"], columns=["code", "assessor"])
        for code, group in visits.groupby("code"):
            store.update_application(session=session, county=county, round_=round_, station=code,
                                     assessors=list(group["assessor"]))
        store.save_round(session=session, county=county, round_=round_, seed=record["seed"], stage="site_visits",
                         site_visit_record=record)
    return SiteVisits(visits, record["seed"], warnings)


def site_visit_record_of(county: str, round_: str) -> dict:
    """The round's site-visit record (`demonstration record`, the input of docs/verify_site_visits.py)."""
    with transaction(read_only=True) as session:
        found = store.get_round(session=session, county=county, round_=round_)
    if found is None or not found.site_visit_record or "visits" not in found.site_visit_record:
        raise MissingPrerequisite(f"{round_}年度示范所站评选尚未抽取实地评估人员")
    return found.site_visit_record


def verify_site_visits(county: str, round_: str) -> tuple[bool, str]:
    """Re-derive the round's site visits from the record's inputs; (ok, explanation in Chinese)."""
    record = site_visit_record_of(county, round_)
    with transaction(read_only=True) as session:
        stored = {a.station_code: sorted(a.assessors or []) for a in store.applications(
            session=session, county=county, round_=round_) if a.eligible}
    again = site_visit_inputs(county, round_, pd.DataFrame(record["shortlist"], columns=["code", "township"]),
                              [(a["name"], a["home_township"]) for a in record["assessors"]], record["per_station"])
    if (again["shortlist_sha256"], again["assessors_sha256"]) != (record["shortlist_sha256"], record["assessors_sha256"]):
        return False, "入围名单或评估人员与记录的 SHA-256 不符"
    if why := draw.check_parts(record):
        return False, why
    if site_visit_record(inputs_of(record), record["public_random"], record["public_random_source"],
                         record.get("public_random_parts")) != record:
        return False, "由记录的输入重新推算，实地评估人员与记录不同"
    drawn: dict[str, list[str]] = {}
    for visit in record["visits"]:
        drawn.setdefault(visit["code"], []).append(visit["assessor"])
    if stored != {code: sorted(names) for code, names in drawn.items()}:
        return False, "数据库中各所站的实地评估人员与记录不符"
    return True, (f"{round_}年度示范所站实地评估：重新推算 {len(drawn)} 个所站的评估人员，与记录一致；"
                  f"公开随机数来源：{record['public_random_source']}")


def record_decisions(county: str, round_: str, decisions: list[dict], decided_by: str) -> None:
    """集中会审: the panel's decisions ({station, approved, site_score, reason}), all in one transaction, with
    who decided, when and why. Only shortlisted stations can be decided, and no more approved than the quota."""
    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
        shortlisted = {a.station_code for a in store.applications(session=session, county=county, round_=round_)
                       if a.eligible}
        approved = sum(d["approved"] for d in decisions)
        if approved > profile.demonstration.quota:
            raise OperatorError(f"命名 {approved} 个，超过名额 {profile.demonstration.quota} 个")
        at = now()
        for d in decisions:
            if d["station"] not in shortlisted:
                raise OperatorError(f"所站{d['station']}未通过资料审核，不能会审")
            store.update_application(session=session, county=county, round_=round_, station=d["station"],
                                     decision="approved" if d["approved"] else "rejected", site_score=d["site_score"],
                                     decision_reason=d["reason"], decided_by=decided_by, decided_at=at)


def is_workday(day: date, overrides: dict[date, str]) -> bool:
    if day in overrides:
        return False
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year chinese-calendar does not cover yet: weekends only
        return day.weekday() < 5


def open_publicity(county: str, round_: str, start: date) -> date:
    """媒体公示 opens on `start` and lasts the profile's working days; returns its last day."""
    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
        end = publicity_end(start, profile.demonstration.publicity_days, lambda d: is_workday(d, profile.holidays))
        store.save_round(session=session, county=county, round_=round_, publicity_start=start, publicity_end=end,
                         stage="publicity")
    return end


def record_objection(county: str, round_: str, station: str, content: str, source: str = "cli") -> int:
    """An objection (异议) to a candidate on the 公示 list; only while the 公示 is open."""
    station = normalize_code(station)
    if not content.strip():
        raise OperatorError("异议内容不能为空")
    with transaction() as session:
        found = store.get_round(session=session, county=county, round_=round_)
        if found is None or found.stage != "publicity":
            raise MissingPrerequisite(f"{round_}年度示范所站评选不在公示期：只能在公示期内登记异议")
        if found.publicity_end is not None and today() > found.publicity_end:
            raise OperatorError(f"公示期已于{cn_date(found.publicity_end)}结束，不再受理异议")
        listed = {a.station_code for a in store.applications(session=session, county=county, round_=round_)
                  if a.decision == "approved"}
        if station not in listed:
            raise OperatorError(f"所站{station}不在{round_}年度示范所站公示名单中")
        return store.add_objection(session=session, objection=DemoObjection(
            county=county, round=round_, station_code=station, content=content.strip(), received_at=now(),
            source=source))


def decide_objections(county: str, round_: str, rulings: dict[int, tuple[bool, str]], decided_by: str) -> None:
    """Rulings on objections (id -> (upheld, outcome)), all in one transaction, with who ruled and when."""
    with transaction() as session:
        known = {o.id: o for o in store.objections(session=session, county=county, round_=round_)}
        at = now()
        for objection_id, (upheld, outcome) in rulings.items():
            if objection_id not in known:
                raise OperatorError(f"没有编号为 {objection_id} 的异议")
            objection = known[objection_id]
            objection.upheld, objection.outcome, objection.decided_by, objection.decided_at = upheld, outcome, decided_by, at
            session.add(objection)


def name_stations(county: str, round_: str, today: date, force: bool = False) -> pd.DataFrame:
    """命名: after the 公示 closes, the approved candidates less those with an upheld objection."""
    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
        found = store.get_round(session=session, county=county, round_=round_)
        if found is None or found.publicity_end is None:
            raise MissingPrerequisite(f"{round_}年度示范所站评选尚未公示")
        if today <= found.publicity_end and not force:
            raise OperatorError(f"公示期至{cn_date(found.publicity_end)}，期满后才能命名")
        undecided = [o.id for o in store.objections(session=session, county=county, round_=round_) if o.upheld is None]
        if undecided:
            raise OperatorError(f"还有异议未处理（编号 {'、'.join(map(str, undecided))}）：请先作出处理意见")
        upheld = {o.station_code for o in store.objections(session=session, county=county, round_=round_) if o.upheld}
        apps = store.applications(session=session, county=county, round_=round_)
        stations = crud.stations_frame(session=session, county=county).set_index("code")
        decisions = pd.DataFrame([{"code": a.station_code, "name": stations.loc[a.station_code, "name"],
                                   "township": stations.loc[a.station_code, "township"], "brand": a.brand,
                                   "approved": bool(a.eligible) and a.decision == "approved",
                                   "site_score": a.site_score} for a in apps])
        named = final_list(decisions, upheld, profile.demonstration.quota)
        for a in apps:
            store.update_application(session=session, county=county, round_=round_, station=a.station_code,
                                     named=a.station_code in set(named["code"]))
        store.save_round(session=session, county=county, round_=round_, stage="named", named_on=today)
    return named


STAGES_CN = {"reviewed": "资料审核完成", "site_visits": "实地评估安排完成", "publicity": "公示中", "named": "已命名"}


def round_summary(county: str, round_: str) -> dict:
    """Where a round stands: each application with its status and reason, each objection with its ruling."""
    with transaction(read_only=True) as session:
        found = store.get_round(session=session, county=county, round_=round_)
        apps = store.applications(session=session, county=county, round_=round_)
        objections = store.objections(session=session, county=county, round_=round_)
    if found is None and not apps:
        raise MissingPrerequisite(f"{round_}年度示范所站评选还没有任何申报")

    def status(a) -> tuple[str, str, str]:
        if a.named:
            return "named", "已命名", ""
        if a.decision == "approved":
            return "approved", "会审通过" + ("，因异议成立不予命名" if found and found.stage == "named" else ""), a.decision_reason
        if a.decision == "rejected":
            return "rejected", "会审未通过", a.decision_reason
        if a.eligible is False:
            return "ineligible", "资料审核未通过", a.review_reason
        if a.eligible:
            return "shortlisted", "资料审核通过", ""
        return "applied", "已申报", ""

    rows = []
    for a in apps:
        code, cn, reason = status(a)
        rows.append({"station": a.station_code, "brand": a.brand, "status": code, "status_cn": cn, "reason": reason,
                     "site_score": a.site_score, "assessors": a.assessors or [], "decided_by": a.decided_by,
                     "decided_at": a.decided_at})
    return {"round": round_, "stage": found.stage if found else "applied",
            "stage_cn": STAGES_CN.get(found.stage, "已申报") if found else "已申报",
            "period": found.period if found else None, "seed": found.seed if found else None,
            "site_visits": _draw_state(found.site_visit_record if found else None),
            "publicity_end": found.publicity_end if found else None, "applications": rows,
            "objections": [{"id": o.id, "station": o.station_code, "content": o.content, "upheld": o.upheld,
                            "ruling_cn": "未处理" if o.upheld is None else ("成立" if o.upheld else "不成立"),
                            "outcome": o.outcome, "decided_by": o.decided_by} for o in objections]}


def _draw_state(record: dict | None) -> dict | None:
    """What the round's site-visit draw has published: the shortlist's SHA-256, and once drawn the value's source."""
    if not record:
        return None
    return {"shortlist": len(record["shortlist"]), "shortlist_sha256": record["shortlist_sha256"],
            "drawn": "visits" in record, "public_random_source": record.get("public_random_source")}


def _public(app) -> dict:
    status = ("已命名" if app.named else "会审通过" if app.decision == "approved" else "会审未通过"
              if app.decision == "rejected" else "资料审核未通过" if app.eligible is False
              else "资料审核通过" if app.eligible else "已申报")
    return {"station_code": app.station_code, "round": app.round, "brand": app.brand, "statement": app.statement,
            "status": status}


def applications_open(session, county: str, round_: str) -> None:
    """Raise unless the round still takes applications (none is taken once its document review has run)."""
    found = store.get_round(session=session, county=county, round_=round_)
    if found is not None and found.stage != "applied":
        raise OperatorError(f"{round_}年度示范所站评选已进入{STAGES_CN.get(found.stage, found.stage)}阶段，不再受理申报")


def apply_for(county: str, station: str, round_: str, brand: str, statement: str) -> dict:
    """An application through the API (自主申报): upserted like a row of the applications file, and refused once
    the round has passed its document review."""
    with transaction() as session:
        applications_open(session, county, round_)
        store.save_applications(session=session, county=county, round_=round_,
                                rows=[{"station_code": station, "brand": brand, "statement": statement}],
                                source_ref="小程序申报")
        app = next(a for a in store.applications(session=session, county=county, round_=round_)
                   if a.station_code == station)
        return _public(app)


def application_of(county: str, station: str, round_: str) -> dict | None:
    with transaction(read_only=True) as session:
        found = [a for a in store.applications(session=session, county=county, round_=round_) if a.station_code == station]
        return _public(found[0]) if found else None


def candidates(county: str, round_: str) -> list[dict]:
    """The shortlisted candidates, as the panel form shows them."""
    with transaction(read_only=True) as session:
        apps = [a for a in store.applications(session=session, county=county, round_=round_) if a.eligible]
        stations = crud.stations_frame(session=session, county=county).set_index("code")
        evaluation = store.evaluation_frame(session=session, county=county,
                                            period=store.get_round(session=session, county=county, round_=round_).period)
    info = evaluation.set_index("code")
    return [{"code": a.station_code, "name": stations.loc[a.station_code, "name"],
             "township": stations.loc[a.station_code, "township"], "brand": a.brand,
             "total": f"{info.loc[a.station_code, 'total']:.2f}", "stars": int(info.loc[a.station_code, "stars"]),
             "assessors": "、".join(a.assessors or [])} for a in apps]


def objections_state(county: str, round_: str) -> list[dict]:
    """The objections not yet decided, as the publicity form shows them."""
    with transaction(read_only=True) as session:
        return [{"id": o.id, "station": o.station_code, "content": o.content}
                for o in store.objections(session=session, county=county, round_=round_) if o.upheld is None]
