"""What a plan may say: rules over its facts (PlanContent), each violation named. Pure.

The plan documents are rendered from the content alone, so a rule that holds on the content holds in every
format; `software_words` also serves tests that read the rendered text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from activity_day.domain.dates import parse_month
from activity_day.domain.plan import PlanContent
from activity_day.models.enums import Disposition

# Words of the machine, not of the office: library and file names, checksums, configuration, missing data.
SOFTWARE_PATTERNS = (
    r"chinese[-_ ]?calendar", r"activity-day", r"prefect", r"\b[\w-]+\.(?:xlsx|xls|csv|json|ya?ml|docx|html|md|py)\b",
    r"sha-?256", r"\b[0-9a-f]{12,}\b", r"哈希", r"摘要值", r"县情配置", r"配置文件", r"节假日文件", r"数据库",
    r"尚未收录", r"暂无该年数据", r"\bNone\b", r"\bnan\b", r"\bnull\b", r"Traceback",
)
_SOFTWARE = re.compile("|".join(SOFTWARE_PATTERNS), re.IGNORECASE)
ADOPTING = (Disposition.ADOPTED.value, Disposition.PARTLY.value)


def software_words(text: str) -> list[str]:
    """The software words in a text an office would issue (empty when it reads as the office's own)."""
    return [m.group(0) for m in _SOFTWARE.finditer(text)]


def _shown_texts(content: PlanContent) -> Iterator[tuple[str, str]]:
    """(where, text) of every free text the plan documents show."""
    yield from ((f"note {i}", note) for i, note in enumerate(content.notes, start=1))
    for cat in content.learning:
        yield from ((f"learning item {i.code}", i.title) for i in cat.items)
    for block in content.checklist:
        yield from ((f"checklist item {i.code}", f"{i.title} {i.description}") for i in block.items)
    yield from ((f"programme {p.name}", f"{p.name} {p.description}") for p in content.programs)
    yield from ((f"amendment of {c.department}", c.amendment or "") for c in content.amendments())
    yield from ((f"menu item {m.code}", f"{m.title} {' '.join(m.stories)}") for m in content.lecture_menu or [])


def plan_rule_violations(content: PlanContent) -> list[str]:
    """Every claim of the plan that breaks a rule (empty when the plan may be issued as it is).

    - It cites only festivals and commemorative days of its own month: every mark falls in the month, and
      every learning or checklist item tagged with a festival is tagged with one of the marks.
    - No software words in anything it shows (notes, items, programmes, amendments, the lecture menu).
    - Its dates agree: the review follows the draft, and every deadline it sets falls after its issue date
      (the draft's date for the draft, the review's for the official plan) and in the right order around the
      activity day.
    - Each comment the office adopted (采纳, 部分采纳) changes the official plan: an edit of the lists or a
      written amendment of that department.
    """
    found: list[str] = []
    year, month = parse_month(content.month)
    cited = {m.name for m in content.marks}
    for mark in content.marks:
        if (mark.date.year, mark.date.month) != (year, month):
            found.append(f"mark {mark.name} on {mark.date} is not in {content.month}")
    tagged = [(i.code, i.festival) for cat in content.learning for i in cat.items]
    tagged += [(i.code, i.festival) for block in content.checklist for i in block.items]
    found += [f"item {code} cites {festival}, not a festival or commemorative day of {content.month}"
              for code, festival in tagged if festival and festival not in cited]
    for where, text in _shown_texts(content):
        found += [f"{where} has the software word {word!r}" for word in software_words(text)]

    d, day = content.dates, content.activity_date
    issued = d.review if content.status else d.draft
    if (day.year, day.month) != (year, month):
        found.append(f"activity day {day} is not in {content.month}")
    if d.review < d.draft:
        found.append(f"review {d.review} before the draft {d.draft}")
    for name in ("station_plans", "sample", "scores", "compile"):
        if getattr(d, name) <= issued:
            found.append(f"deadline {name} {getattr(d, name)} is not after the issue date {issued}")
    if d.station_plans > day:
        found.append(f"station plans due {d.station_plans}, after the activity day {day}")
    if d.scores < day or d.compile < d.scores:
        found.append(f"scores due {d.scores} and circular {d.compile} do not follow the activity day {day}")

    for number, c in enumerate(content.comments or [], start=1):
        if c.disposition in ADOPTING and not (c.edits or (c.amendment or "").strip()):
            found.append(f"comment {number} of {c.department} is {c.disposition} but changes nothing in the plan")
    return found
