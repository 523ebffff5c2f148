"""A whole province: one flow run per county, so the operator sees and can retry each county on its own."""

from __future__ import annotations

import time

from prefect import flow, task
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment
from prefect.logging import get_run_logger

from activity_day.domain.months import next_month
from activity_day.errors import OperatorError
from activity_day.store import crud
from flows.monthly import STEPS, known_failures, run_name
from tasks.common import transaction

CYCLE_DEPLOYMENT = "monthly_cycle/monthly-cycle"


@task(name="list-counties")
def list_counties() -> list[str]:
    with transaction() as session:
        return crud.county_codes(session=session)


def wait_for_run(run_id, timeout: float, every: float = 2.0):
    """The final state of a flow run, polling the API; None if it is not final within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            state = client.read_flow_run(run_id).state
            if state is not None and state.is_final():
                return state
            if time.monotonic() > deadline:
                return None
            time.sleep(every)


@flow(name="province_cycle", flow_run_name=run_name("全省月度流程"))
@known_failures
def province_cycle(month: str | None = None, counties: list[str] | None = None, step: str = "cycle",
                   via_deployments: bool = False, wait_seconds: int = 3600, allow_empty: bool = False) -> dict:
    """Run a step (or the whole cycle) for every county, one county's data in memory at a time.

    Locally each county is a subflow run of its own, one after another. With `via_deployments`, each
    county is a run of the monthly-cycle deployment, picked up in parallel by the workers.
    """
    logger = get_run_logger()
    month = month or next_month()
    codes = counties or list_counties()
    progress = create_progress_artifact(progress=0.0, description=f"{month} 全省 {len(codes)} 个县（市、区）处理进度")
    failed: list[str] = []
    if via_deployments:
        runs = {code: run_deployment(CYCLE_DEPLOYMENT, timeout=0,
                                     parameters={"county": code, "month": month, "allow_empty": allow_empty,
                                                 "county_folder": True},
                                     idempotency_key=f"activity-day:{code}:{month}:province-cycle")
                for code in codes}
        for done, (code, run) in enumerate(runs.items(), start=1):
            state = wait_for_run(run.id, wait_seconds)
            if state is None or not state.is_completed():
                failed.append(code)
            update_progress_artifact(progress, progress=100.0 * done / len(codes))
            logger.info("county %s: %s (%d/%d)", code, state.name if state else "timed out", done, len(codes))
    else:
        for done, code in enumerate(codes, start=1):
            # The province run itself drives every step: draft and review schedule nothing further.
            options: dict = {"county_folder": True}  # a province keeps each county's documents apart
            if step in ("draft", "review"):
                options["schedule"] = False
            if step in ("compile", "cycle"):
                options["allow_empty"] = allow_empty
            state = STEPS[step](county=code, month=month, return_state=True, **options)
            if not state.is_completed():
                failed.append(code)
            update_progress_artifact(progress, progress=100.0 * done / len(codes))
            logger.info("county %s: %s (%d/%d)", code, state.name, done, len(codes))
    if failed:
        raise OperatorError(f"{len(codes)} 个县（市、区）中有 {len(failed)} 个失败（{'、'.join(failed)}）："
                            "请在 Prefect 界面查看并重试各县自己的流程运行")
    return {"month": month, "counties": len(codes), "step": step}
