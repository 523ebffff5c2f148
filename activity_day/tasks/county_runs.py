"""A province's county as a run of the monthly-cycle deployment, for whichever worker takes it.

Each county's run is created under an idempotency key of the province run, the county, the month and an attempt
number. The task starts from attempt 0 and moves past every attempt whose run failed, crashed or was cancelled:
a retry of the province run reuses the counties' runs that completed (or still run) and starts new runs only for
those that failed, and a new province run (`run cycle --counties …` for the failed ones) starts new runs.
"""

from __future__ import annotations

import time
from typing import Any

from prefect import task
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment
from prefect.runtime import flow_run, task_run
from prefect.utilities.urls import url_for

from activity_day.domain.dates import cn_month
from activity_day.errors import OperatorError

CYCLE_DEPLOYMENT = "monthly_cycle/monthly-cycle"
MAX_ATTEMPTS = 20


class CountyRunFailed(OperatorError):
    """A county's monthly-cycle run ended without completing (or did not end in time)."""


def _name() -> str:
    params = task_run.parameters
    return f"{params.get('county')}·{cn_month(params.get('month'))}·月度流程"


def _final_state(client, run_id, timeout: float, every: float):
    deadline = time.monotonic() + timeout
    while True:
        state = client.read_flow_run(run_id).state
        if state is not None and state.is_final():
            return state
        if time.monotonic() > deadline:
            return None
        time.sleep(every)


@task(name="county-cycle-run", task_run_name=_name)
def county_cycle_run(county: str, month: str, allow_empty: bool, wait_seconds: int, poll_seconds: float,
                     public_random: str | None = None) -> dict:
    """Start (or find) the county's monthly-cycle run for this province run and wait for it; its id and seconds.
    `public_random`, the province's public random value, goes to the county's draw.

    Fails, with the county run's own message, when that run does not complete.
    """
    province = flow_run.root_flow_run_id or flow_run.id
    parameters: dict[str, Any] = {"county": county, "month": month, "allow_empty": allow_empty,
                                  "county_folder": True}
    if public_random is not None:  # else the run's parameters stay as before, and the draw asks or derives it
        parameters["public_random"] = public_random
    with get_client(sync_client=True) as client:
        for attempt in range(MAX_ATTEMPTS):
            run = run_deployment(CYCLE_DEPLOYMENT, timeout=0, parameters=parameters,
                                 flow_run_name=f"{county}·{cn_month(month)}·月度流程",
                                 idempotency_key=f"activity-day:{county}:{month}:province-cycle:{province}:{attempt}")
            state = client.read_flow_run(run.id).state
            if state is None or not state.is_final() or state.is_completed():
                break
        url = url_for("flow-run", obj_id=run.id) or str(run.id)
        state = _final_state(client, run.id, wait_seconds, poll_seconds)
        if state is None:
            raise CountyRunFailed(f"{county}：等待 {wait_seconds} 秒仍未结束（{url}）")
        if not state.is_completed():
            raise CountyRunFailed(f"{county}：{state.message or state.name}（{url}）")
        started = client.read_flow_run(run.id)
    seconds = round(started.total_run_time.total_seconds(), 2) if started.total_run_time else None
    return {"county": county, "flow_run_id": str(run.id), "url": url, "seconds": seconds}
