"""The profile's sections, a strict model each: county, calendar, teams, sampling, scoring, intake, rules."""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from activity_day.domain.names import normalize_name
from activity_day.domain.notices import Audience, literal_secrets
from activity_day.models.enums import PracticeTask


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)  # a validated profile is shared (store.counties caches it): never changed in place


class CountyInfo(_Strict):
    code: str = Field(min_length=1, max_length=12, description="行政区划代码, e.g. 321323")
    name: str = Field(min_length=1, description="县名, e.g. 泗阳县")
    office_name: str = Field(min_length=1, description="发文机关全称")
    office_short: str = Field(min_length=1, description="发文机关简称, e.g. 泗阳县文明办")
    doc_prefix: str = Field(min_length=1, max_length=20, description="发文字号前缀 (发文机关代字), e.g. 泗文明办")
    addressees: str = Field(min_length=1, description="主送机关")
    cc: str = Field(default="", description="版记·抄送")
    printer: str = Field(default="", description="版记·印发机关")
    seat: tuple[float, float] | None = Field(default=None, description="县城（出发点）经度、纬度, for patrol routes")

    @field_validator("code")
    @classmethod
    def _code_chars(cls, v: str) -> str:
        if not v.replace("-", "").isalnum():
            raise ValueError("县（市、区）代码只能包含字母、数字和“-”")
        return v


class ActivityDayRule(_Strict):
    rule: Literal["fixed", "nth_weekday"] = "fixed"
    day: int | None = Field(default=5, ge=1, le=28, description="fixed: day of month")
    n: int | None = Field(default=None, ge=1, le=4, description="nth_weekday: which occurrence")
    weekday: int | None = Field(default=None, ge=1, le=7, description="nth_weekday: ISO weekday, 1=Monday")
    holiday_shift: Literal["later", "earlier"] = "later"

    @model_validator(mode="after")
    def _complete(self) -> ActivityDayRule:
        if self.rule == "fixed" and self.day is None:
            raise ValueError("rule 为 fixed 时须填写 day")
        if self.rule == "nth_weekday" and (self.n is None or self.weekday is None):
            raise ValueError("rule 为 nth_weekday 时须填写 n 和 weekday")
        return self


class TeamMember(_Strict):
    name: str = Field(min_length=1)
    home_township: str = Field(min_length=1, description="居住乡镇（街道）: must be a township of the registry (回避)")

    @field_validator("name", "home_township")
    @classmethod
    def _one_spelling(cls, v: str) -> str:
        return normalize_name(v)


class Team(_Strict):
    name: str = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _one_spelling(cls, v: str) -> str:
        return normalize_name(v)
    members: list[TeamMember] = Field(min_length=1)


class RiskWeights(_Strict):
    """Points a recorded fact adds to a station's draw risk (docs/draw.md): 0 turns a fact off."""

    overdue_finding: int = Field(default=3, ge=0, le=20, description="整改逾期（每个逾期的整改通知）")
    low_score: int = Field(default=2, ge=0, le=20, description="上次得分低于整改线")
    late_plan: int = Field(default=1, ge=0, le=20, description="本月计划迟报")
    missing_plan: int = Field(default=2, ge=0, le=20, description="本月未报送计划")
    evidence_missing: int = Field(default=2, ge=0, le=20, description="上月活动纪实缺失")
    evidence_doubtful: int = Field(default=1, ge=0, le=20, description="上月活动纪实存疑或不符合")


class LectureRules(_Strict):
    """Micro lecture teams (微型宣讲队): how a team is formed for each order from the lecture menu."""

    avoid_home: bool = Field(default=True, description="讲师不到本人所在乡镇（街道）宣讲")
    team_min: int = Field(default=3, ge=1, le=6)
    team_max: int = Field(default=4, ge=1, le=8)
    default_cap: int = Field(default=4, ge=1, le=31, description="宣讲员库未写每月上限时的默认值")
    stories_per_item: int = Field(default=3, ge=0, le=10, description="菜单每项列出的故事数")
    answer_days_before: int = Field(default=1, ge=0, le=30,
                                    description="讲师最晚在宣讲日前几天接单或谢绝（1：前一天；0：宣讲当天也可）")

    @model_validator(mode="after")
    def _sizes(self) -> LectureRules:
        if self.team_min > self.team_max:
            raise ValueError("team_min 不能大于 team_max")
        return self


class Rectification(_Strict):
    """The rectification loop (整改): how long a station has, counted from the circular's date."""

    deadline_days: int = Field(default=15, ge=1, le=90, description="整改期限：通报印发后天数")


