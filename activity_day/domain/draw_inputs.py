"""What a monthly draw is made from, besides the county's rules: the month, its candidate list and the public
random value with where it came from (docs/draw.md). Every field is published in the draw's record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from activity_day.domain.draw import Candidate


@dataclass(frozen=True)
class DrawInputs:
    """The draw's published inputs.

    `public_random_parts` (the departments' commitments and reveals, when the value was combined from them) is
    recorded so that anyone can check the value: see `domain.draw.combine_reveals`.
    """

    county: str
    month: str
    candidates: Sequence[Candidate]
    public_random: str
    public_random_source: str = ""
    public_random_parts: dict[str, Any] | None = None
