"""Validating a frame read from a file: each kind's rows checked, grouped into units, accepted or refused.

Validators return the accepted units and the problems; the caller writes the accepted units in one
transaction. A unit is refused whole when any of its rows has a problem.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

import pandas as pd

from activity_day.domain.codes import code_lookup, normalize_code
from activity_day.domain.dates import canonical_month
from activity_day.domain.findings import report_problem
from activity_day.domain.names import closest, normalize_name, strip_control
from activity_day.domain.review import amendment_problem, check_proposed_codes, recorded_comment
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
    parse_score,
    phone,
    resolve_code,
    text,
)
from activity_day.intake.headers import ROW, STATIONS, H
from activity_day.intake.limits import (
    LIMITS,
    PARTICIPANTS_MAX,
    PARTICIPANTS_MIN,
    too_long,
    too_many_activities,
)
from activity_day.intake.problems import Problem, Validated
from activity_day.models.enums import ActionKind, Disposition, InspectionMode, PracticeTask

REGISTRY = "名录"  # the stations file is one unit, reported under this name
UNKNOWN_CODE = f"{STATIONS.title}中没有这个编号"


class _RowCheck:
    """Collects a row's parsed fields and problems."""

    def __init__(self, file: str, row: dict[str, Any]):
        self.file, self.row, self.problems = file, row, []
        self.values: dict[str, Any] = {}

    def check(self, column: str, key: str, parsed: tuple[Any, str | None]) -> Any:
        value, error = parsed
        if error:
            self.problems.append(Problem(self.file, self.row[ROW], column, text(self.row.get(column)), error))
        self.values[key] = value
        return value

    def require_text(self, column: str, key: str, limit: int, *, name: bool = False) -> str:
        """Text that must be present and at most `limit` characters; a name (`name`) is normalised first."""
        return self.optional_text(column, key, limit, name=name, required=True)

    def optional_text(self, column: str, key: str, limit: int, *, name: bool = False,
                      required: bool = False) -> str:
        value = text(self.row.get(column))
        if name:
            value = normalize_name(value)
        if not value and required:
            return self.check(column, key, (value, f"{column}不能为空"))
        if len(value) > limit:
            return self.check(column, key, (value, too_long(limit, value)))
        return self.check(column, key, (value, None))

    def station(self, stations: dict[str, str]) -> str | None:
        """The row's registered station code (a problem where it is blank or unknown), kept as station_code."""
        code = resolve_code(self.row[H.STATION_CODE], stations)
        if code is None:
            self.fail(H.STATION_CODE, f"{H.STATION_CODE}不能为空" if is_blank(self.row[H.STATION_CODE]) else UNKNOWN_CODE)
        self.values["station_code"] = code
        return code

    def fail(self, column: str | None, message: str) -> None:
        value = text(self.row.get(column)) if column else None
        self.problems.append(Problem(self.file, self.row[ROW], column, value, message))


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


def validate_plans(
    frame: pd.DataFrame,
    file: str,
    *,
    month: str,
    stations: dict[str, str],
    checklist_codes: set[str] | None,
    max_text: int | None = None,
    max_activities: int | None = None,
    menu: dict[str, str] | None = None,
) -> Validated:
    """Plans: the unit is one station's plan for the month; one bad row refuses that station's plan.

    Text fields hold at most `max_text` characters, if given, and never more than their columns; a
    station with more than `max_activities` rows is refused as the API refuses it. A row's 菜单编号 orders that
    lecture from the official plan's `menu` (code -> title; None: the month has no menu), once per station.
    """

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


def check_score_columns(frame: pd.DataFrame, file: str, rubric: list[tuple[str, float]]) -> Problem | None:
    """A scores file needs 得分 or every rubric item as a column; partial rubric columns are refused."""
    found = set(frame.attrs.get("found", frame.columns))
    items = [name for name, _ in rubric]
    present = [n for n in items if n in found]
    row = frame.attrs.get("header_row")
    if present and len(present) < len(items):
        missing = "、".join(n for n in items if n not in found)
        return Problem(file, row, None, None, f"评分细则列不全，缺少：{missing}（细则：{'、'.join(items)}）")
    if not present and H.SCORE not in found:
        return Problem(file, row, None, None, f"表头缺少列：{H.SCORE}（或按评分细则分列：{'、'.join(items)}）")
    return None


