"""Drafting the month's plan: learning list, checklist and plan content. Pure functions on frames."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import yaml

from activity_day.domain.dates import (
    DayMark,
    HolidayInfo,
    cn_date,
    cn_month,
    day_marks,
    parse_month,
    pick_activity_day,
    shift_month,
    statutory_holidays,
)
from activity_day.domain.hashing import sha256_hex
from activity_day.domain.plan import PlanContent
from activity_day.domain.profile import Profile
from activity_day.domain.profile_sections import LearningRules
from activity_day.models.enums import PracticeTask
from activity_day.resources import CATALOGS_DIR

LEARNING_COLUMNS = ["code", "category", "category_name", "task", "title", "theme", "festival", "form"]
CHECKLIST_COLUMNS = ["code", "task", "title", "required", "festival", "description"]


def load_learning_catalog(path: Path | None = None) -> pd.DataFrame:
    """The learning catalog as one row per item, categories in file order (a copy: callers may modify it)."""
    return _learning_catalog(path or CATALOGS_DIR / "learning.yaml").copy()


def load_checklist_catalog(path: Path | None = None) -> pd.DataFrame:
    """The checklist catalog as one row per item, tasks in the official order (a copy)."""
    return _checklist_catalog(path or CATALOGS_DIR / "checklist.yaml").copy()


@lru_cache(maxsize=8)
def _learning_catalog(path: Path) -> pd.DataFrame:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for cat_order, cat in enumerate(raw["categories"]):
        for item_order, item in enumerate(cat["items"]):
            rows.append(
                {
                    "code": item["code"],
                    "category": cat["code"],
                    "category_name": cat["name"],
                    "task": PracticeTask.from_key(cat["task"]).value,
                    "title": item["title"],
                    "theme": item.get("theme") or "",
                    "festival": item.get("festival") or "",
                    "form": item.get("form") or "",
                    "cat_order": cat_order,
                    "item_order": item_order,
                }
            )
    return pd.DataFrame(rows)


@lru_cache(maxsize=8)
def _checklist_catalog(path: Path) -> pd.DataFrame:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for task_order, block in enumerate(raw["tasks"]):
        for item_order, item in enumerate(block["items"]):
            rows.append(
                {
                    "code": item["code"],
                    "task": PracticeTask.from_key(block["task"]).value,
                    "title": item["title"],
                    "required": bool(item.get("required", False)),
                    "festival": item.get("festival") or "",
                    "description": item.get("description") or "",
                    "task_order": task_order,
                    "item_order": item_order,
                }
            )
    return pd.DataFrame(rows)


def _tiebreak(county: str, month: str, code: str) -> str:
    return sha256_hex(f"{county}|{month}|{code}")


def _rank_candidates(
    items: pd.DataFrame, festivals: set[str], last_used: dict[str, str], county: str, month: str
) -> pd.DataFrame:
    """Order items: this month's festivals first, untagged next, other months' festivals last;
    within each, least recently used first, then a hash of county, month and code."""
    ranked = items.assign(
        _fest=items["festival"].map(lambda f: 0 if f in festivals else (1 if not f else 2)),
        _last=items["code"].map(lambda c: last_used.get(c, "")),
        _hash=items["code"].map(lambda c: _tiebreak(county, month, c)),
    )
    return ranked.sort_values(["_fest", "_last", "_hash"], kind="stable")


def select_learning(
    catalog: pd.DataFrame,
    *,
    county: str,
    month: str,
    festivals: set[str],
    history: pd.DataFrame,
    rules: LearningRules,
) -> pd.DataFrame:
    """The month's learning list: per category, the configured number of items (`rules.per_category`).

    `history` has columns code and month (earlier months' lists of this county). Items tagged with a
    festival of another month are never chosen. No item appears twice in any `no_repeat_months`
    consecutive months, unless a category runs out of items: then the least recently used untagged
    item comes back (a list short of festival items repeats, it never borrows another month's).
    """
    per_category, no_repeat_months = rules.per_category, rules.no_repeat_months
    window = {shift_month(month, -k) for k in range(1, max(no_repeat_months, 1))}
    past = history[history["month"] < month] if len(history) else history
    last_used = past.groupby("code")["month"].max().to_dict() if len(past) else {}
    blocked = set(past[past["month"].isin(window)]["code"]) if len(past) else set()
    if catalog.empty:
        return pd.DataFrame(columns=[*LEARNING_COLUMNS, "seq"])
    # An item tagged with another month's festival is never chosen: an older untagged item is repeated instead.
    items = catalog[catalog["festival"].eq("") | catalog["festival"].isin(festivals)]
    # Ranked once for every category: within each, the fresh items in rank order, then the blocked ones
    ranked = _rank_candidates(items, festivals, last_used, county, month)
    ranked = ranked.assign(_blocked=ranked["code"].isin(blocked)).sort_values("_blocked", kind="stable")
    seq = ranked.groupby("category", sort=False).cumcount() + 1
    want = ranked["category"].map(lambda c: per_category.get(str(c), 0))
    picked = ranked[seq <= want].assign(seq=seq[seq <= want])
    result = picked.sort_values(["cat_order", "seq"], kind="stable")
    return result[[*LEARNING_COLUMNS, "seq"]].reset_index(drop=True)


def select_checklist(
    catalog: pd.DataFrame,
    *,
    county: str,
    month: str,
    festivals: set[str],
    history: pd.DataFrame,
    optional_per_task: int,
) -> pd.DataFrame:
    """The month's checklist: every required item, plus optional ones, festival items first."""
    past = history[history["month"] < month] if len(history) else history
    last_used = past.groupby("code")["month"].max().to_dict() if len(past) else {}
    required = catalog[catalog["required"]]
    # The optional items ranked once for every task; other months' festivals never
    optional = _rank_candidates(catalog[~catalog["required"]], festivals, last_used, county, month)
    optional = optional[optional["_fest"] < 2]
    optional = optional[optional.groupby("task", sort=False).cumcount() < optional_per_task]
    result = pd.concat([required, optional]).sort_values(["task_order", "required", "item_order"],
                                                         ascending=[True, False, True])
    return result[CHECKLIST_COLUMNS].reset_index(drop=True)


def foreign_festival_codes(content: PlanContent, *catalogs: pd.DataFrame) -> dict[str, str]:
    """Catalog codes tied to a festival the plan does not mark (another month's), with that festival."""
    own = {m.name for m in content.marks}
    return {code: festival for catalog in catalogs
            for code, festival in zip(catalog["code"], catalog["festival"], strict=True)
            if festival and festival not in own}


class MonthCalendar(NamedTuple):
    """The activity day, the month's festivals and commemorative days, and the holiday data used."""

    activity_day: date
    marks: list[DayMark]
    holidays: HolidayInfo


def month_calendar(profile: Profile, month: str) -> MonthCalendar:
    """The activity day, the month's festivals and commemorative days, and the holiday data used."""
    year, mon = parse_month(month)
    holidays = statutory_holidays(year, mon, profile.holidays)
    activity_day = pick_activity_day(year, mon, profile.activity_day, holidays.holidays)
    return MonthCalendar(activity_day, day_marks(year, mon), holidays)


def key_dates(profile: Profile, activity_day: date) -> dict[str, date]:
    d = profile.deadlines
    return {
        name: activity_day + timedelta(days=getattr(d, name))
        for name in ("draft", "review", "station_plans", "sample", "scores", "compile")
    }


def build_plan_content(
    profile: Profile,
    month: str,
    calendar: MonthCalendar,
    *,
    learning: pd.DataFrame,
    checklist: pd.DataFrame,
) -> PlanContent:
    """Everything the plan documents show (stored with the plan)."""
    activity_day, marks, holidays = calendar
    dates = key_dates(profile, activity_day)
    # Missing holiday data is the operator's to fix (Draft.warnings), never a sentence of the plan.
    notes: list[str] = []
    moved_from = None
    if profile.activity_day.rule == "fixed" and activity_day.day != profile.activity_day.day:
        moved_from = cn_date(activity_day.replace(day=profile.activity_day.day))
        notes.append(f"原定{moved_from}适逢法定节假日，集中活动日顺延至{cn_date(activity_day)}。")
    categories = []
    for (_, name), items in learning.groupby(["category", "category_name"], sort=False):
        categories.append({"name": name, "items": items.to_dict("records")})
    tasks = []
    for task in PracticeTask:
        items = checklist[checklist["task"] == task.value]
        tasks.append({"task": task.value, "items": items.to_dict("records")})
    return PlanContent.model_validate({
        "county": profile.county.code,
        "county_name": profile.county.name,
        "month": month,
        "month_label": cn_month(month),
        "activity_date": activity_day.isoformat(),
        "activity_date_cn": cn_date(activity_day),
        "weekday_cn": "一二三四五六日"[activity_day.weekday()],
        "marks": [
            {"date": m.day.isoformat(), "date_cn": f"{m.day.month}月{m.day.day}日", "name": m.name,
             "kind": m.kind, "optional": m.optional}
            for m in marks
        ],
        "holiday_source": holidays.source,
        "holidays": {d.isoformat(): n for d, n in sorted(holidays.holidays.items())},
        "notes": notes,
        "learning": categories,
        "learning_count": int(len(learning)),
        "checklist": tasks,
        "checklist_count": int(len(checklist)),
        "required_codes": checklist[checklist["required"]]["code"].tolist(),
        "programs": [p.model_dump() | {"task_cn": PracticeTask.from_key(p.task).value}
                     for p in profile.county_programs],
        "dates": {k: v.isoformat() for k, v in dates.items()},
        "dates_cn": {k: cn_date(v) for k, v in dates.items()},
    })


@dataclass(frozen=True)
class Draft:
    activity_day: date
    plan: PlanContent
    learning: pd.DataFrame
    checklist: pd.DataFrame
    warnings: tuple[str, ...] = ()  # for the operator (the run log, the terminal), never for the plan

    @property
    def content(self) -> dict[str, Any]:
        """The plan in its stored JSON form (what month_plan.content holds)."""
        return self.plan.stored()


def draft_month(profile: Profile, month: str, *, learning_history: pd.DataFrame | None = None,
                checklist_history: pd.DataFrame | None = None) -> Draft:
    """The month's draft plan from the profile, the catalogs and the county's earlier lists (code, month)."""
    empty = pd.DataFrame(columns=["code", "month"])
    calendar = month_calendar(profile, month)
    activity_day, marks, holidays = calendar
    festivals = {m.name for m in marks}
    county = profile.county.code
    learning = select_learning(
        load_learning_catalog(), county=county, month=month, festivals=festivals,
        history=empty if learning_history is None else learning_history, rules=profile.learning,
    )
    checklist = select_checklist(
        load_checklist_catalog(), county=county, month=month, festivals=festivals,
        history=empty if checklist_history is None else checklist_history,
        optional_per_task=profile.checklist.optional_per_task,
    )
    plan = build_plan_content(profile, month, calendar, learning=learning, checklist=checklist)
    return Draft(activity_day, plan, learning, checklist, (holidays.note,) if holidays.note else ())
