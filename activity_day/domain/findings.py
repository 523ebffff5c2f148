"""Rectification (整改): findings from a month's scores, their states, and the notices they make. Pure functions.

A finding is one thing a station must put right: a problem a team, an online check or an observer wrote
(存在问题), or a final score below the profile's rectify line. A station's findings of one month make one
整改通知 with one deadline. The state machine:

    open ──report──▶ answered ──accept──▶ accepted
      ▲                  │
      └─────return───────┘
    open, past the deadline ─▶ overdue (a late report still moves it to answered)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from activity_day.domain.aggregate import classify
from activity_day.domain.dates import cn_date, cn_month, shift_month
from activity_day.domain.hashing import sha256_hex
from activity_day.domain.names import control_problem
from activity_day.models.enums import FindingStatus, InspectionMode

LOW_SCORE = "低分"
FINDING_COLUMNS = ["id", "month", "station_code", "township", "source", "category", "text", "deadline", "status",
                   "report", "photos", "rounds", "review_note", "reported_at", "reviewed_at", "overdue_since"]


class FindingError(ValueError):
    """A step the finding's state does not allow (e.g. accepting a finding nobody reported on)."""


class FindingChanged(FindingError):
    """The finding moved (another reviewer, a new report) between reading it and the step: nothing was done."""


VERBS = {"report": "提交整改报告", "accept": "销号", "return": "退回"}


def changed_message(action: str, now: FindingStatus) -> str:
    """What the loser of two simultaneous steps is told."""
    return f"该问题刚刚已被他人处理，现为“{now.label}”，本次{VERBS[action]}未执行；请刷新后查看"


def report_problem(text: str, limit: int) -> str | None:
    """Why a 整改报告's text cannot be taken (blank, control characters, too long), or None: one rule for the file,
    the API and the phone page."""
    if (why := control_problem(text)) is not None:
        return why
    if not text.strip():
        return "请填写整改情况"
    if len(text.strip()) > limit:
        return f"超过{limit}个字符（现有{len(text.strip())}个）"
    return None


def finding_rows(scores: pd.DataFrame, results: pd.DataFrame, stations: pd.DataFrame, *, threshold: float,
                 deadline: date) -> list[dict[str, Any]]:
    """The month's findings: one per scorer's problem text, one per station whose final score is below `threshold`.

    `scores` are the month's score rows, `results` the stations' final scores (`aggregate.station_scores`).
    The digest (source and text) is the natural key with the station and month, so compiling again adds nothing.
    """
    township = stations.set_index("code")["township"].to_dict()
    rows: list[dict[str, Any]] = []
    for r in scores.itertuples():
        text = str(r.problems or "").strip()
        if not text:
            continue
        source = InspectionMode(r.mode).label
        rows.append({"station_code": r.station_code, "township": township.get(r.station_code, ""), "source": source,
                     "category": classify(text, str(r.category or "")), "text": text,
                     "digest": sha256_hex(f"{source}|{text}"), "deadline": deadline})
    for r in results[results["final"] < threshold].itertuples():
        text = f"综合得分{r.final:g}分，低于整改线{threshold:g}分"  # the finding's month says which month
        rows.append({"station_code": r.station_code, "township": township.get(r.station_code, ""),
                     "source": LOW_SCORE, "category": LOW_SCORE, "text": text,
                     "digest": sha256_hex(f"{LOW_SCORE}|{r.station_code}"), "deadline": deadline})
    unique = {(r["station_code"], r["digest"]): r for r in rows}  # two scorers writing the same words: one finding
    return sorted(unique.values(), key=lambda r: (r["township"], r["station_code"], r["source"], r["text"]))


def is_overdue(status: str, deadline: date, today: date) -> bool:
    """An open finding whose deadline (the last day allowed) has passed."""
    return status in (FindingStatus.OPEN, FindingStatus.OVERDUE) and deadline < today


def effective_status(status: str, deadline: date, today: date) -> FindingStatus:
    """The state as of `today`: a stored open finding past its deadline is overdue."""
    return FindingStatus.OVERDUE if is_overdue(status, deadline, today) else FindingStatus(status)


@dataclass(frozen=True)
class FindingStep:
    """One step of a finding: the `action` (report, accept, return), who took it, their note (the report's text,
    or the review's), when, and the report's photos."""

    action: str
    actor: str
    note: str
    at: datetime
    photos: Sequence[str] = ()


@dataclass(frozen=True)
class Transition:
    """What a step does to a finding: its new state and the event it records."""

    status: FindingStatus
    action: str


