"""What every task shares: the output folder, artifacts, the run logger and the step cache."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from pathlib import Path

from activity_day.context import current

__all__ = ["STEP", "artifact", "artifact_key", "artifacts_held", "artifacts_in_background", "month_dir", "output_dir", "run_logger",
           "step_cache_key"]


def output_dir(county: str, *parts: str, county_folder: bool = False) -> Path:
    """Where a step's documents go: OUT/<parts>/, or OUT/<parts>/<county>/ when the run (a province run) or the
    setting ACTIVITY_DAY_COUNTY_FOLDERS asks for a folder per county. Never what the database holds: adding a
    county must not move another county's documents."""
    ctx = current()
    folder = ctx.documents.joinpath(*parts)
    return folder / county if county_folder or ctx.county_folders else folder


def month_dir(county: str, month: str, county_folder: bool) -> Path:
    """A month's documents: OUT/YYYY-MM/ (output_dir)."""
    return output_dir(county, month, county_folder=county_folder)


def artifact_key(*parts: str) -> str:
    """Prefect artifact keys allow lowercase letters, digits and dashes."""
    return "-".join(parts).lower().replace("_", "-")


_background: ContextVar[tuple | None] = ContextVar("activity_day_background_artifacts", default=None)
_held: ContextVar[list | None] = ContextVar("activity_day_held_artifacts", default=None)


def artifact(create, **kwargs):
    """Create a Prefect artifact (`create` is one of prefect.artifacts' functions) inside a run only.

    A task's function called directly (the benchmark's work without Prefect) has no run to attach the
    artifact to; Prefect would file it loose, and start a temporary server in each process to do so.
    Inside `artifacts_in_background()` the call goes to a thread, and the work goes on meanwhile.
    """
    from prefect.context import FlowRunContext, TaskRunContext

    if TaskRunContext.get() is None and FlowRunContext.get() is None:
        return None
    held = _held.get()
    if held is not None:
        held.append(kwargs.get("description") or kwargs.get("key") or "")
        return None
    pending = _background.get()
    if pending is None:
        return create(**kwargs)
    executor, futures = pending
    futures.append(executor.submit(copy_context().run, create, **kwargs))  # the run's context goes along
    return None


@contextmanager
def artifacts_in_background() -> Iterator[None]:
    """Send the block's artifacts from one background thread, in order; wait for all of them at the end.

    Each artifact is an API round trip; a county's ten of them cost its run a quarter of a second when
    made one after another in line with the work (README "Benchmarks"). An artifact that fails fails
    the block, as it would in line.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="artifacts") as executor:
        futures: list = []
        token = _background.set((executor, futures))
        try:
            yield
        finally:
            _background.reset(token)
        for future in futures:
            future.result()


@contextmanager
def artifacts_held() -> Iterator[list[str]]:
    """Create none of the block's artifacts; yield the list that receives their descriptions instead.

    A province run's county task shows one summary artifact in their place: at a hundred counties, ten
    artifacts a county cost the API server more than a fifth of a second each county (README "Benchmarks").
    """
    held: list[str] = []
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)


def run_logger():
    """The Prefect run logger inside a run; the module logger when a task body is called directly."""
    import logging

    from prefect.exceptions import MissingContextError
    from prefect.logging import get_run_logger

    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("activity_day.tasks")


def step_cache_key(context, parameters: dict) -> str:
    """Cache a step's task within one top-level flow run.

    A retry of a failed run (same root run) skips the tasks that completed; any new run — an
    operator's rerun, next month's schedule — computes again. The key holds the task's name and
    its inputs (county, month, …), so different months never share a result.
    """
    from prefect.runtime import flow_run
    from prefect.utilities.hashing import hash_objects

    root = flow_run.root_flow_run_id or flow_run.id or "no-run"
    return f"{context.task.name}|{hash_objects(parameters)}|{root}"


# Options for the coarse per-step tasks: results persisted so a retry can skip them.
STEP = {"cache_key_fn": step_cache_key, "persist_result": True}
