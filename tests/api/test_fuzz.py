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
from datetime import date
from pathlib import Path

import httpx
import pytest

from activity_day.context import bound
from activity_day.settings import Settings
from tests.api.test_api import free_port
from tests.intake_helpers import official_plan, tokens_for

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
SEED = "20261130"
MONTH = "2026-12"  # pinned in schemathesis.toml; the OpenAPI examples plan activities in it
# The speaker's lecture is on the month's last day: speakers answer only until lectures.answer_days_before days
# before a lecture (so, by the wall clock the server runs on, until 2026-12-30), while the lectures rated are on
# the activity day, already past (a lecture is rated on or after its day).
LECTURE_DAY = date(2026, 12, 31)


def serve(database_url: str, workdir: Path, stdout: Path | None = None,
          workers: int = 1) -> tuple[subprocess.Popen, str]:
    """The real `activity-day api` server (with `workers` processes) on a free port: its log file is
    workdir/api.log, its terminal's errors workdir/api.err and its access log (the terminal's output) `stdout`, if
    given."""
    port = free_port()
    env = dict(os.environ, ACTIVITY_DAY_DATABASE_URL=database_url, ACTIVITY_DAY_LOG_FILE=str(workdir / "api.log"))
    server = subprocess.Popen([str(BIN / "activity-day"), "api", "--port", str(port), "--workers", str(workers)],
                              env=env, cwd=workdir,
                              stdout=open(stdout, "w") if stdout else subprocess.DEVNULL,  # noqa: SIM115
                              stderr=open(workdir / "api.err", "w"))  # noqa: SIM115
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
    from activity_day.models import DrawAssignment, upsert
    from activity_day.models.enums import ScorerRole
    from activity_day.services.scoring import issue_scorer_tokens
    from activity_day.services.scoring_inputs import TokenRequest
    from activity_day.services.submissions import utcnow
    from activity_day.store.database import transaction

    with transaction() as session:
        upsert(session, DrawAssignment, [dict(county=county, month=MONTH, station_code="001", township="众兴街道",
                                              rank=1, mode="onsite", team="第一检查组", slot="第1站 08:50")],
               ["county", "month", "station_code"])
        return issue_scorer_tokens(session=session, county=county, now=utcnow(),
                                   request=TokenRequest(ScorerRole.TEAM, ["第一检查组"]))["第一检查组"]


def speaker_token(county: str, workdir: Path) -> str:
    """The pinned month's plan gets a lecture menu; station 002 orders XJ-01 and a team is formed: the token of one
    of its members, so the speakers' operations reach their handlers."""
    import random

    from activity_day.demo import speaker_pool, write_xlsx
    from activity_day.domain.menu import build_menu, stories_by_topic
    from activity_day.domain.planning import load_learning_catalog
    from activity_day.services.imports import import_file
    from activity_day.services.lectures import dispatch_month, issue_speaker_tokens, list_orders
    from activity_day.services.submissions import utcnow
    from activity_day.store import crud
    from activity_day.store import lectures as lecture_store
    from activity_day.store.database import transaction

    pool = speaker_pool(random.Random("fuzz"), list(load_learning_catalog()["category_name"].drop_duplicates()))
    assert import_file("speakers", write_xlsx(pool, workdir / "宣讲员库.xlsx", "宣讲员库"), county=county).exit_code == 0
    with transaction() as session:
        plan = crud.official_plan(session=session, county=county, month=MONTH)
        content = crud.plan_content(plan)
        stored = lecture_store.pool_frame(session=session, county=county)
        content.lecture_menu = build_menu(content, stories_by_topic(zip(stored["topics"], stored["stories"],
                                                                        strict=True)))
        for version in (1, 2):
            crud.save_plan(session=session, county=county, month=MONTH, version=version, content=content,
                           doc_number="x")
        lecture_store.save_orders(session=session, county=county, month=MONTH, receipt=lecture_store.OrderReceipt("fuzz"),
                                  rows=[{"station_code": "002", "menu_code": "XJ-01",
                                         "day": LECTURE_DAY, "audience": 50}])
    dispatch_month(county, MONTH)
    [order] = [o for o in list_orders(county, MONTH) if o["station"] == "002"]
    assert order["team"], order
    with transaction() as session:
        code = order["team"][0]["code"]
        return issue_speaker_tokens(session=session, county=county, codes=[code], now=utcnow())[code]


def rated_lectures(county: str) -> str:
    """Stations 001 and 002 order XJ-02 (after speaker_token's menu) and get teams, so the ratings reach their
    handlers: the station's own (001, pinned in schemathesis.toml) and an observer's of 002's township; returns the
    observer's token."""
    from activity_day.models.enums import ScorerRole
    from activity_day.services.lectures import dispatch_month, list_orders
    from activity_day.services.scoring import issue_scorer_tokens
    from activity_day.services.scoring_inputs import TokenRequest
    from activity_day.services.submissions import utcnow
    from activity_day.store import crud
    from activity_day.store import lectures as lecture_store
    from activity_day.store.database import transaction

    with transaction() as session:
        day = crud.plan_content(crud.official_plan(session=session, county=county, month=MONTH)).activity_date
        lecture_store.save_orders(session=session, county=county, month=MONTH, receipt=lecture_store.OrderReceipt("fuzz"),
                                  rows=[{"station_code": s, "menu_code": "XJ-02", "day": day,
                                         "audience": 50} for s in ("001", "002")])
    dispatch_month(county, MONTH)
    formed = {o["station"]: o for o in list_orders(county, MONTH) if o["menu_code"] == "XJ-02"}
    assert all(formed[s]["team"] for s in ("001", "002")), formed
    with transaction() as session:
        return issue_scorer_tokens(session=session, county=county, now=utcnow(),
                                   request=TokenRequest(ScorerRole.OBSERVER, ["韩梅"], township=formed["002"]["township"]))["韩梅"]


