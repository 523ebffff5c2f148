"""Notices (提醒与通知): the outbox written with the facts that cause it, and its delivery through apprise.

Enqueueing renders each notice (templates/notices/*.j2) once per channel of its audience and writes it in the
caller's transaction, keyed by (key, channel): proposing the same notice again writes nothing. Sending claims one
attempt at a time (so two senders never deliver the same notice), delivers it with apprise and records the outcome
at once: a delivered notice is never sent again, a failing channel costs only its own notices an attempt, and after
the profile's `max_attempts` a notice is failed, with its last error, until `activity-day notices retry`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pandas as pd
from sqlmodel import Session, select

from activity_day.documents.render import environment
from activity_day.domain import aggregate
from activity_day.domain import notices as rules
from activity_day.domain.dates import cn_month, shift_month
from activity_day.domain.notices import Audience, NoticeDraft, NoticeState, Occasion
from activity_day.domain.profile import Profile
from activity_day.settings import channel_secrets
from activity_day.store import crud
from activity_day.store import findings as findings_store
from activity_day.store import notices as store
from activity_day.store.database import transaction
from models.enums import CommentSource, ScorerRole
from models.tables import Notice, ScorerToken

log = logging.getLogger(__name__)
CONTRACT = ["key", "audience", "recipient", "channel", "occasion", "state", "attempts"]


# --- the file channel ---------------------------------------------------------------------------------------------

def _register_file_channel() -> None:
    """apprise has no file channel; `file://folder` writes each notice as a text file there (the demo's channel)."""
    from apprise.decorators import notify

    @notify(on="file", name="文件")
    def _write(body: str, title: str, notify_type: str, meta: dict, *args: Any, **kwargs: Any) -> bool:
        query = meta.get("qsd") or {}
        folder, name = Path(unquote(query.get("dir", "notices"))), query.get("name") or "notice"
        folder.mkdir(parents=True, exist_ok=True)
        safe = "".join("_" if c in ':/\\?*"<>|' else c for c in name)
        (folder / f"{safe}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
        return True


@lru_cache(maxsize=1)
def _apprise():
    import apprise

    _register_file_channel()
    return apprise


def _file_url(url: str, key: str) -> str:
    # apprise folds file:///a/b into host "a": hand the folder over as a parameter instead.
    folder = url[len(rules.FILE_SCHEME):]
    return f"{rules.FILE_SCHEME}local/?dir={quote(folder, safe='')}&name={quote(key, safe='')}"


def deliver(channel: str, *, key: str, title: str, body: str, secrets: Mapping[str, str]) -> tuple[bool, str]:
    """Send one notice through one channel (an apprise URL with ${VAR} secrets); returns (delivered, error)."""
    apprise = _apprise()
    try:
        url = rules.substitute(channel, secrets)
    except KeyError as exc:
        return False, f"环境变量 {exc.args[0]} 未设置（通知渠道的密钥）"
    if url.startswith(rules.FILE_SCHEME):
        url = _file_url(url, key)
    sender = apprise.Apprise()
    if not sender.add(url):
        return False, "通知渠道地址无法识别（apprise 不支持或格式有误）"
    try:
        with apprise.LogCapture(level=logging.WARNING) as captured:
            delivered = bool(sender.notify(title=title, body=body))
    except Exception as exc:  # a plugin's own failure is that channel's failure, not the run's
        delivered, captured = False, None
        error = f"{type(exc).__name__}: {exc}"
    else:
        lines = [ln.split(" - ", 2)[-1].strip() for ln in captured.getvalue().splitlines() if ln.strip()]
        error = "" if delivered else (lines[-1] if lines else "发送失败（渠道未说明原因）")
    for name in rules.placeholders(channel):  # never keep a secret in the outbox
        if secrets.get(name):
            error = error.replace(secrets[name], "***")
    return delivered, error


# --- enqueueing ---------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _templates():
    return environment()


def render(draft: NoticeDraft) -> str:
    return _templates().get_template(f"notices/{draft.template}.j2").render(**draft.context).strip()


def base_context(profile: Profile) -> dict[str, Any]:
    return {"office": profile.county.office_short, "link": profile.notices.link}


def enqueue(session: Session, county: str, drafts: Iterable[NoticeDraft], *, profile: Profile,
            now: datetime | None = None) -> int:
    """Write the drafts into the outbox in the caller's transaction, once per channel of their audience;
    returns how many rows were new. An audience without channels gets no rows."""
    now = now or datetime.now(UTC)
    rows = []
    for draft in drafts:
        channels = profile.notices.channels.get(draft.audience, [])
        if not channels:
            continue
        body = render(draft)
        rows += [dict(county=county, month=draft.month, key=draft.key, audience=draft.audience.value,
                      subject=draft.subject[:80], recipient=draft.recipient[:120], channel=channel,
                      occasion=draft.occasion, template=draft.template, title=draft.title[:200], body=body,
                      state=NoticeState.PENDING.value, attempts=0, last_error="", created_at=now)
                 for channel in channels]
    return store.add(session=session, rows=rows)


def enqueue_issued(session: Session, county: str, month: str, occasion: Occasion, *, title: str, doc_number: str,
                   files: Sequence[str]) -> int:
    """A document issued (official plan, circular): notices to its audiences, in the issuing transaction."""
    profile = crud.load_profile_of(session=session, county=county)
    drafts = rules.issued_notices(occasion, month, base_context(profile), title=title, doc_number=doc_number,
                                  files=[Path(f).name for f in files])
    return enqueue(session, county, drafts, profile=profile)


def enqueue_rectification(session: Session, county: str, day: date, *, profile: Profile | None = None,
                          findings: pd.DataFrame | None = None, stations: pd.DataFrame | None = None) -> int:
    """Stations with findings due soon or overdue as of `day`, in the caller's transaction."""
    profile = profile or crud.load_profile_of(session=session, county=county)
    findings = findings_store.findings_frame(session=session, county=county) if findings is None else findings
    if findings.empty:
        return 0
    stations = crud.stations_frame(session=session, county=county) if stations is None else stations
    drafts = rules.rectification_notices(findings, stations, day, profile.notices.rectification_days_before,
                                         base_context(profile))
    return enqueue(session, county, drafts, profile=profile)


def _offsets(profile: Profile) -> rules.Offsets:
    n = profile.notices
    return rules.Offsets(tuple(n.plan_days_before), tuple(n.review_days_before), tuple(n.scores_days_after),
                         tuple(n.rectification_days_before))


@dataclass(frozen=True)
class _MonthPlans:
    content: Any  # PlanContent of the official plan, else the draft
    official: bool


def _plans(session: Session, county: str, month: str) -> _MonthPlans | None:
    draft = crud.get_plan(session=session, county=county, month=month, version=1)
    if draft is None:
        return None
    official = crud.get_plan(session=session, county=county, month=month, version=2)
    return _MonthPlans(crud.plan_content(official or draft), official is not None)


def month_facts(session: Session, county: str, month: str, plans: _MonthPlans, profile: Profile) -> rules.MonthFacts:
    """The month's dates and who has done what, now."""
    content, d = plans.content, plans.content.dates
    comments = crud.comments_frame(session=session, county=county, month=month)
    stations = crud.stations_frame(session=session, county=county)
    submitted = crud.station_plans_frame(session=session, county=county, month=month)
    uncovered = pd.DataFrame(columns=["code", "name", "missing_codes"])
    if plans.official:
        activities = crud.activities_frame(session=session, county=county, month=month)
        uncovered = aggregate.uncovered_required(activities, submitted, stations, content.required_codes)
    observers = session.exec(select(ScorerToken.name, ScorerToken.township).where(
        ScorerToken.county == county, ScorerToken.role == ScorerRole.OBSERVER,
        ScorerToken.revoked_at.is_(None))).all()  # type: ignore[union-attr]
    spoken = comments[comments["source"] != CommentSource.SILENCE.value] if len(comments) else comments
    return rules.MonthFacts(
        month=month, month_label=cn_month(month), activity_date=content.activity_date, review_deadline=d.review,
        plan_deadline=d.station_plans, scores_deadline=d.scores, review_open=not plans.official,
        plan_issued=plans.official, departments=list(profile.departments),
        answered=set(spoken["department"]) if len(spoken) else set(), stations=stations, plans=submitted,
        uncovered=uncovered, assignments=crud.assignments_frame(session=session, county=county, month=month),
        scores=crud.scores_frame(session=session, county=county, month=month),
        observers=sorted({(n, t) for n, t in observers}),
        dates_cn=content.dates_cn.model_dump() | {"activity_date": content.activity_date_cn})


def enqueue_due(county: str, day: date) -> int:
    """Every reminder due on `day` (the months around it, and the rectification deadlines), in one transaction;
    returns how many notices were new."""
    return enqueue_between(county, day, day)


def enqueue_between(county: str, first: date, last: date) -> int:
    """The reminders due on each day from `first` to `last` (one day for the daily run; a catch-up after a gap,
    the demo's month), in one transaction; returns how many notices were new.

    Each day is judged on the facts as they stand now: a reminder for a day already past goes only to whoever
    has still not done the thing.
    """
    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
        offsets, base, new = _offsets(profile), base_context(profile), 0
        plans: dict[str, _MonthPlans | None] = {}
        facts: dict[str, rules.MonthFacts] = {}
        findings = findings_store.findings_frame(session=session, county=county)
        stations = crud.stations_frame(session=session, county=county) if len(findings) else None
        for ordinal in range(first.toordinal(), last.toordinal() + 1):
            day = date.fromordinal(ordinal)
            month = f"{day:%Y-%m}"
            for m in (shift_month(month, -1), month, shift_month(month, 1)):
                if m not in plans:
                    plans[m] = _plans(session, county, m)
                p = plans[m]
                if p is None or day not in rules.trigger_days(
                        activity_date=p.content.activity_date, review=p.content.dates.review,
                        station_plans=p.content.dates.station_plans, scores=p.content.dates.scores, offsets=offsets):
                    continue
                if m not in facts:
                    facts[m] = month_facts(session, county, m, p, profile)
                new += enqueue(session, county, rules.due_on(day, facts[m], offsets, base), profile=profile)
            new += enqueue_rectification(session, county, day, profile=profile, findings=findings,
                                         stations=stations)
    return new


# --- sending ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SendResult:
    attempted: int
    sent: int
    failed: int  # failed for good in this pass
    pending: int  # still pending after this pass (to be tried again)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def send_pending(county: str, *, month: str | None = None, max_attempts: int | None = None) -> SendResult:
    """One pass over the pending notices: each gets one attempt; returns what happened."""
    with transaction(read_only=True) as session:
        profile = crud.load_profile_of(session=session, county=county)
        waiting = store.notices(session=session, county=county, month=month, state=NoticeState.PENDING.value)
    limit = max_attempts or profile.notices.max_attempts
    secrets = channel_secrets()
    sent = failed = pending = attempted = 0
    for notice in waiting:
        with transaction() as session:
            if not store.claim(session=session, notice_id=notice.id, attempts=notice.attempts):
                continue
        attempted += 1
        delivered, error = deliver(notice.channel, key=notice.key, title=notice.title, body=notice.body,
                                   secrets=secrets)
        with transaction() as session:
            done = store.record(session=session, notice_id=notice.id, delivered=delivered, error=error,
                                now=datetime.now(UTC), max_attempts=limit)
        state = done.state if done is not None else NoticeState.SENT.value
        if state == NoticeState.SENT.value:
            sent += 1
        elif state == NoticeState.FAILED.value:
            failed += 1
            log.warning("notice %s via %s failed for good: %s", notice.key, notice.channel, error)
        else:
            pending += 1
    return SendResult(attempted, sent, failed, pending)


def send_with_retries(county: str, *, month: str | None = None, delays: Sequence[float] = (2, 10),
                      sleep=time.sleep) -> SendResult:
    """Passes until nothing is pending (or the delays run out), waiting `delays` between them (the command line;
    the flow leaves the waiting to Prefect's task retries)."""
    totals = send_pending(county, month=month)
    for delay in delays:
        if not totals.pending:
            break
        sleep(delay)
        more = send_pending(county, month=month)
        totals = SendResult(totals.attempted + more.attempted, totals.sent + more.sent,
                            totals.failed + more.failed, more.pending)
    return totals


def retry_failed(county: str, *, month: str | None = None, key: str | None = None) -> int:
    """Failed notices back to pending with fresh attempts; returns how many."""
    with transaction() as session:
        return store.reset_failed(session=session, county=county, month=month, key=key)


# --- the outbox as people see it ---------------------------------------------------------------------------------

def outbox(county: str, *, month: str | None = None, state: str | None = None) -> list[Notice]:
    with transaction(read_only=True) as session:
        return store.notices(session=session, county=county, month=month, state=state)


def public_rows(notices: Iterable[Notice]) -> list[dict[str, Any]]:
    """`notices list --json`: the contract's fields, in that order."""
    return [{"key": n.key, "audience": n.audience, "recipient": n.recipient, "channel": n.channel,
             "occasion": n.occasion, "state": n.state, "attempts": n.attempts} for n in notices]


def table_rows(notices: Iterable[Notice]) -> list[dict[str, Any]]:
    """The outbox as the Prefect table artifact and the plain list show it (Chinese headers)."""
    return [{"对象": Audience(n.audience).label, "收件人": n.recipient, "事由": n.title, "时机": n.occasion,
             "渠道": n.channel.split("://", 1)[0], "状态": NoticeState(n.state).label, "发送次数": n.attempts,
             "最近错误": n.last_error} for n in notices]
