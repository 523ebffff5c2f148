"""The county profile: one YAML file the operator edits, validated into `Profile`.

The profile's sections are in `profile_sections`; this module re-exports them and holds `Profile` itself and
the reading of a profile file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, field_validator

from activity_day.domain.indicators import EvaluationRules
from activity_day.domain.names import closest, normalize_name
from activity_day.domain.notices import anchor_file_url
from activity_day.domain.profile_sections import (
    DEFAULT_RUBRIC,
    ActivityDayRule,
    ChecklistRules,
    CountyInfo,
    CountyProgram,
    Deadlines,
    EvidenceRules,
    Intake,
    LearningRules,
    LectureRules,
    NoticeRules,
    Rectification,
    RiskWeights,
    RubricItem,
    Sampling,
    Scoring,
    Team,
    TeamMember,
    _Strict,
)
from activity_day.domain.selection import DemonstrationRules

__all__ = [
    "ActivityDayRule", "ChecklistRules", "CountyInfo", "CountyProgram", "DEFAULT_RUBRIC", "Deadlines",
    "EvidenceRules", "Intake", "LearningRules", "LectureRules", "NoticeRules", "Profile", "ProfileError",
    "Rectification", "RiskWeights", "RubricItem", "Sampling", "Scoring", "Team", "TeamMember",
    "load_holidays", "load_profile", "profile_from_json", "revised", "unknown_townships",
]


class ProfileError(ValueError):
    """The profile file is missing or invalid; the message names the file and the field."""


class Profile(_Strict):
    county: CountyInfo
    departments: list[str] = Field(default_factory=lambda: ["理论科", "宣教科", "版权科", "网信科"], min_length=1)
    teams: list[Team] = Field(min_length=3, max_length=5)
    activity_day: ActivityDayRule = Field(default_factory=ActivityDayRule)
    holiday_file: str | None = Field(default=None, description="YAML of statutory holidays, relative to the profile")
    holidays: dict[date, str] = Field(default_factory=dict, description="loaded from holiday_file")
    sampling: Sampling = Field(default_factory=Sampling)
    deadlines: Deadlines = Field(default_factory=Deadlines)
    learning: LearningRules = Field(default_factory=LearningRules)
    checklist: ChecklistRules = Field(default_factory=ChecklistRules)
    county_programs: list[CountyProgram] = Field(default_factory=list)
    scoring: Scoring = Field(default_factory=Scoring)
    intake: Intake = Field(default_factory=Intake)
    rectification: Rectification = Field(default_factory=Rectification)
    lectures: LectureRules = Field(default_factory=LectureRules)
    evidence: EvidenceRules = Field(default_factory=EvidenceRules)
    demonstration: DemonstrationRules = Field(default_factory=DemonstrationRules,
                                              description="demonstration-station selection: eligibility, quota, 公示")
    evaluation: EvaluationRules = Field(default_factory=EvaluationRules,
                                        description="year-round evaluation: six dimensions, indicators, stars")
    notices: NoticeRules = Field(default_factory=NoticeRules,
                                 description="reminders and notices: channels per audience, reminder days")

    @field_validator("teams")
    @classmethod
    def _unique_teams(cls, v: list[Team]) -> list[Team]:
        names = [t.name for t in v]
        if len(set(names)) != len(names):
            raise ValueError("检查组名称不能重复")
        return v

    @field_validator("departments")
    @classmethod
    def _unique_departments(cls, v: list[str]) -> list[str]:
        v = [normalize_name(d) for d in v]  # the comment form and files compare normalised names
        if len(set(v)) != len(v):
            raise ValueError("征求意见部门名称不能重复")
        return v


def unknown_townships(profile: Profile, townships: set[str]) -> list[str]:
    """Problems (Chinese) with townships the profile names that the registry does not hold.

    A member whose home township is not a registered township would silently escape 回避, so the
    draw and `init` refuse such a profile; the message offers the closest registered name.
    """
    problems = []

    def check(where: str, name: str) -> None:
        if name not in townships:
            guess = closest(name, townships)
            problems.append(f"{where}“{name}”不在所站名录的乡镇（街道）中" + (f"（是否为“{guess}”？）" if guess else ""))

    for team in profile.teams:
        for member in team.members:
            check(f"检查组“{team.name}”成员{member.name}的居住乡镇", member.home_township)
    for member in profile.sampling.online_inspectors:
        check(f"线上飞检人员{member.name}的居住乡镇", member.home_township)
    for township in profile.sampling.onsite_townships:
        check("sampling.onsite_townships 中的乡镇", township)
    return problems


def _format_validation(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}：县情配置有误"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "（顶层）"
        lines.append(f"  {where}: {err['msg']}")
    return "\n".join(lines)


def load_holidays(path: Path) -> dict[date, str]:
    """Read a holiday override file: a mapping of name -> [first day, last day] or a list of dates."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"{path}：无法读取节假日文件：{exc}") from exc
    holidays: dict[date, str] = {}
    if not isinstance(raw, dict):
        raise ProfileError(f"{path}：节假日文件应为“节日名: [首日, 末日]”的映射")
    for name, span in raw.items():
        if isinstance(span, list) and len(span) == 2 and all(isinstance(d, date) for d in span):
            first, last = span
            if last < first:
                raise ProfileError(f"{path}：{name}：末日 {last} 早于首日 {first}")
            for ordinal in range(first.toordinal(), last.toordinal() + 1):
                holidays[date.fromordinal(ordinal)] = str(name)
        else:
            raise ProfileError(f"{path}：{name}：应为 [YYYY-MM-DD, YYYY-MM-DD]")
    return holidays


def load_profile(path: Path) -> Profile:
    """Parse and validate a profile file, loading its holiday file if it names one."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ProfileError(f"{path}：配置文件不存在") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProfileError(f"{path}：无法读取配置文件：{exc}") from exc
    if not isinstance(raw, dict):
        raise ProfileError(f"{path}：配置文件应为 YAML 映射（键: 值）")
    try:
        profile = Profile.model_validate(raw)
    except ValidationError as exc:
        raise ProfileError(_format_validation(path, exc)) from exc
    changes: dict = {}
    if profile.holiday_file:
        changes["holidays"] = load_holidays(path.parent / profile.holiday_file)
    # A file channel's relative folder is the profile's folder's, like holiday_file.
    changes["notices"] = profile.notices.model_copy(update={"channels": {
        a: [anchor_file_url(u, path.parent) for u in urls] for a, urls in profile.notices.channels.items()}})
    return profile.model_copy(update=changes)


def revised(profile: Profile, changes: dict[str, Any]) -> Profile:
    """The profile with some settings changed, each named by its dotted path ("intake.late_submissions"), and
    validated again as a whole. A validated profile is never changed in place: it is shared."""
    data = profile.model_dump()
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        node = data
        for part in parents:
            node = node[part]
        if leaf not in node:
            raise KeyError(f"no setting {path!r} in a county profile")
        node[leaf] = value
    return Profile.model_validate(data)


def profile_from_json(data: dict) -> Profile:
    return Profile.model_validate(data)
