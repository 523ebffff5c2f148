"""Enumerations from the glossary. Values are the Chinese terms users write in files."""

from __future__ import annotations

from enum import StrEnum


class StationKind(StrEnum):
    INSTITUTE = "所"
    STATION = "站"


class PracticeTask(StrEnum):
    STUDY_THEORY = "学习实践科学理论"
    EXPLAIN_POLICY = "宣传宣讲党的政策"
    CULTIVATE_VALUES = "培育践行主流价值"
    ENRICH_CULTURE = "丰富活跃文化生活"
    REFORM_CUSTOMS = "持续深入移风易俗"

    @property
    def key(self) -> str:
        return self.name.lower()

    @classmethod
    def from_key(cls, key: str) -> PracticeTask:
        return cls[key.upper()]


class ActionKind(StrEnum):
    REQUIRED = "规定动作"
    SELF_SELECTED = "自选动作"
    SIGNATURE = "特色动作"


class InspectionMode(StrEnum):
    """How a station was inspected: stored as the code (as in the draw), shown and typed as the label."""

    ONLINE = "online"
    ONSITE = "onsite"
    OBSERVER = "observer"

    @property
    def label(self) -> str:
        """What users read and type in score files: 线上, 线下, 观察员."""
        return {"online": "线上", "onsite": "线下", "observer": "观察员"}[self.value]

    @property
    def rank(self) -> int:
        """Order in lists: the teams' online and on-site checks first, then the observers."""
        return list(InspectionMode).index(self)


class PlanStatus(StrEnum):
    DRAFT = "draft"
    OFFICIAL = "official"


class Disposition(StrEnum):
    ADOPTED = "采纳"
    PARTLY = "部分采纳"
    NOT_ADOPTED = "不采纳"
    NO_COMMENT = "无意见"


class Channel(StrEnum):
    """How a station plan arrived: a spreadsheet (file import or inbox) or the mini program's API."""

    EXCEL = "excel"
    API = "api"


class SubmissionStatus(StrEnum):
    """The `status` of an API submission, in the response and in the `submission` table."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    REFUSED_LATE = "refused_late"
    NOT_OPEN = "not_open"
    CONFLICT = "conflict"  # answered, never stored: the stored row is the first use of the id


class CommentSource(StrEnum):
    FILE = "file"
    FORM = "form"
    SILENCE = "silence"


class FeedbackStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """As lists and exports show it: 待办理, 已答复, 已办结."""
        return {"open": "待办理", "answered": "已答复", "closed": "已办结"}[self.value]


class Step(StrEnum):
    """The month's steps, in order, as flows and commands name them."""

    DRAFT = "draft"
    REVIEW = "review"
    COLLECT = "collect"
    SAMPLE = "sample"
    COMPILE = "compile"

    @property
    def cn(self) -> str:
        """The step's Chinese name, as in flow run names (2027年2月·方案起草)."""
        return {"draft": "方案起草", "review": "征求意见", "collect": "计划收集", "sample": "抽样督查",
                "compile": "通报汇编"}[self.value]


class FindingStatus(StrEnum):
    """A rectification finding's state: open until the station reports, answered until the office reviews it
    (accepted closes it; returned opens it again), overdue when its deadline passed while open."""

    OPEN = "open"
    ANSWERED = "answered"
    ACCEPTED = "accepted"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        """As lists and documents show it: 待整改, 待审核, 已销号, 已逾期."""
        return {"open": "待整改", "answered": "待审核", "accepted": "已销号", "overdue": "已逾期"}[self.value]


class Verdict(StrEnum):
    """The judgement of an on-day evidence record against the plan (活动纪实)."""

    PASS = "符合"
    DOUBT = "存疑"
    FAIL = "不符合"


class ScorerRole(StrEnum):
    """Who holds a scorer token: an inspection team (its assigned stations), a civic observer (a township), or a
    lecture speaker (their own lectures, no scoring)."""

    TEAM = "team"
    OBSERVER = "observer"
    SPEAKER = "speaker"  # a lecture pool speaker: answers their own lectures (接单/谢绝), scores nothing
