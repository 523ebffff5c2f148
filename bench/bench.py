"""Benchmarks (not tests): ratios measured in one run on this machine. Results go in the README.

  python bench/bench.py cycle                 # (a) one county's cycle against the Prefect floor
  python bench/bench.py province-cycle --counties 10,30,100 [--pg URL]
                                              # (b)+(c) the whole month for N counties, SQLite and PostgreSQL,
                                              # against a plain multiprocessing script over the same functions
  python bench/bench.py province --counties 10,30,100 [--pg URL]
                                              # (d) import and aggregate N counties vs pandas and COPY baselines
  python bench/bench.py morning [--clients 10,50,200] [--seconds 8] [--db sqlite,postgres] [--workers N]
                                              # (e) the phone pages and API under load vs a bare FastAPI app
                                              # (bench/morning.py)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from activity_day.context import install  # noqa: E402
from activity_day.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "profiles" / "demo.yaml"


# --- (a) one county: the real cycle against the same flows and tasks doing nothing -------------------

def empty_cycle_flows():
    """A flow shaped like the real cycle (one flow run, the same 11 task runs), each task doing nothing."""
    from prefect import flow, task

    from activity_day.tasks.common import STEP

    @task(**STEP)  # the real steps' options: results persisted, cached per root run
    def noop(*_args):
        return {}

    @flow(name="empty-cycle")
    def cycle(county: str, month: str) -> dict:
        for i in range(11):  # draft 2, review 3, collect 2, sample 3, compile 1
            noop(county, month, i)
        return {}

    return cycle


def bench_cycle(repeats: int = 3) -> dict:
    from activity_day.demo import inspection_scores, station_registry, write_xlsx
    from activity_day.flows.monthly import monthly_cycle
    from activity_day.services.counties import init_county
    from activity_day.services.imports import import_file

    work = Path(tempfile.mkdtemp(prefix="bench-cycle-"))
    install(Settings(database_url=f"sqlite:///{work / 'db.sqlite'}", out=work / "out", inbox=work / "inbox"))
    county = init_county(PROFILE).county.code
    rng = random.Random("bench")
    registry = station_registry(rng)
    import_file("stations", write_xlsx(registry, work / "s.xlsx", "名录"), county=county)
    empty = empty_cycle_flows()
    months = [f"2027-{m:02d}" for m in range(1, 2 * repeats + 1)]
    empty(county=county, month="2026-12")  # warm-up: server start, imports, caches
    monthly_cycle(county=county, month="2026-12", allow_empty=True)
    # The real cycles one after another, then the empty ones: on the temporary server, a flow run created right
    # after a run of another flow waits about 2 s for the server (its own SQLite database catching up), which
    # alternating the two would add to every sample (README "Benchmarks").
    real, floor = [], []
    for month in months[:repeats]:
        drawn = pd.DataFrame({"code": registry["所站编号"][:83], "mode": "onsite", "team": "第一检查组"})
        import_file("scores", write_xlsx(inspection_scores(rng, drawn, registry), work / f"sc-{month}.xlsx", "评分"),
                    county=county, month=month)
        t = time.perf_counter()
        monthly_cycle(county=county, month=month)
        real.append(time.perf_counter() - t)
    for month in months[:repeats]:
        t = time.perf_counter()
        empty(county=county, month=month)
        floor.append(time.perf_counter() - t)
    # The same work without Prefect's orchestration: the task bodies called directly, on fresh months.
    from prefect.logging import disable_run_logger

    work_only = []
    for month in months[repeats:]:
        drawn = pd.DataFrame({"code": registry["所站编号"][:83], "mode": "onsite", "team": "第一检查组"})
        import_file("scores", write_xlsx(inspection_scores(rng, drawn, registry), work / f"sc-{month}.xlsx", "评分"),
                    county=county, month=month)
        t = time.perf_counter()
        with disable_run_logger():
            _task_bodies(county, month)
        work_only.append(time.perf_counter() - t)
    r, f, w = statistics.median(real), statistics.median(floor), statistics.median(work_only)

    return {"real_s": round(r, 2), "prefect_floor_s": round(f, 2), "work_without_prefect_s": round(w, 2),
            "ratio_real_to_floor": round(r / f, 2), "ratio_real_to_work": round(r / w, 2),
            "samples_real": [round(x, 2) for x in real], "samples_floor": [round(x, 2) for x in floor]}


def _task_bodies(county: str, month: str) -> None:
    from activity_day.tasks.steps import ORDER, StepOptions, run_steps

    run_steps(county, month, [s.value for s in ORDER], StepOptions(county_folder=False))


# --- (b)/(c) a province's data: our import and aggregation against plain pandas ------------------------

def make_files(folder: Path, counties: int) -> list[tuple[str, Path, Path]]:
    """Registry and plans (10 activities a station) per county, as xlsx; cached between runs."""
    from activity_day.demo import province_profile, station_registry, write_xlsx
    from activity_day.models.enums import ActionKind, PracticeTask

    out = []
    tasks, kinds = [t.value for t in PracticeTask], [k.value for k in ActionKind]
    for i in range(1, counties + 1):
        code = province_profile(i)["county"]["code"]
        stations_path, plans_path = folder / f"{code}-stations.xlsx", folder / f"{code}-plans.xlsx"
        if not plans_path.exists():
            rng = random.Random(code)
            registry = station_registry(rng)
            write_xlsx(registry, stations_path, "名录")
            rows = [{"所站编号": c, "活动名称": f"活动{n}", "任务类别": tasks[n % 5], "动作类型": kinds[n % 3],
                     "开始时间": f"2026/12/5 {8 + n % 9}:00", "活动地点": "活动室", "预计参与人数": 20 + n}
                    for c in registry["所站编号"] for n in range(10)]
            write_xlsx(pd.DataFrame(rows), plans_path, "计划")
        out.append((code, stations_path, plans_path))
    return out


def ours(files, url: str) -> float:
    """activity-day: read, validate everything, upsert in one transaction per file, then the collect group-bys."""
    from activity_day.demo import province_profile
    from activity_day.domain import aggregate
    from activity_day.domain.profile import profile_from_json
    from activity_day.services.counties import init_county  # noqa: F401
    from activity_day.services.imports import import_file
    from activity_day.store import crud
    from activity_day.store.database import transaction

    install(Settings(database_url=url, out=Path(tempfile.mkdtemp())))
    from activity_day.store.database import ensure_schema

    ensure_schema()
    with transaction() as session:  # the profiles are set-up, not part of the timing
        for i, _ in enumerate(files, start=1):
            crud.save_profile(session=session, profile=profile_from_json(province_profile(i)))
    t = time.perf_counter()
    for code, stations_path, plans_path in files:
        assert import_file("stations", stations_path, county=code).exit_code == 0
        assert import_file("plans", plans_path, county=code, month="2026-12").exit_code == 0
        with transaction() as session:
            stations = crud.stations_frame(session=session, county=code)
            plans = crud.station_plans_frame(session=session, county=code, month="2026-12")
            acts = crud.activities_frame(session=session, county=code, month="2026-12")
        aggregate.missing_stations(stations, plans)
        aggregate.activities_by_task(acts)
        aggregate.activities_by_kind(acts)
        aggregate.activities_by_township(acts, stations, plans)
    return time.perf_counter() - t


def baseline(files, url: str) -> float:
    """Plain pandas: read the same files, the same group-bys, bulk-insert the same rows."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    t = time.perf_counter()
    for code, stations_path, plans_path in files:
        stations = pd.read_excel(stations_path, engine="calamine", header=1, dtype={"所站编号": str})
        plans = pd.read_excel(plans_path, engine="calamine", header=1, dtype={"所站编号": str})
        plans["开始时间"] = pd.to_datetime(plans["开始时间"], format="%Y/%m/%d %H:%M")
        stations.assign(county=code).to_sql("baseline_station", engine, if_exists="append", index=False,
                                            method="multi", chunksize=2000)
        plans.assign(county=code).to_sql("baseline_activity", engine, if_exists="append", index=False,
                                         method="multi", chunksize=2000)
        merged = plans.merge(stations[["所站编号", "乡镇（街道）"]], on="所站编号")
        stations[~stations["所站编号"].isin(plans["所站编号"])]
        plans.groupby("任务类别").size()
        plans.groupby("动作类型").size()
        merged.groupby("乡镇（街道）").size()
    engine.dispose()
    return time.perf_counter() - t


