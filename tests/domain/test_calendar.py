from datetime import date
from functools import cache

import chinese_calendar
import pytest

from activity_day.domain.dates import (
    cn_date,
    commemorative_days,
    day_marks,
    nth_weekday,
    pick_activity_day,
    shift_month,
    statutory_by_rule,
    statutory_holidays,
    traditional_festivals,
)
from activity_day.domain.profile_sections import ActivityDayRule

# Published dates (State Council holiday notices and the lunar calendar).
FIFTH_LATER = ActivityDayRule(rule="fixed", day=5, holiday_shift="later")  # the 5th, moved later off holidays
FIFTH_EARLIER = ActivityDayRule(rule="fixed", day=5, holiday_shift="earlier")

PUBLISHED = {
    ("春节", 2025): date(2025, 1, 29), ("元宵节", 2025): date(2025, 2, 12), ("清明节", 2025): date(2025, 4, 4),
    ("端午节", 2025): date(2025, 5, 31), ("七夕节", 2025): date(2025, 8, 29), ("中秋节", 2025): date(2025, 10, 6),
    ("重阳节", 2025): date(2025, 10, 29),
    ("春节", 2026): date(2026, 2, 17), ("元宵节", 2026): date(2026, 3, 3), ("清明节", 2026): date(2026, 4, 5),
    ("端午节", 2026): date(2026, 6, 19), ("中秋节", 2026): date(2026, 9, 25), ("重阳节", 2026): date(2026, 10, 18),
    ("春节", 2027): date(2027, 2, 6), ("元宵节", 2027): date(2027, 2, 20), ("清明节", 2027): date(2027, 4, 5),
    ("端午节", 2027): date(2027, 6, 9), ("中秋节", 2027): date(2027, 9, 15), ("重阳节", 2027): date(2027, 10, 8),
    ("春节", 2028): date(2028, 1, 26), ("清明节", 2028): date(2028, 4, 4), ("端午节", 2028): date(2028, 5, 28),
    ("中秋节", 2028): date(2028, 10, 3),
}


@cache
def _festival_dates(year: int) -> dict[str, date]:
    found = {}
    for month in range(1, 13):
        for mark in traditional_festivals(year, month):
            found.setdefault(mark.name, mark.day)
    return found


@pytest.mark.parametrize(("name", "year"), sorted(PUBLISHED))
def test_traditional_festivals_match_published_dates(name: str, year: int) -> None:
    assert _festival_dates(year)[name] == PUBLISHED[(name, year)]


def test_eve_and_optional_extras() -> None:
    feb = {m.name: m for m in traditional_festivals(2027, 2)}
    assert feb["除夕"].day == date(2027, 2, 5) and feb["除夕"].optional
    assert not feb["春节"].optional
    dec = {m.name: m.day for m in traditional_festivals(2026, 12)}
    assert dec["冬至"] == date(2026, 12, 22)


def test_rule_based_commemorative_days() -> None:
    june = {m.name: m.day for m in commemorative_days(2026, 6)}
    assert june["文化和自然遗产日"] == date(2026, 6, 13)  # second Saturday
    sept = {m.name: m.day for m in commemorative_days(2027, 9)}
    assert sept["全民国防教育日"] == date(2027, 9, 18)  # third Saturday
    assert sept["中国农民丰收节"] == date(2027, 9, 23)  # 秋分
    assert sept["烈士纪念日"] == date(2027, 9, 30)


def test_month_marks_are_sorted_and_complete() -> None:
    marks = day_marks(2026, 12)
    assert [m.day for m in marks] == sorted(m.day for m in marks)
    assert {"国家宪法日", "南京大屠杀死难者国家公祭日", "冬至", "国际志愿者日"} <= {m.name for m in marks}


def test_nth_weekday() -> None:
    assert nth_weekday(2026, 12, 1, 5) == date(2026, 12, 4)  # first Friday
    with pytest.raises(ValueError, match="no weekday"):
        nth_weekday(2026, 2, 5, 1)


def published(spans: dict[str, tuple[date, date]]):
    """A chinese-calendar stand-in that knows exactly these holidays (English names, as the library gives)."""
    days = {date.fromordinal(o): name for name, (first, last) in spans.items()
            for o in range(first.toordinal(), last.toordinal() + 1)}

    def lookup(day: date) -> tuple[bool, str | None]:
        return (day in days, days.get(day))

    return lookup


