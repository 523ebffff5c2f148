"""Column types shared by the tables."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Column, String
from sqlalchemy.types import TypeDecorator

COUNTY = 12  # county codes are 6-digit administrative codes; leave room
MONTH = 7  # "YYYY-MM"


class EnumText(TypeDecorator):
    """A StrEnum stored as its value in a VARCHAR column, read back as the enum member.

    The stored text is the same as a plain string column's (no database enum type, no migration), and a
    value outside the enum is refused before it reaches the database.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Any) -> StrEnum | None:
        if value is None:
            return None
        member = self.enum._value2member_map_.get(value)  # a dict lookup: reads convert every row
        return member if member is not None else self.enum(value)

    @property
    def python_type(self) -> type:
        return self.enum


def enum_column(enum: type[StrEnum], length: int, *, nullable: bool = False, default: StrEnum | None = None) -> Column:
    return Column(EnumText(enum, length), nullable=nullable, default=default)
