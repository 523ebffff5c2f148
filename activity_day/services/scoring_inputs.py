"""What the scoring services are given, each as one value: the tokens to issue, a station a scorer scores, and
validated score rows to keep (services.scoring)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from activity_day.models.enums import InspectionMode, ScorerRole

if TYPE_CHECKING:
    from activity_day.services.scoring import Scorer


@dataclass(frozen=True)
class TokenRequest:
    """Scoring tokens to issue: for teams (`names`), or for observers of one `township`, working until
    `expires_at` (None: the end of the year)."""

    role: ScorerRole
    names: list[str]
    township: str = ""
    expires_at: datetime | None = None


@dataclass(frozen=True)
class ScoredStation:
    """A station a scorer scores in a month, and how (`mode`: on site or online)."""

    scorer: Scorer
    month: str
    code: str
    mode: InspectionMode


@dataclass(frozen=True)
class ScoreRows:
    """Validated score rows to keep, the actor of each (how its revision names the writer) and the provenance
    stored with them."""

    rows: list[dict[str, Any]]
    actors: list[str]
    source_ref: str
