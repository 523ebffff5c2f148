"""`activity-day backup` and `restore`: the same rows, documents and photos in an empty database of either kind;
what is not empty, damaged or from an older schema. The demo year's round trip is in tests/demo/test_backup.py."""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlmodel import SQLModel
from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.context import bound
from activity_day.errors import OperatorError
from activity_day.models import get_engine
from activity_day.services.backup import backup, restore
from activity_day.services.evidence import receive_photo
from activity_day.settings import Settings
from activity_day.store import dump, migrate
from activity_day.store.photos import photo_store
from tests.conftest import fresh_postgres_database
from tests.intake_helpers import official_plan, tokens_for

NOW = datetime(2026, 12, 6, 2, 30, tzinfo=UTC)


def table_rows(url: str) -> dict[str, list[tuple]]:
    """Every table's rows, typed by the models and ordered by primary key."""
    with get_engine(url).connect() as conn:
        return {t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns))]
                for t in SQLModel.metadata.sorted_tables}


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def month_data(settings: Settings, registry, county: str, tmp_path: Path) -> Settings:
    """A county with its stations, an official plan, tokens, two photos and two documents; its settings."""
    with bound(settings.model_copy(update={"photo_store": str(tmp_path / "store")})) as ctx:
        official_plan(county, "2026-12")
        tokens_for(county, ["001", "002"])
        for colour in ((200, 30, 30), (30, 200, 30)):
            receive_photo(county=county, station_code="001", data=jpeg(colour), now=NOW)
        (ctx.settings.out / "2026-12").mkdir(parents=True)
        (ctx.settings.out / "2026-12" / "plan-v2.md").write_text("# 方案\n", encoding="utf-8")
        (ctx.settings.out / "2026-12" / "draw.json").write_bytes(b'{"seed": "x"}')
        yield ctx.settings


def empty_place(base: Settings, tmp_path: Path, name: str, url: str | None = None) -> Settings:
    return base.model_copy(update={"database_url": url or f"sqlite:///{tmp_path / name / 'app.db'}",
                                   "out": tmp_path / name / "out", "photo_store": str(tmp_path / name / "store")})


def test_a_backup_restored_into_an_empty_sqlite_database_gives_the_same_rows(month_data: Settings,
                                                                              tmp_path: Path) -> None:
    source = table_rows(month_data.database_url)
    done = backup(tmp_path / "bk", now=NOW)
    assert (done.tables, done.documents, done.photos, done.missing_photos) == (len(source), 2, 2, [])
    assert done.rows == sum(map(len, source.values())) and done.revision == migrate.head()
    assert not list(tmp_path.glob(".bk*"))  # the partial folder was renamed

    target = empty_place(month_data, tmp_path, "restored")
    with bound(target):
        again = restore(tmp_path / "bk")
        assert (again.rows, again.documents, again.photos, again.upgraded_to) == (done.rows, 2, 2, None)
        assert table_rows(target.database_url) == source
        assert files(target.out) == files(month_data.out)
        assert files(Path(target.photo_store)) == files(Path(month_data.photo_store))
        # The restored database backs up to the same bytes, table by table.
        backup(tmp_path / "bk2", now=NOW)
    assert files(tmp_path / "bk2" / "database") == files(tmp_path / "bk" / "database")


def test_restore_refuses_what_is_not_empty_and_force_replaces_it(month_data: Settings, tmp_path: Path) -> None:
    source = table_rows(month_data.database_url)
    backup(tmp_path / "bk", now=NOW)
    with pytest.raises(OperatorError, match="数据库已有数据.*文档目录.*已有文件.*--force"):
        restore(tmp_path / "bk")
    done = restore(tmp_path / "bk", force=True)
    assert table_rows(month_data.database_url) == source and done.rows == sum(map(len, source.values()))

    # Only documents in the way: refused too, and nothing written to the empty database.
    target = empty_place(month_data, tmp_path, "other")
    (target.out / "2026-11").mkdir(parents=True)
    (target.out / "2026-11" / "circular.md").write_text("旧通报", encoding="utf-8")
    with bound(target):
        with pytest.raises(OperatorError, match="文档目录 .* 中已有文件"):
            restore(tmp_path / "bk")
        assert sa.inspect(get_engine(target.database_url)).get_table_names() == []


def test_the_commands_say_one_line_and_exit_2(month_data: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(app, ["backup", "--to", str(tmp_path / "bk")])
    assert made.exit_code == 0 and made.output.startswith(f"已备份到 {tmp_path / 'bk'}：数据库 ")
    for args, says in ((["backup", "--to", str(tmp_path / "bk")], "已存在且不为空"),
                       (["restore", "--from", str(tmp_path / "bk")], "--force"),
                       (["restore", "--from", str(tmp_path)], "不是 activity-day 的备份")):
        answer = runner.invoke(app, args)
        assert answer.exit_code == 2 and answer.output.startswith("错误：") and says in answer.output
        assert answer.output.count("\n") == 1 and "Traceback" not in answer.output
    with bound(empty_place(month_data, tmp_path, "restored")):
        back = runner.invoke(app, ["restore", "--from", str(tmp_path / "bk")])
        assert back.exit_code == 0 and back.output.startswith(f"已从 {tmp_path / 'bk'} 恢复：数据库 ")
        assert runner.invoke(app, ["migrate"]).output == f"数据库结构已是最新（{migrate.head()}）\n"


def test_a_damaged_backup_is_refused_before_anything_is_written(month_data: Settings, tmp_path: Path) -> None:
    backup(tmp_path / "bk", now=NOW)
    table = tmp_path / "bk" / "database" / "station.jsonl.gz"
    table.write_bytes(gzip.compress(b'{"id": 1}\n', mtime=0))
    target = empty_place(month_data, tmp_path, "restored")
    with bound(target):
        with pytest.raises(OperatorError, match="备份已损坏.*station.jsonl.gz"):
            restore(tmp_path / "bk")
        table.unlink()
        with pytest.raises(OperatorError, match="备份不完整"):
            restore(tmp_path / "bk")
        assert sa.inspect(get_engine(target.database_url)).get_table_names() == []


def test_an_empty_database_is_not_a_backup(settings: Settings, tmp_path: Path) -> None:
    never_initialised = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'never' / 'app.db'}"})
    with bound(never_initialised), pytest.raises(OperatorError, match="activity-day init"):
        backup(tmp_path / "bk", now=NOW)
    assert not (tmp_path / "bk").exists() and not list(tmp_path.glob(".bk*"))


