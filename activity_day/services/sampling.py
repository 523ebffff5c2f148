"""The inspection draw (督查抽样): the candidate list published, the draw made once and stored, its lists written.

Each function owns its transactions; the draw reads its inputs and stores the record in one, so two runs at once
never store two draws. The record's rules are docs/draw.md's (domain/draw.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from activity_day.documents.render import write_bytes, write_text, xlsx_bytes
from activity_day.domain import draw
from activity_day.domain.dates import cn_month, shift_month
from activity_day.domain.profile import unknown_townships
from activity_day.errors import OperatorError
from activity_day.intake.headers import H
from activity_day.services import commitments, documents
from activity_day.services.risk import risk_facts
from activity_day.store import crud
from activity_day.store.database import transaction

MODE_CN = {"online": "线上飞检", "onsite": "线下巡查"}
TEAM, RANK = "检查组", "抽取序号"  # the draw table's own columns (no input file has them)


def months_since_drawn(history: pd.DataFrame, month: str, lookback: int = draw.LOOKBACK_MONTHS) -> dict[str, int]:
    """For each station drawn in the `lookback` months before `month`, how many months ago (1 = last month)."""
    out: dict[str, int] = {}
    for ago in range(lookback, 0, -1):
        earlier = shift_month(month, -ago)
        for code in history.loc[history["month"] == earlier, "code"]:
            out[code] = ago
    return out


def _inputs(session, county: str, month: str):
    profile = crud.load_profile_of(session=session, county=county)
    plan = crud.official_plan(session=session, county=county, month=month)
    stations = crud.stations_frame(session=session, county=county)
    if problems := unknown_townships(profile, set(stations["township"])):
        raise OperatorError("县情配置与所站名录不一致，回避无法落实，暂不抽样：" + "；".join(problems)
                            + "。请修改配置文件后运行 activity-day init --profile 配置文件.yaml，或重新导入所站名录")
    history = crud.drawn_months(session=session, county=county, before=month,
                                after=shift_month(month, -draw.LOOKBACK_MONTHS - 1))
    facts = risk_facts(session, county, month, profile=profile, stations=stations,
                       on=crud.plan_content(plan).dates.sample)
    candidates = draw.build_candidates(zip(stations["code"], stations["township"], strict=True),
                                       months_since_drawn(history, month), facts)
    return profile, plan, stations, candidates


@dataclass(frozen=True)
class CandidateList:
    """The eligible list and its SHA-256, or (`drawn`) the stored draw's: then `candidates` is empty."""

    sha256: str
    count: int
    drawn: bool
    candidates: list = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # station code -> name


def candidate_list(county: str, month: str) -> CandidateList:
    """The list a draw would use now, with rotation priorities and risk; the stored one once the month is drawn."""
    with transaction() as session:
        stored = crud.get_draw(session=session, county=county, month=month)
        if stored is not None:
            return CandidateList(stored.candidates_sha256, len(stored.record["candidates"]), True)
        _profile, _plan, stations, candidates = _inputs(session, county, month)
    return CandidateList(draw.candidates_sha256(candidates), len(candidates), False, candidates,
                         stations.set_index("code")["name"].to_dict())


def _public_random(session, county: str, month: str, plan) -> tuple[str, str, dict | None]:
    """The value an unattended draw uses: the departments' combined reveals when they committed (docs/draw.md),
    else the official plan's checksum (the weak default of a county that does not use commitments)."""
    parts = commitments.parts(session, county, month)
    if parts is None:
        return draw.default_public_random(plan.sha256), "正式方案SHA-256（未使用部门承诺值，无人值守默认）", None
    if not parts["reveals"]:
        waiting = "、".join(parts["commitments"])
        raise OperatorError(f"{cn_month(month)}已有部门提交承诺值（{waiting}），但尚无部门公开随机串，暂不抽样："
                            f"请各部门运行 activity-day sample reveal --month {month} --department 部门 --secret 随机串，"
                            f"再重跑 activity-day run sample --month {month}")
    source = "部门承诺—公开组合（" + "、".join(f"{d}{'已公开' if d in parts['reveals'] else '未公开'}"
                                          for d in parts["commitments"]) + "）"
    return draw.combine_reveals(parts["reveals"]), source, parts


