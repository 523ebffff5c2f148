"""Setting a county up: schema and profile."""

from __future__ import annotations

from pathlib import Path

from activity_day import crud
from activity_day.database import ensure_schema, transaction
from activity_day.profile import Profile, load_profile


def init_county(profile_path: Path) -> Profile:
    """Create the tables if needed and store (or update) the county's profile; safe to repeat."""
    profile = load_profile(profile_path)
    ensure_schema()
    with transaction() as session:
        crud.save_profile(session=session, profile=profile)
    return profile


def resolve_county(requested: str | None) -> str:
    """The county to act on: the one asked for, else the only one in the database."""
    ensure_schema()
    with transaction() as session:
        codes = crud.county_codes(session=session)
    if requested:
        if requested not in codes:
            raise crud.MissingPrerequisite(
                f"county {requested} is not set up; run `activity-day init --profile FILE` first")
        return requested
    if not codes:
        raise crud.MissingPrerequisite("no county is set up; run `activity-day init --profile FILE` first")
    if len(codes) > 1:
        raise crud.MissingPrerequisite(
            f"the database holds {len(codes)} counties ({', '.join(codes)}); choose one with --county "
            "or ACTIVITY_DAY_COUNTY")
    return codes[0]
