"""Prefect's temporary local server, booted while the command imports the flows.

Without a configured Prefect API, Prefect starts a temporary server (its own API app under uvicorn, in a
subprocess) at the first flow call, and the command waits for it: about 5 s on this 2-core machine, after
the 4 s it took to import Prefect and the flows. A command that will run a flow starts the same server
here first, before Prefect is imported, so the two overlap (README "Benchmarks"). The server is
Prefect's own app with the settings Prefect gives its temporary server; the command tells Prefect its
address (PREFECT_API_URL), stops it at exit, and its runs are treated as on Prefect's temporary server
(no heartbeats, `flows/heartbeats.py`).
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from activity_day.console import TEMPORARY_PREFECT_API, in_prefect_profile
from activity_day.errors import OperatorError

log = logging.getLogger(__name__)
_started: dict[str, subprocess.Popen] = {}


def api_configured() -> bool:
    """Whether the user points Prefect at a server (PREFECT_API_URL in the environment or the Prefect profile),
    as opposed to none or the temporary one this process started; read without importing Prefect."""
    url = os.environ.get("PREFECT_API_URL")
    return bool(url and url != os.environ.get(TEMPORARY_PREFECT_API)) or in_prefect_profile("PREFECT_API_URL")


def wanted() -> bool:
    """True where Prefect would start a temporary server itself: no API URL set, temporary servers allowed,
    and Prefect not imported yet (its settings would already be fixed)."""
    if "prefect" in sys.modules or api_configured() or os.environ.get("PREFECT_API_URL"):
        return False
    allowed = os.environ.get("PREFECT_SERVER_EPHEMERAL_ENABLED", "true").strip().lower()
    return allowed not in ("0", "false", "no", "off") and not in_prefect_profile("PREFECT_SERVER_EPHEMERAL_ENABLED")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start() -> str | None:
    """Launch the server and point Prefect at it; its API URL, or None where Prefect is left to decide."""
    if not wanted():
        return None
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = dict(os.environ, PREFECT_UI_ENABLED="0", PREFECT__SERVER_EPHEMERAL="1", PREFECT__SERVER_FINAL="1")
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
                                "--host", "127.0.0.1", "--port", str(port), "--log-level", "error",
                                "--lifespan", "on"], env=env)
    _started[api] = process
    atexit.register(stop, api)
    os.environ["PREFECT_API_URL"] = os.environ[TEMPORARY_PREFECT_API] = api
    log.info("starting temporary Prefect server on %s (pid %d)", api, process.pid)
    return api


def wait_until_ready(api: str, timeout: float | None = None) -> None:
    """Block until the server answers /health; a clear error if it exits or does not answer in time."""
    process = _started[api]
    timeout = timeout or float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS") or 180)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise OperatorError(f"Prefect 临时服务未能启动（退出码 {process.returncode}，详见日志）：请重试，"
                                "或先运行 prefect server start 并设置 PREFECT_API_URL")
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise OperatorError(f"Prefect 临时服务在 {timeout:.0f} 秒内未就绪：机器较忙时可调大 "
                        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS，或先运行 prefect server start 并设置 PREFECT_API_URL")


def stop(api: str) -> None:
    process = _started.pop(api, None)
    if process is None or process.poll() is not None:
        return
    log.info("stopping temporary Prefect server on %s", api)
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
