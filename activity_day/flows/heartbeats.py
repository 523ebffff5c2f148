"""Flow-run heartbeats only where something watches them.

Prefect (3.9) starts a heartbeat thread for every flow run and joins it when the run ends; the thread sleeps
in one-second steps, so each run's exit waits up to a second for it (PrefectHQ/prefect#19641). A month is
six flow runs per county, so on the temporary local server, where nothing detects zombie runs, heartbeats
cost a county several seconds and serve no one. With a real server (`PREFECT_API_URL` set: deployments,
workers, the UI) they stay on, at the server's frequency, because there they detect crashed runs.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from activity_day.console import TEMPORARY_PREFECT_API

log = logging.getLogger(__name__)
_installed = False


def heartbeats_only_with_a_server() -> bool:
    """Make flow runs skip heartbeats while no API URL is configured; True if the switch is in place."""
    global _installed
    if _installed:
        return True
    from prefect.flow_engine import BaseFlowRunEngine
    from prefect.settings import get_current_settings

    original = getattr(BaseFlowRunEngine, "heartbeat_seconds", None)
    if not isinstance(original, property):  # Prefect changed: leave its heartbeats as they are
        log.debug("prefect's BaseFlowRunEngine.heartbeat_seconds is not a property; heartbeats left on")
        return False

    def heartbeat_seconds(self: Any) -> int | None:
        url = get_current_settings().api.url
        if url is None or url == os.environ.get(TEMPORARY_PREFECT_API):  # a temporary local server: nothing watches
            return None
        return original.fget(self)

    BaseFlowRunEngine.heartbeat_seconds = property(heartbeat_seconds)  # type: ignore[method-assign]
    _installed = True
    return True
