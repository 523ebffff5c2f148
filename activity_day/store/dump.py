"""A portable dump of the application's tables: one gzipped JSON-lines file per table, read back by SQLite and
PostgreSQL alike.

The tables are reflected from the database, not taken from the models, so a dump holds exactly what the database
holds at its own schema revision, and loading it needs that revision's tables (`activity-day restore` builds them
with the migrations, loads, then upgrades). Values are written as JSON: dates and times in ISO 8601, bytes in
base64, decimals as text; on loading each value is turned back by the type of the column it goes into. A time
with a zone is written in UTC without an offset, as SQLite keeps it, and read back as UTC into a PostgreSQL column
with a zone, whatever the server's time zone. Rows are ordered by primary key and the files carry no time, so the
same rows give the same bytes on either database.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine, MetaData, Table

from activity_day.models.db import READ_ONLY

MIGRATION_TABLE = "alembic_version"
BATCH = 2000


@dataclass(frozen=True)
class TableDump:
    name: str
    rows: int
    sha256: str

    @property
    def file(self) -> str:
        return table_file(self.name)


def table_file(name: str) -> str:
    return f"{name}.jsonl.gz"


def reflect(conn: Connection, names: Iterable[str] | None = None) -> MetaData:
    """The tables in the database (only `names`, where given), as the database describes them."""
    metadata = MetaData()
    metadata.reflect(bind=conn, only=sorted(names) if names is not None else None)
    return metadata


def revision(conn: Connection) -> str | None:
    """The schema revision the migrations left in the database, or None (no migrations applied)."""
    if not sa.inspect(conn).has_table(MIGRATION_TABLE):
        return None
    return conn.execute(sa.text(f"SELECT version_num FROM {MIGRATION_TABLE}")).scalar()


def tables_with_rows(conn: Connection, names: Iterable[str]) -> list[str]:
    """Those of `names` that exist and hold at least one row."""
    existing = set(sa.inspect(conn).get_table_names())
    found = []
    for name in sorted(set(names) & existing):
        if conn.execute(sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)).first() is not None:
            found.append(name)
    return found


def snapshot(engine: Engine) -> Connection:
    """A connection whose reads all see one moment of the database (a repeatable-read transaction on
    PostgreSQL; a read transaction, which takes no write lock, on SQLite)."""
    if engine.dialect.name == "postgresql":
        return engine.connect().execution_options(isolation_level="REPEATABLE READ")
    return engine.execution_options(**{READ_ONLY: True}).connect()


def dump(conn: Connection, folder: Path) -> list[TableDump]:
    """Write every table but the migrations' own into `folder` (one file each); what was written, by table."""
    folder.mkdir(parents=True, exist_ok=True)
    metadata = reflect(conn)
    written = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        if table.name == MIGRATION_TABLE:
            continue
        written.append(_dump_table(conn, table, folder / table_file(table.name)))
    return written


def _dump_table(conn: Connection, table: Table, path: Path) -> TableDump:
    order = list(table.primary_key.columns) or list(table.columns)
    names = [c.name for c in table.columns]
    digest, count = hashlib.sha256(), 0
    # mtime=0 and no file name in the gzip header: the same rows give the same bytes on any day.
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
        result = conn.execution_options(yield_per=BATCH).execute(sa.select(table).order_by(*order))
        for row in result:
            line = json.dumps({n: _encode(v) for n, v in zip(names, row, strict=True)}, ensure_ascii=False,
                              separators=(",", ":")).encode() + b"\n"
            out.write(line)
            count += 1
    digest.update(path.read_bytes())
    return TableDump(table.name, count, digest.hexdigest())


def _encode(value: Any) -> Any:
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value.astimezone(UTC).replace(tzinfo=None).isoformat()
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def load(conn: Connection, folder: Path, tables: Iterable[str]) -> dict[str, int]:
    """Insert the rows of each of `tables` from `folder` into the (empty) tables of the same name; rows by table.

    Raises KeyError naming a table or column the database does not have."""
    names = sorted(tables)
    metadata = reflect(conn, [n for n in names if sa.inspect(conn).has_table(n)])
    loaded = {}
    for name in names:
        if name not in metadata.tables:
            raise KeyError(name)
        table = metadata.tables[name]
        decoders = {c.name: _decoder(c) for c in table.columns}
        count, batch = 0, []
        for row in read_rows(folder / table_file(name)):
            unknown = set(row) - set(decoders)
            if unknown:
                raise KeyError(f"{name}.{sorted(unknown)[0]}")
            batch.append({k: decoders[k](v) for k, v in row.items()})
            if len(batch) >= BATCH:
                conn.execute(table.insert(), batch)
                count, batch = count + len(batch), []
        if batch:
            conn.execute(table.insert(), batch)
            count += len(batch)
        loaded[name] = count
    if conn.dialect.name == "postgresql":
        _advance_sequences(conn, [metadata.tables[n] for n in names])
    return loaded


def _decoder(column: sa.Column) -> Any:
    try:
        kind = column.type.python_type
    except NotImplementedError:
        kind = object
    convert = {datetime: datetime.fromisoformat, date: date.fromisoformat, time: time.fromisoformat,
               Decimal: Decimal, bytes: base64.b64decode}.get(kind)
    if convert is None:
        return lambda v: v
    if kind is datetime and getattr(column.type, "timezone", False):
        return lambda v: None if v is None else _utc(datetime.fromisoformat(v))
    return lambda v: None if v is None else convert(v)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.utcoffset() is None else moment


def _advance_sequences(conn: Connection, tables: list[Table]) -> None:
    """Move each serial or identity column's sequence past the loaded ids, so the next row gets a fresh id."""
    quote = conn.dialect.identifier_preparer.quote
    for table in tables:
        for column in table.primary_key.columns:
            sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                    {"t": table.name, "c": column.name}).scalar()
            if sequence is not None:
                key = quote(column.name)
                conn.execute(sa.text(f"SELECT setval(:s, COALESCE(MAX({key}), 1), MAX({key}) IS NOT NULL) "
                                     f"FROM {quote(table.name)}"), {"s": sequence})


def clear(conn: Connection, tables: Iterable[str]) -> None:
    """Delete every row of `tables`."""
    for name in sorted(tables):
        conn.execute(sa.delete(sa.table(name)))


def drop(conn: Connection, tables: Iterable[str]) -> None:
    """Drop `tables` (those that exist) and the migrations' record, so the migrations can build them anew."""
    names = set(tables) | {MIGRATION_TABLE}
    metadata = reflect(conn, [n for n in names if sa.inspect(conn).has_table(n)])
    metadata.drop_all(bind=conn)
