"""The row check every validator shares: a row's parsed fields and problems, its unit accepted or refused."""

from __future__ import annotations

from typing import Any

from activity_day.domain.names import normalize_name
from activity_day.intake.cells import is_blank, resolve_code, text
from activity_day.intake.headers import ROW, STATIONS, H
from activity_day.intake.limits import too_long
from activity_day.intake.problems import Problem, Validated

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
