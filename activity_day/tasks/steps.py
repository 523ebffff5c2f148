"""Each step of the month as the sequence of its tasks, written once.

A step's flow runs the sequence as task runs of its own (`as_task_runs`, the default). A province's
county task runs the same sequence as plain calls inside one task run (`as_calls`), because at a hundred
counties a task run per step and county costs more in orchestration than the work itself (issue 13,
README "Benchmarks"). The benchmark's work-without-Prefect figure uses the same plain calls.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import task_run

from activity_day.documents.render import render_text
from activity_day.documents.summary import summary_lines
from activity_day.domain.dates import cn_month
from activity_day.domain.outcomes import CollectResult, CompileResult, DraftResult, ReviewResult, SampleResult
from activity_day.models.enums import Disposition, Step
from activity_day.tasks.collect import completeness_report, read_inbox
from activity_day.tasks.common import (
    STEP,
    artifact,
    artifact_key,
    artifacts_held,
    artifacts_in_background,
    run_logger,
)
from activity_day.tasks.compile import compile_circular
from activity_day.tasks.draft import draft_plan, render_plan
from activity_day.tasks.lectures import dispatch_lectures
from activity_day.tasks.review import close_review, render_dispositions, review_state
from activity_day.tasks.sample import draw_sample, export_draw, publish_candidates

Call = Callable[..., Any]


def as_task_runs(task_: Any, *args: Any) -> Any:
    """Run a task as a Prefect task run of the current flow run."""
    return task_(*args)


def as_calls(task_: Any, *args: Any) -> Any:
    """Run a task's function directly, inside whatever run is current (or none)."""
    return task_.fn(*args)


def draft_step(county: str, month: str, county_folder: bool = False, call: Call = as_task_runs) -> DraftResult:
    """Draft the plan (v1, 征求意见稿) and render it."""
    summary = call(draft_plan, county, month)
    return summary | {"files": call(render_plan, county, month, 1, county_folder)}


def review_step(county: str, month: str, default_disposition: str = Disposition.ADOPTED.value,
                county_folder: bool = False, call: Call = as_task_runs) -> ReviewResult:
    """Close the review on what is recorded and render the official plan (v2)."""
    summary = call(close_review, county, month, default_disposition, call(review_state, county, month)["digest"])
    return summary | {"files": call(render_plan, county, month, 2, county_folder),
                      "dispositions": call(render_dispositions, county, month, county_folder)}


def collect_step(county: str, month: str, county_folder: bool = False, call: Call = as_task_runs) -> CollectResult:
    """Import the inbox, then report who has submitted."""
    inbox = call(read_inbox, county, month, county_folder)
    report = call(completeness_report, county, month, county_folder)
    return report | {"inbox": inbox, "lectures": call(dispatch_lectures, county, month, county_folder)}


def sample_step(county: str, month: str, public_random: str | None = None, county_folder: bool = False,
                call: Call = as_task_runs,
                ask: Callable[[dict], tuple[str | None, str]] | None = None) -> SampleResult:
    """Publish the candidates, draw (asking for the public random value through `ask` if given) and export."""
    published = call(publish_candidates, county, month)
    source = ""
    if ask is not None and public_random is None and not published["drawn"]:
        public_random, source = ask(published)
    summary = call(draw_sample, county, month, public_random, published["sha256"], source)
    return summary | {"files": call(export_draw, county, month, county_folder)}


def compile_step(county: str, month: str, allow_empty: bool = False, county_folder: bool = False,
                 call: Call = as_task_runs) -> CompileResult:
    """Compile the circular."""
    return call(compile_circular, county, month, allow_empty, county_folder)


ORDER = tuple(Step)  # the month's order is the enum's: the one place the steps are listed


@dataclass(frozen=True)
class StepOptions:
    """What the steps take besides the county and the month."""

    county_folder: bool = True
    default_disposition: str = Disposition.ADOPTED.value
    public_random: str | None = None
    allow_empty: bool = False


