"""What each step of the month returns: small typed results (TypedDicts, so they stay plain JSON for
Prefect's results, the CLI's --json and the tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict


@dataclass(frozen=True)
class Outcome:
    """A service's answer to one write from the field (a plan, a check-in, a score), whatever path brought it:
    the HTTP status the API returns and the pages read, the body, and whether the write was a replay of one
    already stored (nothing written)."""

    http_status: int
    body: dict[str, Any]
    replay: bool = False


class DraftResult(TypedDict):
    activity_date: str  # ISO date
    learning: int  # items in the learning list
    checklist: int  # items in the activity checklist
    festivals: list[str]
    notes: list[str]  # what the plan itself notes (an activity day moved off a holiday)
    warnings: NotRequired[list[str]]  # for the operator (missing holiday data): never in a document
    files: NotRequired[dict[str, str]]  # format -> path
    scheduled: NotRequired[list[str]]  # follow-up runs created from a deployment


class ReviewResult(TypedDict):
    comments: int
    silent: list[str]  # departments recorded as 无意见
    defaulted: int  # undecided comments adopted by default
    edits: list[dict]
    amendments: NotRequired[list[str]]  # what the official plan states under 工作要求 for adopted comments
    files: NotRequired[dict[str, str]]
    dispositions: NotRequired[dict[str, str]]  # the disposition table (office record): format -> path
    scheduled: NotRequired[list[str]]


class InboxResult(TypedDict):
    files: int
    stations_accepted: int
    stations_refused: int
    unusable: list[str]


class CollectResult(TypedDict):
    stations: int
    submitted: int
    missing: int
    activities: int
    late: int
    uncovered_required: int
    files: NotRequired[dict[str, str]]
    inbox: NotRequired[InboxResult]
    lectures: NotRequired[dict[str, Any]]  # the lecture orders by status (services.lectures)


class SampleResult(TypedDict):
    digest: str
    drawn: int
    new: bool  # False when the stored draw was kept
    warnings: NotRequired[list[str]]  # for the operator (a weak random value): never in a document
    files: NotRequired[dict[str, str]]


class CircularSummary(TypedDict):
    stations: int
    submitted: int
    activities: int
    drawn: int
    online: int
    onsite: int
    scored: int  # every station with a score, a team's or only observers'
    inspected: NotRequired[int]  # stations a team scored: the ranking, averages and commendations cover these
    observed_only: NotRequired[int]  # stations only observers scored: reported apart, never ranked
    observed_average: NotRequired[float | None]
    observer_scored: NotRequired[int]  # stations any observer scored
    drawn_observed: NotRequired[int]  # drawn stations only observers scored
    teams: NotRequired[int]  # on-site teams the draw assigned
    inspectors: NotRequired[int]  # online inspectors the draw assigned
    score_rows: int
    unscored_drawn: int  # drawn stations no team scored
    observer_rows: int
    average: float | None
    previous_average: float | None
    change: float | None
    above_commend: NotRequired[int]  # inspected stations at or above the commendation line
    commend_eligible: NotRequired[int]  # of those, the ones the commendation rule admits
    commended: int
    rectify: int
    problems: int
    feedback_new: int
    feedback_closed: int
    feedback_total: int
    feedback_open: int


class CompileResult(CircularSummary):
    findings: NotRequired[int]  # new rectification findings of the month
    overdue: NotRequired[int]  # findings of earlier months overdue on the circular's date
    evidence: NotRequired[dict[str, Any] | None]  # on-day evidence coverage, where the county collected any
    files: NotRequired[dict[str, str]]


class CycleResult(TypedDict):
    draft: DraftResult
    review: ReviewResult
    collect: CollectResult
    sample: SampleResult
    compile: CompileResult
