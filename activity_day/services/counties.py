"""Setting a county up: schema and profile."""

from __future__ import annotations

from pathlib import Path

from activity_day.domain.profile import Profile, ProfileError, load_profile, unknown_townships
from activity_day.store import crud
from activity_day.store.database import ensure_schema, transaction


def init_county(profile_path: Path) -> Profile:
    """Create the tables if needed and store (or update) the county's profile; safe to repeat.

    Once the county has a station registry, every township the profile names (members' home
    townships for 回避, fixed on-site townships) must be one of the registry's.
    """
    profile = load_profile(profile_path)
    ensure_schema()
    with transaction() as session:
        townships = set(crud.stations_frame(session=session, county=profile.county.code)["township"])
        if townships and (problems := unknown_townships(profile, townships)):
            raise ProfileError(f"{profile_path}：" + "；".join(problems))
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
                f"县（市、区）{requested}尚未设置：请先运行 activity-day init --profile 配置文件.yaml")
        return requested
    if not codes:
        raise crud.MissingPrerequisite("数据库中还没有任何县（市、区）：请先运行 activity-day init --profile 配置文件.yaml")
    if len(codes) > 1:
        raise crud.MissingPrerequisite(
            f"数据库中有 {len(codes)} 个县（市、区）（{'、'.join(codes)}）：请用 --county 或 ACTIVITY_DAY_COUNTY 指定一个")
    return codes[0]
