"""Backups of what a county cannot make again: the application database, the documents and the photos.

A backup is a folder:

    manifest.json                 what is in it: the schema revision, each table's rows and SHA-256, the counts
    database/<table>.jsonl.gz     every table, portable between SQLite and PostgreSQL (`store/dump.py`)
    out/…                         the documents (ACTIVITY_DAY_OUT), as they are
    photos/ab/cd/<sha256>.jpg     every photo the database knows, in the layout of a folder photo store

It is written beside its final name and renamed when complete, so a folder named like a backup is a whole one.
Restoring builds the backup's schema revision with the migrations, loads the rows in one transaction, upgrades
to this code's revision, then copies the documents and puts each photo into the photo store in force (checked
against its SHA-256 on the way). Prefect's own database is backed up with pg_dump (README, "Backups").
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

from activity_day.context import current
from activity_day.errors import OperatorError
from activity_day.store import dump, migrate
from activity_day.store.photos import EXTENSIONS, FileStore, photo_store

MANIFEST = "manifest.json"
FORMAT = "activity-day-backup"
VERSION = 1
DATABASE, DOCUMENTS = "database", "out"
LOCK_TIMEOUT = "15s"


@dataclass(frozen=True)
class Summary:
    """What a backup holds, or what a restore wrote."""

    folder: Path
    revision: str
    tables: int
    rows: int
    documents: int
    photos: int
    upgraded_to: str | None = None  # a restore: the revision the database was upgraded to, if not the backup's
    missing_photos: list[str] = field(default_factory=list)  # a backup: photos the database names but the store lacks


def backup(to: Path, *, now: datetime) -> Summary:
    """Write a backup of the database, the documents and the photos to the new folder `to`."""
    to = to.expanduser().absolute()
    if to.exists() and (not to.is_dir() or any(to.iterdir())):
        raise OperatorError(f"备份目录 {to} 已存在且不为空：请换一个新目录（如按日期命名），旧备份不会被覆盖")
    if to.exists():
        to.rmdir()
    ctx = current()
    engine = ctx.engine
    partial = to.with_name(f".{to.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir(parents=True)
    except OSError as exc:
        raise OperatorError(f"无法创建备份目录 {to}（{exc.strerror}）：请检查路径和写权限") from None
    try:
        with dump.snapshot(engine) as conn, conn.begin():
            revision = dump.revision(conn)
            if revision is None:
                raise OperatorError("数据库中没有 activity-day 的数据（未初始化，或尚未升级结构）：请先运行 "
                                    "activity-day init 或 activity-day migrate")
            tables = dump.dump(conn, partial / DATABASE)
            photos = _photos_named(conn)
        documents = _copy_files(ctx.documents, partial / DOCUMENTS)
        kept, missing = _save_photos(photos, FileStore(root=partial))
        manifest = {
            "format": FORMAT, "version": VERSION, "created_at": now.isoformat(timespec="seconds"),
            "database": {"kind": engine.dialect.name, "revision": revision,
                         "tables": {t.name: {"rows": t.rows, "sha256": t.sha256} for t in tables}},
            "documents": documents, "photos": kept, "missing_photos": missing,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        partial.rename(to)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Summary(to, revision, len(tables), sum(t.rows for t in tables), documents, kept, missing_photos=missing)


def restore(source: Path, *, force: bool = False) -> Summary:
    """Restore the backup in `source` into the database, the documents folder and the photo store in force.

    Refuses a database that holds rows, or a documents folder that holds files, unless `force`: then the
    database's rows are replaced and the backup's documents written over those of the same name."""
    source = source.expanduser().absolute()
    manifest = read_manifest(source)
    revision: str = manifest["database"]["revision"]
    tables: dict[str, dict] = manifest["database"]["tables"]
    ctx = current()
    engine = ctx.engine
    ours = set(tables) | set(SQLModel.metadata.tables)

    with engine.connect() as conn:
        present = set(sa.inspect(conn).get_table_names()) & ours
        at = dump.revision(conn)
        filled = dump.tables_with_rows(conn, present)
    documents_there = _has_files(ctx.documents)
    if (filled or documents_there) and not force:
        where = []
        if filled:
            where.append(f"数据库已有数据（{'、'.join(filled[:3])}{' 等' if len(filled) > 3 else ''} "
                         f"{len(filled)} 张表有记录）")
        if documents_there:
            where.append(f"文档目录 {ctx.documents} 中已有文件")
        raise OperatorError(f"{'，'.join(where)}：恢复会覆盖它们。请恢复到空数据库和空目录；确认要覆盖请加 --force")

    try:
        if present and at == revision:
            with engine.begin() as conn:
                _wait_briefly(conn)
                dump.clear(conn, present)
                loaded = dump.load(conn, source / DATABASE, tables)
        else:
            if present or at is not None:
                with engine.begin() as conn:
                    _wait_briefly(conn)
                    dump.drop(conn, present)
            migrate.upgrade(ctx.database_url, revision)
            with engine.begin() as conn:
                loaded = dump.load(conn, source / DATABASE, tables)
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == "55P03":  # lock_not_available
            raise OperatorError("数据库正被其他程序使用：请先停止服务（systemctl stop activity-day-api "
                                "activity-day-worker activity-day-prefect-server）再恢复") from None
        raise
    except KeyError as exc:
        raise OperatorError(f"备份中的 {exc.args[0]} 在数据库结构 {revision} 中不存在：备份已损坏，或不是本程序写的") from None
    except sa.exc.IntegrityError as exc:
        raise OperatorError(f"数据库拒绝了备份中的数据（{str(exc.orig).splitlines()[0]}）：未写入任何行") from None
    newest = migrate.head()
    if revision != newest:
        migrate.upgrade(ctx.database_url)

    documents = _copy_files(source / DOCUMENTS, ctx.documents)
    photos = _restore_photos(FileStore(root=source))
    return Summary(source, revision, len(loaded), sum(loaded.values()), documents, photos,
                   upgraded_to=newest if revision != newest else None)


def read_manifest(source: Path) -> dict:
    """The backup's manifest, once every table file is there with the SHA-256 it names."""
    path = source / MANIFEST
    if not path.is_file():
        raise OperatorError(f"{source} 不是 activity-day 的备份（缺少 {MANIFEST}）")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        assert manifest["format"] == FORMAT and isinstance(manifest["database"]["tables"], dict)
        version, revision = manifest["version"], manifest["database"]["revision"]
    except (ValueError, KeyError, TypeError, AssertionError):
        raise OperatorError(f"{path} 无法识别：不是 activity-day 写的备份，或已损坏") from None
    if version > VERSION:
        raise OperatorError(f"备份格式 {version} 比本程序新（支持到 {VERSION}）：请先升级 activity-day 再恢复")
    if not migrate.known(revision):
        raise OperatorError(f"备份的数据库结构 {revision} 不是本程序的版本（最新 {migrate.head()}）："
                            "请先升级 activity-day 再恢复")
    for name, table in manifest["database"]["tables"].items():
        file = source / DATABASE / dump.table_file(name)
        if not file.is_file():
            raise OperatorError(f"备份不完整：缺少 {file}")
        if hashlib.sha256(file.read_bytes()).hexdigest() != table["sha256"]:
            raise OperatorError(f"备份已损坏：{file} 的内容与 {MANIFEST} 记录的校验值不符")
    return manifest


