"""The fork server that a province's county processes are forked from (flows/pool.py): started early by the
command, before Prefect is imported, so that its imports overlap the command's own start and the temporary
Prefect server's. Light on purpose: importing this module imports neither Prefect nor the flows."""

from __future__ import annotations

import multiprocessing
import sys

# What a county's task run imports; imported once in the fork server, inherited by every worker.
PRELOAD = ["activity_day.tasks.steps", "activity_day.flows.province"]


def fork_server_available() -> bool:
    return sys.platform != "win32" and "forkserver" in multiprocessing.get_all_start_methods()


def start_fork_server(workers: int) -> None:
    """Start the fork server now (it imports `PRELOAD` meanwhile) for a pool of `workers` processes; a later
    `CountyPool` forks them from it. Nothing happens for one worker (the counties then run in the flow's own
    process, one after another), nor where the platform has no fork server (the pool then spawns its workers,
    as Prefect does)."""
    if workers > 1 and fork_server_available():
        fork_server()


def fork_server() -> None:
    """Make sure the fork server runs, with `PRELOAD` (at once if it runs already)."""
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
    forkserver.ensure_running()
