"""`activity-day api --workers N`: the app served by N uvicorn worker processes, each listening on its own socket.

uvicorn's own `--workers` shares one listening socket between the processes, and whichever process wakes first
accepts: with the long-lived connections phones and proxies keep, one process took every connection of a
benchmark run of 10 phones and the other core stayed idle. Here each worker binds its own socket on the address
with SO_REUSEPORT, and the kernel spreads new connections over the workers' sockets by a hash of the client's
address and port. Where the system has no SO_REUSEPORT (or does not balance with it, as macOS), the workers share
one socket as uvicorn does.
"""

from __future__ import annotations

import logging
import socket
import sys
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

BALANCES = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def tcp_socket(family: socket.AddressFamily) -> socket.socket:
    """A TCP socket whose accepted connections send without Nagle's delay. Made with socket.socket(family), as
    uvicorn does, its protocol number reads 0; the connections it accepts inherit that, and asyncio turns Nagle's
    algorithm off (TCP_NODELAY) only on IPPROTO_TCP sockets: each response's body then waits for the ACK of its
    headers, which the client delays, about 40 ms a request."""
    return socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)


class TcpConfig(uvicorn.Config):
    """uvicorn's configuration, with a listening socket whose connections answer without Nagle's delay."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return sock
        return socket.socket(fileno=sock.detach())  # the same descriptor, now reading its real protocol


def reuse_port_socket(family: socket.AddressFamily, address: tuple[Any, ...]) -> socket.socket:
    """A socket bound to `address` with SO_REUSEPORT, not yet listening (asyncio's server calls listen())."""
    sock = tcp_socket(family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)  # "::" takes IPv4 too where the system's default is dual-stack, as with uvicorn's own
    sock.set_inheritable(True)
    return sock


def _worker_sockets(family: socket.AddressFamily, address: tuple[Any, ...]) -> list[socket.socket]:
    return [reuse_port_socket(family, address)]


class WorkerSockets(list):
    """What the supervisor hands each worker process in place of a socket: a recipe that, unpickled in the new
    process, binds that worker's own SO_REUSEPORT socket on the address. A restarted worker binds a new one."""

    def __init__(self, family: socket.AddressFamily, address: tuple[Any, ...]) -> None:
        super().__init__()
        self.family, self.address = family, address

    def __reduce__(self) -> tuple[Any, ...]:
        return _worker_sockets, (self.family, self.address)


@dataclass(frozen=True)
class ServedApp:
    """What the workers serve: `app`, an import string (by default `served_app`, a factory), and whether each
    request is logged."""

    app: str = "activity_day.api:served_app"
    factory: bool = True
    access_log: bool = True


def serve_workers(*, host: str, port: int, workers: int, log_config: dict[str, Any] | None,
                  served: ServedApp = ServedApp()) -> None:
    """Serve the app in `workers` processes until stopped (SIGINT or SIGTERM)."""
    config = TcpConfig(served.app, factory=served.factory, host=host, port=port, workers=workers, log_level="info",
                       log_config=log_config, proxy_headers=False, access_log=served.access_log)
    if not BALANCES:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    # The supervisor holds the address (bound, never listening, so the kernel gives it no connection): a port
    # already in use fails here, before any worker starts, and port 0 becomes one port for every worker.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    log = logging.getLogger("uvicorn.error")
    try:
        held = reuse_port_socket(family, (host, port))
    except OSError as exc:  # the address in use, or not this machine's: uvicorn's own line and exit code
        log.error(exc)
        sys.exit(STARTUP_FAILURE)
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    log.info("Uvicorn running on http://%s:%d (Press CTRL+C to quit)", shown, held.getsockname()[1])
    try:
        Multiprocess(config, sockets=WorkerSockets(family, held.getsockname())).run()
    finally:
        held.close()
