"""The context a piece of work runs in: the settings and the clock.

An entry point builds one and binds it for the work it starts: a command (`activity-day …`), a flow run, an API
request, a province worker process, a test. Everything below the entry points reads `current()`; nothing there
reads the environment or a process-wide switch. The binding is a context variable, so it follows the work into
Prefect's task threads and FastAPI's thread pool (both copy the caller's context), and two requests, flow runs or
tests in one process each see their own.

The clock is the context's too: the time rules (nothing recorded before it can have happened, or after its
window closed) ask `current().now()`, and a test binds a context whose clock says the day it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import lru_cache, wraps
from typing import Any, TypeVar

from activity_day.domain.months import TZ
from activity_day.settings import Settings

T = TypeVar("T")


def system_clock() -> datetime:
    """The machine's time, aware, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class FixedClock:
    """A clock that always says `moment` (a test's, a rehearsal's); unlike a lambda it travels to worker processes."""

    moment: datetime

    def __call__(self) -> datetime:
        return self.moment


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # naive means UTC, for every clock


@dataclass(frozen=True)
class Context:
    settings: Settings
    clock: Callable[[], datetime] = field(default=system_clock)

    def now(self) -> datetime:
        """The context's time, aware, in UTC."""
        return _aware(self.clock()).astimezone(UTC)

    def local_now(self) -> datetime:
        """The context's time in Asia/Shanghai, where the office's days begin and end."""
        return _aware(self.clock()).astimezone(TZ)

    def today(self) -> date:
        """Today in Asia/Shanghai."""
        return self.local_now().date()

    def at(self, moment: datetime) -> Context:
        """This context with a clock that always says `moment` (naive means UTC): a test's, a rehearsal's."""
        return replace(self, clock=FixedClock(_aware(moment)))


_bound: ContextVar[Context] = ContextVar("activity_day_context")


@lru_cache(maxsize=1)
def _environment() -> Context:
    return Context(Settings())


def from_environment() -> Context:
    """A context on the environment's settings (ACTIVITY_DAY_*) and the system clock: what entry points build
    when the operator gave nothing else."""
    return _environment()


_installed: Context | None = None


def current() -> Context:
    """The bound context; else the one installed for this process (a worker process); else, for a caller that
    bound none (a script importing the library), the environment's."""
    try:
        return _bound.get()
    except LookupError:
        return _installed if _installed is not None else _environment()


@contextmanager
def bound(ctx: Context | Settings) -> Iterator[Context]:
    """Run a block in `ctx` (settings alone get the system clock), and put the previous context back after it,
    whether the block ends or fails."""
    if isinstance(ctx, Settings):
        ctx = Context(ctx)
    token = _bound.set(ctx)
    try:
        yield ctx
    finally:
        _bound.reset(token)


def install(ctx: Context | Settings | None) -> Context | None:
    """The context of a process made for one piece of work (a province worker process, a benchmark's), for
    every thread of it that binds none (a context bound with `bound` comes first); None takes it back. Returns
    the one installed before."""
    global _installed
    if isinstance(ctx, Settings):
        ctx = Context(ctx)
    previous, _installed = _installed, ctx
    return previous


def carried(fn: Callable[..., T]) -> Callable[..., T]:
    """`fn`, to run in a thread of our own (a thread pool's, a `threading.Thread`'s) in the context in force here:
    a new thread starts with none bound, unlike Prefect's and FastAPI's thread pools."""
    ctx = current()

    @wraps(fn)
    def in_context(*args: Any, **kwargs: Any) -> T:
        with bound(ctx):
            return fn(*args, **kwargs)

    return in_context
