"""The late policy for station plans, one rule for the inbox, `import plans` and the mini-program API.

A plan received after the deadline is late; under `intake.late_submissions: refuse` a late plan is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Literal

from activity_day.domain.months import TZ
from activity_day.domain.plan import PlanContent

LatePolicy = Literal["accept", "refuse"]


def deadline_of(plan_content: PlanContent, deadline_time: str) -> datetime:
    """When station plans are due: the plan's station_plans day at the profile's time, Asia/Shanghai."""
    return datetime.combine(plan_content.dates.station_plans, time.fromisoformat(deadline_time), TZ)


@dataclass(frozen=True)
class Lateness:
    late: bool
    refused: bool


def judge_lateness(received_at: datetime | None, deadline: datetime | None, policy: LatePolicy) -> Lateness:
    """Late when received after the deadline; refused when late and the policy refuses.

    Without a receipt time or a deadline (no official plan yet) nothing is late.
    """
    late = received_at is not None and deadline is not None and received_at > deadline
    return Lateness(late=late, refused=late and policy == "refuse")


def past_deadline(deadline: datetime) -> str:
    """The start of every refusal of a late plan, naming the deadline."""
    return f"已超过报送截止时间（{deadline:%Y-%m-%d %H:%M}）"
