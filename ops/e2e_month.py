"""End to end, as an operator runs it: a Prefect server and a process worker on PostgreSQL, the server behind its
login as deployed (PREFECT_SERVER_API_AUTH_STRING; the commands, the workers and this script send
PREFECT_API_AUTH_STRING, the browser logs in through the UI's login form), the deployments from prefect.yaml,
the draft started by hand, the review answered through the API the way the UI sends it, and the later steps
starting by themselves on schedules compressed to seconds. The compile step first fails for want of scores,
then, once they are imported, fails once more (ACTIVITY_DAY_FAULT=compile) and is retried with
`prefect flow-run retry`.

The review waits suspended: the worker is killed and a new one started while it waits, and the comment typed in
the UI's form (chromium, where installed) is in the official plan. The approval form, shown again after a
mistake, draws its description and the problems on screen. A run whose worker is killed mid-run is marked
Crashed by the automation `activity-day setup` creates, and retried. Two workers share a province run of six
counties; the county that fails is redone by `activity-day run retry` of the province run.

Every command of the README's operator guide runs here. Usage (from the repository, after `make install`):
    .venv/bin/python ops/e2e_month.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MONTH = "2027-03"
COUNTY = "321323"
AMENDMENTS = {"理论科": "突出学雷锋纪念日主题", "网信科": "增加网络文明宣传内容"}


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
    """The Prefect API as the UI uses it, with the login (`user:password`, basic auth) the server asks for."""

    def __init__(self, url: str, auth: str):
        user, password = auth.split(":", 1)
        self.http = httpx.Client(base_url=url, timeout=30, auth=(user, password))

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

    def run(self, run_id: str) -> dict:
        response = self.http.get(f"/flow_runs/{run_id}")
        response.raise_for_status()
        return response.json()

    def heartbeats(self, run_id: str) -> int:
        """How many heartbeats of the run the server has received."""
        response = self.http.post("/events/filter", json={"limit": 50, "filter": {
            "event": {"name": ["prefect.flow-run.heartbeat"]},
            "resource": {"id": [f"prefect.flow-run.{run_id}"]}}})
        response.raise_for_status()
        return len(response.json().get("events", []))

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
    # The login of the deployed server (deploy/secrets.env.example): the server checks it, the worker, the
    # commands, this script's client and the UI's login form send it.
    auth = f"e2e-admin:{secrets.token_hex(8)}"
    env = os.environ | {
        "PREFECT_HOME": str(work / "prefect-home"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_API_DATABASE_CONNECTION_URL": f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{prefect_db}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_API_AUTH_STRING": auth,
        "PREFECT_API_AUTH_STRING": auth,
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_UI_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30",  # the crash automation then fires 90 s after the last heartbeat
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
        # 1. The server, on PostgreSQL, behind its login.
        server_log = open(work / "server.log", "w")  # noqa: SIM115
        procs.append(subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                                       "--port", str(port)], env=env, cwd=REPO, stdout=server_log,
                                      stderr=subprocess.STDOUT, start_new_session=True))
        api = Api(env["PREFECT_API_URL"], auth)
        api.wait("the Prefect server", lambda: _healthy(api), timeout=180)
        anonymous = httpx.post(f"{env['PREFECT_API_URL']}/flow_runs/filter", json={}, timeout=30)
        assert anonymous.status_code == 401, f"the server answers without its login: {anonymous.status_code}"
        log(f"server up on port {port} (database {prefect_db}), refusing requests without its login")

        # 2. The county and its stations.
        run(env, str(BIN / "activity-day"), "init", "--profile", "profiles/demo.yaml")
        sys.path.insert(0, str(REPO))
        from activity_day.demo import station_registry, write_xlsx

        registry = write_xlsx(station_registry(random.Random("e2e")), work / "所站名录.xlsx", "所站名录")
        run(env, str(BIN / "activity-day"), "import", "stations", str(registry))

        # 3. Pool, deployments with the county's schedules, the crash automation; a worker.
        done = run(env, str(BIN / "activity-day"), "setup", "--pool-limit", "8")
        assert "方案起草 8 日 09:00" in done.stdout and "90 秒内无心跳即标记为崩溃" in done.stdout, done.stdout
        worker = Worker(env, work, "e2e-worker-1")

        # 4. The draft, started by hand; it starts the interactive review.
        run(env, str(BIN / "prefect"), "deployment", "run", "draft/draft", "--params",
            json.dumps({"county": COUNTY, "month": MONTH}))
        paused = api.wait("the review to ask for comments", lambda: api.paused("review"), timeout=300)
        assert paused["state"]["name"] == "Suspended", paused["state"]  # waits without a process
        log("review suspended for comments; its worker is killed and another started, then a department answers")
        worker.kill()
        answered = answer_in_the_ui(env, paused["id"], "建议突出学雷锋纪念日主题", work)
        if not answered:
            api.resume(paused["id"], {"department": "理论科", "comment": "建议突出学雷锋纪念日主题", "add_items": [],
                                      "remove_items": [], "draw_commitment": "", "finished": False})
        worker = Worker(env, work, "e2e-worker-2")
        paused = api.wait("the next comment form", lambda: _new_pause(api, paused["state"]["id"]), timeout=240)
        assert "理论科" not in _form_text(api, paused), "the comment typed before the restart was not recorded"
        # A comment sent together with 结束征求意见 is recorded, and the official plan shows it.
        api.resume(paused["id"], {"department": "网信科", "comment": "建议增加网络文明宣传内容", "add_items": [],
                                  "remove_items": [], "draw_commitment": "", "finished": True})
        paused = api.wait("the approval form", lambda: _new_pause(api, paused["state"]["id"]), timeout=120)
        form = _run_input(api, paused)
        assert len(form) == 2, form  # one fixed entry per open comment
        titles = _form_titles(api, paused)
        # 部分采纳 without codes says what goes into the plan (修改内容): here, the comment without its 建议
        amend = {key: titles[key].split("（")[1].rstrip("）") for key in form}
        # A mistake first: 部分采纳 without its reason. The form comes back with the problem above it.
        api.resume(paused["id"], {key: entry | {"disposition": "部分采纳", "reason": "",
                                                "amendment": AMENDMENTS[amend[key]]} for key, entry in form.items()})
        paused = api.wait("the approval form again", lambda: _new_pause(api, paused["state"]["id"]), timeout=240)
        problems = [f"{titles[key]}处理结果为“部分采纳”，必须填写理由" for key in form]
        assert all(problem in _form_text(api, paused) for problem in problems), _form_text(api, paused)
        approval_form_in_the_ui(env, paused["id"], problems, work)
        form = _run_input(api, paused)  # as typed before the mistake
        assert {entry["amendment"] for entry in form.values()} == set(AMENDMENTS.values()), form
        api.resume(paused["id"], {key: entry | {"reason": "结合本月实际安排"} for key, entry in form.items()})
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
        assert failed["state"]["message"].endswith("处理后点击本运行右上角的“Retry”（重试），已完成的任务不再重复。")
        import_scores(env, work)
        for attempt in ("the fault switch", "the second retry"):
            run(env, str(BIN / "prefect"), "flow-run", "retry", failed["id"])
            # the retry puts the run back to AwaitingRetry (SCHEDULED) before the command returns
            api.wait(f"compile after {attempt}", lambda: api.state("compile") in ("FAILED", "COMPLETED"), timeout=300)
        assert api.state("compile") == "COMPLETED", api.runs(flow="compile")[0]["state"]
        assert (work / "out" / ".faults" / f"compile-{COUNTY}-{MONTH}").exists()  # the fault did fire

        # 6. Scheduling again never duplicates: rerun the review unattended; still one run per step.
        run(env, str(BIN / "prefect"), "deployment", "run", "review/review", "--params",
            json.dumps({"county": COUNTY, "month": MONTH, "interactive": False}))
        api.wait("the second review", lambda: sum(1 for r in api.runs(flow="review")
                                                  if r["state"]["type"] == "COMPLETED") == 2, timeout=300)
        for step in ("collect", "sample", "compile"):
            count = sum(1 for r in api.runs(flow=step) if r["parameters"].get("month") == MONTH)
            assert count == 1, f"{step}: {count} runs"

        # 8. What the county office reads.
        status = json.loads(run(env, str(BIN / "activity-day"), "status", "--month", MONTH, "--json").stdout)
        assert all(state == "done" for state in status["steps"].values()), status["steps"]
        run(env, str(BIN / "activity-day"), "sample", "verify", "--month", MONTH)
        out = work / "out" / MONTH
        for name in ("plan-v1.docx", "plan-v2.docx", "collect-report.xlsx", "draw.json", "circular.docx",
                     "circular.html"):
            assert (out / name).exists(), name
        official = (out / "plan-v2.md").read_text(encoding="utf-8")
        record = (out / "review-dispositions.md").read_text(encoding="utf-8")
        assert "部分采纳" in record and "建议增加网络文明宣传内容" in record
        assert f"根据网信科意见，{AMENDMENTS['网信科']}。" in official
        # typed in the UI while the review was suspended, across the worker's restart
        assert "建议突出学雷锋纪念日主题" in record and f"根据理论科意见，{AMENDMENTS['理论科']}。" in official
        log("a month ran end to end: " + ", ".join(f"{k} {v}" for k, v in status["counts"].items()))

        # 9. A worker killed mid-run: the automation marks the run Crashed, and a retry completes it.
        worker = crash_and_retry(env, api, work, worker)

        # 10. Two workers share a province run of six counties; one county fails and the province run is retried.
        share_a_province(env, api, work, [worker, Worker(env, work, "e2e-worker-3")])
        log("every step passed: the month, the suspended review across a worker restart, the crash, the province")
    finally:
        procs += Worker.started
        for proc in reversed(procs):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        for path in [work / "server.log", *sorted(work.glob("e2e-worker-*.log"))]:
            if path.exists() and os.environ.get("E2E_SHOW_LOGS"):
                print(path.read_text()[-5000:])
        for db in (app_db, prefect_db):
            psql(args.pg, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


class Worker:
    """A process worker of the activity-day pool, two flow runs at a time, with its own log file."""

    started: list[subprocess.Popen] = []

    def __init__(self, env: dict, work: Path, name: str):
        self.name = name
        log_file = open(work / f"{name}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen([str(BIN / "prefect"), "worker", "start", "--pool", "activity-day", "--limit", "2",
                                      "--name", name], env=env, cwd=REPO, stdout=log_file, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        Worker.started.append(self.proc)
        log(f"worker {name} started (pid {self.proc.pid})")

    def kill(self) -> None:
        """As a machine that goes away: the worker and every flow run it started, at once."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)
        log(f"worker {self.name} killed")


