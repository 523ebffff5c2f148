from datetime import date
from pathlib import Path

import pytest

from activity_day.domain.planning import month_calendar
from activity_day.domain.profile import ProfileError, load_profile
from tests.conftest import DEMO_PROFILE


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = DEMO_PROFILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "profile.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_demo_profile_loads() -> None:
    profile = load_profile(DEMO_PROFILE)
    assert profile.county.doc_prefix == "泗文明办" and len(profile.teams) == 4
    assert profile.departments == ["理论科", "宣教科", "版权科", "网信科"]


def test_holiday_file_moves_the_activity_day(tmp_path: Path) -> None:
    (tmp_path / "holidays.yaml").write_text("春节: [2027-02-05, 2027-02-11]\n", encoding="utf-8")
    path = edited(tmp_path, "# holiday_file: holidays.yaml", "holiday_file: holidays.yaml")
    profile = load_profile(path)
    assert profile.holidays[date(2027, 2, 5)] == "春节"
    day, _marks, info = month_calendar(profile, "2027-02")
    assert day == date(2027, 2, 12) and info.source == "profile" and info.note is None


def test_nth_weekday_rule(tmp_path: Path) -> None:
    path = edited(tmp_path, "  rule: fixed\n  day: 5\n", "  rule: nth_weekday\n  n: 1\n  weekday: 6\n")
    day, _marks, _info = month_calendar(load_profile(path), "2026-12")
    assert day == date(2026, 12, 5)  # the first Saturday


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("team_weight: 0.7", "team_weight: 0.8", "scoring"),
        ("  rule: fixed\n  day: 5\n", "  rule: nth_weekday\n", "activity_day"),
        ("ratio: 1/3", "ratio: 3/2", "sampling.ratio"),
        ("departments: [理论科, 宣教科, 版权科, 网信科]", "departments: [理论科, 理论科]", "departments"),
    ],
)
def test_invalid_profiles_name_the_field(tmp_path: Path, old: str, new: str, where: str) -> None:
    with pytest.raises(ProfileError) as info:
        load_profile(edited(tmp_path, old, new))
    assert where in str(info.value) and "profile.yaml" in str(info.value)


def test_too_few_teams(tmp_path: Path) -> None:
    text = DEMO_PROFILE.read_text(encoding="utf-8")
    start, end = text.index("  - name: 第三检查组"), text.index("# The activity day")
    path = tmp_path / "profile.yaml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(ProfileError, match="teams"):
        load_profile(path)


def test_missing_holiday_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="无法读取节假日文件"):
        load_profile(edited(tmp_path, "# holiday_file: holidays.yaml", "holiday_file: none.yaml"))


def test_deadlines_out_of_order_are_refused() -> None:
    from pydantic import ValidationError

    from activity_day.domain.profile import Deadlines

    assert Deadlines().review < Deadlines().station_plans
    with pytest.raises(ValidationError, match="早于 station_plans"):
        Deadlines(review=-2, station_plans=-3)  # plans due before the plan that asks for them is issued
    with pytest.raises(ValidationError, match="compile（通报）不早于 scores"):
        Deadlines(scores=5, compile=3)
