"""Validating rectification reports (整改报告) sent as a file."""

from __future__ import annotations

import re

import pandas as pd

from activity_day.domain.findings import report_problem
from activity_day.domain.names import strip_control
from activity_day.intake.cells import compact, is_blank, parse_count
from activity_day.intake.headers import ROW, H
from activity_day.intake.limits import LIMITS
from activity_day.intake.problems import Problem, Validated
from activity_day.intake.rows import _finish_row_unit, _RowCheck, _shown


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
