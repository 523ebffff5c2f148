"""The year-round evaluation as a flow: run yearly (its deployment) or on demand (`activity-day evaluate`)."""

from __future__ import annotations

from prefect import flow
from prefect.runtime import flow_run

from activity_day.context import current
from activity_day.documents.evaluation import period_label
from activity_day.domain.evaluation import PeriodError, period_months
from activity_day.domain.months import this_month
from activity_day.flows.monthly import known_failures
from activity_day.tasks.evaluate import evaluate_stations


def last_year() -> str:
    """The year before the current one in Asia/Shanghai: what the yearly schedule evaluates."""
    return str(int(this_month(current().now())[:4]) - 1)


def _run_name() -> str:
    period = str(flow_run.parameters.get("period") or last_year()).strip().upper()
    try:
        period_months(period)
    except PeriodError:
        return f"{period}·所站综合评价"  # the run then fails with the Chinese message
    return f"{period_label(period)}·所站综合评价"


@flow(name="evaluate", flow_run_name=_run_name)
@known_failures
def evaluate(county: str, period: str | None = None, county_folder: bool = False) -> dict:
    """Evaluate every station of the county over the period (2027, 2027-Q1, 2027-H1, 2027-03; default the last
    year) on the six dimensions; store the result and write the report and the station cards."""
    chosen = (period or last_year()).strip().upper()
    period_months(chosen)  # a period the evaluation does not know fails here, in Chinese
    return evaluate_stations(county, chosen, county_folder)
