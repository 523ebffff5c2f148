"""Prefect's entrypoint (prefect.yaml: flows/notices.py:notices). The flows are in activity_day/flows/notices.py."""

from activity_day.flows.notices import notices

__all__ = ["notices"]