def _build_record(inputs: draw.DrawInputs, profile, plan, stations: pd.DataFrame) -> dict:
    """The draw record from the month's inputs and the profile's sampling rules (docs/draw.md)."""
    sampling = profile.sampling
    geo = {r.code: (r.longitude, r.latitude) for r in stations.itertuples()
           if pd.notna(r.longitude) and pd.notna(r.latitude)}
    params = draw.DrawParams(
        teams=[t.model_dump() for t in profile.teams], onsite_share=sampling.onsite_share,
        onsite_fixed=sampling.onsite_townships, slot_minutes=sampling.online_slot_minutes,
        online_start=sampling.online_start, activity_date=plan.activity_date.isoformat(), geo=geo,
        seat=profile.county.seat, onsite_start=sampling.onsite_start, visit_minutes=sampling.visit_minutes,
        travel_kmh=sampling.travel_kmh, online_inspectors=[m.model_dump() for m in sampling.online_inspectors])
    return draw.build_record(inputs, ratio=sampling.fraction, params=params)


@dataclass(frozen=True)
class Drawn:
    """A draw: its digest and how many stations it selected from how many candidates; `new` when made now
    (else the stored one, `candidates` then 0), with the operator's warnings."""

    digest: str
    drawn: int
    new: bool
    candidates: int = 0
    warnings: list[str] = field(default_factory=list)


def draw_month(county: str, month: str, public_random: str | None = None, published_sha256: str | None = None,
               public_random_source: str = "") -> Drawn:
    """Draw the month's sample and store it, or return the stored one: a rerun never changes a draw."""
    if problem := draw.public_random_problem(public_random, public_random_source):
        raise OperatorError(problem)
    with transaction() as session:
        existing = crud.get_draw(session=session, county=county, month=month)
        if existing is not None:
            if public_random and public_random != existing.public_random:
                raise OperatorError(
                    f"{cn_month(month)}已用公开随机数“{existing.public_random}”完成抽样，抽样一经完成不再重抽")
            return Drawn(existing.digest, len(existing.record["selected"]), False)
        profile, plan, stations, candidates = _inputs(session, county, month)
        if published_sha256 and draw.candidates_sha256(candidates) != published_sha256:
            raise OperatorError(f"{cn_month(month)}候选名单公布后所站名录有变动：请重新运行 activity-day run sample "
                                f"--month {month}，公布新名单后再取公开随机数")
        parts, warnings = None, []
        if public_random is None:
            public_random, public_random_source, parts = _public_random(session, county, month, plan)
            if parts is None:
                warnings.append(weak_random_warning(month))
        try:
            inputs = draw.DrawInputs(county, month, candidates, public_random, public_random_source, parts)
            record = _build_record(inputs, profile, plan, stations)
        except draw.AvoidanceError as exc:
            raise OperatorError(f"{exc}。请调整县情配置中的检查组或线上飞检人员（sampling.online_inspectors），"
                                "使每个乡镇（街道）至少有一组可派，再运行 activity-day init --profile 配置文件.yaml") from exc
        digest = draw.record_digest(record)
        crud.save_draw(session=session, county=county, month=month, record=record, digest_=digest,
                       assignments=[{"station_code": s["code"], "township": s["township"], "rank": s["rank"],
                                     "mode": s["mode"], "team": s["team"], "slot": s["slot"]}
                                    for s in record["selected"]])
    return Drawn(digest, len(record["selected"]), True, len(candidates), warnings)


def weak_random_warning(month: str) -> str:
    """What the operator is told when an unattended draw had no public random value but the plan's checksum."""
    return (f"{cn_month(month)}抽样未取得公开随机数，暂以正式方案的校验值代替；该值由县文明办自己的方案决定，"
            f"事先可以推算抽样结果。今后请在抽样前由部门提交并公开随机串（activity-day sample commit/reveal），"
            f"或运行 activity-day run sample --month {month} --public-random 公开随机数")


