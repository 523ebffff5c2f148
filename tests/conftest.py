"""Shared fixtures: a fresh database per test, one Prefect test server per session, PostgreSQL when configured."""

from __future__ import annotations

import os
import random
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# Prefect reads these when it is first imported; the test server stays offline and quiet.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "")
os.environ.pop("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", None)
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from activity_day.context import bound
from activity_day.settings import Settings  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEMO_PROFILE = REPO / "profiles" / "demo.yaml"
POSTGRES_ADMIN_URL = os.environ.get("ACTIVITY_DAY_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty application database at the newest schema: migrated once a session, copied by each test."""
    import sqlite3

    from activity_day.models.db import get_engine
    from activity_day.store.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "migrated.db"
    upgrade(f"sqlite:///{path}")
    get_engine(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as conn:  # everything in the one file, nothing left in a -wal file beside it
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def settings(tmp_path: Path, migrated_database: Path) -> Iterator[Settings]:
    """A temp-file SQLite database (a copy of the migrated template), output folder and photo store, bound
    as this test's context (activity_day.context: with the system clock)."""
    database = tmp_path / "var" / "test.db"
    database.parent.mkdir(parents=True)
    shutil.copyfile(migrated_database, database)
    s = Settings(database_url=f"sqlite:///{database}", out=tmp_path / "out", photo_store=str(tmp_path / "var"))
    with bound(s):
        yield s


# Statutory holidays of the years the tests use, so no test depends on the years the installed
# chinesecalendar happens to cover (2027 as the State Council would announce it, by assumption).
TEST_HOLIDAYS = """\
元旦2026: [2026-01-01, 2026-01-03]
春节2026: [2026-02-15, 2026-02-23]
清明节2026: [2026-04-04, 2026-04-06]
劳动节2026: [2026-05-01, 2026-05-05]
端午节2026: [2026-06-19, 2026-06-21]
中秋节2026: [2026-09-25, 2026-09-27]
国庆节2026: [2026-10-01, 2026-10-07]
元旦2027: [2027-01-01, 2027-01-03]
春节2027: [2027-02-06, 2027-02-12]
清明节2027: [2027-04-03, 2027-04-05]
劳动节2027: [2027-05-01, 2027-05-05]
"""


def profile_with_holiday_file(folder: Path) -> Path:
    """The demo profile with the test holiday file beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "holidays.yaml").write_text(TEST_HOLIDAYS, encoding="utf-8")
    text = DEMO_PROFILE.read_text(encoding="utf-8").replace("# holiday_file: holidays.yaml",
                                                              "holiday_file: holidays.yaml")
    assert "\nholiday_file: holidays.yaml" in text
    path = folder / "profile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def county(settings: Settings, tmp_path: Path) -> str:
    """The demo county, initialised in the test database, with the test holiday file."""
    from activity_day.services.counties import init_county

    return init_county(profile_with_holiday_file(tmp_path / "profile")).county.code


@pytest.fixture
def registry(tmp_path: Path, county: str):
    """The demo's station registry, written as xlsx and imported; returns the registry frame."""
    from activity_day.demo import station_registry, write_xlsx
    from activity_day.services.imports import import_file

    frame = station_registry(random.Random("tests"))
    path = write_xlsx(frame, tmp_path / "所站名录.xlsx", "所站名录")
    report = import_file("stations", path, county=county)
    assert report.exit_code == 0, report.lines()
    return frame


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect server for every flow test."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


_PG_TEMPLATE: list[str] = []  # this process's migrated template database, made on first use


def _postgres_template(admin) -> str:
    """A PostgreSQL database at the newest schema, migrated once a process (each xdist worker has its own) and
    copied with CREATE DATABASE … TEMPLATE by every test that asks for a migrated database; dropped at exit."""
    import atexit

    import sqlalchemy as sa

    from activity_day.models.db import get_engine
    from activity_day.store.migrate import upgrade

    if not _PG_TEMPLATE:
        name = f"activity_day_template_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        get_engine(url).dispose()  # a template takes no connections while it is copied
        _PG_TEMPLATE.append(name)

        def drop() -> None:
            engine = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            engine.dispose()

        atexit.register(drop)
    return _PG_TEMPLATE[0]


@contextmanager
def fresh_postgres_database(*, migrated: bool = False) -> Iterator[str]:
    """A new PostgreSQL database beside ACTIVITY_DAY_TEST_POSTGRES_URL's, dropped afterwards: empty, or with
    `migrated` a copy of this process's migrated template (as the SQLite tests copy theirs)."""
    if not POSTGRES_ADMIN_URL:
        pytest.skip("ACTIVITY_DAY_TEST_POSTGRES_URL is not set")
    import sqlalchemy as sa

    name = f"activity_day_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    template = f' TEMPLATE "{_postgres_template(admin)}"' if migrated else ""
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"{template}'))
    url = sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        from activity_day.models.db import get_engine

        get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this session, dropped at the end."""
    with fresh_postgres_database() as url:
        yield url


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test` runs `-n auto --dist loadgroup`) a module's tests stay on one worker, so
    its module fixtures are built once, and the tests that read the demo year share one worker and one year. A test
    marked `apart` (long, and sharing nothing with its module's others) is a group of its own."""
    for item in items:
        group = "demo-year" if "demo_year" in item.fixturenames else item.nodeid.split("::")[0]
        if item.get_closest_marker("apart"):
            group = item.nodeid
        item.add_marker(pytest.mark.xdist_group(group))
