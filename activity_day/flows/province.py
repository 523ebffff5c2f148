"""A whole province: every county's month, each county a run the operator can see and retry on its own.

Locally (`run cycle --all-counties`) each county is one task run, `county-month`, and the counties run in a
pool of processes sized to the cores: one county's data in memory per process at a time. A task run per
county, rather than six flow runs per county, keeps Prefect's own cost per county to a fraction of the
work (README "Benchmarks"). With `via_deployments`, each county is a run of the monthly-cycle deployment
instead, with its five step subflows, picked up by the workers.
"""

from __future__ import annotations

import logging
import os
import shlex
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_progress_artifact, create_table_artifact, update_progress_artifact
from prefect.futures import as_completed
from prefect.logging import get_run_logger
from prefect.runtime import deployment, flow_run
from prefect.settings import (
    PREFECT_API_TLS_INSECURE_SKIP_VERIFY,
    PREFECT_API_URL,
    get_current_settings,
    temporary_settings,
)
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.urls import url_for

from activity_day import console
from activity_day.console import tell_operator
from activity_day.context import Context, current, install
from activity_day.domain.dates import cn_month
from activity_day.domain.months import next_month
from activity_day.errors import OperatorError
from activity_day.flows.drills import fault_drill
from activity_day.flows.monthly import known_failures
from activity_day.flows.pool import county_pool
from activity_day.models.enums import Step
from activity_day.services.counties import county_codes
from activity_day.tasks.county_runs import county_cycle_run
from activity_day.tasks.steps import ORDER, county_month, steps_label


@task(name="list-counties")
def list_counties() -> list[str]:
    return county_codes()


def worker_count(counties: int, workers: int | None = None) -> int:
    """Processes for the county runs: the setting, else one per core, never more than there are counties."""
    wanted = workers or current().settings.workers or os.cpu_count() or 1
    return max(1, min(wanted, counties))


def progress_line(done: int, failed: int, total: int, elapsed: float) -> str:
    """A terminal progress line: a bar, counties done and failed, and the time left at the pace so far."""
    width = 20
    filled = round(width * done / total) if total else width
    eta = f"，预计还需 {round(elapsed / done * (total - done))} 秒" if 0 < done < total else ""
    failures = f"，失败 {failed} 个" if failed else ""
    return f"[{'█' * filled}{'░' * (width - filled)}] {done}/{total} 个县（市、区）已完成{failures}，用时 {elapsed:.0f} 秒{eta}"


