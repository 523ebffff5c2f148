"""Cell parsers, pure: a raw cell value in, `(parsed, error message or None)` out (or just the clean text)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from activity_day.domain.codes import normalize_code
from activity_day.intake.headers import H
from activity_day.intake.limits import LIMITS
from activity_day.models.enums import StationKind

SCORE_RANGE = f"{H.SCORE}应为0到100之间的数字"


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def text(value: Any) -> str:
    """Free text as given, minus surrounding whitespace; numbers as Excel shows them."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    try:
        return str(value).strip()
    except ValueError:  # an integer of more than 4300 digits does not print
        return "（超长数字）"


def compact(value: Any) -> str:
    """Codes and numbers: NFKC (full-width digits), no whitespace, integral floats without '.0'."""
    if is_blank(value):
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def numeric_key(code: str) -> str | None:
    """'#<int>' for a code of ASCII digits ('001' and '1' share '#1'), else None."""
    if code.isascii() and code.isdigit() and len(code) <= LIMITS[H.STATION_CODE]:
        return f"#{int(code)}"
    return None


def resolve_code(value: Any, known: dict[str, str]) -> str | None:
    """The registered station code a cell means: the same code once normalised (`normalize_code`: ＳＹ００１ and
    sy001 are SY001), or the same number ('001' read back as 1)."""
    code = normalize_code(value)
    if code in known:
        return known[code]
    key = numeric_key(code)
    return known.get(key) if key else None


def code_index(codes: Iterable[str]) -> dict[str, str]:
    """Lookup for `resolve_code`: each code and its normalised form, plus '#<int>' for numeric codes. A code stored
    before codes were normalised (in lower case, say) keeps its stored spelling."""
    index: dict[str, str] = {}
    for code in codes:
        index[code] = code
        index.setdefault(normalize_code(code), code)
        if key := numeric_key(normalize_code(code)):
            index.setdefault(key, code)
    return index


def phone(value: Any) -> tuple[str, str | None]:
    number = compact(value).replace("－", "-")
    if not number:
        return "", f"{H.PHONE}为空"
    if not re.fullmatch(r"\+?[0-9][0-9-]{5,19}", number):
        return number, "不是有效的电话号码"
    return number, None


_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*(?:T\s*)?(\d{1,2})\s*(?:[:：时点]\s*(?:(\d{1,2})\s*分?)?)?(?:\s*[:：]\s*(\d{1,2}))?\s*(?:秒)?)?$"
)
EXCEL_EPOCH = datetime(1899, 12, 30)
NOT_A_DATE = "不是有效的日期时间（示例：2026/12/5 9:00 或 2026年12月5日 9时）"


def excel_serial(serial: float) -> datetime:
    return EXCEL_EPOCH + timedelta(days=float(serial))


def parse_datetime(value: Any) -> tuple[datetime | None, str | None]:
    """A start time from an Excel date, an Excel serial number, or text like 2026/12/5 9:00 or 2026年12月5日 9时."""
    if is_blank(value):
        return None, f"{H.START_TIME}为空"
    if isinstance(value, datetime):
        return value.replace(microsecond=0, tzinfo=None), None
    if isinstance(value, date):
        return datetime.combine(value, time()), None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:  # 1954..2119 as Excel serials
            return excel_serial(float(value)).replace(microsecond=0), None
        return None, "不是有效的日期时间"
    if not isinstance(value, str):
        return None, "不是有效的日期时间"
    raw = unicodedata.normalize("NFKC", value).strip()
    if len(raw) > 40:
        return None, NOT_A_DATE
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):
        return parse_datetime(float(raw))
    match = _DATE_RE.match(raw)
    if not match:
        return None, NOT_A_DATE
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
    try:
        return datetime(y, mo, d, h, mi, s), None
    except ValueError:
        return None, "日期不存在"


def parse_day(value: Any) -> tuple[date | None, str | None]:
    """An optional day: a date as `parse_datetime` reads it, or a month (2027-09, 2027年9月) for its first day."""
    if is_blank(value):
        return None, None
    if isinstance(value, str):
        month = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?", unicodedata.normalize("NFKC", value).strip())
        if month and 1 <= int(month[2]) <= 12:
            return date(int(month[1]), int(month[2]), 1), None
    moment, error = parse_datetime(value)
    if error or moment is None:
        return None, "不是有效的日期（示例：2027-09-01 或 2027-09）"
    return moment.date(), None


def parse_count(value: Any, *, low: int, high: int) -> tuple[int | None, str | None]:
    if is_blank(value):
        return None, "不能为空"
    if isinstance(value, bool):  # an Excel TRUE/FALSE cell is not a count
        return None, "应为整数"
    raw = value
    if isinstance(value, str):
        raw = compact(value).removesuffix("人").removesuffix("名")
    try:
        number = float(raw)
    except (TypeError, ValueError, OverflowError):
        return None, "应为整数" if not isinstance(value, int) else f"应在{low}到{high}之间"
    if not number.is_integer():
        return None, "应为整数"
    if not low <= number <= high:
        return None, f"应在{low}到{high}之间"
    return int(number), None


def parse_score(value: Any) -> tuple[float | None, str | None]:
    if is_blank(value):
        return None, f"{H.SCORE}为空"
    if isinstance(value, bool):
        return None, SCORE_RANGE
    raw = compact(value).removesuffix("分") if isinstance(value, str) else value
    try:
        number = float(raw)
    except (TypeError, ValueError, OverflowError):
        return None, SCORE_RANGE
    if math.isnan(number) or not 0 <= number <= 100:
        return None, SCORE_RANGE
    return round(number, 2), None


def parse_enum(value: Any, enum: type, label: str) -> tuple[Any, str | None]:
    """The member whose user-facing spelling (its `label`, else its value) the cell holds."""
    raw = compact(value)
    for member in enum:
        if raw == getattr(member, "label", member.value):
            return member, None
    return None, f"{label}应为：{'、'.join(getattr(m, 'label', m.value) for m in enum)}"


def parse_kind(value: Any) -> tuple[StationKind | None, str | None]:
    raw = compact(value)
    if raw.endswith(tuple(k.value for k in StationKind)):  # 新时代文明实践所 is a 所
        return StationKind(raw[-1]), None
    return None, f"{H.STATION_KIND}应为：{'、'.join(k.value for k in StationKind)}"


def float_or_none(value: Any, low: float, high: float) -> tuple[float | None, str | None]:
    if is_blank(value):
        return None, None
    try:
        number = float(compact(value))
    except (ValueError, OverflowError):
        return None, "应为数字"
    if not low <= number <= high:
        return None, f"应在{low}到{high}之间"
    return number, None
