"""What validation finds: a `Problem` names the file, row, column and value, in Chinese for station staff."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def line(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"【{self.column}】")
        if self.value is not None:
            shown = self.value if len(self.value) <= 40 else self.value[:40] + "…"
            parts.append(f"“{shown}”")
        return " ".join(parts) + f"：{self.message}"


class FileUnusable(Exception):
    """The file as a whole cannot be used: missing, unreadable, or without the expected header."""

    def __init__(self, problem: Problem):
        super().__init__(problem.line())
        self.problem = problem


@dataclass
class Validated:
    """Accepted units (each a list of row dicts) and problems; units are keyed for the report."""

    kind: str
    file: str
    units: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    refused: dict[str, list[Problem]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.refused else 0
