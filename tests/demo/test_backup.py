"""The demo year backed up and restored into empty databases, SQLite and PostgreSQL: the same rows in every table,
the same documents and photos, byte for byte."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import SQLModel

from activity_day.context import bound, current
from activity_day.demo import workspace_settings
from activity_day.services.backup import backup, restore
from activity_day.settings import Settings
from tests.conftest import fresh_postgres_database
from tests.services.test_backup import files, table_rows

pytestmark = pytest.mark.flow
NOW = datetime(2028, 1, 2, 18, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def year_backup(demo_year: Path, tmp_path_factory) -> tuple[Settings, Path]:
    """The demo year's settings (its photos where the demo put them) and a backup of it."""
    folder = tmp_path_factory.mktemp("year-backup") / "backup"
    with bound(workspace_settings(demo_year, current().settings)) as source:
        done = backup(folder, now=NOW)
    assert done.missing_photos == [] and done.photos > 0 and done.documents > 100
    return source.settings, folder


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_year_comes_back_the_same_in_an_empty_database(year_backup, kind: str, tmp_path: Path) -> None:
    source, folder = year_backup
    place = fresh_postgres_database() if kind == "postgresql" else nullcontext(f"sqlite:///{tmp_path / 'restored.db'}")
    with place as url:
        target = source.model_copy(update={"database_url": url, "out": tmp_path / "out",
                                           "photo_store": str(tmp_path / "store")})
        with bound(target):
            done = restore(folder)
            rows = table_rows(url)
    before = table_rows(source.database_url)
    assert rows == before and done.rows == sum(map(len, before.values()))
    # Not a year of empty tables: what each step and each channel wrote is there.
    assert all(before[t] for t in ("station", "month_plan", "draw", "inspection_score", "circular", "photo",
                                   "evidence_record", "finding", "lecture_order", "notice"))
    assert files(tmp_path / "out") == files(source.out)
    # Every photo the database names, and only those, with the bytes the demo's store holds.
    restored = files(tmp_path / "store")
    sha256 = [c.name for c in SQLModel.metadata.tables["photo"].columns].index("sha256")
    assert {Path(k).stem for k in restored} == {r[sha256] for r in before["photo"]}
    assert all(data == (Path(source.photo_store) / k).read_bytes() for k, data in restored.items())
