"""`activity-day api --workers N`: each worker listens on its own TCP socket on the address (SO_REUSEPORT), so the
kernel spreads the phones' connections over the workers, and connections send without Nagle's delay."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from activity_day.api.serving import TcpConfig, WorkerSockets, reuse_port_socket
from activity_day.settings import Settings
from tests.api.test_api import free_port
from tests.api.test_fuzz import serve


def test_the_workers_socket_is_tcp_so_asyncio_turns_nagle_off() -> None:
    config = TcpConfig("activity_day.api:served_app", factory=True, host="127.0.0.1", port=free_port(), workers=2)
    listening = config.bind_socket()
    try:
        assert listening.proto == socket.IPPROTO_TCP and listening.get_inheritable()

        async def accepted_nodelay() -> int:
            seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

            def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                sock = writer.get_extra_info("socket")
                seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                writer.close()

            server = await asyncio.start_server(connected, sock=listening)
            _, writer = await asyncio.open_connection(*listening.getsockname())
            try:
                return await asyncio.wait_for(seen, 10)
            finally:
                writer.close()
                server.close()

        assert asyncio.run(accepted_nodelay()) != 0  # the server's side of a connection: TCP_NODELAY set
    finally:
        listening.close()


LINUX = sys.platform.startswith("linux")


@pytest.mark.skipif(not LINUX, reason="SO_REUSEPORT balances connections on Linux only")
def test_each_worker_binds_its_own_socket_and_the_supervisors_gets_no_connection() -> None:
    held = reuse_port_socket(socket.AF_INET, ("127.0.0.1", 0))  # what the supervisor holds: bound, not listening
    recipe = WorkerSockets(socket.AF_INET, held.getsockname())
    workers = [pickle.loads(pickle.dumps(recipe))[0] for _ in range(2)]  # as two spawned workers unpickle it
    clients: list[socket.socket] = []
    try:
        for sock in workers:
            assert sock.proto == socket.IPPROTO_TCP and sock.getsockname() == held.getsockname()
            sock.listen(64)
            sock.setblocking(False)
        for _ in range(32):
            clients.append(socket.create_connection(held.getsockname(), timeout=5))
        accepted = [0, 0]
        deadline = time.monotonic() + 10
        while sum(accepted) < 32 and time.monotonic() < deadline:
            for n, sock in enumerate(workers):
                try:
                    sock.accept()[0].close()
                    accepted[n] += 1
                except BlockingIOError:
                    time.sleep(0.01)
        assert sum(accepted) == 32  # every connection reached a worker, none the supervisor's socket
        assert min(accepted) > 0, accepted  # the kernel spread them (all 32 on one: a chance of 2 in 4 billion)
    finally:
        for s in [*clients, *workers, held]:
            s.close()


ESTABLISHED, LISTEN = "01", "0A"  # /proc/net/tcp's states


def _sockets(port: int, state: str, pid: int | None = None) -> int:
    """How many TCP sockets on local `port` are in `state` (of the process `pid`, if given), from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir() if pid else ():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state and (not pid or fields[9] in inodes):
            count += 1
    return count


@pytest.mark.skipif(not LINUX, reason="SO_REUSEPORT balances connections on Linux only")
def test_the_workers_of_activity_day_api_share_the_phones_connections(settings: Settings, tmp_path: Path) -> None:
    """Phones that connect at once (the activity day's morning) are served by every worker. With one shared socket,
    the first worker to wake accepted them all and the other core idled."""
    server, base = serve(settings.database_url, tmp_path, workers=2)
    port = int(base.rsplit(":", 1)[1])
    deadline = time.monotonic() + 30  # the first worker may answer before the second one listens
    while _sockets(port, LISTEN) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _sockets(port, LISTEN) == 2  # a listening socket per worker (one shared socket: one, taken by either)
    phones = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(32)]  # all before any answer
    try:
        for phone in phones:  # each phone asks, and keeps its connection open as a phone's browser does
            phone.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: phone\r\n\r\n")
        for phone in phones:
            assert phone.recv(65536).startswith(b"HTTP/1.1 200")
        children = [int(p) for p in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
        held = {pid: _sockets(port, ESTABLISHED, pid) for pid in children}
        assert sum(held.values()) == 32, held
        assert sum(1 for n in held.values() if n > 0) == 2, held  # both workers serve phones
        assert _sockets(port, ESTABLISHED, server.pid) == 0  # the supervisor serves none
    finally:
        for phone in phones:
            phone.close()
        server.terminate()
        server.wait(timeout=30)


REMOTE = "postgresql+psycopg://activity@db.example.org:5432/activity_day"


@pytest.mark.parametrize(("url", "here"), [
    ("sqlite:////srv/activity-day/activity_day.db", True),
    ("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", True),
    ("postgresql+psycopg://postgres@localhost/postgres", True),
    ("postgresql+psycopg://postgres@[::1]:5432/postgres", True),
    ("postgresql+psycopg:///activity_day", True),  # the Unix socket
    ("postgresql+psycopg://u@/activity_day?host=/var/run/postgresql", True),
    (REMOTE, False),
    ("postgresql+psycopg://u@10.0.0.12/activity_day", False),
])
def test_a_database_is_on_this_machine_when_no_network_lies_between(url: str, here: bool) -> None:
    from activity_day.api.reads import database_on_this_machine

    assert database_on_this_machine(url) is here


def test_with_the_database_on_this_machine_a_page_runs_in_the_event_loop() -> None:
    from activity_day.api.mobile.pages import page_handler
    from activity_day.context import bound

    ran_in: list[int] = []

    def page(n: int) -> int:
        ran_in.append(threading.get_ident())
        return n

    async def served() -> tuple[list[int], int]:
        return list(await asyncio.gather(*(page_handler(page)(n) for n in range(5)))), threading.get_ident()

    with bound(Settings(database_url="sqlite:////tmp/x.db")):
        answers, loop_thread = asyncio.run(served())
    assert answers == list(range(5))
    assert set(ran_in) == {loop_thread}  # no hop to a thread

    with bound(Settings(database_url=REMOTE)):
        ran_in.clear()
        answers, loop_thread = asyncio.run(served())
    assert answers == list(range(5)) and loop_thread not in ran_in  # across a network: the pages' threads


def test_with_a_database_across_a_network_pages_run_in_their_own_few_threads_and_never_wait_behind_the_writes(
) -> None:
    from starlette.concurrency import run_in_threadpool

    from activity_day.api.mobile.pages import PAGE_THREADS, page_handler
    from activity_day.context import bound

    lock = threading.Lock()
    running, most = 0, 0
    writers_may_go = threading.Event()

    def page(n: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return n

    wrapped = page_handler(page)

    async def morning() -> tuple[list[int], float]:
        # Writers that hold their threads (as writes queued for SQLite's write lock do) fill the shared pool…
        writers = [asyncio.ensure_future(run_in_threadpool(writers_may_go.wait, 30)) for _ in range(40)]
        await asyncio.sleep(0.2)
        started = time.monotonic()
        served = await asyncio.gather(*(wrapped(n) for n in range(12)))  # …and the pages are served all the same
        took = time.monotonic() - started
        writers_may_go.set()
        await asyncio.gather(*writers)
        return list(served), took

    with bound(Settings(database_url=REMOTE)):
        served, took = asyncio.run(morning())
    assert served == list(range(12))
    assert most == PAGE_THREADS  # never more pages at once than the pages' threads
    assert took < 10  # not behind the writers, which waited 30 s
