"""`activity-day setup` waits for a Prefect server that is still starting (creating its tables) instead of failing."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings

from activity_day.cli.prefect_setup import _wait_for_server
from activity_day.errors import OperatorError


@contextmanager
def starting_server(not_ready: int) -> Iterator[list[str]]:
    """A Prefect API on loopback whose health check fails `not_ready` times (500), then answers; yields the
    paths it was asked for."""
    asked: list[str] = []

    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            ready = len(asked) > not_ready and self.path == "/api/health"
            body = b"true" if ready else b"{}"
            self.send_response(200 if ready else 500)  # 502, 503: retried inside the client
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with temporary_settings({PREFECT_API_URL: f"http://127.0.0.1:{server.server_port}/api"}):
            yield asked
    finally:
        server.shutdown()
        server.server_close()


def test_setup_waits_for_a_server_still_creating_its_tables(capsys) -> None:
    with starting_server(not_ready=2) as asked:
        _wait_for_server(30, every=0.05)
    assert asked == ["/api/health"] * 3
    out = capsys.readouterr().out
    assert out.count("等待 Prefect 服务器") == 1 and "首次启动或升级后要先建表，最多等待 30 秒" in out


def test_a_ready_server_is_not_waited_for(capsys) -> None:
    with starting_server(not_ready=0) as asked:
        _wait_for_server(30, every=0.05)
    assert asked == ["/api/health"] and capsys.readouterr().out == ""


def test_setup_gives_up_on_a_server_that_never_comes_with_what_to_look_at() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    with temporary_settings({PREFECT_API_URL: f"http://127.0.0.1:{port}/api"}), \
            pytest.raises(OperatorError) as raised:
        _wait_for_server(1, every=0.1)
    message = str(raised.value)
    assert message.startswith(f"Prefect 服务器（http://127.0.0.1:{port}/api）在 1 秒内没有就绪")
    assert "journalctl -u activity-day-prefect-server" in message
