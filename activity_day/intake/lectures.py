"""Validating the lecture pool (宣讲员库) and the stations' lecture orders (宣讲点单), like the other files."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pandas as pd

from activity_day.domain.codes import normalize_code
from activity_day.domain.names import closest
from activity_day.intake.cells import is_blank, parse_count, parse_datetime, text
from activity_day.intake.headers import ROW, H
from activity_day.intake.limits import LIMITS, too_long
from activity_day.intake.problems import Problem, Validated
from activity_day.intake.rows import _finish_row_unit, _RowCheck
from activity_day.intake.validate import REGISTRY, menu_problem

WEEKDAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}
SPLIT = re.compile(r"[,，、;；\n]+")  # not spaces: topic names have them (“美丽泗阳 浸润书香”主题阅读)
STORY_LIMIT = 60
AUDIENCE_MAX = 5000


def split_list(value: Any) -> list[str]:
    return [p.strip() for p in SPLIT.split(text(value)) if p.strip()] if not is_blank(value) else []


def parse_availability(value: Any) -> tuple[tuple[list[int], list[str]], str | None]:
    """周一、周三 / 星期六 / 工作日 / 周末 / 每天, and dates (2027-03-05 or 2027/3/5): (weekdays, ISO dates)."""
    weekdays: set[int] = set()
    dates: set[str] = set()
    for token in split_list(value):
        if token in ("每天", "不限"):
            return ([], []), None
        if token == "工作日":
            weekdays |= {1, 2, 3, 4, 5}
        elif token in ("周末", "双休日"):
            weekdays |= {6, 7}
        elif (m := re.fullmatch(r"(?:周|星期|礼拜)([一二三四五六日天])", token)):
            weekdays.add(WEEKDAYS[m.group(1)])
        else:
            moment, error = parse_datetime(token)
            if error or moment is None:
                return ([], []), f"“{token}”无法识别：写周一至周日、工作日、周末，或日期如 2027-03-05"
            dates.add(moment.date().isoformat())
    return (sorted(weekdays), sorted(dates)), None


def validate_speakers(frame: pd.DataFrame, file: str, *, topics: list[str], townships: set[str],
                      default_cap: int) -> Validated:
    """The pool is one unit, like the station registry: any problem refuses the whole file."""
    result = Validated("speakers", file)
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for raw in frame.to_dict("records"):
        c = _RowCheck(file, raw)
        code = normalize_code(raw.get(H.SPEAKER_CODE))
        if not code:
            c.fail(H.SPEAKER_CODE, f"{H.SPEAKER_CODE}不能为空")
        elif len(code) > LIMITS[H.SPEAKER_CODE]:
            c.fail(H.SPEAKER_CODE, too_long(LIMITS[H.SPEAKER_CODE], code))
        c.values["code"] = code
        if code and code in seen:  # ＪＳ００４ beside JS004 is one speaker listed twice
            c.fail(H.SPEAKER_CODE, f"与第{seen[code]}行的{H.SPEAKER_CODE}重复")
        seen.setdefault(code, raw[ROW])
        c.require_text(H.SPEAKER_NAME, "name", LIMITS[H.SPEAKER_NAME], name=True)
        c.optional_text(H.UNIT, "unit", LIMITS[H.UNIT])
        township = c.require_text(H.TOWNSHIP, "township", LIMITS[H.TOWNSHIP], name=True)
        if township and township not in townships:
            hint = closest(township, townships)
            c.fail(H.TOWNSHIP, "所站名录中没有这个乡镇（街道）" + (f"，是否为“{hint}”" if hint else ""))
        chosen = split_list(raw.get(H.TOPICS))
        unknown = [t for t in chosen if t not in topics]
        if not chosen:
            c.fail(H.TOPICS, f"{H.TOPICS}不能为空（可写：{'、'.join(topics)}）")
        for t in unknown:
            hint = closest(t, topics)
            c.fail(H.TOPICS, f"没有“{t}”这个宣讲主题" + (f"，是否为“{hint}”" if hint else f"（可写：{'、'.join(topics)}）"))
        c.values["topics"] = chosen
        stories = split_list(raw.get(H.STORIES))
        if long := [s for s in stories if len(s) > STORY_LIMIT]:
            c.fail(H.STORIES, f"故事名超过{STORY_LIMIT}个字符：{long[0][:20]}…")
        c.values["stories"] = stories
        (weekdays, dates), error = parse_availability(raw.get(H.AVAILABLE))
        if error:
            c.fail(H.AVAILABLE, error)
        c.values["weekdays"], c.values["dates"] = weekdays, dates
        if is_blank(raw.get(H.CAP)):
            c.values["cap"] = default_cap
        else:
            c.check(H.CAP, "cap", parse_count(raw.get(H.CAP), low=1, high=31))
        result.problems += c.problems
        rows.append(c.values)
    if not rows:
        result.problems.append(Problem(file, None, None, None, "宣讲员库中没有任何讲师"))
    if result.problems:
        result.refused[REGISTRY] = list(result.problems)
    else:
        result.units[REGISTRY] = rows
    return result


def validate_orders(frame: pd.DataFrame, file: str, *, stations: dict[str, str], menu: dict[str, str],
                    days: tuple[date, date], activity_date: date) -> Validated:
    """Orders: each row its own unit; one order per station and menu item; the day inside the month (blank:
    the activity day)."""
    result = Validated("orders", file)
    seen: dict[tuple[str, str], int] = {}
    for raw in frame.to_dict("records"):
        c = _RowCheck(file, raw)
        code = c.station(stations)
        menu_code = normalize_code(raw.get(H.MENU_CODE))
        if not menu_code:
            c.fail(H.MENU_CODE, f"{H.MENU_CODE}不能为空")
        elif (why := menu_problem(menu_code, menu)) is not None:
            c.fail(H.MENU_CODE, why)
        c.values["menu_code"] = menu_code
        if is_blank(raw.get(H.LECTURE_DATE)):
            c.values["day"] = activity_date
        else:
            moment, error = parse_datetime(raw.get(H.LECTURE_DATE))
            day = moment.date() if moment else None
            if error is None and day is not None and not days[0] <= day <= days[1]:
                error = f"应在本月内（{days[0].isoformat()} 至 {days[1].isoformat()}）"
            c.check(H.LECTURE_DATE, "day", (day, error))
        c.check(H.AUDIENCE, "audience", parse_count(raw.get(H.AUDIENCE), low=1, high=AUDIENCE_MAX))
        key = (code or "", menu_code)
        if code and menu_code and key in seen:
            c.fail(H.MENU_CODE, f"与第{seen[key]}行重复（同一所站同一菜单只点一次）")
        seen.setdefault(key, raw[ROW])
        _finish_row_unit(result, c, f"第{raw[ROW]}行")
    return result


def validate_ratings(frame: pd.DataFrame, file: str, *, delivered: set[tuple[str, str]],
                     stations: dict[str, str]) -> Validated:
    """Ratings (评单): each row its own unit, of a lecture that had a team (the station and menu code of an order
    dispatched or confirmed), 1 to 5; one rating per rater and lecture."""
    result = Validated("ratings", file)
    seen: dict[tuple[str, str, str], int] = {}
    for raw in frame.to_dict("records"):
        c = _RowCheck(file, raw)
        code = c.station(stations)
        menu_code = normalize_code(raw.get(H.MENU_CODE))
        c.values["menu_code"] = menu_code
        if code and (code, menu_code) not in delivered:
            c.fail(H.MENU_CODE, "本月没有派出宣讲队的这场宣讲（所站编号和菜单编号须与派单一致）")
        rater = c.require_text(H.RATER, "rater", LIMITS[H.RATER], name=True)
        c.check(H.RATING, "score", parse_count(raw.get(H.RATING), low=1, high=5))
        c.optional_text(H.RATING_NOTE, "comment", LIMITS[H.RATING_NOTE])
        key = (code or "", menu_code, rater)
        if code and rater and key in seen:
            c.fail(H.RATER, f"与第{seen[key]}行重复（同一评价人对同一场宣讲评价一次）")
        seen.setdefault(key, raw[ROW])
        _finish_row_unit(result, c, f"第{raw[ROW]}行")
    return result


ACCEPT, DECLINE = ("接单", "同意", "确认"), ("谢绝", "拒绝", "不能参加")


def validate_answers(frame: pd.DataFrame, file: str, *, teams: dict[tuple[str, str], list[str]],
                     stations: dict[str, str]) -> Validated:
    """Speakers' answers (接单—谢绝): each row its own unit; the speaker must be on the team of that lecture."""
    result = Validated("answers", file)
    seen: dict[tuple[str, str, str], int] = {}
    for raw in frame.to_dict("records"):
        c = _RowCheck(file, raw)
        code = c.station(stations)
        menu_code = normalize_code(raw.get(H.MENU_CODE))
        speaker = normalize_code(raw.get(H.SPEAKER_CODE))
        c.values["menu_code"], c.values["speaker"] = menu_code, speaker
        team = teams.get((code or "", menu_code))
        if code and team is None:
            c.fail(H.MENU_CODE, "本月没有这场已派单的宣讲（所站编号和菜单编号须与派单一致）")
        elif team is not None and speaker not in team:
            c.fail(H.SPEAKER_CODE, f"不在该宣讲队中（宣讲队：{'、'.join(team)}）")
        answer = text(raw.get(H.ANSWER))
        if answer not in ACCEPT + DECLINE:
            c.fail(H.ANSWER, "应为“接单”或“谢绝”")
        c.values["accept"] = answer in ACCEPT
        key = (code or "", menu_code, speaker)
        if code and speaker and key in seen:
            c.fail(H.SPEAKER_CODE, f"与第{seen[key]}行重复")
        seen.setdefault(key, raw[ROW])
        _finish_row_unit(result, c, f"第{raw[ROW]}行")
    return result
