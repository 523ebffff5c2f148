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
    codes = county_codes()
    if requested:
        if requested not in codes:
            raise crud.MissingPrerequisite(
                f"县（市、区）{requested}尚未设置：请先运行 activity-day init --profile 配置文件.yaml")
        return requested
    if not codes:
        raise crud.MissingPrerequisite("数据库中还没有任何县（市、区）：请先运行 activity-day init --profile 配置文件.yaml")
    if len(codes) > 1:
        raise crud.MissingPrerequisite(
            f"数据库中有 {len(codes)} 个县（市、区）（{'、'.join(codes[:8])}{'等' if len(codes) > 8 else ''}）："
            "请用 --county 或 ACTIVITY_DAY_COUNTY 指定一个")
    return codes[0]


def resolve_counties(requested: str) -> list[str]:
    """The counties named in a comma-separated list (329001,329005 or 329001，329005), each checked against the
    database; in the order given, without repeats."""
    wanted = list(dict.fromkeys(c.strip() for c in requested.replace("，", ",").split(",") if c.strip()))
    if not wanted:
        raise crud.MissingPrerequisite("--counties 未列出任何县（市、区）代码：应为逗号分隔的代码，如 329001,329005")
    known = set(county_codes())
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise crud.MissingPrerequisite(f"县（市、区）{'、'.join(unknown)}尚未设置：请先运行 activity-day init --profile 配置文件.yaml，"
                                       f"或核对 --counties 中的代码")
    return wanted


def county_codes() -> list[str]:
    """Every county in the database, in code order."""
    ensure_schema()
    with transaction(read_only=True) as session:
        return crud.county_codes(session=session)