def _browser_ready() -> bool:
    """Whether chromium and playwright are here (CI requires them: ACTIVITY_DAY_REQUIRE_BROWSER)."""
    import importlib.util

    if not Path("/usr/bin/chromium").exists() or importlib.util.find_spec("playwright") is None:
        if os.environ.get("ACTIVITY_DAY_REQUIRE_BROWSER"):
            raise SystemExit("the UI check must run here: /usr/bin/chromium or playwright is missing")
        return False
    return True


@contextlib.contextmanager
def _resume_form(env: dict, run_id: str):
    """The Prefect UI at 1366×768 (chromium), logged in through its login form as the operator does, with the
    waiting run's resume form open: yields the page and the form's modal."""
    from playwright.sync_api import sync_playwright

    ui = env["PREFECT_API_URL"].removesuffix("/api")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--disable-gpu", "--lang=zh-CN"])
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            context.set_default_timeout(60000)
            page = context.new_page()
            # The login form, then the run. (A run's link opened without a login ends on the UI's start page: the
            # run is "not found" before the login is asked for.)
            page.goto(f"{ui}/login?redirect=/runs/flow-run/{run_id}")
            page.locator("input[type=password]").fill(env["PREFECT_API_AUTH_STRING"])
            page.get_by_role("button", name="Login").click()
            page.wait_for_url(f"**/runs/flow-run/{run_id}")
            page.get_by_role("button", name="Resume").first.click()
            yield page, page.locator(".p-modal")
        finally:
            browser.close()