OLD = "0012"  # a revision older than the newest, whose county table is the newest's


def test_an_older_backup_is_restored_and_upgraded(month_data: Settings, tmp_path: Path) -> None:
    """A backup taken before an upgrade comes back in its own schema and is then migrated, and a database that
    an older (or newer) code had set up, still empty, is rebuilt for the backup."""
    backup(tmp_path / "new", now=NOW)
    old = empty_place(month_data, tmp_path, "old")
    migrate.upgrade(old.database_url, OLD)
    with get_engine(old.database_url).begin() as conn:
        assert dump.load(conn, tmp_path / "new" / "database", ["county"]) == {"county": 1}
    with bound(old):
        taken = backup(tmp_path / "old-backup", now=NOW)
    assert taken.revision == OLD and taken.rows == 1

    target = empty_place(month_data, tmp_path, "restored")
    with bound(target):
        done = restore(tmp_path / "old-backup")
        assert (done.revision, done.upgraded_to) == (OLD, migrate.head())
        rows = table_rows(target.database_url)
        assert rows["county"] == table_rows(month_data.database_url)["county"]
        assert sum(map(len, rows.values())) == 1
        # The database now has the newest schema and no other rows: the newer backup goes in after --force.
        done = restore(tmp_path / "new", force=True)
        assert table_rows(target.database_url) == table_rows(month_data.database_url)

    at_old = empty_place(month_data, tmp_path, "set-up-by-old-code")
    migrate.upgrade(at_old.database_url, OLD)
    with bound(at_old):
        restore(tmp_path / "new")
        assert table_rows(at_old.database_url) == table_rows(month_data.database_url)
        assert dump.revision(get_engine(at_old.database_url).connect()) == migrate.head()


def test_a_backup_names_what_it_holds(month_data: Settings, tmp_path: Path) -> None:
    backup(tmp_path / "bk", now=NOW)
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "activity-day-backup" and manifest["created_at"] == "2026-12-06T02:30:00+00:00"
    assert manifest["database"]["kind"] == "sqlite" and manifest["database"]["tables"]["station"]["rows"] == 248
    assert (manifest["documents"], manifest["photos"], manifest["missing_photos"]) == (2, 2, [])
    assert sorted(p.name for p in (tmp_path / "bk").iterdir()) == ["database", "manifest.json", "out", "photos"]


def test_a_photo_missing_from_the_store_is_named_not_fatal(month_data: Settings, tmp_path: Path) -> None:
    gone = next(Path(month_data.photo_store).rglob("*.jpg"))
    gone.unlink()
    done = backup(tmp_path / "bk", now=NOW)
    assert done.photos == 1 and done.missing_photos == [gone.stem]


@pytest.mark.postgres
def test_sqlite_and_postgresql_restore_each_others_backups_to_the_same_rows(month_data: Settings,
                                                                             tmp_path: Path) -> None:
    source = table_rows(month_data.database_url)
    backup(tmp_path / "from-sqlite", now=NOW)
    with fresh_postgres_database() as url:
        # A server on Beijing time: a time read back must not move by 8 hours.
        with sa.create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{sa.engine.make_url(url).database}" SET timezone TO \'Asia/Shanghai\''))
        on_postgres = empty_place(month_data, tmp_path, "pg", url)
        with bound(on_postgres):
            restore(tmp_path / "from-sqlite")
            assert table_rows(url) == source
            backup(tmp_path / "from-postgres", now=NOW)
            with get_engine(url).connect() as conn:
                # Every serial id continues after the restored rows: the next row gets a new id.
                for table in SQLModel.metadata.sorted_tables:
                    sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"),
                                            {"t": table.name}).scalar()
                    if sequence is not None and source[table.name]:
                        highest = conn.execute(sa.text(f'SELECT MAX(id) FROM "{table.name}"')).scalar()
                        assert conn.execute(sa.text("SELECT nextval(:s)"), {"s": sequence}).scalar() > highest
    # The same rows in either database make the same bytes.
    assert files(tmp_path / "from-postgres" / "database") == files(tmp_path / "from-sqlite" / "database")
    manifest = json.loads((tmp_path / "from-postgres" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"]["kind"] == "postgresql"

    back = empty_place(month_data, tmp_path, "back")
    with bound(back):
        restore(tmp_path / "from-postgres")
        assert table_rows(back.database_url) == source
        assert files(Path(back.photo_store)) == files(Path(month_data.photo_store))
        assert photo_store().root == Path(back.photo_store)