class EvidenceRules(_Strict):
    """How on-day check-ins and check-outs (活动纪实) are judged against the plan."""

    radius_m: float = Field(default=500, gt=0, le=50000, description="距所站登记位置的最大距离（米）")
    early_minutes: int = Field(default=60, ge=0, le=600, description="签到最早可在活动开始前多少分钟")
    late_minutes: int = Field(default=60, ge=0, le=600, description="签到最晚可在活动开始后多少分钟")
    planned_minutes: int = Field(default=90, ge=10, le=720, description="一项活动按多少分钟计")
    min_coverage: float = Field(default=0.5, gt=0, le=1, description="签到到签退至少覆盖活动时长的比例")
    max_photo_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, description="单张照片大小上限")
    accept_from_minutes: int = Field(default=120, ge=0, le=1440,
                                     description="签到、签退最早可在活动开始前多少分钟提交，更早的不予接收")
    accept_until_hours: int = Field(default=24, ge=1, le=720,
                                    description="签到、签退最晚可在活动开始后多少小时提交（含手机离线后补发），更晚的不予接收")

    @model_validator(mode="after")
    def _window(self) -> EvidenceRules:
        # A check-in judged 符合 must never be refused: the window taken is at least the window judged.
        if self.accept_from_minutes < self.early_minutes:
            raise ValueError("accept_from_minutes 不能小于 early_minutes（否则按时签到也会被拒收）")
        if self.accept_until_hours * 60 < max(self.late_minutes, self.planned_minutes):
            raise ValueError("accept_until_hours 应覆盖 late_minutes 和 planned_minutes（否则按时签到、签退也会被拒收）")
        return self


class NoticeRules(_Strict):
    """Notices (提醒与通知): the channels of each audience as apprise URLs, and the reminders' days.

    A URL takes its secrets from the environment as ${VAR} (a robot's key, a mail password), never literally:
    the profile is stored in the database and shown in lists.
    """

    channels: dict[Audience, list[str]] = Field(
        default_factory=dict, description="每类对象的通知渠道（apprise 地址），如 wecombot://${WECOM_KEY}")
    link: str = Field(default="", description="通知中给出的办理入口（小程序或网址）")
    plan_days_before: list[int] = Field(default_factory=lambda: [3, 1], description="计划报送截止前几天提醒所站")
    review_days_before: list[int] = Field(default_factory=lambda: [1], description="征求意见截止前几天提醒科室")
    scores_days_after: list[int] = Field(default_factory=lambda: [1], description="评分截止后几天提醒检查组")
    rectification_days_before: list[int] = Field(default_factory=lambda: [3], description="整改期限前几天提醒所站")
    max_attempts: int = Field(default=3, ge=1, le=20, description="每条通知最多发送几次，之后记为发送失败")
    timeout_seconds: float = Field(default=10, ge=1, le=120,
                                   description="每个通知渠道等待连接和应答的秒数；超时后本轮不再向该渠道发送")
    timeouts: dict[str, float] = Field(default_factory=dict,
                                       description="个别渠道的等待秒数（键为 channels 中的渠道地址），覆盖 timeout_seconds")

    @field_validator("plan_days_before", "review_days_before", "scores_days_after", "rectification_days_before")
    @classmethod
    def _days(cls, v: list[int]) -> list[int]:
        if any(d < 0 or d > 60 for d in v):
            raise ValueError("提醒天数应在 0 到 60 之间")
        return sorted(set(v), reverse=True)

    @model_validator(mode="after")
    def _timeouts_of_channels(self) -> NoticeRules:
        known = {u for urls in self.channels.values() for u in urls}
        for url, seconds in self.timeouts.items():
            if url not in known:
                raise ValueError(f"timeouts 中的“{url}”不是 channels 中的渠道地址")
            if not 1 <= seconds <= 120:
                raise ValueError(f"渠道“{url}”的等待秒数应在 1 到 120 之间")
        return self

    def timeout_of(self, channel: str) -> float:
        """How long a channel may take to connect and to answer."""
        return self.timeouts.get(channel, self.timeout_seconds)

    @field_validator("channels")
    @classmethod
    def _no_literal_secrets(cls, v: dict[Audience, list[str]]) -> dict[Audience, list[str]]:
        for audience, urls in v.items():
            for url in urls:
                if "://" not in url:
                    raise ValueError(f"{audience.label}的通知渠道“{url}”不是 apprise 地址（应形如 mailtos://…）")
                found = literal_secrets(url)
                if found:
                    raise ValueError(f"{audience.label}的通知渠道中{'、'.join(found)}直接写在配置里："
                                     "请改为环境变量，写作 ${变量名}，如 wecombot://${WECOM_KEY}")
        return v


