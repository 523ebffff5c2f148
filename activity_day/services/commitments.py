"""The draws' public random value by commit-reveal (docs/draw.md): each reviewing department commits to a secret
(its SHA-256) before the list drawn from is published, and reveals the secret before the draw. The combination of
the reveals is a value the office cannot choose: one department that keeps its secret to itself is enough.

Two draws use it: the month's inspection sample (the candidate list, keyed by month) and a demonstration round's
site visits (the shortlist its document review publishes, keyed by round)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from activity_day.domain import draw
from activity_day.domain.dates import cn_month
from activity_day.domain.names import control_characters
from activity_day.errors import OperatorError
from activity_day.models import DemoCommitment, DemoRound, DrawCommitment, upsert
from activity_day.store import crud
from activity_day.store.database import transaction

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _department(session: Session, county: str, department: str) -> None:
    departments = crud.load_profile_of(session=session, county=county).departments
    if department not in departments:
        raise OperatorError(f"“{department}”不是审核部门（县情配置中的部门：{'、'.join(departments)}）")


def _not_drawn(session: Session, county: str, month: str) -> None:
    if crud.get_draw(session=session, county=county, month=month) is not None:
        raise OperatorError(f"{cn_month(month)}已完成抽样，承诺值和随机串不再接收")


def commit(county: str, month: str, department: str, commitment: str, now: datetime) -> None:
    """Record a department's commitment (64 hex digits); refused once any secret of the month is revealed."""
    with transaction() as session:
        commit_in(session, county, month, department, commitment, now)


def _commitment(commitment: str) -> str:
    commitment = commitment.strip().lower()
    if not HEX64.match(commitment):
        raise OperatorError("承诺值应为64位十六进制的 SHA-256（如 printf %s 随机串 | sha256sum 的输出）")
    return commitment


def _secret(secret: str) -> None:
    if not 0 < len(secret) <= 200 or control_characters(secret):
        raise OperatorError("随机串应为1到200个字符，且不含控制字符")


def commit_in(session: Session, county: str, month: str, department: str, commitment: str, now: datetime) -> None:
    """`commit` inside the caller's transaction (the review form stores it with the department's comment)."""
    commitment = _commitment(commitment)
    _department(session, county, department)
    _not_drawn(session, county, month)
    if any(r.reveal is not None for r in _rows(session, county, month)):
        raise OperatorError(f"{cn_month(month)}已有部门公开随机串，不再接收新的承诺值")
    upsert(session, DrawCommitment, [dict(county=county, month=month, department=department,
                                          commitment=commitment, committed_at=now)],
           ["county", "month", "department"])


def reveal(county: str, month: str, department: str, secret: str, now: datetime) -> None:
    """Record a department's secret; it must hash to the commitment the department gave."""
    _secret(secret)
    with transaction() as session:
        _department(session, county, department)
        _not_drawn(session, county, month)
        row = next((r for r in _rows(session, county, month) if r.department == department), None)
        if row is None:
            raise OperatorError(f"{department}没有提交{cn_month(month)}的承诺值，不能公开随机串")
        if draw.commitment_of(secret) != row.commitment:
            raise OperatorError(f"随机串与{department}事先提交的承诺值不符，请核对（区分大小写和空格）")
        row.reveal, row.revealed_at = secret, now
        session.add(row)


def _rows(session: Session, county: str, month: str) -> list[DrawCommitment]:
    return list(session.exec(select(DrawCommitment).where(DrawCommitment.county == county,
                                                          DrawCommitment.month == month)
                             .order_by(DrawCommitment.department)))


def parts(session: Session, county: str, month: str) -> dict[str, Any] | None:
    """{"commitments", "reveals"} of the month, or None when no department committed."""
    rows = _rows(session, county, month)
    if not rows:
        return None
    return {"commitments": {r.department: r.commitment for r in rows},
            "reveals": {r.department: r.reveal for r in rows if r.reveal is not None}}


def status(county: str, month: str) -> list[dict[str, Any]]:
    with transaction(read_only=True) as session:
        return [{"department": r.department, "commitment": r.commitment, "revealed": r.reveal is not None}
                for r in _rows(session, county, month)]


# --- a demonstration round's site visits (示范所站实地评估) -------------------------------------------------------

def _round(session: Session, county: str, round_: str) -> DemoRound | None:
    return session.exec(select(DemoRound).where(DemoRound.county == county, DemoRound.round == round_)).first()


def _round_rows(session: Session, county: str, round_: str) -> list[DemoCommitment]:
    return list(session.exec(select(DemoCommitment).where(DemoCommitment.county == county,
                                                          DemoCommitment.round == round_)
                             .order_by(DemoCommitment.department)))


def commit_round(county: str, round_: str, department: str, commitment: str, now: datetime) -> None:
    """A department's commitment for the round's site-visit draw; taken only before the document review publishes
    the shortlist (after it, a commitment could be chosen knowing what it draws)."""
    commitment = _commitment(commitment)
    with transaction() as session:
        _department(session, county, department)
        found = _round(session, county, round_)
        if found is not None and found.stage != "applied":
            raise OperatorError(f"{round_}年度示范所站评选已完成资料审核、公布入围名单，不再接收承诺值")
        upsert(session, DemoCommitment, [dict(county=county, round=round_, department=department,
                                              commitment=commitment, committed_at=now)],
               ["county", "round", "department"])


def reveal_round(county: str, round_: str, department: str, secret: str, now: datetime) -> None:
    """A department's secret for the round's site-visit draw: after the shortlist is published (the document
    review), before the draw; it must hash to the department's commitment."""
    _secret(secret)
    with transaction() as session:
        _department(session, county, department)
        found = _round(session, county, round_)
        if found is None or found.stage == "applied" or not found.site_visit_record:
            raise OperatorError(f"{round_}年度示范所站评选尚未公布入围名单：资料审核后再公开随机串")
        if "visits" in found.site_visit_record:
            raise OperatorError(f"{round_}年度示范所站实地评估人员已抽定，随机串不再接收")
        row = next((r for r in _round_rows(session, county, round_) if r.department == department), None)
        if row is None:
            raise OperatorError(f"{department}没有提交{round_}年度示范所站评选的承诺值，不能公开随机串")
        if draw.commitment_of(secret) != row.commitment:
            raise OperatorError(f"随机串与{department}事先提交的承诺值不符，请核对（区分大小写和空格）")
        row.reveal, row.revealed_at = secret, now
        session.add(row)


def round_parts(session: Session, county: str, round_: str) -> dict[str, Any] | None:
    """{"commitments", "reveals"} of the round's site-visit draw, or None when no department committed."""
    rows = _round_rows(session, county, round_)
    if not rows:
        return None
    return {"commitments": {r.department: r.commitment for r in rows},
            "reveals": {r.department: r.reveal for r in rows if r.reveal is not None}}


def round_status(county: str, round_: str) -> list[dict[str, Any]]:
    with transaction(read_only=True) as session:
        return [{"department": r.department, "commitment": r.commitment, "revealed": r.reveal is not None}
                for r in _round_rows(session, county, round_)]