def validate_scores(frame: pd.DataFrame, file: str, *, stations: dict[str, str],
                    rubric: list[tuple[str, float]] | None = None) -> Validated:
    """Scores: each row is its own unit; a repeated (station, mode, scorer) is refused.

    A row carries a total (得分), or one score per rubric item (each 0 to the item's weight) whose sum
    is the total; with both, they must agree.
    """
    rubric = rubric or []
    found = set(frame.attrs.get("found", frame.columns))
    per_item = bool(rubric) and all(name in found for name, _ in rubric)
    result = Validated("scores", file)
    seen: dict[tuple, int] = {}
    for raw in frame.to_dict("records"):
        c = _RowCheck(file, raw)
        code = c.station(stations)
        mode = c.check(H.MODE, "mode", parse_enum(raw[H.MODE], InspectionMode, H.MODE))
        scorer = c.require_text(H.SCORER, "scorer", LIMITS[H.SCORER], name=True)
        items: dict[str, float] = {}
        if per_item:
            for name, weight in rubric:
                value, error = parse_score(raw.get(name))
                if error is None and value is not None and value > weight:
                    error = f"该项满分{weight:g}分"
                if error:
                    c.fail(name, error.replace(H.SCORE, f"该项{H.SCORE}"))
                else:
                    items[name] = value
        total = None
        if H.SCORE in found and not (per_item and is_blank(raw.get(H.SCORE))):
            total = c.check(H.SCORE, "score", parse_score(raw.get(H.SCORE)))
        if per_item and len(items) == len(rubric):
            summed = round(sum(items.values()), 2)
            if total is not None and abs(total - summed) > 0.05:
                c.fail(H.SCORE, f"与各项得分之和{summed:g}不一致")
            total = summed
        c.values["score"] = total
        c.values["items"] = items
        c.optional_text(H.PROBLEMS, "problems", LIMITS[H.PROBLEMS])
        c.optional_text(H.CATEGORY, "category", LIMITS[H.CATEGORY])
        c.optional_text(H.SUGGESTIONS, "suggestions", LIMITS[H.SUGGESTIONS])
        key = (code, mode, scorer)
        if code and mode and scorer and key in seen:
            c.fail(H.SCORER, f"与第{seen[key]}行重复（同一所站、{H.MODE}和{H.SCORER}）")
        seen.setdefault(key, raw[ROW])
        if mode is not None:
            c.values["mode"] = mode.value
        _finish_row_unit(result, c, f"第{raw[ROW]}行")
    return result


def validate_assessed(frame: pd.DataFrame, file: str, *, stations: dict[str, str], townships: dict[str, str],
                      indicators: dict[str, str], assessors: dict[str, str]) -> Validated:
    """Site-visit scores (实地评估): each row its own unit. The indicator must be one of the profile's assessed
    indicators, the assessor one of the profile's inspectors, and never from the station's township (回避)."""
    result = Validated("evaluation", file)
    seen: dict[tuple, int] = {}
    for raw in frame.to_dict("records"):
        c = _RowCheck(file, raw)
        code = c.station(stations)
        typed = c.require_text(H.INDICATOR, "indicator", LIMITS[H.INDICATOR])
        indicator = c.values["indicator"] = code_lookup(indicators).get(normalize_code(typed), typed)
        if indicator and indicator not in indicators:
            c.fail(H.INDICATOR, "应为县情配置中由实地评估填报的指标之一：" + "、".join(f"{k}（{v}）" for k, v in indicators.items()))
        month = text(raw.get(H.ASSESS_MONTH))
        try:
            c.values["month"] = canonical_month(month)
        except ValueError:
            c.fail(H.ASSESS_MONTH, f"{H.ASSESS_MONTH}应为 YYYY-MM，如 2027-11")
        c.check(H.SCORE, "score", parse_score(raw.get(H.SCORE)))
        assessor = c.require_text(H.ASSESSOR, "assessor", LIMITS[H.ASSESSOR], name=True)
        if assessor and assessor not in assessors:
            c.fail(H.ASSESSOR, "不在县情配置的检查组成员和线上飞检人员中")
        elif assessor and code and assessors[assessor] == townships.get(code):
            c.fail(H.ASSESSOR, f"居住在所站所在的{townships[code]}，应回避")
        c.optional_text(H.NOTE, "note", LIMITS[H.NOTE])
        key = (code, indicator, assessor, c.values.get("month"))
        if all(key) and key in seen:
            c.fail(H.ASSESSOR, f"与第{seen[key]}行重复（同一所站、指标、评估人和月份）")
        seen.setdefault(key, raw[ROW])
        _finish_row_unit(result, c, f"第{raw[ROW]}行")
    return result


