"""What every task shares: a transaction, the output folder and the month's labels."""

from __future__ import annotations

import json
from pathlib import Path

from activity_day.database import transaction
from activity_day.settings import get_settings

__all__ = ["artifact_key", "canonical", "month_dir", "transaction"]


def month_dir(month: str) -> Path:
    return Path(get_settings().out) / month


def artifact_key(*parts: str) -> str:
    """Prefect artifact keys allow lowercase letters, digits and dashes."""
    return "-".join(parts).lower().replace("_", "-")


def canonical(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
