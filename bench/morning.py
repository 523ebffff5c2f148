"""The activity-day morning: the phone pages and API under load, beside a bare FastAPI app on the same database.

  python bench/bench.py morning [--clients 10,50,200] [--seconds 8] [--db sqlite,postgres] [--workers N]

For each database a demo county is set up through the production services (248 stations, the official plans of
this month and the next, every station's plan, tokens for every station, a team assigned to 40 stations by the
draw, an observer of a township). Then the real `activity-day api --workers N` and the bare app (bench/bare_app.py,
the same worker count) are started side by side, and a closed-loop asyncio client (aiohttp on uvloop) drives each route with
each client count in turn: every client sends its next request as soon as the answer to its last one is in.
Each line says how many times slower than the bare app that route is in requests per second (`ratio`, 1.00: as
fast). Writes are counted in the database afterwards: every write the server acknowledged must be there.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import httpx
import uvloop

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from activity_day.context import install  # noqa: E402
from activity_day.settings import Settings  # noqa: E402

PROFILE = ROOT / "profiles" / "demo.yaml"
BIN = Path(sys.executable).parent
TEAM = "第一检查组"
OBSERVER = "韩梅"
ACTIVITIES = 10  # per station and month, as the province benchmark's plans file


# --- the demo county, through the production services ---------------------------------------------------------

@dataclass
class County:
    code: str
    page_month: str  # the month the station page shows (next month: its official plan is out)
    day_month: str  # this month: the check-ins and the team's scores
    stations: list[str]
    tokens: dict[str, str]
    scored: list[str]  # the stations the draw gave the team
    team_token: str
    observer_token: str


def _plans_file(codes: list[str], month: str, starts: list[datetime], path: Path) -> Path:
    import pandas as pd

    from activity_day.demo import write_xlsx
    from activity_day.models.enums import ActionKind, PracticeTask

    tasks, kinds = [t.value for t in PracticeTask], [k.value for k in ActionKind]
    rows = [{"所站编号": c, "活动名称": f"活动{n + 1}", "任务类别": tasks[n % 5], "动作类型": kinds[n % 3],
             "开始时间": starts[n].strftime("%Y/%m/%d %H:%M"), "活动地点": "活动室", "预计参与人数": 20 + n}
            for c in codes for n in range(ACTIVITIES)]
    return write_xlsx(pd.DataFrame(rows), path, "计划")


def _official_plan(county: str, month: str) -> None:
    """The month's official plan stored as the review step leaves it (versions 1 and 2, the checklist)."""
    from activity_day.domain.planning import draft_month
    from activity_day.models import ChecklistItem
    from activity_day.store import crud
    from activity_day.store.database import transaction

    with transaction() as session:
        drafted = draft_month(crud.load_profile_of(session=session, county=county), month)
        for version in (1, 2):
            crud.save_plan(session=session, county=county, month=month, version=version, content=drafted.content,
                           doc_number="bench")
        crud.replace_month_items(session=session, model=ChecklistItem, county=county, month=month, rows=[
            {k: (r[k] or None) if k == "festival" else r[k]
             for k in ("code", "task", "title", "required", "festival", "description")}
            for r in drafted.checklist.to_dict("records")])