def _on_screen(modal, texts: tuple[str, ...]) -> None:
    """Each text is drawn in the form at the top of the 1366×768 window: a non-zero height, no scrolling."""
    for text in texts:
        shown = modal.get_by_text(text).first
        shown.wait_for()
        box = shown.bounding_box()
        assert box and box["height"] > 0 and 0 <= box["y"] < 768 - box["height"], (text, box)


def answer_in_the_ui(env: dict, run_id: str, comment: str, work: Path) -> bool:
    """Log in to the Prefect UI, open the suspended review's form at 1366×768, check that the deadline and the
    departments yet to answer are on screen, type the comment and submit; False where chromium or playwright is
    missing."""
    if not _browser_ready():
        log("no chromium or playwright: the form is answered through the API instead of the UI")
        return False
    with _resume_form(env, run_id) as (page, modal):
        _on_screen(modal, ("截止时间：2027年2月15日17:00", "尚未反馈：理论科、宣教科、版权科、网信科"))
        page.screenshot(path=str(work / "comment-form.png"))
        modal.locator("textarea").nth(1).fill(comment)  # 意见内容, below 部门 (pre-filled 理论科)
        page.get_by_role("button", name="Submit").click()
        page.get_by_text("Resuming").first.wait_for()
    log("logged in to the UI; the comment form showed the deadline and the departments yet to answer; "
        "the comment was typed in the UI")
    return True


