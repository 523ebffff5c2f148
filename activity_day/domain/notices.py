"""Notices (提醒与通知): who is told what, and when. Pure: frames and dates in, notice drafts out.

A notice is one thing one recipient should do (or know), on one occasion of one month. Its idempotency key
(audience:subject:month:occasion) makes enqueueing it twice a no-op, so the daily run, a retry of it and the steps
where facts happen (the official plan, the circular, an overdue finding) may all propose the same notice.

Occasions and their days, counted from the profile's deadlines (`notices:` in the profile):
- plan-missing@-3, plan-missing@-1 (and plan-required@…): before the station-plan deadline, to stations
  without a plan, or whose plan leaves out a required action (规定动作);
- review-pending@-1: before the review deadline, to the sections (departments) that have not answered;
- assignment@0: on the activity day, to each inspection team (its stations) and observer (its township);
- scores-missing@+1: after the scoring deadline, to teams with stations they have not scored;
- rectification-due@-3: before a finding's deadline, to a station with findings still open;
- rectification-overdue: to a station with overdue findings (once per station and finding month);
- plan-issued, circular-issued: when the document is issued, once to each audience.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pandas as pd

from activity_day.domain.dates import cn_date, cn_month


class Audience(StrEnum):
    STATIONS = "stations"
    SECTIONS = "sections"
    TEAMS = "teams"
    OBSERVERS = "observers"
    OFFICE = "office"

    @property
    def label(self) -> str:
        return {"stations": "所站", "sections": "征求意见科室", "teams": "检查组", "observers": "文明观察员",
                "office": "县文明办"}[self.value]


class Occasion(StrEnum):
    PLAN_MISSING = "plan-missing"
    PLAN_REQUIRED = "plan-required"
    REVIEW_PENDING = "review-pending"
    ASSIGNMENT = "assignment"
    SCORES_MISSING = "scores-missing"
    RECTIFICATION_DUE = "rectification-due"
    RECTIFICATION_OVERDUE = "rectification-overdue"
    PLAN_ISSUED = "plan-issued"
    CIRCULAR_ISSUED = "circular-issued"

    @property
    def label(self) -> str:
        return {"plan-missing": "计划报送提醒", "plan-required": "规定动作补报提醒", "review-pending": "征求意见提醒",
                "assignment": "督查任务通知", "scores-missing": "评分报送提醒", "rectification-due": "整改到期提醒",
                "rectification-overdue": "整改逾期提醒", "plan-issued": "正式方案印发通知",
                "circular-issued": "通报印发通知"}[self.value]


class NoticeState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"pending": "待发送", "sent": "已发送", "failed": "发送失败"}[self.value]


ALL = "all"  # the subject of a notice to a whole audience (a document issued)
# Where the profile's channel URLs take their secrets from: ${VAR}, read from the environment when sending.
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
SECRET_QUERY = {"pass", "password", "secret", "token", "key", "apikey", "access_token", "webhook"}
# Robots whose address is the secret: wecombot://KEY, dingtalk://[SECRET@]TOKEN/, feishu://TOKEN…
TOKEN_SCHEMES = {"wecombot", "dingtalk", "feishu", "lark", "wxpusher", "serverchan", "schan"}


def occasion_id(occasion: Occasion, offset: int | None = None) -> str:
    """`plan-missing@-3`: the occasion with its day offset from the deadline, if it has one."""
    return occasion.value if offset is None else f"{occasion.value}@{offset:+d}"


@dataclass(frozen=True)
class NoticeDraft:
    """A notice to enqueue: the template and its context, for one recipient of an audience."""

    audience: Audience
    subject: str  # station code, department, team or observer name, or ALL
    recipient: str  # as the text addresses them
    month: str
    occasion: str  # occasion_id(...)
    template: str  # templates/notices/<template>.j2
    title: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.audience.value}:{self.subject}:{self.month}:{self.occasion}"


# --- channels -----------------------------------------------------------------------------------------------------

def literal_secrets(url: str) -> list[str]:
    """What in an apprise URL looks like a secret written literally (not as ${VAR}); empty when none."""
    problems = []
    parts = urlsplit(url)
    if parts.password and not PLACEHOLDER.fullmatch(parts.password):
        problems.append("口令")
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name.lower() in SECRET_QUERY and value and not PLACEHOLDER.fullmatch(value):
            problems.append(f"参数 {name}")
    if parts.scheme.lower() in TOKEN_SCHEMES:  # the key (and a signing secret before @) is the address itself
        if not all(PLACEHOLDER.fullmatch(p) for p in re.split(r"[@:]", parts.netloc) if p):
            problems.append("机器人密钥")
    return problems


def substitute(url: str, environment: Mapping[str, str]) -> str:
    """The channel URL with each ${VAR} replaced from `environment`; KeyError names a variable not set."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in environment:
            raise KeyError(name)
        return environment[name]

    return PLACEHOLDER.sub(value, url)


