"""Notices (提醒与通知): the outbox written with the facts that cause it, and its delivery (services/delivery.py).

Enqueueing renders each notice (templates/notices/*.j2) once per channel of its audience and writes it in the
caller's transaction, keyed by (key, channel): proposing the same notice again writes nothing. Sending claims one
attempt at a time (so two senders never deliver the same notice), delivers it with apprise and records the outcome
at once: a delivered notice is never sent again, a failing channel costs only its own notices an attempt, and after
the profile's `max_attempts` a notice is failed, with its last error, until `activity-day notices retry`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from sqlmodel import Session, select

from activity_day.context import carried, current
from activity_day.documents.render import environment
from activity_day.domain import aggregate
from activity_day.domain import notices as rules
from activity_day.domain.dates import cn_month, shift_month
from activity_day.domain.notices import Audience, NoticeDraft, NoticeState, Occasion
from activity_day.domain.profile import Profile
from activity_day.errors import OperatorError
from activity_day.models.enums import CommentSource, ScorerRole
from activity_day.models.tables import Notice, ScorerToken
from activity_day.services.delivery import Delivery as Delivery
from activity_day.services.delivery import deliver as deliver
from activity_day.store import crud
from activity_day.store import findings as findings_store
from activity_day.store import notices as store
from activity_day.store.database import transaction

log = logging.getLogger(__name__)
CONTRACT = ["key", "audience", "recipient", "channel", "occasion", "state", "attempts"]
SEND_THREADS = 8  # channels sent side by side (a county has a handful)


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
    now = now or current().now()
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


@dataclass(frozen=True)
class IssuedDocument:
    """A document the office issued (the official plan, a circular): the occasion its notices are for, its title,
    its number and its files (the notices name each file, not its folder)."""

    occasion: Occasion
    title: str
    doc_number: str
    files: Sequence[str]


def enqueue_issued(session: Session, county: str, month: str, issued: IssuedDocument) -> int:
    """A document issued (official plan, circular): notices to its audiences, in the issuing transaction."""
    profile = crud.load_profile_of(session=session, county=county)
    drafts = rules.issued_notices(issued.occasion, month, base_context(profile), title=issued.title,
                                  doc_number=issued.doc_number, files=[Path(f).name for f in issued.files])
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
    """What became of the notices a send dealt with: each notice counted once, in its state at the end."""

    notices: int  # the notices that were waiting
    sent: int
    failed: int  # failed for good
    pending: int  # still waiting (to be tried again)
    attempted: int  # attempts made (a notice tried three times counts three)
    paused: tuple[str, ...] = ()  # the channels left alone for the rest of the round (no answer, no connection)

    def as_dict(self) -> dict[str, int]:
        return {"notices": self.notices, "sent": self.sent, "failed": self.failed, "pending": self.pending,
                "attempted": self.attempted, "paused_channels": len(self.paused)}


@dataclass
class _Pass:
    """One pass over the outbox: each notice's state after it, its channel, the attempts, the channels paused."""

    states: dict[int, str]
    channels: dict[int, str]
    attempted: int = 0
    paused: list[str] = field(default_factory=list)  # channel addresses


def _send_channel(channel: str, waiting: list[Notice], *, limit: int, secrets: Mapping[str, str], timeout: float,
                  lock: threading.Lock) -> tuple[dict[int, str], int, bool]:
    """One channel's notices, one after another: id -> state after this pass, attempts made, whether the channel
    is paused. A channel that does not answer in time or cannot be reached is left alone for the rest of the round:
    its other notices wait, with the reason, for the next round."""
    states: dict[int, str] = {}
    attempts = 0
    for i, notice in enumerate(waiting):
        with lock, transaction() as session:
            if not store.claim(session=session, notice_id=notice.id, attempts=notice.attempts):
                continue
        attempts += 1
        outcome = deliver(channel, key=notice.key, title=notice.title, body=notice.body, secrets=secrets,
                          timeout=timeout)
        with lock, transaction() as session:
            done = store.record(session=session, notice_id=notice.id, delivered=outcome.delivered,
                                error=outcome.error, now=current().now(), max_attempts=limit)
        states[notice.id] = done.state if done is not None else NoticeState.SENT.value
        if states[notice.id] == NoticeState.FAILED.value:
            log.warning("notice %s failed for good: %s", notice.key, outcome.error)
        if outcome.pauses:
            with lock, transaction() as session:
                for rest in waiting[i + 1:]:
                    store.postpone(session=session, notice_id=rest.id, error=outcome.error)
                    states[rest.id] = NoticeState.PENDING.value
            return states, attempts, True
    return states, attempts, False


