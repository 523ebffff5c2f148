"""Prefect's entrypoint (prefect.yaml: flows/monthly.py:collect). The flows are in activity_day/flows/monthly.py."""

from activity_day.flows.monthly import (
    collect,
    compile_,
    draft,
    monthly_cycle,
    review,
    review_deadline,
    sample,
)

__all__ = ["collect", "compile_", "draft", "monthly_cycle", "review", "review_deadline", "sample"]
