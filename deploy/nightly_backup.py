"""One backup of a deployed activity-day into ROOT/<date>, and only the newest --keep kept (README, "Backups").

    nightly_backup.py /var/backups/activity-day --keep 14

Run by activity-day-backup.service with the services' environment files. It writes:
- `activity-day backup`: the application's database, the documents and the photos (`restore` reads them back);
- prefect.pgdump: Prefect's database (PREFECT_API_DATABASE_CONNECTION_URL), by pg_dump in its custom format
  (`pg_restore --clean --if-exists -d prefect prefect.pgdump`), or prefect.db where Prefect is on SQLite;
- prefect-storage/: Prefect's stored results (PREFECT_HOME/storage), what a retried or resumed run reads back.
Prints one line a step; exits 1 with one line when a step fails, leaving no half-written backup behind.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

BIN = Path(sys.executable).parent
NAME = re.compile(r"\d{4}-\d{2}-\d{2}_\d{6}$")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="the folder that holds the backups, one sub-folder each")
    parser.add_argument("--keep", type=int, default=14, help="how many backups to keep (the newest)")
    args = parser.parse_args(argv)
    target = args.root / datetime.now().strftime("%Y-%m-%d_%H%M%S")
    try:
        app = subprocess.run([str(BIN / "activity-day"), "backup", "--to", str(target)], text=True,
                             capture_output=True)
        sys.stdout.write(app.stdout)
        if app.returncode != 0:
            raise RuntimeError(app.stderr.strip() or f"activity-day backup 退出码 {app.returncode}")
        print(prefect_database(target))
        print(prefect_storage(target))
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(target, ignore_errors=True)
        print(f"错误：备份失败，{target} 未保留：{exc}", file=sys.stderr)
        return 1
    backups = sorted(p for p in args.root.iterdir() if p.is_dir() and NAME.match(p.name))
    for old in backups[:max(len(backups) - max(args.keep, 1), 0)]:
        shutil.rmtree(old)
        print(f"已删除旧备份 {old}")
    return 0


def prefect_database(target: Path) -> str:
    """Dump Prefect's database into `target`; the line that says so."""
    url = make_url(os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL")
                   or os.environ.get("PREFECT_SERVER_DATABASE_CONNECTION_URL")
                   or f"sqlite+aiosqlite:///{Path(os.environ.get('PREFECT_HOME', '~/.prefect')).expanduser()}/prefect.db")
    if url.get_backend_name() == "sqlite":
        out = target / "prefect.db"
        with sqlite3.connect(url.database) as source, sqlite3.connect(out) as copy:
            source.backup(copy)
        return f"已备份 Prefect 数据库（SQLite）到 {out}"
    out = target / "prefect.pgdump"
    # The password goes through the environment, never the command line (which `ps` shows).
    env = dict(os.environ, PGHOST=url.host or "", PGPORT=str(url.port or 5432), PGUSER=url.username or "",
               PGPASSWORD=url.password or "", PGDATABASE=url.database or "")
    if url.query.get("host"):  # a Unix socket's folder: postgresql+asyncpg://user@/prefect?host=/run/postgresql
        env["PGHOST"] = str(url.query["host"])
    dump = subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={out}"], env=env, text=True,
                          capture_output=True)
    if dump.returncode != 0:
        raise RuntimeError(f"pg_dump：{dump.stderr.strip()}")
    return f"已备份 Prefect 数据库（PostgreSQL {url.database}）到 {out}"


def prefect_storage(target: Path) -> str:
    """Copy Prefect's stored results into `target`; the line that says so."""
    storage = Path(os.environ.get("PREFECT_RESULTS_LOCAL_STORAGE_PATH")
                   or Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser() / "storage")
    if not storage.is_dir():
        return f"Prefect 没有保存的运行结果（{storage} 不存在）"
    shutil.copytree(storage, target / "prefect-storage")
    return f"已备份 Prefect 保存的运行结果到 {target / 'prefect-storage'}"


if __name__ == "__main__":
    sys.exit(main())
