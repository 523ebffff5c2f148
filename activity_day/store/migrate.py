"""Alembic migrations of the application schema, run from code (`activity-day init` applies them)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from activity_day.resources import MIGRATIONS_DIR


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def stamp(url: str, revision: str = "0001") -> None:
    command.stamp(alembic_config(url), revision)


def revision(url: str, message: str) -> None:
    """Autogenerate a migration from the difference between the tables and the database at `url`."""
    command.revision(alembic_config(url), message=message, autogenerate=True)


def head() -> str:
    """The newest schema revision this code knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def known(revision: str) -> bool:
    """Whether `revision` is one of this code's migrations."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(revision) is not None
    except CommandError:
        return False
