"""Heartbeats: off on the temporary local server, where nothing watches them; on with a real server."""

from __future__ import annotations

from prefect import flow
from prefect.flow_engine import FlowRunEngine
from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

import activity_day.flows  # noqa: F401  (importing the package installs the switch)
from activity_day.flows.heartbeats import heartbeats_only_with_a_server


@flow
def nothing() -> None:
    return None


def test_heartbeats_follow_the_server() -> None:
    assert heartbeats_only_with_a_server() is True
    engine = FlowRunEngine(flow=nothing)
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api",
                                     PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 60}):
        assert engine.heartbeat_seconds == 60  # a server: zombie runs are detected through them
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert engine.heartbeat_seconds is None  # the temporary local server: none are sent
