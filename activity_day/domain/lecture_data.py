"""The lecture dispatch's data (speakers, menu items, orders, assignments) and what is read off it."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from activity_day.domain.dates import cn_date
from activity_day.domain.hashing import sha256_hex

if TYPE_CHECKING:
    import pandas as pd

DISPATCHED = "dispatched"
UNSERVED = "unserved"

_EARTH_RADIUS_KM = 6371.0088
_WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Speaker:
    code: str
    name: str
    township: str  # home township
    topics: frozenset[str]  # topic keys the speaker can lecture on
    stories: frozenset[str]  # story titles the speaker tells
    weekdays: frozenset[int] = frozenset()  # ISO weekdays available (1=Mon..7=Sun)
    dates: frozenset[date] = frozenset()  # specific dates available
    cap: int = 4  # at most this many lectures in the month


@dataclass(frozen=True)
class MenuItem:
    code: str
    title: str
    topic: str
    stories: tuple[str, ...] = ()  # when non-empty a team needs a member telling one of them


@dataclass(frozen=True)
class Order:
    key: str  # natural key, unique, e.g. "2027-03|012|M01"
    station: str
    township: str
    menu_code: str
    day: date
    audience: int
    point: tuple[float, float] | None = None  # station (lon, lat) if known


@dataclass(frozen=True)
class Assignment:
    order: str  # Order.key
    team: tuple[str, ...]  # speaker codes, sorted; empty when unserved
    status: str  # DISPATCHED | UNSERVED
    reason: str = ""  # Chinese, when unserved: why
    suggestion: str = ""  # Chinese, when unserved: what would help


@dataclass(frozen=True)
class LectureRef:
    """One station's lecture of a month, as the API, the pages and the files name it."""

    county: str
    month: str
    station: str
    menu_code: str


@dataclass(frozen=True)
class LectureRows:
    """Rows of lecture orders or ratings as received: the table (the files' columns), the name the messages give
    it (the file, or 点单 and 评单 through the API) and the provenance stored with the rows accepted."""

    frame: pd.DataFrame
    file: str
    source_ref: str


@dataclass(frozen=True)
class DispatchRequest:
    """What a dispatch is asked to do: the orders, the pool and the menu, the team rules, and what the month
    already holds outside these orders.

    seed: breaks ties between equally good teams (the same seed, the same teams).
    avoid_home: nobody lectures in their home township (回避).
    team_min, team_max: the team size (the aim is one member more than team_min, at most team_max).
    prior_load: lectures each speaker already gives this month outside these orders (counts against cap).
    prior_pairs: how often each pair already lectured together (so new teams rotate away from them).
    prior_busy: the days on which speakers already lecture outside these orders (one lecture a day); a
    redispatch takes none, its assignments hold the month's teams.
    """

    orders: Iterable[Order]
    speakers: Iterable[Speaker]
    menu: Iterable[MenuItem] | Mapping[str, MenuItem]
    seed: str
    avoid_home: bool = True
    team_min: int = 3
    team_max: int = 4
    prior_load: Mapping[str, int] | None = None
    prior_pairs: Mapping[frozenset[str], int] | None = None
    prior_busy: Mapping[date, Collection[str]] | None = None


def available(speaker: Speaker, day: date) -> bool:
    """On `day` if it is one of the speaker's dates or weekdays; a speaker with neither is free every day."""
    if not speaker.weekdays and not speaker.dates:
        return True
    return day in speaker.dates or day.isoweekday() in speaker.weekdays


def pairs_of(assignments: Iterable[Assignment]) -> Counter[frozenset[str]]:
    """How often each unordered pair of speakers lectured together in the dispatched teams."""
    pairs: Counter[frozenset[str]] = Counter()
    for a in assignments:
        if a.status == DISPATCHED:
            team = sorted(set(a.team))
            pairs.update(frozenset((x, y)) for i, x in enumerate(team) for y in team[i + 1:])
    return pairs


def load_of(assignments: Iterable[Assignment]) -> Counter[str]:
    """Lectures per speaker in the dispatched teams."""
    return Counter(code for a in assignments if a.status == DISPATCHED for code in a.team)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lon, lat) points, in kilometres."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def cn_day_with_weekday(day: date) -> str:
    """2027年3月6日（星期六）."""
    return f"{cn_date(day)}（星期{_WEEKDAYS[day.isoweekday() - 1]}）"


def tie_hash(seed: str, order_key: str, speaker_code: str) -> str:
    return sha256_hex(f"{seed}|{order_key}|{speaker_code}")