def draw_table(record: dict, stations: pd.DataFrame, activities: pd.DataFrame, activity_date: str) -> pd.DataFrame:
    """One row per drawn station with address (the planned venue on the day), contact, team, order and time."""
    info = stations.set_index("code")
    on_day = activities[activities["start_time"].map(lambda t: t.date().isoformat()) == activity_date] \
        if len(activities) else activities
    venue = on_day.groupby("station_code")["location"].first().to_dict() if len(on_day) else {}
    rows = []
    for s in record["selected"]:
        st = info.loc[s["code"]] if s["code"] in info.index else None
        rows.append({
            TEAM: s["team"], H.MODE: MODE_CN[s["mode"]], "顺序": s.get("order", ""), "时间": s["slot"],
            H.STATION_CODE: s["code"], H.STATION_NAME: st["name"] if st is not None else "", H.TOWNSHIP: s["township"],
            H.LOCATION: venue.get(s["code"], "（未报送计划）"), H.LEADER: st["leader"] if st is not None else "",
            H.PHONE: st["phone"] if st is not None else "", RANK: s["rank"],
        })
    columns = [TEAM, H.MODE, "顺序", "时间", H.STATION_CODE, H.STATION_NAME, H.TOWNSHIP, H.LOCATION, H.LEADER, H.PHONE,
               RANK]
    return pd.DataFrame(rows, columns=columns)


def team_order(record: dict, table: pd.DataFrame) -> list[str]:
    """The teams in the profile's order (第一, 第二, 第三…, never by character code), then online inspectors."""
    teams = [t["name"] for t in record["params"]["teams"]]
    return teams + sorted(set(table[TEAM]) - set(teams))


def by_team(table: pd.DataFrame, teams: list[str]) -> pd.DataFrame:
    """Rows by team in `teams` order, then mode and visit order."""
    return table.sort_values([TEAM, H.MODE, "顺序"], kind="stable",
                             key=lambda c: c.map(teams.index) if c.name == TEAM else c).reset_index(drop=True)


@dataclass(frozen=True)
class Exported:
    """The draw's lists written: the table by team (the artifact's), the record's digest and the files."""

    table: pd.DataFrame
    digest: str
    files: documents.Files


def export_draw(county: str, month: str, folder: Path) -> Exported:
    """draw.json (the verifiable record), draw.xlsx, one xlsx per team and the online schedule, written into
    `folder` and recorded."""
    with transaction(read_only=True) as session:
        stored = crud.require_draw(session=session, county=county, month=month)
        stations = crud.stations_frame(session=session, county=county)
        activities = crud.activities_frame(session=session, county=county, month=month)
    table = draw_table(stored.record, stations, activities, stored.record["params"]["activity_date"])
    teams = team_order(stored.record, table)
    table = by_team(table, teams)
    label = cn_month(month)
    files = {
        "json": write_text(folder / "draw.json",
                           json.dumps(stored.record, ensure_ascii=False, indent=1, sort_keys=True) + "\n"),
        "xlsx": write_bytes(folder / "draw.xlsx", xlsx_bytes(
            [("抽查名单", table.sort_values(RANK))], title=f"{label}督查抽查名单")),
        "online": write_bytes(folder / "online-schedule.xlsx", xlsx_bytes(
            [("线上飞检时间表", table[table[H.MODE] == MODE_CN["online"]])], title=f"{label}线上飞检时间表")),
    }
    for n, team in enumerate(teams, start=1):
        mine = table[table[TEAM] == team]
        files[f"team{n}"] = write_bytes(folder / "teams" / f"{n}-{team}.xlsx", xlsx_bytes(
            [("线下巡查路线", mine[mine[H.MODE] == MODE_CN["onsite"]]),
             ("线上飞检", mine[mine[H.MODE] == MODE_CN["online"]])],
            title=f"{label}{team}督查安排"))
    documents.record(county, month, "draw", files)
    return Exported(table, stored.digest, files)
