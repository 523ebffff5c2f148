"""The daily notices run (提醒与通知): enqueue what is due today, send the outbox with retries, show it.

One coarse task per step for the county, not one per notice: a notice is milliseconds of work, a task run is not.
"""

from __future__ import annotations

from datetime import date

from prefect import flow
from prefect.runtime import flow_run

from activity_day.context import current
from activity_day.domain.dates import cn_date
from activity_day.flows.monthly import known_failures
from activity_day.tasks.notices import enqueue_notices, publish_outbox, send_notices

RETRY_SECONDS = [30.0, 120.0, 600.0]  # between the send task's tries: a robot or mail server that is briefly down


def today() -> date:
    return current().today()


def _run_name() -> str:
    day = flow_run.parameters.get("day") or today().isoformat()
    return f"{cn_date(date.fromisoformat(day))}·提醒与通知"


@flow(name="notices", flow_run_name=_run_name)
@known_failures
def notices(county: str, day: str | None = None, retry_seconds: list[float] | None = None) -> dict[str, int]:
    """Enqueue the reminders due on `day` (today, Asia/Shanghai), send every pending notice, publish the outbox."""
    day = day or today().isoformat()
    delays = RETRY_SECONDS if retry_seconds is None else list(retry_seconds)
    new = enqueue_notices(county, day)
    sent = send_notices.with_options(retries=len(delays), retry_delay_seconds=delays or 0)(county, len(delays) + 1)
    return {"new": new} | sent | {f"outbox_{k}": v for k, v in publish_outbox(county, day).items()}