def open_finding(county: str) -> int:
    """A finding of station 001's, open for a month, so the 整改报告 operation reaches its handler."""
    from datetime import timedelta

    from activity_day.services import findings
    from activity_day.services.submissions import utcnow
    from activity_day.store import findings as finding_store
    from activity_day.store.database import transaction

    row = {"station_code": "001", "township": "", "source": "线上", "category": "台账资料", "text": "活动记录不完整",
           "digest": "fuzz-001", "deadline": findings.today() + timedelta(days=30)}
    with transaction() as session:
        finding_store.save_findings(session=session, county=county, month="2026-11", rows=[row], now=utcnow())
    return int(findings.list_findings(county, station="001")["id"].iloc[0])


def fuzz(database_url: str, workdir: Path, county: str) -> None:
    official_plan(county, MONTH)
    token = tokens_for(county, ["001"])["001"]
    scorer = team_token(county)  # schemathesis.toml sends it to the scoring operations
    speaker = speaker_token(county, workdir)
    observer = rated_lectures(county)
    assert open_finding(county) == 1  # pinned in schemathesis.toml
    server, base = serve(database_url, workdir)
    try:
        run = subprocess.run(
            [str(BIN / "schemathesis"), "--config-file", str(HERE / "schemathesis.toml"), "run",
             f"{base}/openapi.json", "--checks", "all", "--seed", SEED, "--header", f"Authorization: Bearer {token}",
             "--workers", "1", "--max-examples", os.environ.get("ACTIVITY_DAY_FUZZ_EXAMPLES", "100"),
             "--no-color"],
            capture_output=True, text=True, timeout=900, cwd=workdir,
            env=dict(os.environ, SCHEMATHESIS_HOOKS="", NO_COLOR="1", ACTIVITY_DAY_FUZZ_SCORER_TOKEN=scorer,
                     ACTIVITY_DAY_FUZZ_SPEAKER_TOKEN=speaker, ACTIVITY_DAY_FUZZ_OBSERVER_TOKEN=observer))
    finally:
        server.terminate()
        server.wait(timeout=30)
    report = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
    generated = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
    assert generated and int(generated[1]) >= 200 and generated[1] == generated[2], report
    # The fuzzer reached the handlers: plans were stored, not only refused at the door.
    from activity_day.models import ScoreRevision, Submission
    from activity_day.store.database import transaction

    with transaction() as session:
        accepted = [s for s in session.query(Submission).all() if s.status == "accepted"]
        scored = session.query(ScoreRevision).count()
    assert accepted, report
    assert scored, report  # and scores were stored with their revisions
    assert "Authentication failed" not in run.stdout, report  # every operation got past its token check
    # The speaker answered: a confirmation or a decline of station 002's lecture is on record.
    from activity_day.services.lectures import list_orders

    [lecture] = [o for o in list_orders(county, MONTH) if o["station"] == "002" and o["menu_code"] == "XJ-01"]
    assert lecture["confirmed"] or lecture["declined"], lecture
    # The station and the observer rated their XJ-02 lectures (评单); 002's is delivered (001's own order
    # operation may have changed its order since, which sends it back to be dispatched again).
    from activity_day.models import LectureRating

    with transaction() as session:
        raters = {(r.station_code, r.rater) for r in session.query(LectureRating).all()}
    assert raters == {("001", "所站"), ("002", "韩梅")}, report
    assert [o["status"] for o in list_orders(county, MONTH) if (o["station"], o["menu_code"]) == ("002", "XJ-02")] == [
        "delivered"], report


@pytest.mark.apart
def test_fuzz_on_sqlite(registry, county: str, tmp_path: Path, settings: Settings) -> None:
    fuzz(settings.database_url, tmp_path, county)


@pytest.mark.postgres
@pytest.mark.apart
def test_fuzz_on_postgres(tmp_path: Path) -> None:
    import random

    from activity_day.demo import station_registry, write_xlsx
    from activity_day.services.counties import init_county
    from activity_day.services.imports import import_file
    from tests.conftest import fresh_postgres_database, profile_with_holiday_file

    # A database of its own: the fuzzer leaves submissions behind that other PostgreSQL tests must not see.
    with fresh_postgres_database(migrated=True) as postgres_url, \
            bound(Settings(database_url=postgres_url, out=tmp_path / "out")):
        county = init_county(profile_with_holiday_file(tmp_path / "profile")).county.code
        registry = station_registry(random.Random("fuzz"))
        assert import_file("stations", write_xlsx(registry, tmp_path / "s.xlsx", "名录"), county=county).exit_code == 0
        fuzz(postgres_url, tmp_path, county)
