"""The collect step's lecture dispatch (派单): teams for the month's orders, the dispatch sheets and an artifact."""

from __future__ import annotations

import pandas as pd
from prefect import task
from prefect.artifacts import create_table_artifact

from activity_day.documents.render import write_bytes, xlsx_bytes
from activity_day.domain.dates import cn_month
from activity_day.services import lectures
from activity_day.store import crud
from activity_day.store import lectures as store
from activity_day.tasks.common import STEP, artifact, artifact_key, month_dir, transaction

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


@task(name="dispatch-lectures", **STEP)
def dispatch_lectures(county: str, month: str, county_folder: bool = False) -> dict:
    """Teams for the orders still waiting; lectures.xlsx (by township, by speaker) and a table artifact."""
    counts = lectures.dispatch_month(county, month)
    if not counts["orders"]:
        return counts
    rows = lectures.list_orders(county, month)
    with transaction(read_only=True) as session:
        stations = crud.stations_frame(session=session, county=county)
        pool = store.pool_frame(session=session, county=county)
    by_order, by_speaker = sheets(rows, stations, pool)
    label = cn_month(month)
    path, sha = write_bytes(month_dir(county, month, county_folder) / "lectures.xlsx", xlsx_bytes(
        [("派单（按乡镇）", by_order), ("派单（按讲师）", by_speaker)], title=f"{label}宣讲派单"))
    with transaction() as session:
        crud.record_documents(session=session, county=county, month=month, kind="lectures", files={"xlsx": (path, sha)})
    artifact(create_table_artifact, key=artifact_key("lectures", county, month), table=by_order.to_dict("records"),
             description=f"{label}宣讲点单与派单：点单 {counts['orders']} 个，已派单 {counts['dispatched']} 个，"
                         f"已接单 {counts['confirmed']} 个，无法派单 {counts['unserved']} 个")
    return counts | {"files": {"xlsx": path}}