def unpublished(day: date) -> tuple[bool, str | None]:
    """A chinese-calendar stand-in for a year the library does not cover yet."""
    raise NotImplementedError(f"no holiday data for {day.year}")


def test_activity_day_moves_off_statutory_holidays() -> None:
    national_day = published({"National Day": (date(2026, 10, 1), date(2026, 10, 7))})
    info = statutory_holidays(2026, 10, {}, lookup=national_day)
    assert info.source == "chinese-calendar" and info.note is None
    assert info.holidays == {date(2026, 10, d): "国庆节" for d in range(1, 8)}
    later = pick_activity_day(2026, 10, FIFTH_LATER, info.holidays)
    earlier = pick_activity_day(2026, 10, FIFTH_EARLIER, info.holidays)
    assert later == date(2026, 10, 8)
    # moving earlier from 10-05 would leave October, so the rule searches later instead
    assert earlier == date(2026, 10, 8)


def test_activity_day_earlier_within_month() -> None:
    holidays = {date(2026, 5, d): "劳动节" for d in range(1, 6)}
    assert pick_activity_day(2026, 5, FIFTH_EARLIER, holidays) == date(2026, 5, 6)
    holidays = {date(2026, 5, 5): "x"}
    assert pick_activity_day(2026, 5, FIFTH_EARLIER, holidays) == date(2026, 5, 4)


def test_year_without_data_falls_back_with_a_note() -> None:
    info = statutory_holidays(2027, 2, {}, lookup=unpublished)
    # 除夕 is 2027-02-05 and 春节 02-06: the rule's days from 除夕 to 初七, never a weekend-only guess
    assert info.source == "statutory-rule" and "2027年" in info.note
    assert info.holidays == {date(2027, 2, d): "春节" for d in range(5, 13)}
    assert pick_activity_day(2027, 2, FIFTH_LATER, info.holidays) == date(2027, 2, 13)
    april = statutory_holidays(2027, 4, {}, lookup=unpublished).holidays
    assert april == {date(2027, 4, 5): "清明节"}
    assert statutory_holidays(2027, 10, {}, lookup=unpublished).holidays == {
        date(2027, 10, d): "国庆节" for d in range(1, 8)}


@pytest.mark.parametrize("year", [2025, 2026])  # the 2024 revision (除夕 a holiday) applies from 2025
def test_the_rule_fallback_is_within_the_published_arrangements(year: int) -> None:
    """Every day the fallback avoids was a holiday in the arrangements chinese-calendar holds (it may avoid fewer
    days than were given, never a working day), and every statutory festival day is among them."""
    rule = statutory_by_rule(year)
    assert [d for d in rule if not chinese_calendar.is_holiday(d)] == []
    assert {"元旦", "春节", "清明节", "劳动节", "端午节", "国庆节"} <= set(rule.values())
    mid_autumn = next(m.day for m in traditional_festivals(year, 9) + traditional_festivals(year, 10)
                      if m.name == "中秋节")
    assert mid_autumn in rule  # named 国庆节 when it falls in that week (2025)


def test_override_file_wins() -> None:
    override = {date(2027, 2, d): "春节" for d in range(5, 12)}
    info = statutory_holidays(2027, 2, override, lookup=unpublished)
    assert info.source == "profile" and info.note is None and len(info.holidays) == 7
    assert pick_activity_day(2027, 2, FIFTH_LATER, info.holidays) == date(2027, 2, 12)


def test_formats() -> None:
    assert cn_date(date(2026, 12, 5)) == "2026年12月5日"
    assert shift_month("2026-12", 1) == "2027-01"
    assert shift_month("2027-01", -3) == "2026-10"


def test_profile_holidays_of_the_year_replace_the_library_even_where_it_has_data() -> None:
    library = published({"Spring Festival": (date(2027, 2, 5), date(2027, 2, 11))})
    assert statutory_holidays(2027, 2, {}, lookup=library).holidays[date(2027, 2, 5)] == "春节"
    # the profile covers 2027 with one day in January: February has no holiday then, whatever the library says
    info = statutory_holidays(2027, 2, {date(2027, 1, 1): "元旦"}, lookup=library)
    assert (info.source, info.holidays) == ("profile", {})