def approval_form_in_the_ui(env: dict, run_id: str, problems: list[str], work: Path) -> None:
    """Log in to the Prefect UI and open the approval form (审定意见) shown again after a mistake: its description
    (what to decide, and the problems of the last answer) is on screen at 1366×768. The form's entries are nested
    objects, so the answer itself goes through the API."""
    if not _browser_ready():
        log("no chromium or playwright: the approval form's description is not checked in the UI")
        return
    with _resume_form(env, run_id) as (page, modal):
        _on_screen(modal, ("审定2027年3月方案的部门意见", "部分采纳和不采纳须填写理由",
                           "上次提交有误，处理结果均未保存", *problems))
        page.screenshot(path=str(work / "approval-form.png"))
    log("the approval form showed what to decide and the problems of the last answer")


def crash_and_retry(env: dict, api: Api, work: Path, worker: Worker) -> Worker:
    """Kill the worker while a run is running: the automation marks the run Crashed once its heartbeats stop, and
    `prefect flow-run retry` (the UI's Retry) completes it on a new worker."""
    run(env, str(BIN / "prefect"), "deployment", "run", "monthly_cycle/monthly-cycle", "--params",
        json.dumps({"county": COUNTY, "month": "2027-05", "allow_empty": True}))
    running = api.wait("the cycle to run", lambda: next((r for r in api.runs(flow="monthly_cycle")
                                                         if r["parameters"].get("month") == "2027-05"
                                                         and r["state"]["type"] == "RUNNING"), None), timeout=300,
                       every=0.5)
    # The automation watches a run from its first heartbeat on: the machine goes away only once the server has one.
    api.wait("the cycle's first heartbeat", lambda: api.heartbeats(running["id"]) > 0, timeout=120, every=1)
    assert api.run(running["id"])["state"]["type"] == "RUNNING", api.run(running["id"])["state"]
    # The machine goes away: the worker and the flow run's own process die at once, and nothing reports.
    os.kill(int(str(api.run(running["id"])["infrastructure_pid"]).rsplit(":", 1)[-1]), signal.SIGKILL)
    worker.kill()
    api.wait("the automation to mark the run Crashed", lambda: api.run(running["id"])["state"]["type"] == "CRASHED",
             timeout=300, every=5)
    message = api.run(running["id"])["state"]["message"]
    assert message.startswith("90 秒内没有收到心跳"), message  # the automation's, not the engine's
    log("the killed run was marked Crashed: " + message)
    new = Worker(env, work, "e2e-worker-4")
    run(env, str(BIN / "prefect"), "flow-run", "retry", running["id"])
    api.wait("the retried run", lambda: api.run(running["id"])["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED"),
             timeout=400)
    assert api.run(running["id"])["state"]["type"] == "COMPLETED", api.run(running["id"])["state"]
    return new


