"""Validating the demonstration-station applications (自主申报)."""

from __future__ import annotations

import pandas as pd

from activity_day.intake.headers import ROW, H
from activity_day.intake.limits import LIMITS
from activity_day.intake.problems import Validated
from activity_day.intake.rows import _finish_row_unit, _RowCheck


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
