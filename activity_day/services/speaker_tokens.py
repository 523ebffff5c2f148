"""Speakers' own tokens (接单 through the API): issued for the active pool, and the speaker a live token names."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from activity_day.domain.codes import normalize_code
from activity_day.domain.names import closest
from activity_day.domain.tokens import default_expiry, is_live
from activity_day.errors import OperatorError
from activity_day.models import ScorerToken
from activity_day.models.enums import ScorerRole
from activity_day.services.scoring import revoke_scorer_tokens
from activity_day.services.submissions import token_sha256, utcnow
from activity_day.store import lectures as store


@dataclass(frozen=True)
class SpeakerHolder:
    """Who holds a live speaker token."""

    county: str
    code: str
    township: str


def issue_speaker_tokens(*, session: Session, county: str, codes: list[str], now: datetime,
                         expires_at: datetime | None = None) -> dict[str, str]:
    """New tokens for speakers of the active pool (each revokes the speaker's earlier one), working until
    `expires_at` (by default the end of the year); code -> token."""
    expires_at = expires_at or default_expiry(now)
    pool = store.pool_frame(session=session, county=county).set_index("code")
    if pool.empty:
        raise OperatorError("还没有宣讲员库：请先导入（activity-day import speakers 宣讲员库.xlsx）")
    chosen = list(dict.fromkeys(normalize_code(c) for c in codes)) or list(pool.index)
    unknown = [c for c in chosen if c not in pool.index]
    if unknown:
        hints = [f"{c}（是否为“{g}”？）" if (g := closest(c, list(pool.index))) else c for c in unknown]
        raise OperatorError(f"宣讲员库中没有这些讲师编号：{'、'.join(hints)}")
    tokens = {}
    for code in chosen:
        revoke_scorer_tokens(session=session, county=county, role=ScorerRole.SPEAKER, name=code, now=now)
        token = f"sp_{secrets.token_urlsafe(32)}"  # "sp_" tells it from a station's "ad_" and a scorer's "sc_"
        session.add(ScorerToken(county=county, role=ScorerRole.SPEAKER, name=code, township=pool.loc[code, "township"],
                                token_sha256=token_sha256(token), prefix=token[3:9], issued_at=now,
                                expires_at=expires_at))
        tokens[code] = token
    return tokens


def speaker_for_token(*, session: Session, token: str, now: datetime | None = None) -> SpeakerHolder | None:
    """The speaker holding a live (not revoked, not expired) token who is still in the active pool, or None."""
    row = session.exec(select(ScorerToken).where(
        ScorerToken.token_sha256 == token_sha256(token), ScorerToken.revoked_at.is_(None),  # type: ignore[union-attr]
        ScorerToken.role == ScorerRole.SPEAKER)).first()
    if row is None or not is_live(row.expires_at, now or utcnow()):
        return None
    if row.name not in set(store.pool_frame(session=session, county=row.county)["code"]):
        return None
    return SpeakerHolder(county=row.county, code=row.name, township=row.township)
