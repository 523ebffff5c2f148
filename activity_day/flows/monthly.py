"""The month's procedure: draft, review, collect, sample, compile. Flows only sequence tasks."""

from __future__ import annotations

import functools
from collections.abc import Callable

from prefect import flow
from prefect.runtime import deployment, flow_run
from prefect.states import Failed

from activity_day.console import plain_expected_conditions
from activity_day.context import current
from activity_day.domain.dates import cn_month
from activity_day.domain.months import next_month, this_month
from activity_day.domain.outcomes import (
    CollectResult,
    CompileResult,
    CycleResult,
    DraftResult,
    ReviewResult,
    SampleResult,
)
from activity_day.domain.ui_hints import for_the_ui
from activity_day.errors import OperatorError
from activity_day.flows.drills import fault_drill
from activity_day.flows.forms import (
    approve_comments,
    ask_public_random,
    ask_reveals,
    closing_answer,
    collect_comments,
)
from activity_day.models.enums import Step
from activity_day.tasks.common import artifacts_in_background
from activity_day.tasks.draft import due_month
from activity_day.tasks.schedule import close_comment_form, schedule_next_steps, schedule_review
from activity_day.tasks.steps import (
    ORDER,
    StepOptions,
    as_task_runs,
    collect_step,
    compile_step,
    draft_step,
    review_step,
    run_steps,
    sample_step,
)

plain_expected_conditions()


def _next_month() -> str:
    return next_month(current().now())


def _this_month() -> str:
    return this_month(current().now())


def run_name(step_cn: str, default: Callable[[], str] = _next_month) -> Callable[[], str]:
    """Flow run names such as 2027年2月·方案起草; a run given no month is named for the one its flow defaults to
    (`default`, asked when the run starts)."""

    def name() -> str:
        month = flow_run.parameters.get("month") or default()
        return f"{cn_month(month)}·{step_cn}"

    return name


def known_failures(fn: Callable) -> Callable:
    """A flow that meets an expected condition fails with its Chinese message as the state message.

    The UI then shows what the terminal shows (`2027年2月尚无正式方案：请先运行 …`), and a caller of the flow
    still gets the original exception. A deployment's run is read in the UI: its message names the deployment to
    run there instead of the command, and says to retry the run with its Retry button.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except OperatorError as exc:
            message = str(exc)
            if deployment.id is not None and not getattr(exc, "for_the_ui", False):
                message = for_the_ui(message, flow_run.parameters.get("county"))
            return Failed(message=message, data=exc)

    return wrapper


def _draft_default() -> str:
    """A scheduled draft (no month given) is for the month whose draft date, by the county's profile, is nearest."""
    try:
        return due_month(flow_run.parameters["county"])
    except (KeyError, OperatorError):  # a county not set up fails in the flow, with its message
        return _next_month()


@flow(name="draft", flow_run_name=run_name(Step.DRAFT.cn, _draft_default), log_prints=False)
@known_failures
def draft(county: str, month: str | None = None, schedule: bool = True, county_folder: bool = False) -> DraftResult:
    """Draft a month's plan (v1, 征求意见稿); from a deployment, start the interactive review.

    Without a month (the county's schedule), the month whose draft date is nearest by the county's profile.
    """
    month = month or due_month(county)
    result = draft_step(county, month, county_folder)
    fault_drill(Step.DRAFT, county, month)
    return result | {"scheduled": schedule_review(county, month) if schedule else []}


@flow(name="review", flow_run_name=run_name(Step.REVIEW.cn))
@known_failures
def review(county: str, month: str | None = None, interactive: bool = False, default_disposition: str = "采纳",
           poll_seconds: int = 10, schedule: bool = True, county_folder: bool = False) -> ReviewResult:
    """Close the department review and issue the official plan (v2).

    Interactive runs pause for comments (until every department answered or the deadline) and
    then for the dispositions, in resume forms in the Prefect UI. Unattended runs take comments
    and dispositions from imported files; undecided comments take `default_disposition`. From a
    deployment (and `schedule`), the later steps are then scheduled at the profile's dates.
    """
    month = month or _next_month()
    if interactive:
        collect_comments(county, month, poll_seconds)
        approve_comments(county, month, poll_seconds)
    result = review_step(county, month, default_disposition, county_folder)
    fault_drill(Step.REVIEW, county, month)
    return result | {"scheduled": schedule_next_steps(county, month) if schedule else []}


