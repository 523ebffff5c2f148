"""Validating a frame read from a file: each kind's rows checked, grouped into units, accepted or refused.

Validators return the accepted units and the problems; the caller writes the accepted units in one
transaction. A unit is refused whole when any of its rows has a problem.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from activity_day.domain.codes import normalize_code
from activity_day.domain.names import closest, normalize_name
from activity_day.domain.review import amendment_problem, check_proposed_codes, recorded_comment
from activity_day.intake.applications import validate_applications
from activity_day.intake.cells import (
    compact,
    float_or_none,
    is_blank,
    numeric_key,
    parse_count,
    parse_datetime,
    parse_day,
    parse_enum,
    parse_kind,
    phone,
    resolve_code,
    text,
)
from activity_day.intake.headers import ROW, H
from activity_day.intake.limits import LIMITS, PARTICIPANTS_MAX, PARTICIPANTS_MIN, too_many_activities
from activity_day.intake.problems import Problem, Validated
from activity_day.intake.reports import validate_reports
from activity_day.intake.rows import UNKNOWN_CODE, _finish_row_unit, _RowCheck, _shown
from activity_day.intake.scores import check_score_columns, validate_assessed, validate_scores
from activity_day.models.enums import ActionKind, Disposition, PracticeTask

__all__ = [
    "REGISTRY", "UNKNOWN_CODE", "check_score_columns", "menu_problem", "validate_applications", "validate_assessed",
    "validate_comments", "validate_plans", "validate_reports", "validate_scores", "validate_stations",
]

REGISTRY = "名录"  # the stations file is one unit, reported under this name


def validate_stations(frame: pd.DataFrame, file: str, existing: dict[str, str] | None = None,
                      today: date | None = None) -> Validated:
    """The registry is one unit: any problem refuses the whole file.

    A code typed as a number (1 for 001) keeps the registered code it means, so re-importing a
    registry never re-keys its stations. 设立日期 and 撤销日期 (optional) are a station's lifetime in the
    evaluation; a 撤销日期 after `today` (the import's day) is refused: a station closes before it leaves the registry.
    """
    result = Validated("stations", file)
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for raw in frame.to_dict("records"):
        c = _RowCheck(file, raw)
        code = resolve_code(raw[H.STATION_CODE], existing or {}) or normalize_code(raw[H.STATION_CODE])
        same = numeric_key(code) or code
        if same in seen:
            c.fail(H.STATION_CODE, f"与第{seen[same]}行的{H.STATION_CODE}重复")
        seen.setdefault(same, raw[ROW])
        c.check(H.STATION_CODE, "code", (code, None if code else f"{H.STATION_CODE}不能为空"))
        if len(code) > LIMITS[H.STATION_CODE]:
            c.fail(H.STATION_CODE, f"{H.STATION_CODE}超过{LIMITS[H.STATION_CODE]}个字符")
        c.require_text(H.STATION_NAME, "name", LIMITS[H.STATION_NAME], name=True)
        c.check(H.STATION_KIND, "kind", parse_kind(raw[H.STATION_KIND]))
        c.require_text(H.TOWNSHIP, "township", LIMITS[H.TOWNSHIP], name=True)
        c.optional_text(H.LEADER, "leader", LIMITS[H.LEADER], name=True)
        number, error = phone(raw[H.PHONE])
        if error is None and len(number) > LIMITS[H.PHONE]:  # the pattern allows 21; the column decides
            error = f"超过{LIMITS[H.PHONE]}个字符"
        c.check(H.PHONE, "phone", (number, error))
        c.check(H.LONGITUDE, "longitude", float_or_none(raw.get(H.LONGITUDE), 73, 136))
        c.check(H.LATITUDE, "latitude", float_or_none(raw.get(H.LATITUDE), 3, 54))
        joined = c.check(H.JOINED, "joined_on", parse_day(raw.get(H.JOINED)))
        left = c.check(H.LEFT, "left_on", parse_day(raw.get(H.LEFT)))
        if left is not None and today is not None and left > today:
            c.fail(H.LEFT, f"不能晚于导入当天（{today.isoformat()}）：撤销后再导入")
        elif left is not None and joined is not None and left <= joined:
            c.fail(H.LEFT, f"应晚于{H.JOINED}（{joined.isoformat()}）")
        result.problems += c.problems
        if c.values["kind"] is not None:
            c.values["kind"] = c.values["kind"].value
        rows.append(c.values)
    if not rows:
        result.problems.append(Problem(file, None, None, None, "名录中没有任何所站"))
    if result.problems:
        result.refused[REGISTRY] = list(result.problems)
    else:
        result.units[REGISTRY] = rows
    return result


@dataclass(frozen=True)
class PlanChecks:
    """What a month's station plans are checked against: the month, the station codes a row may name
    (code_index), the official plan's checklist codes (None: not checked), the profile's limits and the official
    plan's lecture `menu` (code -> title; None: the month has no menu).

    Text fields hold at most `max_text` characters, if given, and never more than their columns; a station with
    more than `max_activities` rows is refused as the API refuses it.
    """

    month: str
    stations: dict[str, str]
    checklist_codes: set[str] | None
    max_text: int | None = None
    max_activities: int | None = None
    menu: dict[str, str] | None = None


def validate_plans(frame: pd.DataFrame, file: str, checks: PlanChecks) -> Validated:
    """Plans: the unit is one station's plan for the month; one bad row refuses that station's plan. A row's
    菜单编号 orders that lecture from the official plan's menu, once per station (`PlanChecks`).
    """
    month, stations, checklist_codes = checks.month, checks.stations, checks.checklist_codes
    max_text, max_activities, menu = checks.max_text, checks.max_activities, checks.menu

    def text_limit(header: str) -> int:
        return LIMITS[header] if max_text is None else min(max_text, LIMITS[header])

    result = Validated("plans", file)
    year, mon = (int(p) for p in month.split("-"))
    by_unit: dict[str, list[dict[str, Any]]] = {}
    problems_by_unit: dict[str, list[Problem]] = {}
    ordered: dict[tuple[str, str], int] = {}
    for raw in frame.to_dict("records"):
        c = _RowCheck(file, raw)
        code = resolve_code(raw[H.STATION_CODE], stations)
        unit = code or f"未知编号 {_shown(normalize_code(raw[H.STATION_CODE])) or '（空）'}"
        if code is None:
            if is_blank(raw[H.STATION_CODE]):
                c.fail(H.STATION_CODE, f"{H.STATION_CODE}不能为空")
            else:
                c.fail(H.STATION_CODE, UNKNOWN_CODE)
        c.values["station_code"] = code
        c.require_text(H.ACTIVITY_NAME, "name", text_limit(H.ACTIVITY_NAME))
        task = c.check(H.TASK, "task", parse_enum(raw[H.TASK], PracticeTask, H.TASK))
        kind = c.check(H.ACTION_KIND, "action_kind", parse_enum(raw[H.ACTION_KIND], ActionKind, H.ACTION_KIND))
        start = c.check(H.START_TIME, "start_time", parse_datetime(raw[H.START_TIME]))
        if start is not None and (start.year, start.month) != (year, mon):
            c.fail(H.START_TIME, f"不在{year}年{mon}月内")
        c.require_text(H.LOCATION, "location", text_limit(H.LOCATION))
        c.check(H.EXPECTED_PARTICIPANTS, "expected_participants",
                parse_count(raw[H.EXPECTED_PARTICIPANTS], low=PARTICIPANTS_MIN, high=PARTICIPANTS_MAX))
        item = normalize_code(raw.get(H.CHECKLIST_CODE)) or None
        if item is not None:
            if len(item) > LIMITS[H.CHECKLIST_CODE]:
                c.fail(H.CHECKLIST_CODE, f"超过{LIMITS[H.CHECKLIST_CODE]}个字符")
            elif checklist_codes is None:
                c.fail(H.CHECKLIST_CODE, f"{year}年{mon}月方案尚未起草，无法核对{H.CHECKLIST_CODE}")
            elif item not in checklist_codes:
                c.fail(H.CHECKLIST_CODE, f"不是{year}年{mon}月活动清单中的编号")
        c.values["checklist_code"] = item
        lecture = normalize_code(raw.get(H.MENU_CODE)) or None
        if lecture is not None:
            if (why := menu_problem(lecture, menu, f"{year}年{mon}月")) is not None:
                c.fail(H.MENU_CODE, why)
            elif code and (earlier := ordered.get((code, lecture))):
                c.fail(H.MENU_CODE, f"与第{earlier}行重复（同一所站同一菜单只点一次）")
            ordered.setdefault((code or "", lecture), raw[ROW])
            c.values["menu_code"] = lecture
        c.values["volunteer_team"] = c.optional_text(H.VOLUNTEER_TEAM, "volunteer_team",
                                                     text_limit(H.VOLUNTEER_TEAM)) or None
        if task is not None:
            c.values["task"] = task.value
        if kind is not None:
            c.values["action_kind"] = kind.value
        c.values[ROW] = raw[ROW]
        by_unit.setdefault(unit, []).append(c.values)
        problems_by_unit.setdefault(unit, []).extend(c.problems)
        result.problems += c.problems
    if max_activities is not None:
        for unit, rows in by_unit.items():
            if len(rows) > max_activities:
                problem = Problem(file, rows[max_activities][ROW], H.STATION_CODE, unit,
                                  f"{too_many_activities(max_activities)}（本所站共{len(rows)}项）")
                problems_by_unit[unit].append(problem)
                result.problems.append(problem)
    for unit, rows in by_unit.items():
        if problems_by_unit[unit]:
            result.refused[unit] = problems_by_unit[unit]
        else:
            result.units[unit] = rows
    return result


def menu_problem(menu_code: str, menu: dict[str, str] | None, month_cn: str = "本月") -> str | None:
    """Why a lecture menu code cannot be ordered (with the closest code of the menu), or None."""
    if menu is None:
        return f"{month_cn}正式方案没有宣讲菜单，不能点单"
    if menu_code in menu:
        return None
    hint = closest(menu_code, menu)
    return "本月宣讲菜单中没有这个编号" + (f"，是否为“{hint}”（{menu[hint]}）" if hint else "")


def validate_comments(frame: pd.DataFrame, file: str, *, departments: list[str],
                      catalog_codes: set[str] | None = None, in_plan: set[str] | None = None,
                      foreign: dict[str, str] | None = None) -> Validated:
    """Department comments: each row is its own unit. Proposed codes are checked when the plan is known
    (`foreign`: catalog codes tied to another month's festival, which the plan never takes)."""
    result = Validated("comments", file)
    known = {normalize_name(d): d for d in departments}
    seen: dict[tuple[str, str], int] = {}
    for raw in frame.to_dict("records"):
        c = _RowCheck(file, raw)
        given = normalize_name(text(raw[H.DEPARTMENT]))
        dept = known.get(given) or known.get(compact(given))
        if dept is None:
            guess = closest(given, known) if given else None
            hint = f"（是否为“{known[guess]}”？）" if guess else ""
            c.fail(H.DEPARTMENT, f"{H.DEPARTMENT}应为：{'、'.join(departments)}{hint}")
        elif len(dept) > LIMITS[H.DEPARTMENT]:
            c.fail(H.DEPARTMENT, f"{H.DEPARTMENT}名称超过{LIMITS[H.DEPARTMENT]}个字，请在县级配置中缩短")
        c.values["department"] = dept or given
        content = c.require_text(H.CONTENT, "content", LIMITS[H.CONTENT])
        # 无意见, 同意, 无异议…: recorded as silence (the same function decides it for the resume form)
        content, silence = recorded_comment(content) if content else (content, None)
        c.values["content"] = content
        if dept and content:
            key = (dept, content)
            if key in seen:
                c.fail(H.CONTENT, f"与第{seen[key]}行的意见重复（同一部门、同一内容），只保存第{seen[key]}行")
            seen.setdefault(key, raw[ROW])
        disposition = None
        if not is_blank(raw.get(H.DISPOSITION)):
            disposition = c.check(H.DISPOSITION, "disposition",
                                  parse_enum(raw[H.DISPOSITION], Disposition, H.DISPOSITION))
            if disposition is Disposition.NO_COMMENT:
                c.fail(H.DISPOSITION, f"“{Disposition.NO_COMMENT.value}”只用于未反馈的部门")
        reason = c.optional_text(H.REASON, "reason", LIMITS[H.REASON])
        amendment = c.optional_text(H.AMENDMENT, "amendment", LIMITS[H.AMENDMENT])
        c.values["proposes_add"] = _code_list(raw.get(H.PROPOSES_ADD))
        c.values["proposes_remove"] = _code_list(raw.get(H.PROPOSES_REMOVE))
        if silence:
            if c.values["proposes_add"] or c.values["proposes_remove"]:
                c.fail(H.CONTENT, f"提出{H.PROPOSES_ADD}或{H.PROPOSES_REMOVE}的编号时，请在“{H.CONTENT}”中说明理由")
            # nothing to decide: whatever the decision columns say, the department is recorded as 无意见
            c.values.update(disposition=silence, reason="", amendment="")
            _finish_row_unit(result, c, f"第{raw[ROW]}行")
            continue
        if disposition in (Disposition.PARTLY, Disposition.NOT_ADOPTED) and not reason:
            c.fail(H.REASON, f"{H.DISPOSITION}为“{disposition.value}”时必须填写理由")
        missing = amendment_problem(disposition.value if disposition else None, c.values["proposes_add"],
                                    c.values["proposes_remove"], amendment)
        if missing:
            c.fail(H.AMENDMENT, missing)
        c.values["disposition"] = disposition.value if disposition else None
        c.values["reason"] = reason
        c.values["amendment"] = amendment
        if c.values["proposes_add"] or c.values["proposes_remove"]:
            if catalog_codes is None or in_plan is None:
                c.fail(H.PROPOSES_ADD if c.values["proposes_add"] else H.PROPOSES_REMOVE,
                       f"本月方案尚未起草，无法核对{H.CHECKLIST_CODE}")
            else:
                for code in c.values["proposes_add"]:
                    for error in check_proposed_codes([code], [], catalog_codes=catalog_codes, in_plan=in_plan,
                                                      foreign=foreign):
                        c.fail(H.PROPOSES_ADD, error)
                for code in c.values["proposes_remove"]:
                    for error in check_proposed_codes([], [code], catalog_codes=catalog_codes, in_plan=in_plan):
                        c.fail(H.PROPOSES_REMOVE, error)
        _finish_row_unit(result, c, f"第{raw[ROW]}行")
    return result


def _code_list(value: Any) -> list[str]:
    parts = re.split(r"[,，、;；\s]+", unicodedata.normalize("NFKC", text(value))) if not is_blank(value) else []
    return [code for code in map(normalize_code, parts) if code]
