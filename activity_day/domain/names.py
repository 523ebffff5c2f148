"""Names and free text as they enter the system (files, API, profile), normalised once. Pure.

Offices type the same township as `来安街道（开发区）`, `来安街道(开发区)` or `来安街道（开发区）　`; all of
them must be one township, or the draw gains a stratum and 回避 silently stops matching.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003ffff（）"
_SPACE_NEXT_TO_CJK = re.compile(rf"\s+(?=[{_CJK}])|(?<=[{_CJK}])\s+")
# Control characters (C0, DEL, C1) other than tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Invisible characters that copy-paste brings into names: zero-width spaces and joiners, the BOM.
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")


def normalize_name(value: str) -> str:
    """A township, station or person name in its one stored spelling.

    NFKC (full-width letters, digits and spaces become ASCII), control characters dropped,
    brackets written full-width as Chinese text has them, no spaces next to Chinese characters,
    other runs of spaces collapsed to one.
    """
    text = unicodedata.normalize("NFKC", str(value))
    text = _INVISIBLE.sub("", _CONTROL.sub("", text)).replace("(", "（").replace(")", "）")
    text = re.sub(r"\s+", " ", text).strip()
    return _SPACE_NEXT_TO_CJK.sub("", text)


def control_characters(value: str) -> list[str]:
    """The control characters (NUL and the like) in `value`, as U+XXXX, in order of first appearance."""
    return list(dict.fromkeys(f"U+{ord(c):04X}" for c in _CONTROL.findall(value)))


def control_problem(value: str) -> str | None:
    """Why free text from a station, an observer or a speaker cannot be taken for its control characters, or None:
    the one refusal the file, the API and the phone pages give (a NUL cannot even be stored on PostgreSQL)."""
    if found := control_characters(value):
        return f"含有不可见的控制字符（{'、'.join(found)}），请删除后重新提交"
    return None


def strip_control(value: str) -> str:
    """`value` without control characters (tab and newlines kept)."""
    return _CONTROL.sub("", value)


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name most like `name` (for "did you mean"), or None when nothing is close."""
    found = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
    return found[0] if found else None
