"""The context a piece of work runs in: where its data lives, its switches and its clock.

An entry point builds one from the settings and binds it for the work it starts: a command (`activity-day …`), a
flow run, an API request, a province worker process, a test. Everything below the entry points reads `current()`
and asks it for what it needs by name (`engine`, `documents`, `inbox`, `photo_location`, `drills`, `secrets`, the
clock); nothing there reads the settings (an import contract and `tests/test_architecture.py` hold this), and
what comes from the environment itself (the channels' secrets, the rehearsal drills) the context reads when
asked. The binding is a context variable, so it follows the work into Prefect's task threads and FastAPI's
thread pool (both copy the caller's context), and two requests, flow runs or tests in one process each see
their own.

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
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from activity_day.domain.months import TZ
from activity_day.settings import Drills, Settings, channel_secrets, get_drills

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

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

    # What the layers below the entry points may know of the settings, each by its name.

    @property
    def database_url(self) -> str:
        """The application database's SQLAlchemy URL."""
        return self.settings.database_url

    @property
    def engine(self) -> Engine:
        """The application database's engine (one per URL and process)."""
        from activity_day.models import get_engine

        return get_engine(self.settings.database_url)

    @property
    def documents(self) -> Path:
        """The folder that receives the documents (OUT)."""
        return Path(self.settings.out)

    @property
    def inbox(self) -> Path:
        """The folder where station plan files are dropped."""
        return Path(self.settings.inbox)

    @property
    def county_folders(self) -> bool:
        """Whether every run keeps each county's documents in a folder of its own."""
        return self.settings.county_folders

    @property
    def photo_location(self) -> tuple[str, str | None]:
        """Where the evidence photos are kept (a folder or s3://bucket/prefix) and an S3 endpoint, if any."""
        return self.settings.photo_store, self.settings.photo_store_endpoint_url

    @property
    def drills(self) -> Drills:
        """The rehearsal switches in force (read when asked: a test or a worker sets them)."""
        return get_drills()

    @property
    def secrets(self) -> dict[str, str]:
        """Where the notice channels' ${VAR} secrets come from."""
        return channel_secrets()


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
