"""Prefect's entrypoint (prefect.yaml: flows/province.py:province_cycle). The flows are in activity_day/flows/province.py."""

from activity_day.flows.province import province_cycle

__all__ = ["province_cycle"]
