"""On-day evidence (活动纪实): a check-in or check-out judged against the plan, and a station's state.

A record is judged on four things, each giving a verdict and, when not 符合, a Chinese reason:

- place: the reported position and each photo's EXIF position against the station's registered
  coordinates; within `radius_m` passes, up to `FAR_FACTOR` times it is 存疑 (GPS drifts indoors),
  beyond is 不符合;
- time: a check-in inside [start − early_minutes, start + late_minutes], else 不符合;
- photos: each photo's EXIF time within the window's width (the larger of early and late minutes) of the
  reported time, else 不符合 (an older photo does not document this activity);
- coverage, on the check-out: check-out − check-in ≥ min_coverage × planned_minutes, else 不符合.

What cannot be checked is 存疑, never a silent pass: no position, no photo, no EXIF time or position, a
station without registered coordinates, a check-out without its check-in. The record's verdict is the
worst of its findings. Records are judged, never dropped.

A station that planned activities on the activity day is 完整 when each of them has a check-in and a
check-out judged 符合, 缺失 when one of them has no record at all, else 存疑.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import pandas as pd

from activity_day.domain.draw import haversine_km
from activity_day.domain.profile import EvidenceRules
from activity_day.models.enums import Verdict

FAR_FACTOR = 2  # beyond radius × this, a position is 不符合; between, 存疑
CLOCK_SKEW_MINUTES = 10  # a reported time this far after the server received the record is doubtful
SEVERITY = {Verdict.PASS: 0, Verdict.DOUBT: 1, Verdict.FAIL: 2}


class EvidenceKind(StrEnum):
    CHECKIN = "checkin"
    CHECKOUT = "checkout"

    @property
    def cn(self) -> str:
        return {"checkin": "签到", "checkout": "签退"}[self.value]


class EvidenceState(StrEnum):
    """A station's evidence for the activity day."""

    COMPLETE = "完整"
    DOUBTFUL = "存疑"
    MISSING = "缺失"


NOT_PLANNED = "当日无计划活动"  # a drawn station that planned nothing on the activity day


@dataclass(frozen=True)
class PhotoSeen:
    sha256: str
    exif_time: datetime | None = None
    longitude: float | None = None
    latitude: float | None = None
    other_station: bool = False  # the same bytes were first uploaded by another station


@dataclass(frozen=True)
class Report:
    """What a station reports: the kind, its local time, its position and the photos."""

    kind: EvidenceKind
    taken_at: datetime
    longitude: float | None = None
    latitude: float | None = None
    photos: tuple[PhotoSeen, ...] = ()


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    reasons: tuple[str, ...]


Finding = tuple[Verdict, str]


def distance_text(metres: float) -> str:
    """350 米, 1.2 公里, 3 公里."""
    if metres < 1000:
        return f"{round(metres)} 米"
    return f"{metres / 1000:.1f}".removesuffix(".0") + " 公里"


def clock_text(t: datetime, day: date) -> str:
    """9:05 on `day`, else 12月6日 9:05."""
    hm = f"{t.hour}:{t.minute:02d}"
    return hm if t.date() == day else f"{t.month}月{t.day}日 {hm}"


