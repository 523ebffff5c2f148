"""Prefect's entrypoint (prefect.yaml: flows/demonstration.py:select_demonstration). The flows are in activity_day/flows/demonstration.py."""

from activity_day.flows.demonstration import select_demonstration

__all__ = ["select_demonstration"]
