"""Reads and writes of the counties and their profiles. The caller owns the transaction."""

from __future__ import annotations

import json

from sqlalchemy import Text, bindparam, cast
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from activity_day.domain.profile import Profile, profile_from_json
from activity_day.errors import MissingPrerequisite
from activity_day.models import County, upsert
from activity_day.store.database import once_per_read


def save_profile(*, session: Session, profile: Profile) -> None:
    c = profile.county
    upsert(
        session,
        County,
        [dict(code=c.code, name=c.name, office_name=c.office_name, doc_prefix=c.doc_prefix,
              profile=profile.model_dump(mode="json"))],
        ["code"],
    )


def county_codes(*, session: Session) -> list[str]:
    return list(session.exec(select(County.code).order_by(County.code)).all())


def load_profile_of(*, session: Session, county: str) -> Profile:
    """The county's validated profile. Validated once per process while its stored text stays the same (a changed
    profile is a changed text, so a change made by another process is seen at the next read); the same object
    is handed to every caller, which the profile's being frozen makes safe. Read once per read-only transaction."""
    return once_per_read(session, ("profile", county), lambda: _profile_by_text(session, county))


_PROFILE_TEXT = sa_select(cast(County.__table__.c.profile, Text)).where(County.code == bindparam("county"))


def _profile_by_text(session: Session, county: str) -> Profile:
    text = session.connection().execute(_PROFILE_TEXT, {"county": county}).scalar()
    if text is None:
        raise MissingPrerequisite(f"县（市、区）{county}尚未设置：请先运行 activity-day init --profile 配置文件.yaml")
    hit = _profiles.get(county)
    if hit is None or hit[0] != text:
        hit = _profiles[county] = (text, profile_from_json(json.loads(text)))
    return hit[1]


# Per process: each county's profile as its stored text and the profile validated from it.
_profiles: dict[str, tuple[str, Profile]] = {}