def _minutes(delta: timedelta) -> int:
    return int(abs(delta.total_seconds()) // 60)


def _point(longitude: float | None, latitude: float | None) -> tuple[float, float] | None:
    return None if longitude is None or latitude is None else (longitude, latitude)


def place_findings(what: str, point: tuple[float, float] | None, station: tuple[float, float],
                   radius_m: float, missing: str) -> list[Finding]:
    """A position against the station's: nothing within the radius; 存疑 up to FAR_FACTOR × it; 不符合 beyond."""
    if point is None:
        return [(Verdict.DOUBT, missing)]
    metres = haversine_km(point, station) * 1000
    if metres <= radius_m:
        return []
    verdict = Verdict.DOUBT if metres <= FAR_FACTOR * radius_m else Verdict.FAIL
    return [(verdict, f"{what}距所站登记位置 {distance_text(metres)}，超出 {distance_text(radius_m)}")]


def window_findings(report: Report, start: datetime, rules: EvidenceRules) -> list[Finding]:
    """A check-in inside [start − early, start + late]."""
    taken, day = report.taken_at, start.date()
    shown = f"签到时间 {clock_text(taken, day)}"
    if taken < start - timedelta(minutes=rules.early_minutes):
        return [(Verdict.FAIL, f"{shown}比活动开始时间（{clock_text(start, day)}）早 {_minutes(start - taken)} 分钟，"
                               f"超出允许的 {rules.early_minutes} 分钟")]
    if taken > start + timedelta(minutes=rules.late_minutes):
        return [(Verdict.FAIL, f"{shown}比活动开始时间（{clock_text(start, day)}）晚 {_minutes(taken - start)} 分钟，"
                               f"超出允许的 {rules.late_minutes} 分钟")]
    return []


def photo_findings(report: Report, station: tuple[float, float] | None, rules: EvidenceRules,
                   day: date) -> list[Finding]:
    """Each photo's EXIF time against the reported time, and its EXIF position against the station's."""
    if not report.photos:
        return [(Verdict.DOUBT, "未附照片")]
    findings: list[Finding] = []
    tolerance = max(rules.early_minutes, rules.late_minutes)
    for n, photo in enumerate(report.photos, start=1):
        name = "照片" if len(report.photos) == 1 else f"第{n}张照片"
        if photo.other_station:
            findings.append((Verdict.DOUBT, f"{name}与其他所站上传的照片相同"))
        if photo.exif_time is None:
            findings.append((Verdict.DOUBT, f"{name}无拍摄时间（EXIF）"))
        elif _minutes(photo.exif_time - report.taken_at) > tolerance:
            findings.append((Verdict.FAIL, f"{name}拍摄时间 {clock_text(photo.exif_time, day)} 与{report.kind.cn}时间 "
                                           f"{clock_text(report.taken_at, day)} 相差 "
                                           f"{_minutes(photo.exif_time - report.taken_at)} 分钟，超出 {tolerance} 分钟"))
        if station is not None:
            findings += place_findings(f"{name}拍摄位置", _point(photo.longitude, photo.latitude), station,
                                       rules.radius_m, f"{name}无拍摄位置（EXIF）")
    return findings


def coverage_findings(report: Report, checkin: Report | None, rules: EvidenceRules, day: date) -> list[Finding]:
    """A check-out against its check-in: the time between covers min_coverage of the planned minutes."""
    if checkin is None:
        return [(Verdict.DOUBT, "未找到本项活动的签到，无法核对活动时长")]
    findings: list[Finding] = []
    shared = {p.sha256 for p in report.photos} & {p.sha256 for p in checkin.photos}
    if shared:
        findings.append((Verdict.DOUBT, "签退照片与签到照片相同"))
    if report.taken_at <= checkin.taken_at:
        return [*findings, (Verdict.FAIL, f"签退时间（{clock_text(report.taken_at, day)}）不晚于签到时间"
                                          f"（{clock_text(checkin.taken_at, day)}）")]
    need = rules.min_coverage * rules.planned_minutes
    covered = (report.taken_at - checkin.taken_at).total_seconds() / 60
    if covered < need:
        findings.append((Verdict.FAIL, f"签到至签退仅 {int(covered)} 分钟，不足计划时长 {rules.planned_minutes} 分钟的 "
                                       f"{rules.min_coverage:.0%}（{need:g} 分钟）"))
    return findings


def judge(report: Report, *, start: datetime, station: tuple[float, float] | None, rules: EvidenceRules,
          checkin: Report | None = None, received: datetime | None = None) -> Judgement:
    """The verdict on a record and its reasons (a 符合 record has one line saying so).

    `start` is the planned activity's start, `station` the registered (longitude, latitude), `checkin` the
    activity's check-in (for a check-out's coverage), `received` the server's receipt in local time.
    """
    day = start.date()
    findings: list[Finding] = []
    what = report.kind.cn
    if station is None:
        findings.append((Verdict.DOUBT, "所站未登记坐标，无法核对位置"))
    else:
        findings += place_findings(f"{what}位置", _point(report.longitude, report.latitude), station,
                                   rules.radius_m, f"{what}未报告位置")
    if report.kind == EvidenceKind.CHECKIN:
        findings += window_findings(report, start, rules)
    else:
        findings += coverage_findings(report, checkin, rules, day)
    if received is not None and report.taken_at > received + timedelta(minutes=CLOCK_SKEW_MINUTES):
        findings.append((Verdict.DOUBT, f"{what}时间晚于服务器收到时间（{clock_text(received, day)}），手机时间可能不准"))
    findings += photo_findings(report, station, rules, day)
    if not findings:
        return Judgement(Verdict.PASS, (f"{what}位置、时间和照片与计划相符",))
    verdict = max((v for v, _ in findings), key=SEVERITY.__getitem__)
    return Judgement(verdict, tuple(dict.fromkeys(reason for _, reason in findings)))


def first_checkin(records: Sequence[Report]) -> Report | None:
    """The check-in a check-out is paired with: the activity's earliest."""
    checkins = [r for r in records if r.kind == EvidenceKind.CHECKIN]
    return min(checkins, key=lambda r: r.taken_at) if checkins else None


# --- a station's state, and coverage --------------------------------------------------------------------

RECORD_COLUMNS = ["station_code", "activity_seq", "kind", "verdict", "reasons"]
ACTIVITY_COLUMNS = ["station_code", "seq", "state", "note"]


def on_day(activities: pd.DataFrame, activity_date: date) -> pd.DataFrame:
    """The planned activities that start on the activity day."""
    starts = pd.to_datetime(activities["start_time"])
    return activities[starts.dt.date == activity_date]


def activity_states(activities: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Each planned activity's state (完整, 存疑, 缺失) and a note saying why when it is not 完整.

    `activities` has station_code and seq; `records` has RECORD_COLUMNS (any records: those of other
    activities are ignored).
    """
    by_activity: dict[tuple[Any, Any], list[tuple[str, str, Any]]] = {}  # in the records' order
    for code, seq, kind, verdict, reasons in records[RECORD_COLUMNS].itertuples(index=False):
        by_activity.setdefault((code, seq), []).append((kind, verdict, reasons))
    rows = []
    for code, seq in activities[["station_code", "seq"]].itertuples(index=False):
        mine = by_activity.get((code, seq))
        if not mine:
            rows.append((code, seq, EvidenceState.MISSING.value, f"第{seq}项活动无纪实"))
            continue
        passed = {k for k, v, _ in mine if v == Verdict.PASS.value}
        notes = [f"第{seq}项活动{EvidenceKind(k).cn}{v}：{'；'.join(r)}" for k, v, r in mine if v != Verdict.PASS.value]
        kinds = {k for k, _, _ in mine}
        if EvidenceKind.CHECKOUT.value not in kinds:
            notes.append(f"第{seq}项活动有签到、无签退")
        if EvidenceKind.CHECKIN.value not in kinds:
            notes.append(f"第{seq}项活动有签退、无签到")
        complete = not notes and passed >= {EvidenceKind.CHECKIN.value, EvidenceKind.CHECKOUT.value}
        rows.append((code, seq, EvidenceState.COMPLETE.value if complete else EvidenceState.DOUBTFUL.value,
                     "；".join(notes)))
    return pd.DataFrame(rows, columns=ACTIVITY_COLUMNS)


def station_states(per_activity: pd.DataFrame) -> dict[str, str]:
    """Each station's state: 缺失 if an activity has no record, else 存疑 if one is not 完整, else 完整."""
    order = [EvidenceState.MISSING.value, EvidenceState.DOUBTFUL.value, EvidenceState.COMPLETE.value]
    seen: dict[str, set[str]] = {}
    for code, state in zip(per_activity["station_code"], per_activity["state"], strict=True):
        seen.setdefault(str(code), set()).add(state)
    return {code: next(s for s in order if s in states) for code, states in sorted(seen.items())}


STATION_COVERAGE_COLUMNS = ["station_code", "name", "township", "activities", "recorded", "complete", "state", "note"]


def coverage_by_station(per_activity: pd.DataFrame, stations: pd.DataFrame) -> pd.DataFrame:
    """Per station that planned on the day: its activities, how many have a record, how many are 完整.

    Counted in plain Python, one pass over the activities (per-group pandas aggregations took a quarter of a
    county's month)."""
    if per_activity.empty:
        return pd.DataFrame(columns=STATION_COVERAGE_COLUMNS)
    counts: dict[str, list] = {}  # station -> [activities, recorded, complete, notes]
    for code, state, note in zip(per_activity["station_code"], per_activity["state"], per_activity["note"],
                                 strict=True):
        row = counts.setdefault(code, [0, 0, 0, []])
        row[0] += 1
        row[1] += state != EvidenceState.MISSING.value
        row[2] += state == EvidenceState.COMPLETE.value
        if note:
            row[3].append(note)
    codes = sorted(counts)
    states = station_states(per_activity)
    frame = pd.DataFrame({
        "station_code": pd.Series(codes, dtype=per_activity["station_code"].dtype),
        "activities": [counts[c][0] for c in codes], "recorded": [counts[c][1] for c in codes],
        "complete": [counts[c][2] for c in codes], "note": ["；".join(counts[c][3]) for c in codes]})
    frame["state"] = frame["station_code"].map(states)
    named = stations.set_index("code")
    frame["name"] = frame["station_code"].map(named["name"]).fillna("")
    frame["township"] = frame["station_code"].map(named["township"]).fillna("")
    return frame[STATION_COVERAGE_COLUMNS].astype({"activities": int, "recorded": int, "complete": int})


TOWNSHIP_COVERAGE_COLUMNS = ["township", "stations", "complete", "doubtful", "missing", "complete_pct", "recorded_pct"]


def _pct(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (100 * part / whole).round(1)


def coverage_by_township(by_station: pd.DataFrame) -> pd.DataFrame:
    """Per township: stations that planned on the day, how many are 完整, 存疑, 缺失, and the shares (%).

    `recorded_pct` counts the stations with a record for every on-day activity (完整 or 存疑).
    """
    if by_station.empty:
        return pd.DataFrame(columns=TOWNSHIP_COVERAGE_COLUMNS)
    counts: dict[Any, Counter] = {}  # counted in one pass: pd.crosstab took half of the function's time
    for township, state in zip(by_station["township"], by_station["state"], strict=True):
        if not (pd.isna(township) or pd.isna(state)):  # as crosstab leaves them out
            counts.setdefault(township, Counter())[state] += 1
    towns = sorted(counts)
    frame = pd.DataFrame({
        "township": pd.Series(towns, dtype=by_station["township"].dtype),
        "stations": [sum(counts[t].values()) for t in towns],
        "complete": [counts[t][EvidenceState.COMPLETE.value] for t in towns],
        "doubtful": [counts[t][EvidenceState.DOUBTFUL.value] for t in towns],
        "missing": [counts[t][EvidenceState.MISSING.value] for t in towns],
    })
    frame["complete_pct"] = _pct(frame["complete"], frame["stations"])
    frame["recorded_pct"] = _pct(frame["complete"] + frame["doubtful"], frame["stations"])
    ints = dict.fromkeys(("stations", "complete", "doubtful", "missing"), int)
    return frame[TOWNSHIP_COVERAGE_COLUMNS].astype(ints).sort_values("township", ignore_index=True)


PRIORITY = {EvidenceState.MISSING.value: 0, EvidenceState.DOUBTFUL.value: 1, NOT_PLANNED: 2,
            EvidenceState.COMPLETE.value: 3}
PRIORITY_COLUMNS = ["station_code", "township", "rank", "team", "slot", "state", "reason"]


def spot_check_priority(online: pd.DataFrame, by_station: pd.DataFrame) -> pd.DataFrame:
    """The month's online spot checks (draw rows with station_code, township, rank, team, slot), those with
    evidence 缺失 or 存疑 first, then those that planned nothing on the day, then 完整; by draw rank within."""
    if online.empty:
        return pd.DataFrame(columns=PRIORITY_COLUMNS)
    known = by_station.set_index("station_code") if len(by_station) else None
    frame = online[["station_code", "township", "rank", "team", "slot"]].copy()
    if known is not None:
        frame["state"] = frame["station_code"].map(known["state"]).fillna(NOT_PLANNED)
        frame["reason"] = frame["station_code"].map(known["note"]).fillna("")
    else:
        frame["state"], frame["reason"] = NOT_PLANNED, ""
    frame.loc[frame["state"] == NOT_PLANNED, "reason"] = "活动日当天无计划活动"
    frame["_order"] = frame["state"].map(PRIORITY)
    return frame.sort_values(["_order", "rank"], kind="stable", ignore_index=True)[PRIORITY_COLUMNS]
