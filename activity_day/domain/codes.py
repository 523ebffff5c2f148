"""Codes as they enter the system (files, the API, the pages, the command line), in one spelling. Pure.

A code identifies something: a station (所站编号), a speaker (讲师编号), a menu item (菜单编号), a checklist item
(清单编号), an indicator (指标代码), a finding (整改编号). Offices type them from keyboards in full-width mode, paste
them from Word with a stray space or a long dash, and Excel reads a number cell back as 12.0. Each of these is the
same code, so every path reads a code through `normalize_code` and nothing else: `ＪＳ００４`, `js004 ` and `JS004`
are one speaker, and a pool that lists two of them lists one speaker twice.

The rules, in order:
1. NFKC: full-width letters, digits and signs become ASCII (`ＸＪ－０３` is `XJ-03`);
2. every space (also inside: `JS 004`), tab, line break and zero-width character is removed. Other control
   characters stay, so a code carrying a NUL is nobody's code (files have them removed with a notice first);
3. every dash (‐ ‑ ‒ – — ― −) is written `-`;
4. letters are upper-case: codes never differ by case alone. Where a registry keeps a code in another case (a
   profile's indicator codes are lower-case), the code is looked up by its normalised form and stored in the
   registry's own spelling (`code_lookup`);
5. a number read as a float is its integer (`12.0` is `12`). Leading zeros are kept (`001` stays `001`); a
   station registry that once stored `001` also answers to `1` (`intake.cells.resolve_code`).

A finding's number (整改编号) is a code too: `finding_number` reads it through `normalize_code`, so `１２` in a
URL, a form or a file is finding 12.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

_DROPPED = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
_DASHES = re.compile("[\u2010-\u2015\u2212]")


def normalize_code(value: Any) -> str:
    """The one stored spelling of a code (the rules in this module's docstring); "" for a blank."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    text = unicodedata.normalize("NFKC", str(value))
    return _DASHES.sub("-", _DROPPED.sub("", text)).upper()


def code_lookup(codes: Iterable[str]) -> dict[str, str]:
    """normalised code -> the code as its registry spells it (for registries that keep their own case)."""
    return {normalize_code(code): code for code in codes}


MAX_FINDING_NUMBER = 2**31 - 1  # the column's range: a larger number is no finding, never a database error
# What a finding number in a URL may look like before it is normalised (the OpenAPI pattern): ASCII or full-width
# digits, at most ten.
FINDING_NUMBER_PATTERN = "^[0-9０-９]{1,10}$"


def finding_number(value: Any) -> int | None:
    """The finding number a code spells (`12`, `１２`, ` 12 `), or None when it is not one: digits only after
    `normalize_code`, from 1 to MAX_FINDING_NUMBER."""
    text = normalize_code(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_FINDING_NUMBER else None
