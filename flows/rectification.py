"""Prefect's entrypoint (prefect.yaml: flows/rectification.py:rectification). The flows are in activity_day/flows/rectification.py."""

from activity_day.flows.rectification import rectification

__all__ = ["rectification"]