def baseline_copy(files, url: str) -> float:
    """The fastest plain load PostgreSQL has: the same files read with calamine, rows streamed with COPY."""
    import psycopg
    import sqlalchemy as sa

    conninfo = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    t = time.perf_counter()
    with psycopg.connect(conninfo) as conn:
        conn.execute("CREATE TABLE copy_station (county text, code text, name text, township text, kind text, "
                     "leader text, phone text)")
        conn.execute("CREATE TABLE copy_activity (county text, code text, title text, task text, kind text, "
                     "starts timestamp, place text, participants integer)")
        for code, stations_path, plans_path in files:
            stations = pd.read_excel(stations_path, engine="calamine", header=1, dtype=str)
            plans = pd.read_excel(plans_path, engine="calamine", header=1, dtype={"所站编号": str})
            plans["开始时间"] = pd.to_datetime(plans["开始时间"], format="%Y/%m/%d %H:%M")
            with conn.cursor() as cur:
                with cur.copy("COPY copy_station FROM STDIN") as copy:
                    for row in stations.iloc[:, :6].itertuples(index=False):
                        copy.write_row((code, *row))
                with cur.copy("COPY copy_activity FROM STDIN") as copy:
                    for row in plans.iloc[:, :7].itertuples(index=False):
                        copy.write_row((code, *row))
            conn.commit()
            merged = plans.merge(stations[["所站编号", "乡镇（街道）"]], on="所站编号")
            stations[~stations["所站编号"].isin(plans["所站编号"])]
            plans.groupby("任务类别").size()
            plans.groupby("动作类型").size()
            merged.groupby("乡镇（街道）").size()
    return time.perf_counter() - t


