"""Judging on-day evidence against the plan, and a station's state from its records (pure functions)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from activity_day.domain.evidence import (
    EvidenceKind,
    PhotoSeen,
    Report,
    activity_states,
    coverage_by_station,
    coverage_by_township,
    distance_text,
    first_checkin,
    judge,
    on_day,
    spot_check_priority,
    station_states,
)
from activity_day.domain.profile import EvidenceRules
from activity_day.models.enums import Verdict

RULES = EvidenceRules()  # 500 m, 60 min early, 60 min late, 90 planned minutes, 50 % coverage
STATION = (118.70, 33.70)
START = datetime(2026, 12, 5, 9, 0)
M = 1 / 111_195  # degrees of latitude per metre


def north(metres: float) -> tuple[float, float]:
    return STATION[0], STATION[1] + metres * M


def photo(minute: int = 0, metres: float = 50, sha: str = "a" * 64, **over) -> PhotoSeen:
    lon, lat = north(metres)
    return PhotoSeen(**{"sha256": sha, "exif_time": datetime(2026, 12, 5, 9, minute), "longitude": lon,
                        "latitude": lat} | over)


def checkin(at: datetime = START, metres: float = 100, photos=None) -> Report:
    lon, lat = north(metres)
    return Report(EvidenceKind.CHECKIN, at, lon, lat, tuple([photo()] if photos is None else photos))


def checkout(at: datetime, metres: float = 100, photos=None) -> Report:
    lon, lat = north(metres)
    return Report(EvidenceKind.CHECKOUT, at, lon, lat,
                  tuple([PhotoSeen("b" * 64, at, *north(50))] if photos is None else photos))


def test_a_check_in_on_time_and_in_place_passes_with_one_line() -> None:
    result = judge(checkin(), start=START, station=STATION, rules=RULES)
    assert result.verdict == Verdict.PASS
    assert result.reasons == ("签到位置、时间和照片与计划相符",)


def test_distance_outside_the_radius_is_doubtful_then_failing() -> None:
    near = judge(checkin(metres=800), start=START, station=STATION, rules=RULES)
    assert near.verdict == Verdict.DOUBT
    assert near.reasons == ("签到位置距所站登记位置 800 米，超出 500 米",)
    far = judge(checkin(metres=1200), start=START, station=STATION, rules=RULES)
    assert far.verdict == Verdict.FAIL
    assert far.reasons == ("签到位置距所站登记位置 1.2 公里，超出 500 米",)


def test_photo_gps_far_away_fails_and_names_the_photo() -> None:
    report = checkin(photos=[photo(), photo(sha="c" * 64, metres=3000)])
    result = judge(report, start=START, station=STATION, rules=RULES)
    assert result.verdict == Verdict.FAIL
    assert result.reasons == ("第2张照片拍摄位置距所站登记位置 3 公里，超出 500 米",)


def test_check_in_window() -> None:
    taken_then = PhotoSeen("a" * 64, datetime(2026, 12, 5, 7, 31), *north(10))
    early = judge(checkin(at=datetime(2026, 12, 5, 7, 30), photos=[taken_then]), start=START, station=STATION,
                  rules=RULES)
    assert early.verdict == Verdict.FAIL
    assert early.reasons == ("签到时间 7:30比活动开始时间（9:00）早 90 分钟，超出允许的 60 分钟",)
    edge = judge(checkin(at=datetime(2026, 12, 5, 10, 0), photos=[photo(minute=59)]), start=START,
                 station=STATION, rules=RULES)
    assert edge.verdict == Verdict.PASS
    other_day = judge(checkin(at=datetime(2026, 12, 6, 9, 0), photos=[]), start=START, station=STATION, rules=RULES)
    assert other_day.verdict == Verdict.FAIL
    assert "签到时间 12月6日 9:00比活动开始时间（9:00）晚 1440 分钟，超出允许的 60 分钟" in other_day.reasons


def test_missing_data_is_doubtful_never_a_silent_pass() -> None:
    bare = Report(EvidenceKind.CHECKIN, START, None, None, (PhotoSeen("a" * 64),))
    result = judge(bare, start=START, station=STATION, rules=RULES)
    assert result.verdict == Verdict.DOUBT
    assert result.reasons == ("签到未报告位置", "照片无拍摄时间（EXIF）", "照片无拍摄位置（EXIF）")
    no_photo = judge(checkin(photos=[]), start=START, station=STATION, rules=RULES)
    assert (no_photo.verdict, no_photo.reasons) == (Verdict.DOUBT, ("未附照片",))
    nowhere = judge(checkin(), start=START, station=None, rules=RULES)
    assert (nowhere.verdict, nowhere.reasons) == (Verdict.DOUBT, ("所站未登记坐标，无法核对位置",))
    shared = judge(checkin(photos=[photo(other_station=True)]), start=START, station=STATION, rules=RULES)
    assert (shared.verdict, shared.reasons) == (Verdict.DOUBT, ("照片与其他所站上传的照片相同",))


def test_an_old_photo_fails_the_time_check() -> None:
    stale = PhotoSeen("a" * 64, datetime(2026, 11, 20, 9, 0), *north(10))
    result = judge(checkin(photos=[stale]), start=START, station=STATION, rules=RULES)
    assert result.verdict == Verdict.FAIL
    assert result.reasons == ("照片拍摄时间 11月20日 9:00 与签到时间 9:00 相差 21600 分钟，超出 60 分钟",)


def test_a_check_out_is_judged_on_coverage_with_its_check_in() -> None:
    came = checkin(at=datetime(2026, 12, 5, 8, 55))
    ok = judge(checkout(datetime(2026, 12, 5, 9, 45)), start=START, station=STATION, rules=RULES, checkin=came)
    assert ok.verdict == Verdict.PASS and ok.reasons == ("签退位置、时间和照片与计划相符",)
    short = judge(checkout(datetime(2026, 12, 5, 9, 20)), start=START, station=STATION, rules=RULES, checkin=came)
    assert short.verdict == Verdict.FAIL
    assert short.reasons == ("签到至签退仅 25 分钟，不足计划时长 90 分钟的 50%（45 分钟）",)
    alone = judge(checkout(datetime(2026, 12, 5, 10, 30)), start=START, station=STATION, rules=RULES)
    assert (alone.verdict, alone.reasons) == (Verdict.DOUBT, ("未找到本项活动的签到，无法核对活动时长",))
    backwards = judge(checkout(datetime(2026, 12, 5, 8, 0)), start=START, station=STATION, rules=RULES, checkin=came)
    assert backwards.verdict == Verdict.FAIL and backwards.reasons[0] == "签退时间（8:00）不晚于签到时间（8:55）"
    reused = judge(checkout(datetime(2026, 12, 5, 10, 0), photos=[photo(minute=0)]), start=START, station=STATION,
                   rules=RULES, checkin=came)
    assert (reused.verdict, reused.reasons) == (Verdict.DOUBT, ("签退照片与签到照片相同",))


def test_a_phone_clock_ahead_of_the_server_is_doubtful() -> None:
    result = judge(checkin(), start=START, station=STATION, rules=RULES, received=datetime(2026, 12, 5, 8, 30))
    assert result.verdict == Verdict.DOUBT
    assert result.reasons == ("签到时间晚于服务器收到时间（8:30），手机时间可能不准",)


def test_the_earliest_check_in_pairs_with_the_check_out() -> None:
    late, early = checkin(at=datetime(2026, 12, 5, 9, 30)), checkin(at=datetime(2026, 12, 5, 8, 50))
    assert first_checkin([late, checkout(datetime(2026, 12, 5, 10, 0)), early]) is early
    assert first_checkin([]) is None


def test_distance_text() -> None:
    assert [distance_text(m) for m in (12.4, 999.6, 1000, 1234, 25_000)] == [
        "12 米", "1000 米", "1 公里", "1.2 公里", "25 公里"]


# --- states and coverage ------------------------------------------------------------------------------------

ACTIVITIES = pd.DataFrame({
    "station_code": ["001", "001", "002", "003", "004", "005"],
    "seq": [1, 2, 1, 1, 1, 1],
    "start_time": pd.to_datetime(["2026-12-05 09:00", "2026-12-05 14:00", "2026-12-05 09:00", "2026-12-05 09:00",
                                  "2026-12-12 09:00", "2026-12-05 09:00"]),
})


def rec(code: str, seq: int, kind: str, verdict: str = "符合", reasons=("ok",)) -> dict:
    return {"station_code": code, "activity_seq": seq, "kind": kind, "verdict": verdict, "reasons": list(reasons)}


RECORDS = pd.DataFrame([
    rec("001", 1, "checkin"), rec("001", 1, "checkout"), rec("001", 2, "checkin"), rec("001", 2, "checkout"),
    rec("002", 1, "checkin"),  # no check-out
    rec("004", 1, "checkin"), rec("004", 1, "checkout"),  # not on the day: does not count
    rec("005", 1, "checkin", "不符合", ["签到时间 7:30早"]), rec("005", 1, "checkout"),
])
STATIONS = pd.DataFrame({"code": ["001", "002", "003", "004", "005", "006"],
                         "name": ["甲站", "乙站", "丙站", "丁站", "戊站", "己站"],
                         "township": ["城关镇", "城关镇", "王集镇", "王集镇", "王集镇", "王集镇"]})


def per_activity() -> pd.DataFrame:
    return activity_states(on_day(ACTIVITIES, date(2026, 12, 5)), RECORDS)


def test_station_states() -> None:
    assert station_states(per_activity()) == {"001": "完整", "002": "存疑", "003": "缺失", "005": "存疑"}
    notes = dict(zip(per_activity()["station_code"], per_activity()["note"], strict=False))
    assert notes["002"] == "第1项活动有签到、无签退"
    assert notes["003"] == "第1项活动无纪实"
    assert notes["005"] == "第1项活动签到不符合：签到时间 7:30早"


def test_missing_outranks_doubtful_within_a_station() -> None:
    records = pd.DataFrame([rec("001", 1, "checkin", "存疑")])
    states = activity_states(on_day(ACTIVITIES, date(2026, 12, 5)), records)
    assert station_states(states)["001"] == "缺失"
    assert station_states(activity_states(ACTIVITIES.iloc[:0], records)) == {}


def test_coverage_by_station_and_township() -> None:
    by_station = coverage_by_station(per_activity(), STATIONS)
    assert by_station[["station_code", "township", "activities", "recorded", "complete", "state"]].values.tolist() == [
        ["001", "城关镇", 2, 2, 2, "完整"], ["002", "城关镇", 1, 1, 0, "存疑"], ["003", "王集镇", 1, 0, 0, "缺失"],
        ["005", "王集镇", 1, 1, 0, "存疑"]]
    by_township = coverage_by_township(by_station)
    assert by_township.to_dict("records") == [
        {"township": "城关镇", "stations": 2, "complete": 1, "doubtful": 1, "missing": 0, "complete_pct": 50.0,
         "recorded_pct": 100.0},
        {"township": "王集镇", "stations": 2, "complete": 0, "doubtful": 1, "missing": 1, "complete_pct": 0.0,
         "recorded_pct": 50.0}]


def test_online_spot_checks_put_missing_and_doubtful_first() -> None:
    online = pd.DataFrame({"station_code": ["001", "006", "005", "003"], "township": ["城关镇", "王集镇", "王集镇", "王集镇"],
                           "rank": [1, 2, 3, 4], "team": ["线上·张"] * 4, "slot": ["09:00-09:15"] * 4})
    order = spot_check_priority(online, coverage_by_station(per_activity(), STATIONS))
    assert order[["station_code", "state"]].values.tolist() == [
        ["003", "缺失"], ["005", "存疑"], ["006", "当日无计划活动"], ["001", "完整"]]
    assert order["reason"].tolist()[:3] == ["第1项活动无纪实", "第1项活动签到不符合：签到时间 7:30早", "活动日当天无计划活动"]