def send_pending(county: str, *, month: str | None = None, channel: str | None = None,
                 max_attempts: int | None = None) -> SendResult:
    """One pass over the pending notices (of a month, of one channel): each gets one attempt, the channels side by
    side, so a slow channel costs only its own time; returns what happened to them. This is a whole round (the
    flow's send task runs one a try): a channel paused here is tried again on the next."""
    return _result(_send_pass(county, month=month, channel=channel, max_attempts=max_attempts))


def _send_pass(county: str, *, month: str | None, channel: str | None, max_attempts: int | None = None,
               skip: Collection[str] = ()) -> _Pass:
    """One attempt at each pending notice, leaving alone the channels in `skip` (paused earlier in the round)."""
    with transaction(read_only=True) as session:
        profile = crud.load_profile_of(session=session, county=county)
        waiting = store.notices(session=session, county=county, month=month, channel=channel,
                                state=NoticeState.PENDING.value)
    limit = max_attempts or profile.notices.max_attempts
    secrets = current().secrets
    by_channel: dict[str, list[Notice]] = {}
    for notice in waiting:
        if notice.channel not in skip:
            by_channel.setdefault(notice.channel, []).append(notice)
    done = _Pass({n.id: NoticeState.PENDING.value for n in waiting}, {n.id: n.channel for n in waiting})
    lock = threading.Lock()  # the outbox is written one claim or record at a time; sending is what runs side by side
    if by_channel:
        with ThreadPoolExecutor(max_workers=min(SEND_THREADS, len(by_channel)),
                                thread_name_prefix="notices") as pool:
            futures = {name: pool.submit(carried(_send_channel), name, rows, limit=limit, secrets=secrets,
                                         timeout=profile.notices.timeout_of(name), lock=lock)
                       for name, rows in by_channel.items()}
            for name, future in futures.items():
                states, tries, paused = future.result()
                done.states.update(states)
                done.attempted += tries
                if paused:
                    done.paused.append(name)
    return done


def _result(done: _Pass) -> SendResult:
    counts = {s: sum(v == s for v in done.states.values()) for s in (NoticeState.SENT, NoticeState.FAILED,
                                                                   NoticeState.PENDING)}
    return SendResult(len(done.states), counts[NoticeState.SENT], counts[NoticeState.FAILED],
                      counts[NoticeState.PENDING], done.attempted,
                      tuple(dict.fromkeys(rules.channel_label(c) for c in done.paused)))


def send_with_retries(county: str, *, month: str | None = None, channel: str | None = None,
                      delays: Sequence[float] = (2, 10), sleep=time.sleep) -> SendResult:
    """One send round: passes until nothing is left to try (or the delays run out), waiting `delays` between them
    (the command line; the flow leaves the waiting to Prefect's task retries). A channel paused in a pass (no
    answer in time, no connection) is not tried again in the round: its notices stay pending for the next round,
    and a pass with only those left is not waited for. Each notice is counted once, in its last state."""
    round_ = _Pass({}, {})
    for delay in (None, *delays):
        if delay is not None:
            paused = set(round_.paused)
            if not any(state == NoticeState.PENDING.value and round_.channels[i] not in paused
                       for i, state in round_.states.items()):
                break
            sleep(delay)
        done = _send_pass(county, month=month, channel=channel, skip=round_.paused)
        round_.states.update(done.states)
        round_.channels.update(done.channels)
        round_.attempted += done.attempted
        round_.paused += done.paused
    return _result(round_)


channel_label = rules.channel_label


def channels_of(county: str) -> list[str]:
    """The channels the county's outbox has notices for, in the order first used."""
    with transaction(read_only=True) as session:
        return list(dict.fromkeys(n.channel for n in store.notices(session=session, county=county)))


def resolve_channel(county: str, name: str) -> str:
    """The channel a person means: its address as listed, or its label (Webhook（127.0.0.1:8080/stations）), or a
    part of either that names one channel only. OperatorError lists the channels when it names none or several."""
    known = channels_of(county)
    exact = [c for c in known if name in (c, rules.channel_label(c))]
    found = exact or [c for c in known if name in c or name in rules.channel_label(c)]
    if len(found) == 1:
        return found[0]
    listed = "；".join(f"{rules.channel_label(c)} {c}" for c in known) or "（发件箱中还没有通知）"
    what = "没有" if not found else "有不止一个"
    raise OperatorError(f"发件箱中{what}渠道与“{name}”相符；可用的渠道：{listed}")


def retry_failed(county: str, *, month: str | None = None, key: str | None = None,
                 channel: str | None = None) -> int:
    """Failed notices (of a month, with a key, through one channel) back to pending with fresh attempts;
    returns how many."""
    with transaction() as session:
        return store.reset_failed(session=session, county=county, month=month, key=key, channel=channel)


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
             "渠道": rules.channel_label(n.channel), "状态": NoticeState(n.state).label, "发送次数": n.attempts,
             "最近错误": n.last_error} for n in notices]