def set_up_county(url: str, work: Path) -> County:
    from activity_day.demo import station_registry, write_xlsx
    from activity_day.domain.months import TZ, next_month, this_month
    from activity_day.models import DrawAssignment, upsert
    from activity_day.models.enums import ScorerRole
    from activity_day.services.counties import init_county
    from activity_day.services.imports import import_file
    from activity_day.services.scoring import issue_scorer_tokens
    from activity_day.services.scoring_inputs import TokenRequest
    from activity_day.services.submissions import issue_tokens, utcnow
    from activity_day.store.database import ensure_schema, transaction

    install(Settings(database_url=url, out=work / "out", inbox=work / "inbox", photo_store=str(work / "photos")))
    ensure_schema()
    county = init_county(PROFILE).county.code
    registry = station_registry(random.Random("morning"))
    assert import_file("stations", write_xlsx(registry, work / "stations.xlsx", "名录"), county=county).exit_code == 0
    now = utcnow()
    day_month, page_month = this_month(now), next_month(now)
    for month in (day_month, page_month):
        _official_plan(county, month)
    codes = list(registry["所站编号"])
    first = datetime.fromisoformat(f"{page_month}-05T08:00")
    # Today's activities started an hour ago (or at the month's start), so check-ins fall in their window.
    local = now.astimezone(TZ).replace(tzinfo=None, second=0, microsecond=0)
    today = max(local - timedelta(hours=1), datetime.fromisoformat(f"{day_month}-01T00:00"))
    for month, starts in ((page_month, [first + timedelta(days=n // 3, hours=n % 3) for n in range(ACTIVITIES)]),
                          (day_month, [today + timedelta(minutes=n) for n in range(ACTIVITIES)])):
        report = import_file("plans", _plans_file(codes, month, starts, work / f"plans-{month}.xlsx"),
                             county=county, month=month)
        assert report.exit_code == 0, report
    townships = registry.drop_duplicates("乡镇（街道）")["乡镇（街道）"].tolist()
    scored = codes[:40]
    with transaction() as session:
        tokens = issue_tokens(session=session, county=county, stations=codes, now=now)
        upsert(session, DrawAssignment, [
            dict(county=county, month=day_month, station_code=c, township=registry.set_index("所站编号").loc[c, "乡镇（街道）"],
                 rank=i, mode="onsite", team=TEAM, slot=f"第{i}站") for i, c in enumerate(scored, start=1)],
               ["county", "month", "station_code"])
        team = issue_scorer_tokens(session=session, county=county, request=TokenRequest(ScorerRole.TEAM, [TEAM]),
                                   now=now)[TEAM]
        observer = issue_scorer_tokens(session=session, county=county, now=now,
                                       request=TokenRequest(ScorerRole.OBSERVER, [OBSERVER], townships[0]))[OBSERVER]
    return County(code=county, page_month=page_month, day_month=day_month, stations=codes, tokens=tokens,
                  scored=scored, team_token=team, observer_token=observer)


def stored_counts() -> dict[str, int]:
    """What the writes left in the database: accepted submissions, check-ins, score revisions, photos."""
    from sqlalchemy import func, select

    from activity_day.models import EvidenceRecord, Photo, ScoreRevision, Submission
    from activity_day.store.database import transaction

    with transaction(read_only=True) as session:
        def n(query) -> int:
            return int(session.execute(query).scalar_one())

        return {"plan": n(select(func.count()).select_from(Submission).where(Submission.status == "accepted")),
                "checkin": n(select(func.count()).select_from(EvidenceRecord)),
                "score": n(select(func.count()).select_from(ScoreRevision)),
                "photo": n(select(func.count()).select_from(Photo))}


def fresh_postgres(admin_url: str) -> str:
    from bench import fresh_database

    return fresh_database(admin_url, prefix="bench_morning")


def drop(url: str, admin_url: str) -> None:
    """The benchmark's PostgreSQL database dropped (a SQLite file goes with its folder)."""
    import sqlalchemy as sa

    from activity_day.models import get_engine

    if not url.startswith("postgresql"):
        return
    get_engine(url).dispose()
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.engine.make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


# --- the servers ----------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: list[str], env: dict[str, str], work: Path, name: str, health: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([*command, "--port", str(port)], env=env, cwd=work, stdout=subprocess.DEVNULL,
                              stderr=open(work / f"{name}.err", "w"),  # noqa: SIM115
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(base + health, timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            stop(server)
            raise RuntimeError(f"{name} did not start: {(work / f'{name}.err').read_text()[-2000:]}")
        time.sleep(0.3)


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- the load: closed-loop clients ----------------------------------------------------------------------------

@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    stored: int = 0  # writes the server said it stored
    photos: int = 0  # photos the server said were new
    seconds: float = 0.0
    client_cpu: float = 0.0  # the load generator's own CPU time over the run, in seconds per second
    size: int = 0  # bytes of the last answer, as sent (compressed when gzip was asked for)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000 if len(
            self.latencies) > 1 else float("nan")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes
    sent: int  # bytes of the body as sent (compressed when the server compressed it)

    def json(self):
        return json.loads(self.body)


class Phone:
    """One phone: one keep-alive connection, gzip asked for, every answer read to its end.

    aiohttp parses HTTP in C: per request it spends a fraction of the CPU httpx spent (0.54–0.93 of a core of the
    two, measured in the 2026-12-07 run), and on a 2-core machine what the load generator spends the servers lack.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=1, force_close=False), headers={"Accept-Encoding": "gzip"},
            timeout=aiohttp.ClientTimeout(total=120), cookie_jar=aiohttp.DummyCookieJar())

    async def request(self, method: str, path: str, **kwargs) -> Answer:
        async with self.session.request(method, self.base + path, **kwargs) as r:
            body = await r.read()
            sent = int(r.headers.get("Content-Length", len(body)))
            return Answer(r.status, r.headers, body, sent)

    async def get(self, path: str, **kwargs) -> Answer:
        return await self.request("GET", path, **kwargs)

    async def put(self, path: str, **kwargs) -> Answer:
        return await self.request("PUT", path, **kwargs)

    async def post(self, path: str, **kwargs) -> Answer:
        return await self.request("POST", path, **kwargs)

    async def close(self) -> None:
        await self.session.close()


Step = Callable[[Phone, int, Run], Awaitable[None]]


def drive(base: str, step: Step, clients: int, seconds: float) -> Run:
    """`clients` closed-loop phones on `step` for `seconds` after a second of warm-up, on uvloop."""
    return uvloop.run(_drive(base, step, clients, seconds))


async def _drive(base: str, step: Step, clients: int, seconds: float) -> Run:
    run, counter = Run(), itertools.count()
    phones = [Phone(base) for _ in range(clients)]
    try:
        async def loop(phone: Phone, until: float, record: bool) -> None:
            while time.perf_counter() < until:
                n = next(counter)
                t = time.perf_counter()
                try:
                    await step(phone, n, run if record else Run())
                except (aiohttp.ClientError, asyncio.TimeoutError) as exc:  # counted as an error, not a crash
                    run.statuses[type(exc).__name__] += 1
                    continue
                if record:
                    run.latencies.append(time.perf_counter() - t)

        # Warm-up (connections opened, every worker's caches filled), then the measured run.
        await asyncio.gather(*(loop(phone, time.perf_counter() + 1.0, False) for phone in phones))
        t0, cpu0 = time.perf_counter(), time.process_time()
        await asyncio.gather(*(loop(phone, t0 + seconds, True) for phone in phones))
        run.seconds = time.perf_counter() - t0
        run.client_cpu = (time.process_time() - cpu0) / run.seconds
    finally:
        for phone in phones:
            await phone.close()
    return run


def _upload(name: str, data: bytes) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", data, filename=name, content_type="image/jpeg")
    return form


def steps(c: County) -> dict[str, Step]:
    """Each route's request (a photo with its check-in is one step of two requests), by the counter `n`."""
    from activity_day.demo import camera_photo
    from activity_day.domain.months import TZ
    from activity_day.models.enums import PracticeTask

    photo = camera_photo(random.Random("morning"), datetime.now(TZ).replace(tzinfo=None), None)
    activity_day = f"{c.page_month}-05T09:00"
    tasks = [t.value for t in PracticeTask]

    def station(n: int) -> str:
        return c.stations[n % len(c.stations)]

    def bearer(n: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {c.tokens[station(n)]}"}

    def check(run: Run, answer: Answer) -> bool:
        run.statuses[answer.status] += 1
        return answer.status == 200

    async def bare(phone, n, run):
        check(run, await phone.get(f"/bare/{c.code}/{station(n)}/{c.page_month}"))

    async def station_page(phone, n, run):
        r = await phone.get("/m/station", headers={"Cookie": f"ad_m_station={c.tokens[station(n)]}"})
        check(run, r)
        run.size = r.sent

    async def plan_get(phone, n, run):
        check(run, await phone.get(f"/api/v1/stations/{station(n)}/plans/{c.page_month}", headers=bearer(n)))

    async def plan_put(phone, n, run):
        body = {"submission_id": f"bench-{uuid.uuid4().hex}", "activities": [
            {"name": f"活动{i + 1}", "task": tasks[i % 5], "action_kind": "规定动作", "start_time": activity_day,
             "location": "活动室", "expected_participants": 30 + n % 50} for i in range(ACTIVITIES)]}
        r = await phone.put(f"/api/v1/stations/{station(n)}/plans/{c.page_month}", headers=bearer(n), json=body)
        if check(run, r) and r.headers.get("Idempotent-Replayed") == "false":
            run.stored += 1

    async def checkin(phone, n, run):
        # A new photo every time (the same JPEG with bytes after its end), then the check-in naming it.
        code, seq = station(n), n // len(c.stations) % ACTIVITIES + 1
        data = photo + f"bench-{n}-{uuid.uuid4().hex}".encode()
        r = await phone.post(f"/api/v1/stations/{code}/photos", headers=bearer(n), data=_upload("wx.jpg", data))
        if not check(run, r):
            return
        if r.json()["stored"] == "new":
            run.photos += 1
        taken = datetime.now(TZ).replace(tzinfo=None, microsecond=0).isoformat()
        r = await phone.post(f"/api/v1/stations/{code}/evidence/{c.day_month}", headers=bearer(n), json={
            "client_id": f"bench-{uuid.uuid4().hex}", "activity_seq": seq, "kind": "checkin", "taken_at": taken,
            "photos": [r.json()["sha256"]]})
        if check(run, r) and r.headers.get("Idempotent-Replayed") != "true":
            run.stored += 1

    async def score(phone, n, run):
        code = c.scored[n % len(c.scored)]
        r = await phone.put(f"/api/v1/scoring/{c.day_month}/stations/{code}",
                            headers={"Authorization": f"Bearer {c.team_token}"},
                            json={"score": 60 + (n * 7919 % 400) / 10})
        if check(run, r) and r.json().get("changed"):
            run.stored += 1

    async def observer_page(phone, n, run):
        r = await phone.get("/m/observer", headers={"Cookie": f"ad_m_observer={c.observer_token}"})
        check(run, r)
        run.size = r.sent

    # The reads first: a read measured right after the writes measured the writes' aftermath (the database's
    # checkpoint, the photos' write-back) as much as itself.
    return {"bare FastAPI read": bare, "GET /m/station": station_page, "GET plan": plan_get,
            "GET /m/observer": observer_page, "PUT plan": plan_put, "photo + check-in": checkin,
            "PUT score": score}


WRITES = {"PUT plan": "plan", "photo + check-in": "checkin", "PUT score": "score"}


def line(db: str, route: str, clients: int, run: Run, baseline: Run) -> str:
    ratio = baseline.rate / run.rate if run.rate else float("inf")
    errors = sum(v for k, v in run.statuses.items() if k != 200)
    size = f"  {run.size / 1024:5.1f} KB" if route.startswith("GET /m/") else ""
    return (f"{db:8} {route:18} clients {clients:3}  req/s {run.rate:7.1f}  p50 {run.pct(50):7.1f} ms  "
            f"p99 {run.pct(99):7.1f} ms  ratio {ratio:5.2f}  errors {errors}  client cpu {run.client_cpu:4.2f}{size}")


def bench_database(db: str, url: str, work: Path, clients: list[int], seconds: float, workers: int,
                   only: list[str] | None = None) -> list[dict]:
    county = set_up_county(url, work)
    before = stored_counts()
    env = dict(os.environ, ACTIVITY_DAY_DATABASE_URL=url, ACTIVITY_DAY_LOG_FILE=str(work / "api.log"),
               ACTIVITY_DAY_OUT=str(work / "out"), ACTIVITY_DAY_PHOTO_STORE=str(work / "photos"),
               BENCH_DATABASE_URL=url)
    api, api_base = start([str(BIN / "activity-day"), "api", "--workers", str(workers)], env, work, "api",
                          "/api/v1/health")
    bare, bare_base = start([sys.executable, __file__, "_serve-bare", "--workers", str(workers)], env, work, "bare",
                            "/docs")
    results, written = [], Counter()
    try:
        routes = steps(county)
        for n in clients:
            baseline = drive(bare_base, routes["bare FastAPI read"], n, seconds)
            print(line(db, "bare FastAPI read", n, baseline, baseline), flush=True)
            for route, step in routes.items():
                if route == "bare FastAPI read" or (only and not any(o in route for o in only)):
                    continue
                run = drive(api_base, step, n, seconds)
                if route in WRITES:
                    written[WRITES[route]] += run.stored
                written["photo"] += run.photos
                print(line(db, route, n, run, baseline), flush=True)
                results.append({"db": db, "route": route, "clients": n, "rps": run.rate, "p50": run.pct(50),
                                "p99": run.pct(99), "ratio": baseline.rate / run.rate if run.rate else None,
                                "errors": sum(v for k, v in run.statuses.items() if k != 200), "size": run.size,
                                "client_cpu": run.client_cpu})
    finally:
        stop(api)
        stop(bare)
    after = stored_counts()
    # The counts also include what the warm-ups wrote: the stored count may exceed the acknowledged one, never
    # fall below it.
    for kind in ("plan", "checkin", "score", "photo"):
        gained = after[kind] - before[kind]
        lost = max(0, written[kind] - gained)
        print(f"{db:8} writes {kind:8} acknowledged {written[kind]:6} (measured runs)  stored {gained:6} "
              f"(warm-ups included)  lost {lost}", flush=True)
    return results


def serve_bare(argv: list[str]) -> None:
    """The bare app under uvicorn, with the listening socket `activity-day api --workers` uses (serving.py)."""
    import argparse

    from activity_day.api.serving import ServedApp, serve_workers

    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--port", type=int)
    args = parser.parse_args(argv)
    serve_workers(host="127.0.0.1", port=args.port, workers=args.workers, log_config=None,
                  served=ServedApp("bare_app:app", factory=False, access_log=False))


def main(argv: list[str]) -> None:
    if argv[:1] == ["_serve-bare"]:
        serve_bare(argv[1:])
        return
    import argparse

    parser = argparse.ArgumentParser(prog="bench.py morning", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="10,50,200")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--routes", help="only the routes whose name contains one of these (comma-separated)")
    parser.add_argument("--keep", action="store_true", help="keep the databases and work folders (logs, photos)")
    args = parser.parse_args(argv)
    clients = [int(n) for n in args.clients.split(",")]
    print(f"# {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; activity-day api --workers {args.workers}; "
          f"{args.seconds:g} s per line after 1 s of warm-up", flush=True)
    for db in args.db.split(","):
        work = Path(tempfile.mkdtemp(prefix=f"bench-morning-{db}-"))
        url = f"sqlite:///{work / 'activity_day.db'}" if db == "sqlite" else fresh_postgres(args.pg)
        try:
            bench_database(db, url, work, clients, args.seconds, args.workers,
                           args.routes.split(",") if args.routes else None)
        finally:
            if not args.keep:
                drop(url, args.pg)
                shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