FILE_SCHEME = "file://"


def anchor_file_url(url: str, folder: Path) -> str:
    """A file channel (file://notices) with its relative folder made absolute against `folder`."""
    if not url.startswith(FILE_SCHEME) or url[len(FILE_SCHEME):].startswith("/") or PLACEHOLDER.search(url):
        return url
    return FILE_SCHEME + str((folder / url[len(FILE_SCHEME):]).resolve())


def placeholders(url: str) -> list[str]:
    return PLACEHOLDER.findall(url)


CHANNEL_KINDS = {"json": "Webhook", "jsons": "Webhook", "form": "Webhook", "forms": "Webhook", "xml": "Webhook",
                 "xmls": "Webhook", "wecombot": "企业微信群机器人", "dingtalk": "钉钉机器人", "feishu": "飞书机器人",
                 "lark": "飞书机器人", "mailto": "邮件", "mailtos": "邮件", "file": "文件"}
HTTP_CN = {400: "请求有误", 401: "认证失败，口令或密钥不对", 403: "拒绝访问", 404: "地址不存在", 405: "不接受这种请求",
           408: "请求超时", 413: "内容过长", 429: "请求过于频繁", 500: "对方服务器内部错误", 502: "网关错误",
           503: "服务暂不可用", 504: "网关超时"}


def channel_label(url: str) -> str:
    """A channel as people read it: its kind in Chinese and its address as the profile writes it (secrets stay
    ${VAR}), e.g. Webhook（127.0.0.1:8080/stations）, 邮件（smtp.example.gov.cn:465）."""
    parts = urlsplit(url)
    kind = CHANNEL_KINDS.get(parts.scheme.lower(), parts.scheme)
    if parts.scheme.lower() == "file":
        return f"{kind}（{url[len(FILE_SCHEME):]}）"
    host = parts.netloc.rsplit("@", 1)[-1] if parts.scheme.lower() not in TOKEN_SCHEMES else parts.netloc
    return f"{kind}（{host}{parts.path.rstrip('/')}）"


def with_timeout(url: str, seconds: float) -> str:
    """An apprise URL that waits at most `seconds` to connect and to read (its cto and rto), unless it says so
    itself; a file channel is left as it is."""
    if url.startswith(FILE_SCHEME):
        return url
    parts = urlsplit(url)
    given = {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    extra = "&".join(f"{k}={seconds:g}" for k in ("cto", "rto") if k not in given)
    if not extra:
        return url
    return parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra).geturl()


@dataclass(frozen=True)
class Failure:
    """Why a channel did not take a notice, in Chinese with the channel named; `pauses`: it did not answer in time
    or could not be reached, so the rest of the send round skips that channel (one hung robot or an unreachable
    server costs a round one attempt, not one per notice and pass); other failures are retried as usual."""

    text: str
    pauses: bool = False


def explain_failure(label: str, log: str, timeout: float, *, waited: bool = False) -> Failure:
    """The Chinese for what apprise logged (in English) when a channel failed; `waited`: the attempt took the whole
    timeout (whatever was logged, the channel did not answer)."""
    lowered = log.lower()
    if waited or "timed out" in lowered or "timeout" in lowered:
        return Failure(f"{label}：{timeout:g}秒内没有应答（超时），本轮不再向该渠道发送", pauses=True)
    if any(w in lowered for w in ("connection refused", "failed to establish", "name or service not known",
                                  "no route to host", "network is unreachable", "nodename nor servname")):
        return Failure(f"{label}：无法连接（对方没有在监听，或网络不通），本轮不再向该渠道发送", pauses=True)
    if found := re.search(r"error=(\d{3})", log):
        code = int(found.group(1))
        return Failure(f"{label}：对方返回 HTTP {code}（{HTTP_CN.get(code, '请求未被接受')}）")
    if found := re.search(r"\((\d{3}), b?['\"]", log):
        code = int(found.group(1))
        what = ("拒绝登录，用户名或口令不对" if code in (530, 534, 535) else
                "暂时拒收，稍后重试" if code < 500 else "拒收")
        return Failure(f"{label}：邮件服务器{what}（SMTP {code}）")
    if "authentication" in lowered or "login" in lowered:
        return Failure(f"{label}：邮件服务器拒绝登录，用户名或口令不对")
    if "email" in lowered:
        return Failure(f"{label}：邮件服务器拒收")
    return Failure(f"{label}：发送失败（渠道没有说明原因）")


