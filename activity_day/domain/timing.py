"""Time as a rule: what cannot have happened yet, or can no longer happen. Pure functions.

Every rule takes the moment `now` from its caller (the entry point's clock), never from the wall clock, so a
test sets the time and the same rule holds on every path (a file, the API, a phone page):

- a lecture is rated (评单) on or after its day, never before it;
- a speaker answers (接单/谢绝) a lecture until `lectures.answer_days_before` days before its day;
- a check-in or check-out is taken from `evidence.accept_from_minutes` before the planned start until
  `evidence.accept_until_hours` after it, by the server's clock and by the time the phone reports; outside
  that window it is refused, never stored, so it counts as evidence nowhere;
- scores and lecture ratings close when the month's circular is compiled (`closed_message`);
- an event a document dates (a finding raised by a circular, marked overdue as of a day) is recorded no earlier
  than that day (`recorded_at`), even when the step runs ahead of it.

A refusal is a Chinese sentence that says what was wrong and when it would have been taken.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from activity_day.domain.dates import cn_date, cn_month
from activity_day.domain.months import TZ
from activity_day.domain.profile import EvidenceRules


def recorded_at(now: datetime, day: date) -> datetime:
    """When a step records an event that its document dates on `day` (findings raised by a circular signed that
    day, findings overdue as of that day): `now`, or the start of `day` in Asia/Shanghai when the step runs ahead
    of it (a rehearsal, the demo's months), so that no event is recorded before the day it happened. In `now`'s
    time zone."""
    return max(now, datetime.combine(day, time(), TZ).astimezone(now.tzinfo))


def local(moment: datetime) -> datetime:
    """A moment as the county's wall time (naive); a naive moment is taken as that already."""
    return moment.astimezone(TZ).replace(tzinfo=None) if moment.tzinfo is not None else moment


def local_day(now: datetime) -> date:
    return local(now).date()


def wall_text(moment: datetime) -> str:
    """2026年12月5日 9:05."""
    return f"{cn_date(moment.date())} {moment.hour}:{moment.minute:02d}"


# --- lectures ------------------------------------------------------------------------------------------------

def rating_refusal(day: date, now: datetime) -> str | None:
    """Why a lecture on `day` cannot be rated at `now` (before its day), or None."""
    if local_day(now) < day:
        return f"这场宣讲定于{cn_date(day)}，尚未开讲；宣讲当天及以后才能评价"
    return None


def answer_deadline(day: date, days_before: int) -> date:
    """The last day a speaker may answer a lecture on `day`."""
    return day - timedelta(days=days_before)


def answer_refusal(day: date, now: datetime, days_before: int) -> str | None:
    """Why a speaker can no longer answer (接单/谢绝) a lecture on `day` at `now`, or None."""
    last = answer_deadline(day, days_before)
    if local_day(now) > last:
        when = "宣讲当天" if days_before == 0 else f"{cn_date(last)}（宣讲日前{days_before}天）"
        return f"这场宣讲定于{cn_date(day)}，须在{when}及以前接单或谢绝，现已不能答复；如有变化请联系县文明办"
    return None


# --- on-day evidence ------------------------------------------------------------------------------------------

def evidence_window(start: datetime, rules: EvidenceRules) -> tuple[datetime, datetime]:
    """From when until when a check-in or check-out of an activity starting at `start` (local) is taken."""
    return (start - timedelta(minutes=rules.accept_from_minutes), start + timedelta(hours=rules.accept_until_hours))


def evidence_refusal(what: str, seq: int, start: datetime, taken_at: datetime, now: datetime,
                     rules: EvidenceRules) -> str | None:
    """Why a check-in or check-out (`what`: 签到 or 签退) of planned activity `seq`, reported at `taken_at` (local)
    and received at `now`, cannot have happened, or None. The server's clock comes first: a phone's clock can be
    wrong, the server's is the record."""
    opens, closes = evidence_window(start, rules)
    received = local(now)
    planned = f"第{seq}项活动定于{wall_text(start)}开始"
    if received < opens:
        return (f"活动尚未开始，不能{what}：{planned}，最早可在{wall_text(opens)}"
                f"（开始前{rules.accept_from_minutes}分钟）{what}")
    if received > closes:
        return (f"已过{what}时限：{planned}，{what}须在开始后{rules.accept_until_hours}小时内"
                f"（{wall_text(closes)}前）提交")
    if not opens <= taken_at <= closes:
        return (f"{what}时间{wall_text(taken_at)}不在活动的时间范围内：{planned}，"
                f"{what}时间应在{wall_text(opens)}至{wall_text(closes)}之间")
    return None


# --- scores and ratings -----------------------------------------------------------------------------------------

def closed_message(month: str, what: str = "评分", *, compiling: bool = False) -> str:
    """Scores and lecture ratings of a month close when its circular is compiled (`compiling`: from the moment the
    compile read them, before it issued)."""
    if compiling:
        return f"{cn_month(month)}的通报正在汇编，{what}已截止，不能再修改；如需更正请联系县文明办"
    return f"{cn_month(month)}的通报已汇编，{what}不能再修改；如需更正请联系县文明办"