def share_a_province(env: dict, api: Api, work: Path, workers: list[Worker]) -> None:
    """Six counties (the demo county and five small ones, the last without stations) on two workers of two runs
    each: both workers take counties; the county without stations fails, the message carries every option of the
    run (the province's public random value too), and `activity-day run retry` of the province run redoes only
    that county. Every county's draw used the province's public random value."""
    import yaml

    from activity_day.demo import province_profile, station_registry, write_xlsx

    codes = []
    for index in range(1, 6):
        profile = province_profile(index)
        code = profile["county"]["code"]
        path = work / f"profile-{code}.yaml"
        path.write_text(yaml.safe_dump(profile, allow_unicode=True, sort_keys=False), encoding="utf-8")
        run(env, str(BIN / "activity-day"), "init", "--profile", str(path))
        codes.append(code)
    registries = {code: write_xlsx(station_registry(random.Random(code), total=32), work / f"所站名录-{code}.xlsx",
                                   "所站名录") for code in codes}
    for code in codes[:-1]:
        run(env, str(BIN / "activity-day"), "--county", code, "import", "stations", str(registries[code]))
    month, public_random = "2027-04", "2027091 03 17 25"  # the province's public random value for the month
    failed = run(env, str(BIN / "activity-day"), "run", "cycle", "--all-counties", "--via-deployments",
                 "--month", month, "--allow-empty", "--public-random", public_random, check=False)
    message = failed.stderr + failed.stdout
    assert failed.returncode == 2 and f"6 个县（市、区）中有 1 个失败（{codes[-1]}）" in message, message
    assert (f"--counties {codes[-1]} --month {month} --via-deployments --allow-empty "
            f"--public-random '{public_random}'") in message, message
    province = message.split("activity-day run retry ", 1)[1].split("；", 1)[0].strip()
    cycles = [r for r in api.runs(flow="monthly_cycle") if r["parameters"].get("month") == month]
    assert len(cycles) == 6 and {r["name"] for r in cycles} == {f"{c}·2027年4月·月度流程" for c in [COUNTY, *codes]}
    takers = {}
    for r in cycles:
        logs = api.http.post("/logs/filter", json={"logs": {"flow_run_id": {"any_": [r["id"]]}}, "limit": 200}).json()
        takers[r["id"]] = next(w.name for w in workers for line in logs
                               if f"Worker '{w.name}' submitting flow run" in line["message"])
    counts = {w.name: sum(t == w.name for t in takers.values()) for w in workers}
    assert all(counts.values()), counts  # both workers took counties
    log(f"province run: counties per worker {counts}; {codes[-1]} failed for want of stations")

    run(env, str(BIN / "activity-day"), "--county", codes[-1], "import", "stations", str(registries[codes[-1]]))
    run(env, str(BIN / "activity-day"), "run", "retry", province)
    again = [r for r in api.runs(flow="monthly_cycle") if r["parameters"].get("month") == month]
    assert len(again) == 7, [(r["name"], r["state"]["type"]) for r in again]  # one new run: the failed county's
    assert [r["state"]["type"] for r in again if r["parameters"]["county"] == codes[-1]].count("COMPLETED") == 1
    assert api.run(province)["state"]["type"] == "COMPLETED", api.run(province)["state"]
    for code in (COUNTY, codes[-1]):  # every county's draw used the province's value, the retried county's too
        record = json.loads(run(env, str(BIN / "activity-day"), "--county", code, "sample", "record", "--month",
                                month).stdout)
        assert record["public_random"] == public_random, (code, record["public_random"])


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


def _keyset_input(api: Api, run: dict, part: str) -> Any:
    """One input of a waiting form (its description or schema). Prefect proposes the Suspended state first and saves
    the form a moment later, so a form seen at once may not be there yet: wait for it."""
    url = f"/flow_runs/{run['id']}/input/{run['state']['state_details']['run_input_keyset'][part]}"
    response = api.wait(f"the form's {part}", lambda: (r := api.http.get(url)).status_code != 404 and r, timeout=30, every=0.5)
    response.raise_for_status()
    value = response.json()
    return json.loads(value) if part == "schema" and isinstance(value, str) else value


def _form_text(api: Api, run: dict) -> str:
    """What a waiting form says above its fields (its description)."""
    return _keyset_input(api, run, "description")


def _form_titles(api: Api, run: dict) -> dict[str, str]:
    """Each field of a waiting form and its title (an approval entry's names its comment's department)."""
    return {key: value["title"] for key, value in _keyset_input(api, run, "schema")["properties"].items()}


def _run_input(api: Api, run: dict) -> dict:
    """The form's initial values, as the UI reads them to fill the form."""
    schema = _keyset_input(api, run, "schema")
    defaults = {k: v.get("default") for k, v in schema.get("properties", {}).items()}
    assert defaults and all(isinstance(v, dict) and "disposition" in v for v in defaults.values()), schema
    return defaults


if __name__ == "__main__":
    main()