# --- which notices are due -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Offsets:
    """The days of the reminders, from the profile: before or after each deadline."""

    plan_days_before: tuple[int, ...] = (3, 1)
    review_days_before: tuple[int, ...] = (1,)
    scores_days_after: tuple[int, ...] = (1,)
    rectification_days_before: tuple[int, ...] = (3,)


@dataclass(frozen=True)
class MonthFacts:
    """What a month's reminders are judged on, as of the day: the plan's dates and who has done what."""

    month: str
    month_label: str
    activity_date: date
    review_deadline: date
    plan_deadline: date
    scores_deadline: date
    review_open: bool  # the draft is out and the official plan not yet issued
    plan_issued: bool
    departments: list[str]
    answered: set[str]  # departments that have commented
    stations: pd.DataFrame  # code, name, township, leader, phone
    plans: pd.DataFrame  # station_code
    uncovered: pd.DataFrame  # code, name, missing_codes
    assignments: pd.DataFrame  # station_code, township, mode, team, slot
    scores: pd.DataFrame  # station_code, mode, scorer
    observers: list[tuple[str, str]]  # (name, township) of live observer tokens
    dates_cn: dict[str, str] = field(default_factory=dict)


def trigger_days(*, activity_date: date, review: date, station_plans: date, scores: date,
                 offsets: Offsets) -> set[date]:
    """The days on which a month has reminders (the month's facts need loading only then)."""
    return ({review - timedelta(days=b) for b in offsets.review_days_before}
            | {station_plans - timedelta(days=b) for b in offsets.plan_days_before}
            | {activity_date} | {scores + timedelta(days=a) for a in offsets.scores_days_after})


def due_on(day: date, facts: MonthFacts, offsets: Offsets, base: Mapping[str, Any]) -> list[NoticeDraft]:
    """The reminders of a month that fall on `day`; `base` is the context every template gets (office, link)."""
    out: list[NoticeDraft] = []
    common = dict(base, month_label=facts.month_label, **{f"{k}_cn": v for k, v in facts.dates_cn.items()})
    for before in offsets.review_days_before:
        if facts.review_open and day == facts.review_deadline - timedelta(days=before):
            out += review_reminders(facts, -before, common)
    if facts.plan_issued:
        for before in offsets.plan_days_before:
            if day == facts.plan_deadline - timedelta(days=before):
                out += plan_reminders(facts, -before, common)
        if day == facts.activity_date:
            out += assignment_notices(facts, common)
        for after in offsets.scores_days_after:
            if day == facts.scores_deadline + timedelta(days=after):
                out += score_reminders(facts, after, common)
    return out


def review_reminders(facts: MonthFacts, offset: int, common: Mapping[str, Any]) -> list[NoticeDraft]:
    occasion = occasion_id(Occasion.REVIEW_PENDING, offset)
    return [NoticeDraft(Audience.SECTIONS, d, d, facts.month, occasion, "review-pending",
                        f"{common['office']}：{facts.month_label}活动日方案征求意见", dict(common, department=d))
            for d in facts.departments if d not in facts.answered]


def plan_reminders(facts: MonthFacts, offset: int, common: Mapping[str, Any]) -> list[NoticeDraft]:
    missing = facts.stations[~facts.stations["code"].isin(facts.plans["station_code"])]
    out = [NoticeDraft(Audience.STATIONS, s.code, s.name, facts.month, occasion_id(Occasion.PLAN_MISSING, offset),
                       "plan-missing", f"{common['office']}：{facts.month_label}活动计划报送提醒",
                       dict(common, station=s.name, leader=s.leader))
           for s in missing.itertuples()]
    out += [NoticeDraft(Audience.STATIONS, s.code, s.name, facts.month, occasion_id(Occasion.PLAN_REQUIRED, offset),
                        "plan-required", f"{common['office']}：{facts.month_label}规定动作补报提醒",
                        dict(common, station=s.name, leader=s.leader, codes=s.missing_codes))
            for s in facts.uncovered.itertuples()]
    return out


