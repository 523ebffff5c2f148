"""Retry rehearsals: the fault switch ACTIVITY_DAY_FAULT=<step>[:YYYY-MM] fails a step once, after its work.

It sits in the flows, after each step's last task, so no task or business code knows about it. A
retry of the failed run skips the completed tasks (their results are cached per run) and passes.
"""

from __future__ import annotations

from activity_day.context import current
from activity_day.models.enums import Step


class InjectedFault(RuntimeError):
    """Raised by the documented fault switch ACTIVITY_DAY_FAULT=<step> (retry drills and tests)."""


def fault_drill(step: Step | str, county: str, month: str) -> None:
    """With ACTIVITY_DAY_FAULT=<step> (or <step>:<YYYY-MM> for one month only), fail once per county and month.

    A marker under OUT/.faults/ remembers that the fault fired, so the retry (in this process or a
    worker's next one) succeeds; delete the marker to fail again.
    """
    step = Step(step).value
    fault = current().drills.fault or ""
    if fault not in (step, f"{step}:{month}"):
        return
    marker = current().documents / ".faults" / f"{step}-{county}-{month}"
    if marker.exists():
        return
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("fired\n", encoding="utf-8")
    raise InjectedFault(f"故障演练（ACTIVITY_DAY_FAULT={fault}）：{county} {month} 的 {step} 步骤按设定失败一次，重试即可")
