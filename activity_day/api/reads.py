"""Reads served in the event loop when the database is on this machine, else in threads.

FastAPI runs a synchronous route or dependency in its thread pool. For a read that costs a hop to a thread and
back, and then the interpreter's lock: each statement lets the lock go while SQLite or the socket works and takes
it back from the event loop and the other threads, several times a request. Run in the event loop itself, a read
goes from start to end: 40 % more station pages a second at 10 and 50 phones on SQLite, and the plan GET twice as
many; on PostgreSQL on this machine no fewer, within the host's noise (bench/morning.py, README "The activity-day
morning"). A read never waits for a writer (SQLite's WAL,
PostgreSQL's snapshots), so the loop waits only for the database's answers: on this machine, microseconds. Across
a network each round trip would hold the loop for a millisecond or more, so with a database on another host the
reads go to threads as before. Writes always run in threads: on SQLite they queue for the write lock.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from sqlalchemy.engine import make_url

from activity_day.context import current

T = TypeVar("T")
LOCAL_HOSTS = ("", "localhost", "127.0.0.1", "::1")


@lru_cache(maxsize=16)
def database_on_this_machine(url: str) -> bool:
    """Whether the database answers without a network hop: a SQLite file, or PostgreSQL over a Unix socket or on
    this machine's loopback address."""
    parsed = make_url(url)
    host = parsed.host or str(parsed.query.get("host") or "")
    return parsed.get_backend_name() == "sqlite" or host.startswith("/") or host in LOCAL_HOSTS


def read_handler(fn: Callable[..., T], limiter: Callable[[], anyio.CapacityLimiter] | None = None,
                 ) -> Callable[..., Awaitable[T]]:
    """`fn` (synchronous, reads only) as a route or dependency that FastAPI awaits: run in the event loop when the
    database is on this machine, else in a thread (of `limiter`'s, when given). FastAPI sees `fn`'s parameters."""

    @functools.wraps(fn)
    async def run(*args: Any, **kwargs: Any) -> T:
        if database_on_this_machine(current().database_url):
            return fn(*args, **kwargs)
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs),
                                              limiter=limiter() if limiter else None)

    return run
