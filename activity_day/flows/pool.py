"""The processes that run a province's counties: forked from a server that imported the county's code once.

Prefect's `ProcessPoolTaskRunner` starts its workers with `spawn`: each worker imports Prefect, pandas, the
documents and the rest from scratch (3–5 s of CPU each) before its first county, so a province run on two cores
waited several seconds for its first county while the imports ran twice. `CountyPool` is that runner with
multiprocessing's forkserver in place of spawn: the fork server imports the county code once
(`PRELOAD`), and every worker is a fork of it, ready at once. `start_fork_server` starts it early, from the
command (`activity_day.processes`), so that its imports overlap the command's own start and the temporary
Prefect server's.

The fork server is a fresh interpreter (multiprocessing starts it by exec, not by fork) that runs no thread, so a
fork of it inherits no lock held by another thread: the danger of forking the flow's own process, which runs
Prefect's threads. What a worker inherits from the fork server is its imports (and the environment of the
command's start); each task run still gets the flow's current environment and settings, which Prefect's runner
sends with every task, and the flow's context through the pool's initializer.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from activity_day.processes import fork_server, fork_server_available


def _start_method() -> str:
    if not fork_server_available():
        return "spawn"
    fork_server()
    return "forkserver"


def county_pool(max_workers: int, initializer: Any, initargs: tuple[Any, ...]) -> Any:
    """A `ProcessPoolTaskRunner` whose workers are forks of the fork server (spawned where there is none)."""
    from prefect import task_runners

    class CountyPool(task_runners.ProcessPoolTaskRunner):
        def __enter__(self) -> CountyPool:
            # ProcessPoolTaskRunner.__enter__ (Prefect 3.9) with the start method chosen above in place of
            # its fixed "spawn"; tests/flows/test_operations.py runs provinces through it.
            task_runners.TaskRunner.__enter__(self)
            context = multiprocessing.get_context(_start_method())
            self._subprocess_message_queue = context.Queue()
            self._message_forwarding_thread = task_runners.threading.Thread(
                target=self._forward_subprocess_messages, name="ProcessPoolTaskRunnerMessageForwarder",
                daemon=True)
            self._message_forwarding_thread.start()
            try:
                self._executor = ProcessPoolExecutor(
                    max_workers=self._max_workers, mp_context=context,
                    initializer=task_runners._initialize_process_pool_worker,
                    initargs=(self._subprocess_message_queue, self._initializer, self._initargs))
                self._resolver_executor = ThreadPoolExecutor(max_workers=self._max_workers)
            except Exception:
                if self._executor is not None:
                    self._executor.shutdown(cancel_futures=True, wait=True)
                    self._executor = None
                self._stop_message_forwarding()
                raise
            return self

    return CountyPool(max_workers=max_workers, initializer=initializer, initargs=initargs)
