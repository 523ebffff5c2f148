"""The collect step's lecture dispatch (派单): teams for the month's orders, the dispatch sheets and an artifact."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_table_artifact

from activity_day.domain.dates import cn_month
from activity_day.services import documents, lecture_dispatch
from activity_day.tasks.common import STEP, artifact, artifact_key, month_dir


@task(name="dispatch-lectures", **STEP)
def dispatch_lectures(county: str, month: str, county_folder: bool = False) -> dict:
    """Teams for the orders still waiting; lectures.xlsx (by township, by speaker) and a table artifact."""
    done = lecture_dispatch.dispatch(county, month, month_dir(county, month, county_folder))
    counts = done.counts
    if done.by_order is None:
        return counts
    artifact(create_table_artifact, key=artifact_key("lectures", county, month), table=done.by_order.to_dict("records"),
             description=f"{cn_month(month)}宣讲点单与派单：点单 {counts['orders']} 个，已派单 {counts['dispatched']} 个，"
                         f"已接单 {counts['confirmed']} 个，无法派单 {counts['unserved']} 个")
    return counts | {"files": documents.paths(done.files)}
