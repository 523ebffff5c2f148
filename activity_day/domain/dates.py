"""Festivals, commemorative days, statutory holidays and the activity-day rule: pure functions."""

from __future__ import annotations

import calendar as _cal
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING

import chinese_calendar
from lunar_python import Lunar, Solar

if TYPE_CHECKING:
    from activity_day.domain.profile_sections import ActivityDayRule

TRADITIONAL = "traditional"
COMMEMORATIVE = "commemorative"

# (lunar month, lunar day) -> name; 清明 and 冬至 are solar terms, 除夕 is the eve of 春节.
_LUNAR_FESTIVALS = {
    (1, 1): "春节",
    (1, 15): "元宵节",
    (5, 5): "端午节",
    (7, 7): "七夕节",
    (8, 15): "中秋节",
    (9, 9): "重阳节",
    (12, 8): "腊八节",
}
_OPTIONAL_TRADITIONAL = {"除夕", "腊八节", "冬至"}

# (month, day) -> name: the usual list of commemorative days a practice station marks.
FIXED_DAYS: dict[tuple[int, int], str] = {
    (1, 1): "元旦",
    (1, 10): "中国人民警察节",
    (3, 5): "学雷锋纪念日",
    (3, 8): "国际妇女节",
    (3, 12): "植树节",
    (3, 15): "国际消费者权益日",
    (4, 15): "全民国家安全教育日",
    (4, 23): "世界读书日",
    (5, 1): "国际劳动节",
    (5, 4): "五四青年节",
    (5, 12): "防灾减灾日",
    (6, 1): "国际儿童节",
    (6, 5): "世界环境日",
    (6, 26): "国际禁毒日",
    (7, 1): "中国共产党成立纪念日",
    (7, 7): "全民族抗战爆发纪念日",
    (8, 1): "中国人民解放军建军纪念日",
    (8, 8): "全民健身日",
    (8, 15): "全国生态日",
    (9, 3): "中国人民抗日战争胜利纪念日",
    (9, 10): "教师节",
    (9, 20): "公民道德宣传日",
    (9, 30): "烈士纪念日",
    (10, 1): "国庆节",
    (11, 9): "全国消防日",
    (12, 2): "全国交通安全日",
    (12, 4): "国家宪法日",
    (12, 5): "国际志愿者日",
    (12, 13): "南京大屠杀死难者国家公祭日",
}

_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@dataclass(frozen=True, order=True)
class DayMark:
    day: date
    name: str
    kind: str  # TRADITIONAL or COMMEMORATIVE
    optional: bool = False


def month_days(year: int, month: int) -> list[date]:
    return [date(year, month, d) for d in range(1, _cal.monthrange(year, month)[1] + 1)]


def nth_weekday(year: int, month: int, n: int, weekday: int) -> date:
    """The nth ISO weekday (1 = Monday) of the month."""
    first = date(year, month, 1)
    offset = (weekday - first.isoweekday()) % 7
    day = first + timedelta(days=offset + 7 * (n - 1))
    if day.month != month:
        raise ValueError(f"{year}-{month:02d} has no weekday {weekday} number {n}")
    return day


@lru_cache(maxsize=256)
def traditional_festivals(year: int, month: int) -> list[DayMark]:
    """我们的节日 that fall in the month, from the lunar calendar and solar terms."""
    marks: list[DayMark] = []
    days = month_days(year, month)
    lunars = [Solar.fromYmd(d.year, d.month, d.day).getLunar() for d in [*days, days[-1] + timedelta(days=1)]]
    for index, day in enumerate(days):
        lunar = lunars[index]
        key = (lunar.getMonth(), lunar.getDay())  # a leap month is negative and never matches
        name = _LUNAR_FESTIVALS.get(key)
        if name:
            marks.append(DayMark(day, name, TRADITIONAL, name in _OPTIONAL_TRADITIONAL))
        term = lunar.getJieQi()
        if term in ("清明", "冬至"):
            label = "清明节" if term == "清明" else "冬至"
            marks.append(DayMark(day, label, TRADITIONAL, label in _OPTIONAL_TRADITIONAL))
        following = lunars[index + 1]
        if (following.getMonth(), following.getDay()) == (1, 1):
            marks.append(DayMark(day, "除夕", TRADITIONAL, True))
    return sorted(marks)