def assignment_notices(facts: MonthFacts, common: Mapping[str, Any]) -> list[NoticeDraft]:
    """On the day: each team its stations in visiting order, each observer the drawn stations of its township."""
    names = facts.stations.set_index("code")["name"].to_dict()
    occasion, out = occasion_id(Occasion.ASSIGNMENT, 0), []
    for team, rows in facts.assignments.groupby("team", sort=True):
        stations = sorted(({"code": r.station_code, "name": names.get(r.station_code, r.station_code),
                            "slot": r.slot or ""} for r in rows.itertuples()), key=lambda s: visiting_order(s["slot"]))
        out.append(NoticeDraft(Audience.TEAMS, str(team), str(team), facts.month, occasion, "assignment-team",
                               f"{common['office']}：{facts.month_label}督查任务", dict(common, team=team,
                                                                                      stations=stations)))
    for name, township in facts.observers:
        drawn = facts.assignments[facts.assignments["township"] == township]
        stations = [{"code": c, "name": names.get(c, c)} for c in drawn["station_code"]]
        out.append(NoticeDraft(Audience.OBSERVERS, name, name, facts.month, occasion, "assignment-observer",
                               f"{common['office']}：{facts.month_label}观察员评分", dict(
                                   common, observer=name, township=township, stations=stations)))
    return out


def visiting_order(slot: str) -> tuple[int, str]:
    """Sort key of a draw slot: an on-site visit's number (第3站 08:56), else the online slot's time."""
    found = re.match(r"第(\d+)站", slot)
    return (int(found.group(1)), slot) if found else (0, slot)


def score_reminders(facts: MonthFacts, offset: int, common: Mapping[str, Any]) -> list[NoticeDraft]:
    """Teams with drawn stations they have not scored (a score's scorer is the team, in the draw's mode)."""
    scored = set(zip(facts.scores["station_code"], facts.scores["mode"], facts.scores["scorer"], strict=True))
    names = facts.stations.set_index("code")["name"].to_dict()
    out = []
    for team, rows in facts.assignments.groupby("team", sort=True):
        missing = [names.get(r.station_code, r.station_code) for r in rows.itertuples()
                   if (r.station_code, r.mode, team) not in scored]
        if missing:
            out.append(NoticeDraft(Audience.TEAMS, str(team), str(team), facts.month,
                                   occasion_id(Occasion.SCORES_MISSING, offset), "scores-missing",
                                   f"{common['office']}：{facts.month_label}评分报送提醒",
                                   dict(common, team=team, stations=missing)))
    return out


def rectification_notices(findings: pd.DataFrame, stations: pd.DataFrame, day: date, days_before: Iterable[int],
                          base: Mapping[str, Any]) -> list[NoticeDraft]:
    """Stations with open findings due in a few days, and stations with overdue ones, as of `day`.

    `findings` has month, station_code, text, deadline and status (stored: open, answered, accepted, overdue).
    One notice per station and finding month: a station's findings of a month make one 整改通知.
    """
    if findings.empty:
        return []
    names = stations.set_index("code")["name"].to_dict()
    out = []
    waiting = findings[findings["status"].isin(["open", "overdue"])]
    for (month, code), rows in waiting.groupby(["month", "station_code"], sort=True):
        deadline = min(rows["deadline"])
        context = dict(base, station=names.get(code, code), month_label=cn_month(str(month)),
                       deadline_cn=cn_date(deadline), count=len(rows), items=list(rows["text"]),
                       numbers=[int(i) for i in rows["id"]] if "id" in rows else [])
        if deadline < day:
            out.append(NoticeDraft(Audience.STATIONS, str(code), names.get(code, code), str(month),
                                   occasion_id(Occasion.RECTIFICATION_OVERDUE), "rectification-overdue",
                                   f"{base['office']}：整改逾期提醒", context))
        for before in days_before:
            if deadline - timedelta(days=before) == day and (rows["status"] == "open").any():
                out.append(NoticeDraft(Audience.STATIONS, str(code), names.get(code, code), str(month),
                                       occasion_id(Occasion.RECTIFICATION_DUE, -before), "rectification-due",
                                       f"{base['office']}：整改到期提醒", context))
    return out


ISSUED_TO = {
    Occasion.PLAN_ISSUED: (Audience.STATIONS, Audience.SECTIONS, Audience.TEAMS, Audience.OFFICE),
    Occasion.CIRCULAR_ISSUED: (Audience.STATIONS, Audience.SECTIONS, Audience.TEAMS, Audience.OBSERVERS,
                               Audience.OFFICE),
}


def issued_notices(occasion: Occasion, month: str, base: Mapping[str, Any], *, title: str, doc_number: str,
                   files: list[str]) -> list[NoticeDraft]:
    """A document issued (the official plan, the circular): one notice to each of its audiences."""
    context = dict(base, month_label=cn_month(month), document=title, doc_number=doc_number, files=files)
    return [NoticeDraft(a, ALL, a.label if a is Audience.OFFICE else f"全体{a.label}", month, occasion_id(occasion), occasion.value,
                        f"{base['office']}：{title}", dict(context, audience=a.label, to=a.value))
            for a in ISSUED_TO[occasion]]