def progress_due(done: int, total: int, terminal: bool = False) -> bool:
    """Whether to report progress after `done` of `total` counties: the first, the last and every 5% between
    (each report is an API call); on an interactive terminal, after every county."""
    if terminal and sys.stderr.isatty():
        return True
    return done in (1, total) or done % max(1, total // 20) == 0


def prepare_worker(ctx: Context, quiet: bool) -> None:
    """Set up a worker process as its parent is: the same context (settings and clock) and, if the parent's
    console is quiet (the `activity-day` command), no Prefect console lines of its own (the UI still gets every
    log)."""
    install(ctx)
    if quiet:
        console.quiet_prefect()


def console_is_quiet() -> bool:
    from prefect.logging.handlers import PrefectConsoleHandler

    return not any(isinstance(h, PrefectConsoleHandler) for name in ("", "prefect")
                   for h in logging.getLogger(name).handlers)


@contextmanager
def api_for_workers() -> Iterator[None]:
    """Worker processes report to the API this process uses, the temporary local server included.

    Without a configured `PREFECT_API_URL`, each worker would otherwise start a temporary server of its own
    (seconds each), and its runs would not show under this run. Over plain http (a server on this machine)
    the workers skip building a TLS context for the client of each task run: there is no TLS to verify,
    and each costs 20 ms.
    """
    updates: dict[Any, Any] = {}
    url = get_current_settings().api.url
    if url is None:
        from prefect.server.api.server import SubprocessASGIServer

        server = SubprocessASGIServer()  # the one this process's client started (one per process)
        if not server.running:
            server.start()
        url = updates[PREFECT_API_URL] = server.api_url
    if url.startswith("http://"):
        updates[PREFECT_API_TLS_INSECURE_SKIP_VERIFY] = True
    with temporary_settings(updates):
        yield


def _progress_artifact(month: str, counties: int):
    return create_progress_artifact(progress=0.0, description=f"{cn_month(month)} 全省 {counties} 个县（市、区）处理进度")


def _county_rows(codes: list[str], month: str, steps: list[str], options: dict[str, Any],
                 workers: int) -> list[dict[str, Any]]:
    """Run `county_month` for every county (in a process pool when workers > 1); one row per county."""
    logger = get_run_logger()
    progress = _progress_artifact(month, len(codes))
    label = steps_label(steps)
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()

    def finished(code: str, state: Any, url: str | None) -> None:
        try:
            outcome = state.result(raise_on_failure=False)
        except Exception:  # noqa: BLE001  (a result that cannot be read: the state's message says enough)
            outcome = None
        rows.append({"县代码": code, "步骤": label, "状态": "完成" if state.is_completed() else "失败",
                     "用时（秒）": outcome["seconds"] if isinstance(outcome, dict) else None,
                     "说明": "" if state.is_completed() else str(outcome) if isinstance(outcome, Exception)
                     else (state.message or state.name), "运行链接": url or ""})
        failed = sum(r["状态"] == "失败" for r in rows)
        logger.info("%s：%s（%d/%d）", code, "完成" if state.is_completed() else "失败", len(rows), len(codes))
        if progress_due(len(rows), len(codes)):
            update_progress_artifact(progress, progress=100.0 * len(rows) / len(codes))
        if progress_due(len(rows), len(codes), terminal=True):
            tell_operator(progress_line(len(rows), failed, len(codes), time.perf_counter() - started))

    parameters = [{"county": code, "month": month, "steps": steps, "options": options, "after_step": fault_drill,
                   "artifacts": current().settings.province_artifacts} for code in codes]
    if workers == 1:  # one process: no pool to start
        for params in parameters:
            state = county_month(**params, return_state=True)
            finished(params["county"], state, None)
    else:
        # Each process is a fork of the fork server (flows/pool.py), which imported the county code once; it gets
        # this process's context (the workspace, the database, the clock).
        runner = county_pool(workers, prepare_worker, (current(), console_is_quiet()))
        with api_for_workers(), runner:
            futures = {runner.submit(county_month, params): params["county"] for params in parameters}
            for future in as_completed(list(futures)):
                future.wait()
                finished(futures[future], future.state, url_for(future))
    rows.sort(key=lambda r: codes.index(r["县代码"]))
    return rows


def _deployment_rows(codes: list[str], month: str, allow_empty: bool, wait_seconds: int,
                     public_random: str | None = None) -> list[dict[str, Any]]:
    """One monthly-cycle deployment run per county, for however many workers are started; each county a task run
    that waits for its run (a retry of the province run reuses the runs that completed, see tasks/county_runs.py)."""
    logger = get_run_logger()
    progress = _progress_artifact(month, len(codes))
    poll = max(2.0, len(codes) / 10)  # about ten state reads a second in all, however many counties
    rows: list[dict[str, Any]] = []
    with ThreadPoolTaskRunner(max_workers=max(1, len(codes))) as runner:
        futures = {runner.submit(county_cycle_run, {"county": code, "month": month, "allow_empty": allow_empty,
                                                    "wait_seconds": wait_seconds, "poll_seconds": poll,
                                                    "public_random": public_random}): code
                   for code in codes}
        for done, future in enumerate(as_completed(list(futures)), start=1):
            future.wait()
            code, state = futures[future], future.state
            outcome = state.result(raise_on_failure=False) if state.is_completed() else None
            rows.append({"县代码": code, "步骤": "月度流程", "状态": "完成" if state.is_completed() else "失败",
                         "用时（秒）": outcome["seconds"] if isinstance(outcome, dict) else None,
                         "说明": "" if state.is_completed() else (state.message or state.name),
                         "运行链接": outcome["url"] if isinstance(outcome, dict) else url_for(future) or ""})
            if progress_due(done, len(codes)):
                update_progress_artifact(progress, progress=100.0 * done / len(codes))
            logger.info("%s：%s（%d/%d）", code, rows[-1]["状态"], done, len(codes))
    rows.sort(key=lambda r: codes.index(r["县代码"]))
    return rows


def rerun_command(failed: list[str], month: str, step: str, *, allow_empty: bool = False,
                  via_deployments: bool = False, public_random: str | None = None) -> str:
    """The command that reruns only the failed counties, with every option of the run that failed: a province run
    of the same step for them, so their documents go to the same county folders (OUT/YYYY-MM/<county>/)."""
    options = ""
    if via_deployments and step == "cycle":
        options += " --via-deployments"
    if allow_empty and step in ("cycle", Step.COMPILE.value):
        options += " --allow-empty"
    if public_random is not None and step in ("cycle", Step.SAMPLE.value):
        options += f" --public-random {shlex.quote(public_random)}"
    return f"activity-day run {step} --counties {','.join(failed)} --month {month}{options}"


def _province_run_name() -> str:
    """2027年3月·全省月度流程 for the whole month, 2027年3月·全省·方案起草 for one step."""
    params = flow_run.parameters
    month = params.get("month") or next_month(current().now())
    step = params.get("step") or "cycle"
    return f"{cn_month(month)}·全省" + ("月度流程" if step == "cycle" else f"·{Step(step).cn}")


def _failure(codes: list[str], failed: list[str], month: str, step: str, rerun: str) -> OperatorError:
    """What a province run that lost counties says: in the UI (a deployment's run) what to click, on the terminal
    the commands; a run started from the command line is retried with `activity-day run retry`."""
    head = f"{len(codes)} 个县（市、区）中有 {len(failed)} 个失败（{'、'.join(failed)}）："
    if deployment.id is not None:
        error = OperatorError(head + "请在下方表格中打开各县的运行查看原因，处理后点击本运行右上角的“Retry”（重试），"
                              f"已完成的县不再重复；或只重跑失败的县：{rerun}")
    else:
        error = OperatorError(head + "请在 Prefect 界面查看各县的运行，再重试本次全省运行（已完成的县不再重复）："
                              f"activity-day run retry {flow_run.id}；或只重跑失败的县：{rerun}")
    error.for_the_ui = True  # type: ignore[attr-defined]  (already says what to do in the UI)
    return error


@flow(name="province_cycle", flow_run_name=_province_run_name)
@known_failures
def province_cycle(month: str | None = None, counties: list[str] | None = None, step: str = "cycle",
                   via_deployments: bool = False, wait_seconds: int = 3600, allow_empty: bool = False,
                   workers: int | None = None, public_random: str | None = None) -> dict:
    """Run a step (or the whole cycle) for every county; a failed county does not stop the others.

    `public_random` is the province's public random value for the month: every county's draw uses it.

    A summary table artifact lists every county's state, time and run; a retry of this flow run redoes
    only the counties that failed (each county's result is cached per root run).
    """
    month = month or next_month(current().now())
    codes = counties or list_counties()
    if via_deployments:
        rows = _deployment_rows(codes, month, allow_empty, wait_seconds, public_random)
    else:
        steps = [s.value for s in ORDER] if step == "cycle" else [Step(step).value]
        # a province keeps counties' documents apart
        options = {"county_folder": True, "allow_empty": allow_empty, "public_random": public_random}
        rows = _county_rows(codes, month, steps, options, worker_count(len(codes), workers))
    create_table_artifact(key=f"province-{month}", table=rows,
                          description=f"{cn_month(month)} 全省各县（市、区）运行情况")
    failed = [r["县代码"] for r in rows if r["状态"] == "失败"]
    if failed:
        rerun = rerun_command(failed, month, step, allow_empty=allow_empty, via_deployments=via_deployments,
                              public_random=public_random)
        raise _failure(codes, failed, month, step, rerun)
    return {"month": month, "counties": len(codes), "step": step,
            "seconds": round(sum(r["用时（秒）"] or 0 for r in rows), 2)}
