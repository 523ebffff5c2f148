"""The OpenAPI tells the truth: schemathesis fuzzes the real `activity-day api` server on SQLite and PostgreSQL.

The token and the path's station code are pinned, so generated requests reach the handlers and not only the
403. All checks run, with a fixed seed and a bounded number of examples. The reasons for the one check whose
expected statuses are widened (positive data may still be refused by the plan's own rules) are in
schemathesis.toml beside this file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from activity_day.settings import Settings, settings_in_force
from tests.api.test_api import free_port
from tests.intake_helpers import official_plan, tokens_for

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
SEED = "20261130"
MONTH = "2026-12"  # pinned in schemathesis.toml; the OpenAPI examples plan activities in it


def serve(database_url: str, workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, ACTIVITY_DAY_DATABASE_URL=database_url, ACTIVITY_DAY_LOG_FILE=str(workdir / "api.log"))
    server = subprocess.Popen([str(BIN / "activity-day"), "api", "--port", str(port)], env=env, cwd=workdir,
                              stdout=subprocess.DEVNULL, stderr=open(workdir / "api.err", "w"))  # noqa: SIM115
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"activity-day api did not start: {(workdir / 'api.err').read_text()[-2000:]}")
        time.sleep(0.3)


def team_token(county: str) -> str:
    """A scoring token of a team the month's draw assigns station 001 to, so scores reach the handler."""
    from activity_day.services.scoring import issue_scorer_tokens
    from activity_day.services.submissions import utcnow
    from activity_day.store.database import transaction
    from models import DrawAssignment, upsert
    from models.enums import ScorerRole

    with transaction() as session:
        upsert(session, DrawAssignment, [dict(county=county, month=MONTH, station_code="001", township="众兴街道",
                                              rank=1, mode="onsite", team="第一检查组", slot="第1站 08:50")],
               ["county", "month", "station_code"])
        return issue_scorer_tokens(session=session, county=county, role=ScorerRole.TEAM, names=["第一检查组"],
                                   now=utcnow())["第一检查组"]


def fuzz(database_url: str, workdir: Path, county: str) -> None:
    official_plan(county, MONTH)
    token = tokens_for(county, ["001"])["001"]
    scorer = team_token(county)  # schemathesis.toml sends it to the scoring operations
    server, base = serve(database_url, workdir)
    try:
        run = subprocess.run(
            [str(BIN / "schemathesis"), "--config-file", str(HERE / "schemathesis.toml"), "run",
             f"{base}/openapi.json", "--checks", "all", "--seed", SEED, "--header", f"Authorization: Bearer {token}",
             "--workers", "1", "--max-examples", os.environ.get("ACTIVITY_DAY_FUZZ_EXAMPLES", "100"),
             "--no-color"],
            capture_output=True, text=True, timeout=900, cwd=workdir,
            env=dict(os.environ, SCHEMATHESIS_HOOKS="", NO_COLOR="1", ACTIVITY_DAY_FUZZ_SCORER_TOKEN=scorer))
    finally:
        server.terminate()
        server.wait(timeout=30)
    report = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
    generated = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
    assert generated and int(generated[1]) >= 200 and generated[1] == generated[2], report
    # The fuzzer reached the handlers: plans were stored, not only refused at the door.
    from activity_day.store.database import transaction
    from models import ScoreRevision, Submission

    with transaction() as session:
        accepted = [s for s in session.query(Submission).all() if s.status == "accepted"]
        scored = session.query(ScoreRevision).count()
    assert accepted, report
    assert scored, report  # and scores were stored with their revisions


def test_fuzz_on_sqlite(registry, county: str, tmp_path: Path, settings: Settings) -> None:
    fuzz(settings.database_url, tmp_path, county)


@pytest.mark.postgres
def test_fuzz_on_postgres(tmp_path: Path) -> None:
    import random

    from activity_day.demo import station_registry, write_xlsx
    from activity_day.services.counties import init_county
    from activity_day.services.imports import import_file
    from tests.conftest import fresh_postgres_database, profile_with_holiday_file

    # A database of its own: the fuzzer leaves submissions behind that other PostgreSQL tests must not see.
    with fresh_postgres_database() as postgres_url, \
            settings_in_force(Settings(database_url=postgres_url, out=tmp_path / "out")):
        county = init_county(profile_with_holiday_file(tmp_path / "profile")).county.code
        registry = station_registry(random.Random("fuzz"))
        assert import_file("stations", write_xlsx(registry, tmp_path / "s.xlsx", "名录"), county=county).exit_code == 0
        fuzz(postgres_url, tmp_path, county)