@flow(name="review_deadline", flow_run_name=run_name("征求意见截止"))
@known_failures
def review_deadline(county: str, month: str, review_run: str) -> bool:
    """At the review deadline, close the suspended review's comment form: silent departments count as 无意见.

    A review that waits suspended has no process of its own to do it; the review schedules this run (once).
    """
    return close_comment_form(review_run, closing_answer())


# Scheduled runs leave out the month: draft and review prepare next month, while collect,
# sample and compile run in the month of the activity day itself.


@flow(name="collect", flow_run_name=run_name(Step.COLLECT.cn, _this_month))
@known_failures
def collect(county: str, month: str | None = None, county_folder: bool = False) -> CollectResult:
    """Import the plan files waiting in the inbox, then report who has submitted and what is planned."""
    month = month or _this_month()
    result = collect_step(county, month, county_folder)
    fault_drill(Step.COLLECT, county, month)
    return result


@flow(name="sample", flow_run_name=run_name(Step.SAMPLE.cn, _this_month))
@known_failures
def sample(county: str, month: str | None = None, public_random: str | None = None, interactive: bool = False,
           poll_seconds: int = 10, county_folder: bool = False) -> SampleResult:
    """Publish the candidate list, take the public random value, draw and assign teams (a draw is kept).

    Interactive runs pause in a resume form: for the departments' secrets when they committed, else for a public
    random value such as a lottery result. Unattended runs combine the revealed secrets, or without commitments
    use the official plan's checksum (docs/draw.md).
    """
    month = month or _this_month()

    def ask(published: dict) -> tuple[str | None, str]:
        if published.get("committed"):
            return ask_reveals(county, month, published, poll_seconds)
        return ask_public_random(month, published, poll_seconds)

    result = sample_step(county, month, public_random, county_folder, ask=ask if interactive else None)
    fault_drill(Step.SAMPLE, county, month)
    return result


@flow(name="compile", flow_run_name=run_name(Step.COMPILE.cn, _this_month))
@known_failures
def compile_(county: str, month: str | None = None, allow_empty: bool = False,
             county_folder: bool = False) -> CompileResult:
    """Compile the month's circular from the scores (a month without scores only with `allow_empty`)."""
    month = month or _this_month()
    result = compile_step(county, month, allow_empty, county_folder)
    fault_drill(Step.COMPILE, county, month)
    return result


def _cycle_run_name() -> str:
    """2027年3月·月度流程; a province's county run (county_folder) is 329001·2027年3月·月度流程, as it was created."""
    name = run_name("月度流程")()
    return f"{flow_run.parameters['county']}·{name}" if flow_run.parameters.get("county_folder") else name


@flow(name="monthly_cycle", flow_run_name=_cycle_run_name)
@known_failures
def monthly_cycle(county: str, month: str | None = None, public_random: str | None = None,
                  default_disposition: str = "采纳", allow_empty: bool = False,
                  county_folder: bool = False) -> CycleResult:
    """The whole month in order, unattended, in one flow run: every step's tasks are task runs of this run.

    One flow run rather than a subflow per step: a flow run costs Prefect about half a second, more than
    most steps' work (README "Benchmarks"). Each task still shows, fails and is retried on its own: a retry
    of this run skips the tasks that completed. The step flows above serve the scheduled, one-step runs.
    `county_folder` puts the documents in OUT/YYYY-MM/<county>/.
    """
    month = month or _next_month()
    with artifacts_in_background():  # the work goes on while each artifact makes its round trip
        options = StepOptions(county_folder=county_folder, default_disposition=default_disposition,
                              public_random=public_random, allow_empty=allow_empty)
        results = run_steps(county, month, ORDER, options, after_step=fault_drill, call=as_task_runs)
    for step in (Step.DRAFT, Step.REVIEW):  # nothing is scheduled: the cycle runs the later steps itself
        results[step.value] |= {"scheduled": []}
    return results


STEPS = {"draft": draft, "review": review, "collect": collect, "sample": sample, "compile": compile_,
         "cycle": monthly_cycle}
