"""The collect step's lecture dispatch (派单): teams for the month's orders, then the dispatch sheets written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from activity_day.documents.render import write_bytes, xlsx_bytes
from activity_day.domain.dates import cn_month
from activity_day.services import documents, lectures
from activity_day.store import crud
from activity_day.store import lectures as store
from activity_day.store.database import transaction

ORDER_SHEET = ["所站编号", "所站名称", "乡镇（街道）", "菜单编号", "宣讲日期", "预计听众", "宣讲队", "状态", "原因", "建议"]
SPEAKER_SHEET = ["讲师编号", "姓名", "单位", "宣讲日期", "所站编号", "所站名称", "乡镇（街道）", "菜单编号", "同队讲师"]


def sheets(rows: list[dict], stations: pd.DataFrame, pool: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The dispatch by station (one row per order) and by speaker (one row per lecture), in Chinese."""
    names = stations.set_index("code")["name"].to_dict()
    people = pool.set_index("code")
    by_order = pd.DataFrame([{
        "所站编号": r["station"], "所站名称": names.get(r["station"], ""), "乡镇（街道）": r["township"],
        "菜单编号": r["menu_code"], "宣讲日期": r["date"], "预计听众": r["audience"],
        "宣讲队": "、".join(f"{m['code']} {people.loc[m['code'], 'name']}" if m["code"] in people.index else m["code"]
                         for m in r["team"]),
        "状态": lectures.STATUS_CN.get(r["status"], r["status"]), "原因": r["reason"], "建议": r["suggestion"]}
        for r in rows], columns=ORDER_SHEET)
    by_speaker = pd.DataFrame([{
        "讲师编号": m["code"], "姓名": people.loc[m["code"], "name"] if m["code"] in people.index else "",
        "单位": people.loc[m["code"], "unit"] if m["code"] in people.index else "", "宣讲日期": r["date"],
        "所站编号": r["station"], "所站名称": names.get(r["station"], ""), "乡镇（街道）": r["township"],
        "菜单编号": r["menu_code"], "同队讲师": "、".join(o["code"] for o in r["team"] if o["code"] != m["code"])}
        for r in rows for m in r["team"]], columns=SPEAKER_SHEET)
    return (by_order.sort_values(["乡镇（街道）", "所站编号", "菜单编号"], kind="stable"),
            by_speaker.sort_values(["讲师编号", "宣讲日期"], kind="stable"))


@dataclass(frozen=True)
class Dispatch:
    """The month's dispatch: the counts by status, the sheet by station (empty without orders) and the files."""

    counts: dict[str, Any]
    by_order: pd.DataFrame | None = None
    files: documents.Files = field(default_factory=dict)


def dispatch(county: str, month: str, folder: Path) -> Dispatch:
    """Teams for the orders still waiting (lectures.dispatch_month); then lectures.xlsx, by township and by
    speaker, written into `folder` and recorded. A month without orders writes nothing."""
    counts = lectures.dispatch_month(county, month)
    if not counts["orders"]:
        return Dispatch(counts)
    rows = lectures.list_orders(county, month)
    with transaction(read_only=True) as session:
        stations = crud.stations_frame(session=session, county=county)
        pool = store.pool_frame(session=session, county=county)
    by_order, by_speaker = sheets(rows, stations, pool)
    files = {"xlsx": write_bytes(folder / "lectures.xlsx", xlsx_bytes(
        [("派单（按乡镇）", by_order), ("派单（按讲师）", by_speaker)], title=f"{cn_month(month)}宣讲派单"))}
    documents.record(county, month, "lectures", files)
    return Dispatch(counts, by_order, files)
