"""Validating score files: the inspection's scores and the evaluation's site-visit scores (实地评估)."""

from __future__ import annotations

import pandas as pd

from activity_day.domain.codes import code_lookup, normalize_code
from activity_day.domain.dates import canonical_month
from activity_day.intake.cells import is_blank, parse_enum, parse_score, text
from activity_day.intake.headers import ROW, H
from activity_day.intake.limits import LIMITS
from activity_day.intake.problems import Problem, Validated
from activity_day.intake.rows import _finish_row_unit, _RowCheck
from activity_day.models.enums import InspectionMode


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
