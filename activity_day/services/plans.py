"""Station plans (活动计划): one service checks and stores them, whatever brings them: a plans file (import or the
inbox), the mini-program API, or the station's phone page (which goes through the API's `submit_plan`).

The steps, once, in the caller's transaction: the county's profile and the month's official plan; every row
checked as a row of the plans file (text limits, the checklist codes, the rows per station, a 菜单编号 against the
official plan's lecture menu); a station that must have a plan (the API's) and sent no activity refused; the
deadline and the late policy (late plans flagged, or every one refused under `late_submissions: refuse`); then the
accepted plans stored with their receipt, and a row's 菜单编号 stored as that lecture's order on the activity's day
for its expected participants. Each adapter only says the result in its medium: an import report line, an HTTP
status with the API's problems, a message by the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlmodel import Session

from activity_day.domain.lateness import deadline_of, judge_lateness, past_deadline
from activity_day.intake import ROW, H, PlanChecks, Problem, Validated, validate_plans
from activity_day.models.enums import Channel
from activity_day.store import crud
from activity_day.store import lectures as lecture_store

EMPTY_PLAN = "至少填写一项活动"


@dataclass
class PlanIntake:
    """What became of the plans: the validation (accepted and refused stations), the activities written, whether
    they came late, the deadline, whether the late policy refused them all, and notices (changes not taken)."""

    validated: Validated
    written: int = 0
    late: bool = False
    deadline: datetime | None = None
    refused_late: bool = False
    notices: list[Problem] = field(default_factory=list)


def refuse_unit(validated: Validated, unit: str, problem: Problem) -> None:
    validated.units.pop(unit, None)
    validated.refused[unit] = [*validated.refused.get(unit, []), problem]
    validated.problems.append(problem)


@dataclass(frozen=True)
class PlanBatch:
    """Station plans as they came in: the rows (of a plans file, `_row` their row), what a problem names as their
    source, and how and when they came. `required` are the stations that must come with at least one activity (an
    API submission names its station even when it sends none); `received_at` judges lateness (None: nothing is
    late)."""

    frame: pd.DataFrame
    source: str
    channel: Channel
    source_ref: str
    received_at: datetime | None
    submission_id: str | None = None
    required: Sequence[str] = ()


def take_plans(session: Session, *, county: str, month: str, batch: PlanBatch, stations: dict[str, str],
               store: bool = True) -> PlanIntake:
    """Check the plans of `batch` and store the accepted ones.

    `stations` are the codes a row may name (code_index). With `store` False the plans are only checked (a
    submission refused for what the file would have cleaned: its other problems are told too).
    """
    frame, source, received_at = batch.frame, batch.source, batch.received_at
    profile = crud.load_profile_of(session=session, county=county)
    content = crud.cached_plan_content(session=session, county=county, month=month)
    menu = {m.code: m.title for m in content.lecture_menu} if content and content.lecture_menu else None
    checks = PlanChecks(month, stations, crud.checklist_codes(session=session, county=county, month=month),
                        max_text=profile.intake.max_text, max_activities=profile.intake.max_activities, menu=menu)
    validated = validate_plans(frame, source, checks)
    for code in batch.required:
        if code not in validated.units and code not in validated.refused:
            refuse_unit(validated, code, Problem(source, None, None, None, EMPTY_PLAN))
    deadline = deadline_of(content, profile.intake.deadline_time) if content is not None else None
    lateness = judge_lateness(received_at, deadline, profile.intake.late_submissions)
    intake = PlanIntake(validated, late=lateness.late, deadline=deadline, refused_late=lateness.refused)
    if lateness.refused:
        assert deadline is not None
        problem = Problem(source, None, None, None, f"{past_deadline(deadline)}，不再接收")
        for unit in list(validated.units):
            refuse_unit(validated, unit, problem)
        return intake
    if not store:
        return intake
    receipt = crud.Receipt(channel=batch.channel, source_ref=batch.source_ref, received_at=received_at,
                           late=lateness.late, submission_id=batch.submission_id)
    intake.written = crud.save_station_plans(session=session, county=county, month=month, units=validated.units,
                                             receipt=receipt)
    # A row with a 菜单编号 also orders that lecture: on the activity's day, for its expected participants.
    orders = [{"station_code": station, "menu_code": r["menu_code"], "day": r["start_time"].date(),
               "audience": r["expected_participants"], ROW: r[ROW]}
              for station, rows in validated.units.items() for r in rows if r.get("menu_code")]
    if orders:
        intake.notices = delivered_notices(
            lecture_store.delivered_changes(session=session, county=county, month=month, rows=orders), source)
        lecture_store.save_orders(session=session, county=county, month=month, rows=orders,
                                  receipt=lecture_store.OrderReceipt(batch.source_ref, received_at, lateness.late))
    return intake


def delivered_notices(rows: list[dict], source: str) -> list[Problem]:
    """Rows that would change the day or audience of a lecture already delivered (rated) change nothing: say so."""
    return [Problem(source, r.get(ROW), H.MENU_CODE, r["menu_code"],
                    f"注意：所站{r['station_code']}的{r['menu_code']}宣讲已开讲并评单，日期和听众不再修改")
            for r in rows]
