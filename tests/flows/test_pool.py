"""A province's county processes are forks of one fork server that imported the county code before them."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from prefect import flow, task

from activity_day.flows.pool import county_pool
from activity_day.processes import PRELOAD, fork_server_available

pytestmark = pytest.mark.flow

def _note_start(folder: str) -> None:
    """The pool's initializer: what the worker held before it ran anything of ours, in a file named by its pid."""
    preloaded = [m for m in PRELOAD if m in sys.modules]
    (Path(folder) / f"{os.getpid()}.json").write_text(json.dumps(preloaded), encoding="utf-8")


@task
def _who_am_i(n: int) -> dict:
    return {"n": n, "pid": os.getpid(), "parent": os.getppid()}


@flow
def _two_counties(folder: str) -> list[dict]:
    with county_pool(2, _note_start, (folder,)) as runner:
        futures = [runner.submit(_who_am_i, {"n": n}) for n in range(4)]
        return [f.result() for f in futures]


@pytest.mark.skipif(not fork_server_available(), reason="no fork server on this platform")
def test_the_county_processes_are_forks_of_one_server_that_imported_their_code(prefect_server,
                                                                             tmp_path: Path) -> None:
    assert "activity_day.tasks.steps" in PRELOAD
    results = _two_counties(str(tmp_path))
    assert [r["n"] for r in results] == [0, 1, 2, 3]
    for pid in {r["pid"] for r in results}:  # the initializer ran in each, after the fork server's imports
        assert json.loads((tmp_path / f"{pid}.json").read_text(encoding="utf-8")) == PRELOAD
    parents = {r["parent"] for r in results}
    assert len(parents) == 1 and os.getpid() not in parents  # one fork server, not this process (spawn)
    assert len({r["pid"] for r in results}) <= 2 and os.getpid() not in {r["pid"] for r in results}