@lru_cache(maxsize=256)
def commemorative_days(year: int, month: int) -> list[DayMark]:
    """重要纪念日 in the month: fixed dates and the rule-based ones."""
    marks = [DayMark(date(year, m, d), name, COMMEMORATIVE) for (m, d), name in FIXED_DAYS.items() if m == month]
    if month == 6:
        marks.append(DayMark(nth_weekday(year, 6, 2, 6), "文化和自然遗产日", COMMEMORATIVE))
    if month == 9:
        marks.append(DayMark(nth_weekday(year, 9, 3, 6), "全民国防教育日", COMMEMORATIVE))
        for day in month_days(year, 9):
            if Solar.fromYmd(day.year, day.month, day.day).getLunar().getJieQi() == "秋分":
                marks.append(DayMark(day, "中国农民丰收节", COMMEMORATIVE))
    return sorted(marks)


def day_marks(year: int, month: int) -> list[DayMark]:
    """Festivals and commemorative days of the month, in date order."""
    return sorted([*traditional_festivals(year, month), *commemorative_days(year, month)])


@dataclass(frozen=True)
class HolidayInfo:
    holidays: dict[date, str]  # statutory holidays (法定节假日) in the month
    source: str  # "chinese-calendar", "profile" or "statutory-rule" (the year's arrangement not yet published)
    note: str | None  # for the operator when the data is incomplete (never written into a document)


@lru_cache(maxsize=32)
def statutory_by_rule(year: int) -> dict[date, str]:
    """The holidays of `year` as the State Council's rules fix them before the year's arrangement is published:
    the statutory days of 《全国年节及纪念日放假办法》 (2024 revision: 元旦 1, 春节 4 from 除夕, 清明 1, 劳动节 2,
    端午 1, 中秋 1, 国庆 3), widened to the weeks the arrangements have given every year since 2008 (春节 from
    除夕 to 初七, 劳动节 1-5 May, 国庆 1-7 October), so that a fallback never puts the activity day on a holiday.
    The published arrangement (chinese-calendar or the profile's file) always wins over this."""
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    new_year = Lunar.fromYmd(year, 1, 1).getSolar()
    first = date(new_year.getYear(), new_year.getMonth(), new_year.getDay())
    days |= {first + timedelta(days=k): "春节" for k in range(-1, 7)}
    for day in (date(year, 4, d) for d in range(3, 7)):
        if Solar.fromYmd(day.year, day.month, day.day).getLunar().getJieQi() == "清明":
            days[day] = "清明节"
    days |= {date(year, 5, d): "劳动节" for d in range(1, 6)}
    for (lunar_month, lunar_day), name in (((5, 5), "端午节"), ((8, 15), "中秋节")):
        s = Lunar.fromYmd(year, lunar_month, lunar_day).getSolar()
        days[date(s.getYear(), s.getMonth(), s.getDay())] = name
    days |= {date(year, 10, d): "国庆节" for d in range(1, 8)}
    return {d: name for d, name in days.items() if d.year == year}


# A day -> (is it a statutory holiday, its English name); raises NotImplementedError for a year it lacks.
HolidayLookup = Callable[[date], tuple[bool, str | None]]


