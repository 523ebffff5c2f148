"""The temporary Prefect server a command boots while it imports the flows (cli/local_server.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from activity_day.cli import local_server
from activity_day.console import TEMPORARY_PREFECT_API

ROOT = Path(__file__).resolve().parents[2]


def test_a_configured_api_is_used_and_the_temporary_one_is_not_taken_for_it(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))  # no profile file
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv(TEMPORARY_PREFECT_API, raising=False)
    assert not local_server.api_configured()
    assert not local_server.wanted()  # Prefect is imported in this test process: its settings are fixed
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert local_server.api_configured()
    monkeypatch.setenv(TEMPORARY_PREFECT_API, "http://127.0.0.1:4200/api")  # the one a command started
    assert not local_server.api_configured()
    monkeypatch.delenv("PREFECT_API_URL")
    monkeypatch.delenv(TEMPORARY_PREFECT_API)
    (tmp_path / "profiles.toml").write_text(
        'active = "local"\n[profiles.local]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n', encoding="utf-8")
    assert local_server.api_configured()


def test_a_fresh_process_boots_the_server_points_prefect_at_it_and_stops_it(tmp_path: Path) -> None:
    """In a process without Prefect imported: the server answers before the first flow, Prefect's client uses
    it (no server of its own), flow runs skip heartbeats there, and the server is gone after exit."""
    script = textwrap.dedent("""
        import json, os, sys
        from activity_day.cli import local_server
        api = local_server.start()
        from activity_day.flows.heartbeats import heartbeats_only_with_a_server
        from prefect import flow
        from prefect.client.orchestration import get_client
        from prefect.flow_engine import FlowRunEngine
        local_server.wait_until_ready(api)
        heartbeats_only_with_a_server()

        @flow
        def hello() -> str:
            from prefect.context import FlowRunContext
            return str(FlowRunContext.get().flow_run.id)

        run_id = hello()
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(run_id)
        from prefect.server.api.server import SubprocessASGIServer
        print(json.dumps({"api": api, "env": os.environ["PREFECT_API_URL"], "state": run.state.name,
                          "prefect_started_one": SubprocessASGIServer().running,
                          "heartbeat": FlowRunEngine(flow=hello).heartbeat_seconds,
                          "pid": local_server._started[api].pid}))
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API") and k != TEMPORARY_PREFECT_API}
    env |= {"PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["api"].startswith("http://127.0.0.1:") and seen["env"] == seen["api"]
    assert seen["state"] == "Completed" and seen["prefect_started_one"] is False
    assert seen["heartbeat"] is None  # heartbeats off on the temporary server despite the frequency set
    with pytest.raises(ProcessLookupError):
        os.kill(seen["pid"], 0)  # stopped at exit
