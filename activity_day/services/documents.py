"""The documents a step wrote, recorded in the database (one short transaction each)."""

from __future__ import annotations

from activity_day.store import crud
from activity_day.store.database import transaction

Files = dict[str, tuple[str, str]]  # fmt -> (path, sha256), as documents.render's writers return them


def record(county: str, month: str, kind: str, files: Files) -> None:
    """Record `files` as the month's documents of `kind` (an upsert: a rerun keeps one row per format)."""
    with transaction() as session:
        crud.record_documents(session=session, county=county, month=month, kind=kind, files=files)


def paths(files: Files) -> dict[str, str]:
    """fmt -> path, what a step reports of the files it wrote."""
    return {fmt: path for fmt, (path, _sha) in files.items()}