def transition(status: str, action: str) -> Transition:
    """The next state after `action` (report, accept, return), or FindingError in Chinese naming the state."""
    current = FindingStatus(status)
    allowed = {
        "report": ({FindingStatus.OPEN, FindingStatus.OVERDUE, FindingStatus.ANSWERED}, FindingStatus.ANSWERED),
        "accept": ({FindingStatus.ANSWERED}, FindingStatus.ACCEPTED),
        "return": ({FindingStatus.ANSWERED}, FindingStatus.OPEN),
    }
    states, target = allowed[action]
    if current not in states:
        verb = VERBS[action]
        why = "已销号" if current == FindingStatus.ACCEPTED else f"状态为“{current.label}”，尚无待审核的整改报告"
        raise FindingError(f"不能{verb}：该问题{why}")
    return Transition(target, action)


def overdue_by_station(findings: pd.DataFrame, today: date) -> dict[str, int]:
    """How many 整改通知 (station × month) have at least one finding overdue on `today`, per station."""
    if findings.empty:
        return {}
    late = findings[[is_overdue(s, d, today) for s, d in zip(findings["status"], findings["deadline"], strict=True)]]
    return {str(code): int(n) for code, n in late.groupby("station_code")["month"].nunique().items()}


def counts(findings: pd.DataFrame, today: date) -> dict[str, int]:
    """Findings by effective state as of `today`: open, answered, accepted, overdue."""
    states = [effective_status(s, d, today).value for s, d in zip(findings["status"], findings["deadline"], strict=True)]
    return {s.value: states.count(s.value) for s in FindingStatus}


def with_effective_status(findings: pd.DataFrame, today: date) -> pd.DataFrame:
    return findings.assign(status=[effective_status(s, d, today).value
                                   for s, d in zip(findings["status"], findings["deadline"], strict=True)])



WORST_OVERDUE = 3  # the overdue cases the circular's body names; the attachment lists them all


def overdue_now(findings: pd.DataFrame, on: date) -> pd.DataFrame:
    """The findings still open and past their deadline on `on`: what a circular of that day calls overdue."""
    if findings.empty:
        return findings
    late = [is_overdue(s, d, on) for s, d in zip(findings["status"], findings["deadline"], strict=True)]
    return findings[late]


def overdue_codes(findings: pd.DataFrame, on: date) -> set[str]:
    """The stations with at least one finding overdue on `on` (they are not commended that month)."""
    return {str(c) for c in overdue_now(findings, on)["station_code"]} if len(findings) else set()


def overdue_rows(findings: pd.DataFrame, stations: pd.DataFrame, on: date) -> list[dict[str, Any]]:
    """One row per station with overdue findings on `on`, by township (the registry's order), then station code:
    its name, how many findings, the month of the oldest and their texts."""
    late = overdue_now(findings, on)
    if late.empty:
        return []
    named = stations.set_index("code")
    order = {t: i for i, t in enumerate(dict.fromkeys(stations["township"]))}
    rows = []
    for code, group in late.groupby("station_code"):
        code = str(code)
        township = named["township"].get(code, "")
        ordered = group.sort_values(["month", "id"])
        texts = list(dict.fromkeys(f"{cn_month(str(m))}：{t}" for m, t in zip(ordered["month"], ordered["text"],
                                                                          strict=True)))
        rows.append({"station_code": code, "name": named["name"].get(code, code), "township": township,
                     "count": len(group), "since": str(group["month"].min()),
                     "since_cn": cn_month(str(group["month"].min())), "texts": "；".join(texts)})
    return sorted(rows, key=lambda r: (order.get(r["township"], len(order)), r["station_code"]))


def summary(new: list[dict[str, Any]], earlier: pd.DataFrame, stations: pd.DataFrame, *, month: str, on: date,
            deadline: date) -> dict[str, Any]:
    """The circular's rectification figures: this month's notices; how last month's findings stand on `on`;
    and the findings still overdue on `on`, of whatever month: counted, listed by station for the attachment,
    and the few worst cases (most findings, then the oldest) for the body."""
    last = earlier[earlier["month"] == shift_month(month, -1)] if len(earlier) else earlier
    figures = counts(last, on) if len(last) else dict.fromkeys([s.value for s in FindingStatus], 0)
    rows = overdue_rows(earlier, stations, on) if len(earlier) else []
    worst = sorted(rows, key=lambda r: (-r["count"], r["since"], r["station_code"]))[:WORST_OVERDUE]
    return {"stations": len({f["station_code"] for f in new}), "findings": len(new), "deadline_cn": cn_date(deadline),
            "last_month": len(last), **figures, "overdue_total": sum(r["count"] for r in rows),
            "overdue_stations": len(rows), "overdue_townships": len({r["township"] for r in rows}),
            "overdue_rows": rows, "overdue_worst": worst}