def statutory_holidays(year: int, month: int, overrides: dict[date, str], *,
                       lookup: HolidayLookup = chinese_calendar.get_holiday_detail) -> HolidayInfo:
    """Statutory holidays of the month: the profile's override file first, then chinese-calendar, never a crash.

    `lookup` stands in for chinese-calendar where a caller (a test) must not depend on the years it covers.
    """
    days = month_days(year, month)
    if any(d.year == year for d in overrides):
        return HolidayInfo({d: overrides[d] for d in days if d in overrides}, "profile", None)
    try:
        found: dict[date, str] = {}
        for day in days:
            is_holiday, name = lookup(day)
            if is_holiday and name:
                found[day] = _HOLIDAY_NAMES.get(name, name)
        return HolidayInfo(found, "chinese-calendar", None)
    except NotImplementedError:
        note = (
            f"{year}年法定节假日安排尚未收录（chinese-calendar 暂无该年数据，县情配置也未提供节假日文件），"
            "集中活动日暂按《全国年节及纪念日放假办法》规定的节日及春节、劳动节、国庆节的通常假期避开排定，"
            "国务院办公厅公布放假安排后请核对。"
        )
        rule = statutory_by_rule(year)
        return HolidayInfo({d: rule[d] for d in days if d in rule}, "statutory-rule", note)


def pick_activity_day(year: int, month: int, rule: ActivityDayRule, holidays: dict[date, str] | None = None) -> date:
    """The activity day under the profile's rule, moved off statutory holidays in the rule's direction
    (`holiday_shift`)."""
    day, n, weekday, shift = rule.day, rule.n, rule.weekday, rule.holiday_shift
    if rule.rule == "fixed":
        if day is None:
            raise ValueError("fixed rule needs a day")
        chosen = date(year, month, day)
    elif rule.rule == "nth_weekday":
        if n is None or weekday is None:
            raise ValueError("nth_weekday rule needs n and weekday")
        chosen = nth_weekday(year, month, n, weekday)
    else:
        raise ValueError(f"unknown activity-day rule {rule.rule!r}")
    holidays = holidays or {}
    step = timedelta(days=1 if shift == "later" else -1)
    moved = chosen
    while moved in holidays:
        moved += step
    if moved.month != month:  # never leave the month: search the other way instead
        moved = chosen
        while moved in holidays:
            moved -= step
    return moved


def cn_date(day: date) -> str:
    """2026年12月5日 — official documents do not zero-pad."""
    return f"{day.year}年{day.month}月{day.day}日"


_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..99 as written in documents: 三, 十二, 二十, 九十九."""
    if not 0 < n < 100:
        raise ValueError(f"cn_number covers 1 to 99, got {n}")
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _DIGITS[tens]) + "十" if tens else "") + (_DIGITS[ones] if ones else "")


def cn_fraction(share: Fraction) -> str:
    """A share as documents write it: 1/3 -> 三分之一, 2/5 -> 五分之二, 1 -> 全部."""
    if share == 1:
        return "全部"
    return f"{cn_number(share.denominator)}分之{cn_number(share.numerator)}"


def cn_month(month: str) -> str:
    """'2027-02' -> '2027年2月'."""
    year, mon = month.split("-")
    return f"{int(year)}年{int(mon)}月"


def parse_month(month: str) -> tuple[int, int]:
    """'2027-02' -> (2027, 2), with a clear error for anything else."""
    try:
        year_s, mon_s = month.split("-")
        year, mon = int(year_s), int(mon_s)
        if len(year_s) != 4 or not 1 <= mon <= 12:
            raise ValueError
    except ValueError:
        raise ValueError(f"month must look like 2027-02, got {month!r}") from None
    return year, mon


def canonical_month(value: str) -> str:
    """A month as typed (2027-3, ２０２７－０３, ' 2027-03 ') in its one stored spelling, 2027-03; ValueError otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", unicodedata.normalize("NFKC", str(value)).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"month must look like 2027-02, got {value!r}")
    return f"{match.group(1)}-{int(match.group(2)):02d}"


def shift_month(month: str, delta: int) -> str:
    year, mon = parse_month(month)
    index = year * 12 + (mon - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
