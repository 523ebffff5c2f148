"""The indicator system of the year-round evaluation: six dimensions, weighted, each with its indicators.

A county changes it in its profile under `evaluation:` (README "Year-round evaluation"). An indicator is
either derived from the monthly records (`source: derived`, with a `metric`) or entered by assessors after a
site visit (`source: assessed`, 0 to 100). Indicator weights count within their dimension; dimension
weights add up to 100.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DIMENSIONS = ("阵地", "队伍", "活动", "项目", "机制", "质效")

# metric -> (what it measures, in Chinese; whether it needs a target: a count that earns full marks)
METRICS: dict[str, tuple[str, bool]] = {
    "plan_submitted": ("报送活动计划的月份占比", False),
    "plan_on_time": ("按时报送活动计划的月份占比", False),
    "required_coverage": ("规定动作安排齐全的月份占比", False),
    "activities_per_month": ("月均计划活动场次（达到目标值得满分）", True),
    "participation": ("场均预计参与人数（达到目标值得满分）", True),
    "task_breadth": ("活动覆盖五项工作任务的比例", False),
    "volunteer_teams": ("由志愿服务队伍承接的活动占比", False),
    "inspection_score": ("督查平均得分（团队与文明观察员加权）", False),
    "feedback_closed": ("意见建议办结率", False),
    "lectures_delivered": ("点单宣讲落实率：派出的微型宣讲中已开讲并评单的占比（未点单的所站不计）", False),
    "lecture_rating": ("宣讲评单平均分：所站与文明观察员的评分（5 分制折算为百分制）", False),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)  # part of the shared, frozen profile


class Indicator(_Strict):
    code: str = Field(min_length=1, max_length=40, description="stable code, lowercase letters, digits, _")
    name: str = Field(min_length=1, max_length=40)
    weight: float = Field(gt=0, le=100, description="weight within the dimension")
    source: Literal["derived", "assessed"]
    metric: str | None = Field(default=None, description="derived: one of METRICS")
    target: float | None = Field(default=None, gt=0, description="derived counts: the value that earns 100")

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", v):
            raise ValueError(f"指标代码“{v}”应由小写字母、数字和下划线组成，以字母开头")
        return v

    @model_validator(mode="after")
    def _source(self) -> Indicator:
        if self.source == "derived":
            if self.metric not in METRICS:
                raise ValueError(f"指标“{self.name}”来自月度记录，metric 应为以下之一：{'、'.join(METRICS)}")
            if METRICS[self.metric][1] and self.target is None:
                raise ValueError(f"指标“{self.name}”（{self.metric}）需要 target：达到多少得满分")
        elif self.metric is not None:
            raise ValueError(f"指标“{self.name}”由评估人员填报（assessed），不应设置 metric")
        return self


class Dimension(_Strict):
    name: Literal["阵地", "队伍", "活动", "项目", "机制", "质效"]
    weight: float = Field(gt=0, le=100)
    indicators: list[Indicator] = Field(min_length=1)


class Watch(_Strict):
    bottom_share: float = Field(default=0.1, ge=0, le=0.5, description="the lowest totals flagged, as a share")
    months_without_plan: int = Field(default=3, ge=1, le=12, description="consecutive months without a plan")


def _derived(code: str, name: str, weight: float, metric: str, target: float | None = None) -> dict:
    return {"code": code, "name": name, "weight": weight, "source": "derived", "metric": metric,
            **({"target": target} if target is not None else {})}


def _assessed(code: str, name: str, weight: float) -> dict:
    return {"code": code, "name": name, "weight": weight, "source": "assessed"}


# Modelled on Nantong's six dimensions and the star ratings of other counties: what the monthly records show,
# plus what only a site visit can (the site, its signs, the volunteer roster, the station's brand).
DEFAULT_DIMENSIONS = [
    {"name": "阵地", "weight": 15, "indicators": [
        _assessed("site", "场所面积与功能布局", 60), _assessed("signage", "标识标牌与公示", 40)]},
    {"name": "队伍", "weight": 15, "indicators": [
        _derived("volunteer_teams", "志愿服务队伍承接活动", 50, "volunteer_teams"),
        _assessed("roster", "志愿者队伍名册与培训", 50)]},
    {"name": "活动", "weight": 25, "indicators": [
        _derived("plan_submitted", "按月报送计划", 30, "plan_submitted"),
        _derived("activities_per_month", "活动频次", 40, "activities_per_month", 4),
        _derived("participation", "群众参与", 30, "participation", 30),
        _derived("lectures_delivered", "点单宣讲落实", 15, "lectures_delivered")]},
    {"name": "项目", "weight": 15, "indicators": [
        _derived("task_breadth", "五项工作任务覆盖", 50, "task_breadth"),
        _assessed("brand", "一站一品牌（特色项目）", 50)]},
    {"name": "机制", "weight": 10, "indicators": [
        _derived("plan_on_time", "计划按时报送", 50, "plan_on_time"),
        _derived("feedback_closed", "意见建议办结", 50, "feedback_closed")]},
    {"name": "质效", "weight": 20, "indicators": [
        _derived("inspection_score", "督查得分", 70, "inspection_score"),
        _derived("required_coverage", "规定动作落实", 30, "required_coverage"),
        _derived("lecture_rating", "宣讲评单", 15, "lecture_rating")]},
]


class EvaluationRules(_Strict):
    dimensions: list[Dimension] = Field(default_factory=lambda: [Dimension(**d) for d in DEFAULT_DIMENSIONS])
    stars: list[float] = Field(default_factory=lambda: [90, 80, 70, 60], min_length=4, max_length=4,
                               description="lowest totals for 5, 4, 3 and 2 stars; below the last: 1 star")
    watch: Watch = Field(default_factory=Watch)
    report_days: int = Field(default=10, ge=1, le=90,
                             description="报告日期：评价期间结束后的天数（报告日期由此而定，不取生成之日）")

    @model_validator(mode="after")
    def _consistent(self) -> EvaluationRules:
        names = [d.name for d in self.dimensions]
        if sorted(names) != sorted(DIMENSIONS):
            missing = [n for n in DIMENSIONS if n not in names]
            repeated = sorted({n for n in names if names.count(n) > 1})
            raise ValueError("evaluation.dimensions 应为六个维度各一次（" + "、".join(DIMENSIONS) + "）"
                             + (f"；缺少 {'、'.join(missing)}" if missing else "")
                             + (f"；重复 {'、'.join(repeated)}" if repeated else ""))
        total = sum(d.weight for d in self.dimensions)
        if abs(total - 100) > 1e-9:
            raise ValueError(f"evaluation.dimensions 各维度权重之和应为 100，现为 {total:g}")
        codes = [i.code for d in self.dimensions for i in d.indicators]
        if len(set(codes)) != len(codes):
            raise ValueError("指标代码不能重复：" + "、".join(sorted({c for c in codes if codes.count(c) > 1})))
        if any(b >= a for a, b in zip(self.stars, self.stars[1:], strict=False)) or not all(0 < s <= 100 for s in self.stars):
            raise ValueError("evaluation.stars 应为 0 到 100 之间、从高到低的分数线，如 [90, 80, 70, 60]")
        return self

    def indicator(self, code: str) -> Indicator | None:
        return next((i for d in self.dimensions for i in d.indicators if i.code == code), None)

    @property
    def assessed_codes(self) -> list[str]:
        return [i.code for d in self.dimensions for i in d.indicators if i.source == "assessed"]
