"""End to end, as an operator runs it: a Prefect server and a process worker on PostgreSQL, the deployments
from prefect.yaml, the draft started by hand, the review answered through the API the way the UI sends
it, and the later steps starting by themselves on schedules compressed to seconds. The compile step
first fails for want of scores, then, once they are imported, fails once more (ACTIVITY_DAY_FAULT=compile)
and is retried with `prefect flow-run retry`.

Every command of the README's operator guide runs here. Usage (from the repository, after `make install`):
    .venv/bin/python ops/e2e_month.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MONTH = "2027-03"
COUNTY = "321323"


def log(message: str) -> None:
    print(f"[e2e {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(admin: str, sql: str) -> None:
    subprocess.run(["psql", admin, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True)


def run(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    log("$ " + " ".join(args))
    done = subprocess.run(args, env=env, cwd=REPO, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    if check and done.returncode != 0:
        raise SystemExit(f"command failed ({done.returncode}): {' '.join(args)}\n{done.stdout}\n{done.stderr}")
    return done


class Api:
    def __init__(self, url: str):
        self.http = httpx.Client(base_url=url, timeout=30)

    def runs(self, deployment: str | None = None, flow: str | None = None) -> list[dict]:
        body: dict = {"sort": "START_TIME_DESC", "limit": 200}
        if flow:
            body["flows"] = {"name": {"any_": [flow]}}
        if deployment:
            body["deployments"] = {"name": {"any_": [deployment]}}
        response = self.http.post("/flow_runs/filter", json=body)
        response.raise_for_status()
        return response.json()

    def wait(self, what: str, test, timeout: float = 300, every: float = 2):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = test()
            if found:
                return found
            time.sleep(every)
        raise SystemExit(f"timed out waiting for {what}")

    def state(self, deployment: str) -> str | None:
        runs = [r for r in self.runs(flow=deployment) if r["parameters"].get("month") == MONTH]
        return runs[0]["state"]["type"] if runs else None

    def resume(self, run_id: str, run_input: dict) -> None:
        # What the UI sends when the operator submits a resume form.
        response = self.http.post(f"/flow_runs/{run_id}/resume", json={"run_input": run_input})
        response.raise_for_status()
        assert response.json()["status"] == "ACCEPT", response.json()

    def paused(self, flow: str) -> dict | None:
        return next((r for r in self.runs(flow=flow) if r["state"]["type"] == "PAUSED"), None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="activity-day-e2e-"))
    port = free_port()
    suffix = f"{os.getpid()}"
    app_db, prefect_db = f"ad_e2e_app_{suffix}", f"ad_e2e_prefect_{suffix}"
    base = args.pg.rsplit("/", 1)[0]
    for db in (app_db, prefect_db):
        psql(args.pg, f'CREATE DATABASE "{db}"')
    env = os.environ | {
        "PREFECT_HOME": str(work / "prefect-home"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_API_DATABASE_CONNECTION_URL": f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{prefect_db}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_WORKER_PREFETCH_SECONDS": "5",
        "ACTIVITY_DAY_HOME": str(REPO),
        "ACTIVITY_DAY_DATABASE_URL": f"{base.replace('postgresql://', 'postgresql+psycopg://')}/{app_db}",
        "ACTIVITY_DAY_OUT": str(work / "out"),
        "ACTIVITY_DAY_INBOX": str(work / "inbox"),
        "ACTIVITY_DAY_COMPRESS_SCHEDULE_SECONDS": "20",
        "ACTIVITY_DAY_FAULT": f"compile:{MONTH}",
    }
    procs: list[subprocess.Popen] = []
    try:
        # 1. The server, on PostgreSQL.
        server_log = open(work / "server.log", "w")  # noqa: SIM115
        procs.append(subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                                       "--port", str(port)], env=env, cwd=REPO, stdout=server_log,
                                      stderr=subprocess.STDOUT, start_new_session=True))
        api = Api(env["PREFECT_API_URL"])
        api.wait("the Prefect server", lambda: _healthy(api), timeout=180)
        log(f"server up on port {port} (database {prefect_db})")

        # 2. The county and its stations.
        run(env, str(BIN / "activity-day"), "init", "--profile", "profiles/demo.yaml")
        sys.path.insert(0, str(REPO))
        from activity_day.demo import station_registry, write_xlsx

        registry = write_xlsx(station_registry(random.Random("e2e")), work / "所站名录.xlsx", "所站名录")
        run(env, str(BIN / "activity-day"), "import", "stations", str(registry))

        # 3. Pool, deployments, worker.
        run(env, str(BIN / "prefect"), "work-pool", "create", "activity-day", "--type", "process")
        run(env, str(BIN / "prefect"), "--no-prompt", "deploy", "--all")
        worker_log = open(work / "worker.log", "w")  # noqa: SIM115
        procs.append(subprocess.Popen([str(BIN / "prefect"), "worker", "start", "--pool", "activity-day"], env=env,
                                      cwd=REPO, stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True))

        # 4. The draft, started by hand; it starts the interactive review.
        run(env, str(BIN / "prefect"), "deployment", "run", "draft/draft", "--param", f"month={MONTH}")
        paused = api.wait("the review to ask for comments", lambda: api.paused("review"), timeout=300)
        log("review paused for comments; a department answers, then another answers and closes the comments")
        api.resume(paused["id"], {"department": "理论科", "comment": "建议突出学雷锋纪念日主题", "add_items": [],
                                  "remove_items": [], "draw_commitment": "", "finished": False})
        paused = api.wait("the next comment form", lambda: _new_pause(api, paused["state"]["id"]), timeout=120)
        # A comment sent together with 结束征求意见 is recorded, and the official plan shows it.
        api.resume(paused["id"], {"department": "网信科", "comment": "建议增加网络文明宣传内容", "add_items": [],
                                  "remove_items": [], "draw_commitment": "", "finished": True})
        paused = api.wait("the approval form", lambda: _new_pause(api, paused["state"]["id"]), timeout=120)
        form = _run_input(api, paused)
        assert len(form) == 2, form  # one fixed entry per open comment
        api.resume(paused["id"], {key: entry | {"disposition": "部分采纳", "reason": "结合本月实际安排"}
                                  for key, entry in form.items()})
        api.wait("the official plan", lambda: api.state("review") == "COMPLETED", timeout=300)
        log("official plan issued; collect, sample and compile are now scheduled")

        # 5. The later steps start by themselves. Compile finds no scores yet and fails with what to do;
        #    the operator imports the scores and retries; the fault switch then fails it once more after
        #    writing, and a second retry completes.
        api.wait("collect and sample", lambda: api.state("collect") == "COMPLETED" and api.state("sample") == "COMPLETED",
                 timeout=400)
        api.wait("compile to fail for want of scores", lambda: api.state("compile") in ("FAILED", "COMPLETED"),
                 timeout=300)
        failed = next(r for r in api.runs(flow="compile") if r["parameters"].get("month") == MONTH)
        assert failed["state"]["type"] == "FAILED", failed["state"]
        assert failed["state"]["message"].startswith("2027年3月还没有任何检查评分"), failed["state"]["message"]
        import_scores(env, work)
        for attempt in ("the fault switch", "the second retry"):
            run(env, str(BIN / "prefect"), "flow-run", "retry", failed["id"])
            # the retry puts the run back to AwaitingRetry (SCHEDULED) before the command returns
            api.wait(f"compile after {attempt}", lambda: api.state("compile") in ("FAILED", "COMPLETED"), timeout=300)
        assert api.state("compile") == "COMPLETED", api.runs(flow="compile")[0]["state"]
        assert (work / "out" / ".faults" / f"compile-{COUNTY}-{MONTH}").exists()  # the fault did fire

        # 6. Scheduling again never duplicates: rerun the review unattended; still one run per step.
        run(env, str(BIN / "prefect"), "deployment", "run", "review/review", "--param", f"month={MONTH}",
            "--param", "interactive=false")
        api.wait("the second review", lambda: sum(1 for r in api.runs(flow="review")
                                                  if r["state"]["type"] == "COMPLETED") == 2, timeout=300)
        for step in ("collect", "sample", "compile"):
            count = sum(1 for r in api.runs(flow=step) if r["parameters"].get("month") == MONTH)
            assert count == 1, f"{step}: {count} runs"

        # 7. The province fan-out through the workers: one monthly-cycle deployment run per county.
        done = run(env, str(BIN / "activity-day"), "run", "cycle", "--all-counties", "--via-deployments",
                   "--month", "2027-04", "--allow-empty", "--json")
        assert '"counties": 1' in done.stdout, done.stdout
        cycles = [r for r in api.runs(flow="monthly_cycle") if r["parameters"].get("month") == "2027-04"]
        assert [r["state"]["type"] for r in cycles] == ["COMPLETED"], cycles

        # 8. What the county office reads.
        status = json.loads(run(env, str(BIN / "activity-day"), "status", "--month", MONTH, "--json").stdout)
        assert all(state == "done" for state in status["steps"].values()), status["steps"]
        run(env, str(BIN / "activity-day"), "sample", "verify", "--month", MONTH)
        out = work / "out" / MONTH
        for name in ("plan-v1.docx", "plan-v2.docx", "collect-report.xlsx", "draw.json", "circular.docx",
                     "circular.html"):
            assert (out / name).exists(), name
        official = (out / "plan-v2.md").read_text(encoding="utf-8")
        assert "部分采纳" in official and "建议增加网络文明宣传内容" in official
        log("a month ran end to end: " + ", ".join(f"{k} {v}" for k, v in status["counts"].items()))
    finally:
        for proc in reversed(procs):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
        for name in ("server.log", "worker.log"):
            if (work / name).exists() and os.environ.get("E2E_SHOW_LOGS"):
                print((work / name).read_text()[-5000:])
        for db in (app_db, prefect_db):
            psql(args.pg, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


def import_scores(env: dict, work: Path) -> None:
    """The teams' and observers' scores for the drawn stations, imported the way an operator does it."""
    import pandas as pd

    from activity_day.demo import inspection_scores, station_registry, write_xlsx

    shown = json.loads(run(env, str(BIN / "activity-day"), "sample", "show", "--month", MONTH, "--json").stdout)
    drawn = pd.DataFrame(shown["stations"])
    scores = inspection_scores(random.Random("e2e scores"), drawn, station_registry(random.Random("e2e")))
    run(env, str(BIN / "activity-day"), "import", "scores", str(write_xlsx(scores, work / "评分.xlsx", "评分")),
        "--month", MONTH)


def _healthy(api: Api) -> bool:
    try:
        return api.http.get("/health").status_code == 200
    except httpx.HTTPError:
        return False


def _new_pause(api: Api, previous_state: str) -> dict | None:
    run = api.paused("review")
    return run if run and run["state"]["id"] != previous_state else None


def _run_input(api: Api, run: dict) -> dict:
    """The form's initial values, as the UI reads them to fill the form."""
    keyset = run["state"]["state_details"]["run_input_keyset"]
    response = api.http.get(f"/flow_runs/{run['id']}/input/{keyset['schema']}")
    response.raise_for_status()
    schema = json.loads(response.json()) if isinstance(response.json(), str) else response.json()
    defaults = {k: v.get("default") for k, v in schema.get("properties", {}).items()}
    assert defaults and all(isinstance(v, dict) and "disposition" in v for v in defaults.values()), schema
    return defaults


if __name__ == "__main__":
    main()
