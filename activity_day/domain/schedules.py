"""When a county's unattended runs start: the draft's monthly cron from its profile, and the month a draft is for.

The draft date is the activity day plus the profile's draft offset, so it moves with the activity day (a fixed day
or the nth weekday, off holidays). A cron cannot follow that exactly; the county's cron fires on the earliest
day-of-month the draft date takes over a year, at 09:00 Shanghai time, so a draft is never late. The run then drafts
the month whose draft date is nearest (`draft_month`): drafting a few days early is harmless, late is not.
"""

from __future__ import annotations

from datetime import date, timedelta

from activity_day.domain.dates import pick_activity_day, shift_month
from activity_day.domain.profile import Profile

DRAFT_HOUR = 9


def _nominal_activity_day(profile: Profile, month: str) -> date:
    """The activity day by the rule alone (holidays aside: a cron cannot know them)."""
    year, mon = (int(part) for part in month.split("-"))
    return pick_activity_day(year, mon, profile.activity_day)


def draft_date(profile: Profile, month: str) -> date:
    """The day the plan for `month` is drafted (the activity day plus the draft offset)."""
    return _nominal_activity_day(profile, month) + timedelta(days=profile.deadlines.draft)


def draft_cron(profile: Profile, year: int = 2027) -> str:
    """The county's draft schedule: 09:00 on the earliest day-of-month its draft date takes in `year`."""
    day = min(draft_date(profile, f"{year}-{m:02d}").day for m in range(1, 13))
    return f"0 {DRAFT_HOUR} {day} * *"


def draft_month(profile: Profile, today: date) -> str:
    """The month a draft run on `today` is for: of this month and the next two, the one whose draft date is nearest
    (the later one on a tie)."""
    this = f"{today.year:04d}-{today.month:02d}"
    months = [shift_month(this, k) for k in range(3)]
    return min(reversed(months), key=lambda m: abs((draft_date(profile, m) - today).days))


def county_schedules(config: dict, profiles: dict[str, Profile]) -> dict:
    """The deployments file `config` (prefect.yaml, loaded) with every county's schedules.

    Each schedule whose parameters name a county is a pattern: it gives way to one schedule per county of
    `profiles` (code -> profile), slug `<deployment>-<county>`; the draft's cron is the county's own (`draft_cron`).
    Other schedules stay as they are. Without counties a deployment keeps no county schedule.
    """
    out = dict(config)
    out["deployments"] = []
    for deployment in config.get("deployments", []):
        deployment = dict(deployment)
        schedules = deployment.get("schedules")
        if schedules:
            expanded = []
            for schedule in schedules:
                if "county" not in (schedule.get("parameters") or {}):
                    expanded.append(schedule)
                    continue
                for code, profile in sorted(profiles.items()):
                    cron = draft_cron(profile) if deployment["name"] == "draft" else schedule["cron"]
                    expanded.append(schedule | {"cron": cron, "parameters": schedule["parameters"] | {"county": code},
                                                "slug": f"{deployment['name']}-{code}"})
            deployment["schedules"] = expanded
        out["deployments"].append(deployment)
    return out
