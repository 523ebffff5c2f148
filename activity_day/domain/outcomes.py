"""What each step of the month returns: small typed results (TypedDicts, so they stay plain JSON for
Prefect's results, the CLI's --json and the tests)."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class DraftResult(TypedDict):
    activity_date: str  # ISO date
    learning: int  # items in the learning list
    checklist: int  # items in the activity checklist
    festivals: list[str]
    notes: list[str]
    files: NotRequired[dict[str, str]]  # format -> path
    scheduled: NotRequired[list[str]]  # follow-up runs created from a deployment


class ReviewResult(TypedDict):
    comments: int
    silent: list[str]  # departments recorded as 无意见
    defaulted: int  # undecided comments adopted by default
    edits: list[dict]
    files: NotRequired[dict[str, str]]
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
    files: NotRequired[dict[str, str]]


class CircularSummary(TypedDict):
    stations: int
    submitted: int
    activities: int
    drawn: int
    online: int
    onsite: int
    scored: int
    score_rows: int
    unscored_drawn: int
    observer_rows: int
    average: float | None
    previous_average: float | None
    change: float | None
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
