"""The one settings object. Nothing else reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]
TEMPLATES_DIR = REPO_ROOT / "templates"
DATA_DIR = Path(__file__).resolve().parent / "data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACTIVITY_DAY_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/activity_day.db",
        description="SQLAlchemy URL of the application database (SQLite file or postgresql+psycopg://…)",
    )
    out: Path = Field(default=Path("out"), description="Folder that receives the documents, one sub-folder a month")
    inbox: Path = Field(default=Path("inbox"), description="Folder where station plan files are dropped")
    county: str | None = Field(
        default=None, description="County code to act on when the database holds more than one county"
    )
    compress_schedule_seconds: int | None = Field(
        default=None,
        description="Test switch: schedule the follow-up steps this many seconds apart from now, not at the profile's dates",
    )
    fault: str | None = Field(
        default=None,
        description="Fault switch for retry tests: the name of a step (e.g. 'compile') that fails once per month",
    )

    @field_validator("database_url")
    @classmethod
    def _no_blank_url(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("ACTIVITY_DAY_DATABASE_URL is empty")
        return v.strip()


_override: Settings | None = None


@lru_cache
def _from_environment() -> Settings:
    return Settings()


def get_settings() -> Settings:
    """The settings in force: those installed by `use_settings`, else the environment's."""
    return _override if _override is not None else _from_environment()


def use_settings(settings: Settings | None) -> Settings | None:
    """Install settings for this process (the demo's workspace, a test's database); None restores the
    environment's. Returns the settings installed before, to put back afterwards."""
    global _override
    previous, _override = _override, settings
    _from_environment.cache_clear()
    return previous
