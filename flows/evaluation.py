"""Prefect's entrypoint (prefect.yaml: flows/evaluation.py:evaluate). The flows are in activity_day/flows/evaluation.py."""

from activity_day.flows.evaluation import evaluate

__all__ = ["evaluate"]