def validate_applications(frame: pd.DataFrame, file: str, *, stations: dict[str, str]) -> Validated:
    """Demonstration-station applications: each row its own unit, one per station."""
    result = Validated("applications", file)
    seen: dict[str, int] = {}
    for raw in frame.to_dict("records"):
        c = _RowCheck(file, raw)
        code = c.station(stations)
        if code and code in seen:
            c.fail(H.STATION_CODE, f"与第{seen[code]}行重复（每个所站申报一次）")
        c.require_text(H.BRAND, "brand", LIMITS[H.BRAND])
        c.optional_text(H.STATEMENT, "statement", LIMITS[H.STATEMENT])
        if code:
            seen.setdefault(code, raw[ROW])
        _finish_row_unit(result, c, f"第{raw[ROW]}行")
    return result


def validate_reports(frame: pd.DataFrame, file: str, *, stations: dict[str, str]) -> Validated:
    """整改报告 rows: each its own unit, read and checked as far as the file alone can say: the 整改编号 an integer,
    once per file; a registered station; the text by the rule every path shares (`findings.report_problem`: not
    blank, no control characters, not too long); photo checksums of 64 hex digits. Whether the finding is the
    station's, takes a report, and whether the photos are the station's own, the service decides
    (`services.findings.take_report`)."""
    result = Validated("reports", file)
    seen: dict[int, int] = {}
    for raw in frame.to_dict("records"):
        c = _RowCheck(file, raw)
        c.station(stations)
        finding_id, error = parse_count(raw.get(H.FINDING_ID), low=1, high=2**31 - 1)
        if error:
            c.fail(H.FINDING_ID, f"{H.FINDING_ID}{error}")
        elif finding_id is not None and finding_id in seen:
            c.fail(H.FINDING_ID, f"与第{seen[finding_id]}行重复（每个整改编号一行）")
        if finding_id is not None:
            seen.setdefault(finding_id, raw[ROW])
        c.values["finding_id"] = finding_id
        typed = "" if is_blank(raw.get(H.REPORT)) else str(raw.get(H.REPORT))
        if (why := report_problem(typed, LIMITS[H.REPORT])) is not None:
            c.problems.append(Problem(file, raw[ROW], H.REPORT, strip_control(typed).strip() or None, why))
        c.values["report"] = typed.strip()
        given = [p.lower() for p in re.split(r"[,，、;；\s]+", compact(raw.get(H.PHOTOS)) if not is_blank(
            raw.get(H.PHOTOS)) else "") if p]
        bad = [p for p in given if not re.fullmatch(r"[0-9a-f]{64}", p)]
        if bad:
            c.fail(H.PHOTOS, f"照片校验码应为64位十六进制：{'、'.join(_shown(p, 12) for p in bad)}")
        c.values["photos"] = given
        _finish_row_unit(result, c, f"第{raw[ROW]}行")
    return result


def _shown(value: str, limit: int = 20) -> str:
    """A value short enough to name a unit in a summary line."""
    return value if len(value) <= limit else value[:limit] + "…"


def _finish_row_unit(result: Validated, check: _RowCheck, unit: str) -> None:
    check.values[ROW] = check.row[ROW]
    result.problems += check.problems
    if check.problems:
        result.refused[unit] = check.problems
    else:
        result.units[unit] = [check.values]

