"""The one settings object. Nothing else reads the environment; entry points put it in a context (activity_day.context)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    county_folders: bool = Field(
        default=False, description="Put each county's documents in OUT/YYYY-MM/<county>/ (province runs always do)")
    log_file: Path = Field(default=Path("var/log/activity-day.log"),
                           description="Where commands write their full log, tracebacks included")
    workers: int | None = Field(
        default=None, ge=1, le=64,
        description="Processes for a province run's counties (run cycle --all-counties); default one per core")
    province_artifacts: Literal["summary", "full"] = Field(
        default="summary",
        description="A province run's artifacts: one summary per county, or every step's own (plan, report, draw, "
                    "circular) as a county's own run makes them")

    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The address the phone pages are served at, as a phone reaches it (https://… in production): "
                    "the links and QR codes that `tokens issue` prints start with it")

    trusted_proxies: str = Field(
        default="127.0.0.1",
        description="The reverse proxies whose X-Forwarded-Proto and X-Forwarded-For the API believes: addresses or "
                    "networks (10.0.0.0/8), comma-separated, or * for any. Behind a TLS proxy on another host, name "
                    "it here, so that the phone pages see https and set their cookies Secure")

    photo_store: str = Field(
        default="var",
        description="Where evidence photos are kept, each once by its SHA-256: a folder (photos/ab/cd/<sha256>.jpg "
                    "under it) or s3://bucket/prefix (credentials from the standard AWS_* variables)")
    photo_store_endpoint_url: str | None = Field(
        default=None, description="S3-compatible endpoint of an s3:// photo store (MinIO, OSS, COS…); empty: AWS")

    @field_validator("photo_store")
    @classmethod
    def _photo_store(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("ACTIVITY_DAY_PHOTO_STORE 为空：应为文件夹路径或 s3://存储桶/前缀")
        if v.startswith("s3://") and not v.removeprefix("s3://").split("/", 1)[0]:
            raise ValueError(f"ACTIVITY_DAY_PHOTO_STORE“{v}”缺少存储桶名：应为 s3://存储桶/前缀")
        return v

    @field_validator("database_url")
    @classmethod
    def _no_blank_url(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("ACTIVITY_DAY_DATABASE_URL 为空")
        return v.strip()


class Drills(BaseSettings):
    """Switches for rehearsals and end-to-end tests, kept apart from the production settings."""

    model_config = SettingsConfigDict(env_prefix="ACTIVITY_DAY_", extra="ignore")

    fault: str | None = Field(
        default=None,
        description="Fault switch for retry drills: a step (draft, review, collect, sample, compile), optionally "
                    "with ':YYYY-MM', that fails once per county and month after writing its files",
    )
    compress_schedule_seconds: int | None = Field(
        default=None,
        description="End-to-end tests: schedule the follow-up steps this many seconds apart from now, not at the "
                    "profile's dates",
    )

    @field_validator("fault")
    @classmethod
    def _known_step(cls, v: str | None) -> str | None:
        from activity_day.models.enums import (
            Step,  # the one step list (imported here: the settings stay light)
        )

        if v is None or not v.strip():
            return None
        step, _, month = v.strip().partition(":")
        if step not in set(Step) or (month and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month)):
            raise ValueError(f"ACTIVITY_DAY_FAULT 应为 {'、'.join(Step)} 之一，可加 :YYYY-MM（填写的是“{v}”）")
        return v.strip()


def get_drills() -> Drills:
    """The drill switches in force (read from the environment each time: a test or a worker sets them)."""
    return Drills()


def channel_secrets() -> dict[str, str]:
    """The environment, where the notice channels' ${VAR} secrets come from (the profile names the variables)."""
    return dict(os.environ)