def fresh_database(admin_url: str, prefix: str = "bench") -> str:
    """A new, empty PostgreSQL database beside `admin_url`'s; its URL."""
    import sqlalchemy as sa

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def bench_province(sizes: list[int], admin_url: str, folder: Path) -> list[dict]:
    results = []
    for n in sizes:
        files = make_files(folder, n)
        ours_s = ours(files, fresh_database(admin_url))
        base_s = baseline(files, fresh_database(admin_url))
        copy_s = baseline_copy(files, fresh_database(admin_url))
        results.append({"counties": n, "stations": 248 * n, "activities": 2480 * n, "ours_s": round(ours_s, 1),
                        "baseline_s": round(base_s, 1), "ratio": round(ours_s / base_s, 2),
                        "copy_s": round(copy_s, 1), "ratio_to_copy": round(ours_s / copy_s, 2),
                        "ours_per_county_s": round(ours_s / n, 3)})
        print(json.dumps(results[-1]), flush=True)
    return results


# --- (b)/(c) a province's whole month: `run cycle --all-counties` against plain multiprocessing -------------

MONTH = "2026-12"


def province_workspace(root: Path, counties: int, url: str | None) -> Path:
    """A province demo of `counties` counties with full data (plans, draw, scores, circulars); built once."""
    done = root / ".built"
    if done.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    env = dict(os.environ, **({"ACTIVITY_DAY_DATABASE_URL": url} if url else {}))
    subprocess.run([sys.executable, "-m", "activity_day.cli", "demo", "--province", str(counties), "--month", MONTH,
                    "--out", str(root)], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    done.write_text(url or "sqlite", encoding="utf-8")
    return root


def _settings_for(root: Path, url: str | None) -> Settings:
    return Settings(database_url=url or f"sqlite:///{root / 'var' / 'activity_day.db'}", out=root / "out",
                    inbox=root / "inbox")


def _one_county(code: str) -> float:
    from activity_day.tasks.steps import ORDER, StepOptions, run_steps

    t = time.perf_counter()
    run_steps(code, MONTH, [s.value for s in ORDER], StepOptions(county_folder=True))
    return time.perf_counter() - t


def province_run(root: Path, url: str | None, n: int, mode: str, every_county: bool = False) -> dict:
    """One measurement in a fresh process: the operator's command (`activity-day run cycle --all-counties`, or
    `--counties` for fewer), or the floor (the same calls in a plain process pool, no orchestration)."""
    import multiprocessing

    settings = _settings_for(root, url)
    codes = [f"329{i:03d}" for i in range(1, n + 1)]
    workers = os.cpu_count() or 1
    t = time.perf_counter()
    if mode == "prefect":
        which = ["--all-counties"] if every_county else ["--counties", ",".join(codes)]
        env = dict(os.environ, ACTIVITY_DAY_DATABASE_URL=settings.database_url, ACTIVITY_DAY_OUT=str(settings.out),
                   ACTIVITY_DAY_INBOX=str(settings.inbox), ACTIVITY_DAY_LOG_FILE=str(root / "var" / "bench.log"))
        subprocess.run([sys.executable, "-m", "activity_day.cli", "run", "cycle", *which, "--month", MONTH], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    else:
        install(settings)
        with multiprocessing.get_context("spawn").Pool(workers, initializer=install,
                                                       initargs=(settings,)) as pool:
            pool.map(_one_county, codes, chunksize=1)
    wall = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest finished process
    return {"seconds": round(wall, 1), "peak_mb": round(peak_mb)}


def bench_province_cycle(sizes: list[int], admin_url: str | None, folder: Path) -> list[dict]:
    results = []
    for db in ["sqlite", *(["postgresql"] if admin_url else [])]:
        url = None
        root = folder / f"province-{max(sizes)}-{db}"
        if db == "postgresql":
            marker = root / ".built"
            url = marker.read_text(encoding="utf-8") if marker.exists() else fresh_database(admin_url)
        province_workspace(root, max(sizes), url)
        for n in sizes:
            row: dict = {"db": db, "counties": n}
            for mode in ("prefect", "floor"):
                out = subprocess.run([sys.executable, __file__, "_province-run", "--root", str(root), "--n", str(n),
                                      "--mode", mode, *(["--url", url] if url else []),
                                      *(["--all"] if n == max(sizes) else [])],
                                     cwd=ROOT, check=True, capture_output=True, text=True)
                row[mode] = json.loads(out.stdout.strip().splitlines()[-1])
            row["ratio"] = round(row["prefect"]["seconds"] / row["floor"]["seconds"], 2)
            row["per_county_s"] = round(row["prefect"]["seconds"] / n, 2)
            print(json.dumps(row), flush=True)
            results.append(row)
    return results


def main() -> None:
    if sys.argv[1:2] == ["morning"]:
        from morning import main as morning

        morning(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["cycle", "province", "province-cycle", "_province-run"])
    parser.add_argument("--counties", default="10,30,100")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--files", default=str(Path(tempfile.gettempdir()) / "activity-day-bench"))
    parser.add_argument("--no-pg", action="store_true", help="province-cycle: SQLite only")
    parser.add_argument("--root")
    parser.add_argument("--url")
    parser.add_argument("--n", type=int)
    parser.add_argument("--mode", choices=["prefect", "floor"])
    parser.add_argument("--all", action="store_true", help="_province-run: every county (--all-counties)")
    args = parser.parse_args()
    sizes = [int(n) for n in args.counties.split(",")]
    if args.what == "_province-run":
        print(json.dumps(province_run(Path(args.root), args.url, args.n, args.mode, args.all)))
    elif args.what == "province-cycle":
        folder = Path(args.files)
        folder.mkdir(parents=True, exist_ok=True)
        bench_province_cycle(sizes, None if args.no_pg else args.pg, folder)
    elif args.what == "cycle":
        print(json.dumps(bench_cycle()))
    else:
        folder = Path(args.files)
        folder.mkdir(parents=True, exist_ok=True)
        bench_province(sizes, args.pg, folder)


if __name__ == "__main__":
    main()