def _wait_briefly(conn: sa.Connection) -> None:
    """On PostgreSQL, give up after a while instead of waiting forever for a service that holds the tables."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))


def _photos_named(conn: sa.Connection) -> list[tuple[str, str]]:
    if not sa.inspect(conn).has_table("photo"):
        return []
    photo = sa.table("photo", sa.column("sha256"), sa.column("media_type"))
    return [tuple(r) for r in conn.execute(
        sa.select(photo.c.sha256, photo.c.media_type).distinct().order_by(photo.c.sha256))]


def _save_photos(photos: list[tuple[str, str]], into: FileStore) -> tuple[int, list[str]]:
    store, kept, missing = photo_store(), 0, []
    for sha256, media_type in photos:
        try:
            data = store.get(sha256, media_type)
        except Exception as exc:  # a folder store's FileNotFoundError, an S3 store's ClientError (NoSuchKey)
            if not isinstance(exc, OSError) and type(exc).__name__ != "ClientError":
                raise
            missing.append(sha256)
            continue
        into.put(sha256, media_type, data)
        kept += 1
    return kept, missing


def _restore_photos(source: FileStore) -> int:
    folder = source.root / "photos"
    if not folder.is_dir():
        return 0
    store, types = photo_store(), {ext: media for media, ext in EXTENSIONS.items()}
    count = 0
    for path in sorted(folder.rglob("*.*")):
        sha256, _, ext = path.name.partition(".")
        if ext not in types:
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise OperatorError(f"备份已损坏：照片 {path} 的内容与文件名中的 SHA-256 不符")
        store.put(sha256, types[ext], data)
        count += 1
    return count


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))


def _copy_files(source: Path, target: Path) -> int:
    """Copy every file under `source` to the same place under `target` (times kept); how many."""
    if not source.is_dir():
        return 0
    count = 0
    for folder, _, files in os.walk(source):
        for name in sorted(files):
            path = Path(folder) / name
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
            count += 1
    return count