class Sampling(_Strict):
    ratio: str = Field(default="1/3", description="share of stations drawn, as a fraction")
    publish_at: str = Field(default="县新时代文明实践中心网站", min_length=1,
                            description="where the draw record is published, as the circular names it")
    onsite_share: float = Field(default=0.5, ge=0, le=1, description="share of townships patrolled on site")
    onsite_townships: list[str] = Field(default_factory=list, description="if set, exactly these are on site")

    @field_validator("onsite_townships")
    @classmethod
    def _township_spelling(cls, v: list[str]) -> list[str]:
        return [normalize_name(t) for t in v]
    online_inspectors: list[TeamMember] = Field(
        default_factory=list, description="staff who run the video spot checks; empty: the teams do them")

    @field_validator("online_inspectors")
    @classmethod
    def _distinct_inspectors(cls, v: list[TeamMember]) -> list[TeamMember]:
        names = [m.name for m in v]
        if len(set(names)) != len(names):  # each is labelled 线上·<name> in the draw and the lists
            raise ValueError("线上飞检人员姓名不能重复（同名者请加以区分，如 王伟（宣传部））")
        return v
    online_slot_minutes: int = Field(default=15, ge=5, le=120)
    online_start: str = Field(default="09:00", pattern=r"^\d{2}:\d{2}$")
    onsite_start: str = Field(default="08:30", pattern=r"^\d{2}:\d{2}$", description="patrols set out")
    visit_minutes: int = Field(default=40, ge=5, le=240, description="time spent at each on-site station")
    travel_kmh: float = Field(default=30, gt=0, le=120, description="average road speed between stations")
    risk: RiskWeights = Field(default_factory=RiskWeights, description="风险加权抽查的分值")

    @field_validator("ratio")
    @classmethod
    def _fraction(cls, v: str) -> str:
        try:
            f = Fraction(v)
        except (ValueError, ZeroDivisionError) as exc:
            raise ValueError(f"抽样比例“{v}”应写成分数，如 1/3") from exc
        if not 0 < f <= 1:
            raise ValueError("抽样比例应大于 0、不超过 1")
        return v

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.ratio)


class Deadlines(_Strict):
    """Day offsets from the activity day (negative = before)."""

    draft: int = -25
    review: int = -18
    station_plans: int = -3
    sample: int = -2
    scores: int = 3
    compile: int = 5

    @model_validator(mode="after")
    def _in_order(self) -> Deadlines:
        # The official plan is issued on the review day: every deadline it sets must come after it.
        if not self.draft < self.review < self.station_plans <= 0:
            raise ValueError("日期应依次为：draft（起草）早于 review（征求意见截止、印发正式方案），"
                             "早于 station_plans（计划报送截止），且不晚于活动日（0）")
        if not self.review < self.sample or not 0 <= self.scores <= self.compile:
            raise ValueError("sample（抽样）应晚于 review；scores（评分汇总）不早于活动日，compile（通报）不早于 scores")
        return self


class LearningRules(_Strict):
    per_category: dict[str, int] = Field(
        default_factory=lambda: {"THEORY": 4, "POLICY": 4, "VALUES": 4, "CULTURE": 4, "CUSTOMS": 4}
    )
    no_repeat_months: int = Field(default=3, ge=0, le=12)


class ChecklistRules(_Strict):
    optional_per_task: int = Field(default=4, ge=0, le=20)


class CountyProgram(_Strict):
    name: str = Field(min_length=1)
    task: str
    description: str = ""

    @field_validator("task")
    @classmethod
    def _task(cls, v: str) -> str:
        keys = {t.key for t in PracticeTask}
        if v not in keys:
            raise ValueError(f"task 应为以下之一：{'、'.join(sorted(keys))}")
        return v


class RubricItem(_Strict):
    name: str = Field(min_length=1, max_length=30)
    weight: float = Field(gt=0, le=100)


DEFAULT_RUBRIC = [
    {"name": "规定动作", "weight": 30},  # 规定动作不走样、不变形
    {"name": "组织实施", "weight": 20},
    {"name": "群众参与", "weight": 20},
    {"name": "志愿服务", "weight": 15},
    {"name": "台账资料", "weight": 15},
]


class Scoring(_Strict):
    rubric: list[RubricItem] = Field(
        default_factory=lambda: [RubricItem(**i) for i in DEFAULT_RUBRIC], min_length=1,
        description="scoring items; weights add up to 100; score files may carry one column per item")
    team_weight: float = Field(default=0.7, ge=0, le=1)
    observer_weight: float = Field(default=0.3, ge=0, le=1)
    commend_threshold: float = Field(default=90, ge=0, le=100)
    commend_top: int = Field(default=10, ge=1, le=100, description="at most this many stations are commended")
    rectify_threshold: float = Field(default=70, ge=0, le=100)

    @model_validator(mode="after")
    def _weights(self) -> Scoring:
        if abs(self.team_weight + self.observer_weight - 1) > 1e-9:
            raise ValueError("team_weight 与 observer_weight 之和应为 1")
        total = sum(i.weight for i in self.rubric)
        if abs(total - 100) > 1e-9:
            raise ValueError(f"评分细则各项分值之和应为 100，现为 {total:g}")
        if len({i.name for i in self.rubric}) != len(self.rubric):
            raise ValueError("评分细则的项目名称不能重复")
        return self

    @property
    def rubric_pairs(self) -> list[tuple[str, float]]:
        return [(i.name, i.weight) for i in self.rubric]


class Intake(_Strict):
    """Station plan intake (the mini-program API and the inbox)."""

    late_submissions: Literal["accept", "refuse"] = Field(
        default="accept", description="after the deadline: accept and flag late, or refuse")
    deadline_time: str = Field(default="23:59", pattern=r"^\d{2}:\d{2}$",
                               description="time of day the deadline ends, Asia/Shanghai")
    max_activities: int = Field(default=30, ge=1, le=500, description="rows per station plan")
    max_text: int = Field(default=200, ge=10, le=200, description="characters per text field (columns hold 200)")
    max_body_bytes: int = Field(default=262144, ge=1024, description="largest API request body")
