"""`activity-day api --workers N`: the app served by N uvicorn worker processes sharing one listening socket."""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess


class TcpConfig(uvicorn.Config):
    """uvicorn's configuration, with a listening socket whose connections answer without Nagle's delay."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return sock
        # uvicorn makes the socket with socket.socket(family), whose protocol number reads 0. The connections it
        # accepts inherit that, and asyncio turns Nagle's algorithm off (TCP_NODELAY) only on IPPROTO_TCP sockets:
        # each response's body then waits for the ACK of its headers, which the client delays, about 40 ms a
        # request. The same descriptor wrapped again reads its real protocol from the kernel.
        return socket.socket(fileno=sock.detach())


def serve_workers(*, host: str, port: int, workers: int, log_config: dict[str, Any] | None,
                  app: str = "activity_day.api:served_app", factory: bool = True, access_log: bool = True) -> None:
    """Serve `app` (an import string; by default `served_app`, a factory) in `workers` processes until stopped
    (SIGINT or SIGTERM)."""
    config = TcpConfig(app, factory=factory, host=host, port=port, workers=workers, log_level="info",
                       log_config=log_config, proxy_headers=False, access_log=access_log)
    Multiprocess(config, sockets=[config.bind_socket()]).run()