# Each step's call with the options: the one table run_steps and the monthly flow go through.
STEP_CALLS: dict[Step, Callable[[str, str, StepOptions, Call], Any]] = {
    Step.DRAFT: lambda c, m, o, call: draft_step(c, m, o.county_folder, call=call),
    Step.REVIEW: lambda c, m, o, call: review_step(c, m, o.default_disposition, o.county_folder, call=call),
    Step.COLLECT: lambda c, m, o, call: collect_step(c, m, o.county_folder, call=call),
    Step.SAMPLE: lambda c, m, o, call: sample_step(c, m, o.public_random, o.county_folder, call=call),
    Step.COMPILE: lambda c, m, o, call: compile_step(c, m, o.allow_empty, o.county_folder, call=call),
}


def run_steps(county: str, month: str, steps: Sequence[str], options: StepOptions = StepOptions(), *,
              after_step: Callable[[str, str, str], None] | None = None, call: Call = as_calls) -> dict:
    """The named steps for one county, in the month's order, each through `call` (plain calls by default; the
    monthly flow passes as_task_runs); returns each step's result.

    `after_step(step, county, month)` runs after each step (the flows pass the retry drill).
    """
    wanted = {Step(s) for s in steps}
    results: dict[str, Any] = {}
    for step in (s for s in ORDER if s in wanted):
        results[step.value] = STEP_CALLS[step](county, month, options, call)
        if after_step is not None:
            after_step(step.value, county, month)
    _freeze_long_lived()
    return results


_frozen = False


def _freeze_long_lived() -> None:
    """After a process's first county: collect once, then leave what survives (the imported modules, templates,
    fonts and caches, some 300,000 objects) out of later collections (`gc.freeze`).

    Each full collection otherwise walks all of them: 0.2 s, once every few counties, besides the county's own
    garbage. Called once per process; what later counties leave behind is collected as usual.
    """
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


def steps_label(steps: Sequence[str]) -> str:
    """How runs and tables name a set of steps: 月度流程 for all five, else the steps' names (方案起草、…)."""
    return "月度流程" if {Step(s) for s in steps} == set(ORDER) else "、".join(Step(s).cn for s in steps)


def _county_run_name() -> str:
    params = task_run.parameters
    return f"{params.get('county')}·{cn_month(params.get('month'))}·{steps_label(params.get('steps') or [])}"


def county_summary(county: str, month: str, steps: Sequence[str], results: dict[str, Any], seconds: float,
                   held: Sequence[str]) -> str:
    """The markdown a province run shows for one county: each step's outcome and files, and the reports
    it did not upload."""
    return render_text("county-summary.md.j2", county=county, month_label=cn_month(month),
                       label=steps_label(steps), seconds=seconds, held=list(held),
                       steps=[{"name": Step(s).cn, "lines": summary_lines(s, month, results[s])}
                              for s in (step.value for step in ORDER) if s in results])


@task(name="county-month", task_run_name=_county_run_name, **STEP)
def county_month(county: str, month: str, steps: list[str], options: dict[str, Any],
                 after_step: Callable[[str, str, str], None] | None = None, artifacts: str = "summary") -> dict:
    """One county's steps of the month in one task run (a province run submits one per county).

    `artifacts`: "summary" makes one artifact for the county in place of its steps' own (plan, report,
    tables, draw, circular); "full" makes those, from a background thread. Returns {"county", "seconds",
    "results"}. Cached per root flow run like the steps' own tasks, so a retry of a province run redoes
    only the counties that failed.
    """
    started = time.perf_counter()
    if artifacts == "full":
        with artifacts_in_background():
            results = run_steps(county, month, steps, StepOptions(**options), after_step=after_step)
        held: list[str] = []
    else:
        with artifacts_held() as held:
            results = run_steps(county, month, steps, StepOptions(**options), after_step=after_step)
    seconds = round(time.perf_counter() - started, 2)
    if artifacts != "full":
        artifact(create_markdown_artifact, key=artifact_key("county", county, month),
                 markdown=county_summary(county, month, steps, results, seconds, held),
                 description=f"{county} {cn_month(month)}{steps_label(steps)}结果")
    run_logger().debug("county %s: %s in %.2f s", county, ",".join(steps), seconds)
    return {"county": county, "seconds": seconds, "results": results}
