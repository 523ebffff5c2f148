"""Collect station plans: who is missing, what is planned, as artifacts and an xlsx report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from prefect import task
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, create_table_artifact

from activity_day.documents.render import records, render_text, write_bytes, write_text, xlsx_bytes
from activity_day.domain import aggregate
from activity_day.domain.dates import cn_month
from activity_day.services.inbox import process_inbox
from activity_day.settings import get_settings
from activity_day.store import crud
from tasks.common import STEP, artifact_key, month_dir, transaction

REMINDER = "【{office}】{name}负责同志：{month}新时代文明实践集中活动日活动计划请于{deadline}前通过微信小程序报送，如已报送请忽略。"
REQUIRED_REMINDER = "【{office}】{name}负责同志：贵所（站）{month}活动计划尚未安排规定动作{codes}，请补充后重新报送。"


@task(name="read-inbox", **STEP)
def read_inbox(county: str, month: str, county_folder: bool = False) -> dict:
    """Import the plan files waiting in the county's inbox; each moves to processed/ beside its report."""
    with transaction() as session:
        crud.official_plan(session=session, county=county, month=month)  # files wait until the plan is out
    inbox = Path(get_settings().inbox)
    # Each county's files go in inbox/<county code>/; unless the run keeps counties apart, inbox/ itself too.
    reports = process_inbox(inbox / county, county=county, month=month)
    if not (county_folder or get_settings().county_folders):
        reports += process_inbox(inbox, county=county, month=month)
    return {"files": len(reports), "stations_accepted": sum(len(r.accepted) for r in reports),
            "stations_refused": sum(len(r.refused) for r in reports),
            "unusable": [r.file for r in reports if r.exit_code == 2]}


def reminder_list(missing: pd.DataFrame, *, office: str, month: str, deadline: str) -> pd.DataFrame:
    """The missing stations with a ready-to-send message each (Chinese column names for the xlsx)."""
    out = missing.rename(columns={"code": "所站编号", "name": "所站名称", "township": "乡镇（街道）",
                                  "leader": "负责人", "phone": "联系电话"})
    out["提醒短信"] = [
        REMINDER.format(office=office, name=n, month=month, deadline=deadline) for n in missing["name"]
    ]
    return out


@task(name="completeness-report", **STEP)
def completeness_report(county: str, month: str, county_folder: bool = False) -> dict:
    """Missing stations, activities by task, kind and township; xlsx + markdown + Prefect artifacts."""
    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
        plan = crud.plan_content(crud.official_plan(session=session, county=county, month=month))
        stations = crud.stations_frame(session=session, county=county)
        plans = crud.station_plans_frame(session=session, county=county, month=month)
        activities = crud.activities_frame(session=session, county=county, month=month)
        missing = aggregate.missing_stations(stations, plans)
        by_task = aggregate.activities_by_task(activities)
        by_kind = aggregate.activities_by_kind(activities)
        by_township = aggregate.activities_by_township(activities, stations, plans)
        reminders = reminder_list(missing, office=profile.county.office_short, month=cn_month(month),
                                  deadline=plan.dates_cn.station_plans)
        uncovered = aggregate.uncovered_required(activities, plans, stations, plan.required_codes)
        late = aggregate.late_submissions(plans, stations)
        uncovered_cn = uncovered.rename(columns={"code": "所站编号", "name": "所站名称", "township": "乡镇（街道）",
                                                 "leader": "负责人", "phone": "联系电话", "missing_codes": "未安排的规定动作"})
        uncovered_cn["提醒短信"] = [
            REQUIRED_REMINDER.format(office=profile.county.office_short, name=r.name, month=cn_month(month),
                                     codes=r.missing_codes) for r in uncovered.itertuples()]
        summary = {
            "stations": len(stations), "submitted": int(stations["code"].isin(plans["station_code"]).sum()),
            "missing": len(missing), "activities": len(activities), "late": len(late),
            "uncovered_required": len(uncovered),
        }
        by_township_cn = by_township.rename(columns={"township": "乡镇（街道）", "stations": "所站数",
                                                     "submitted": "已报送", "activities": "计划活动数"})
        workbook = xlsx_bytes([
            ("未报送所站", reminders),
            ("规定动作未覆盖", uncovered_cn),
            ("逾期报送", late.rename(columns={"code": "所站编号", "name": "所站名称", "township": "乡镇（街道）",
                                          "channel": "报送渠道"})),
            ("按乡镇", by_township_cn),
            ("按任务", by_task.rename(columns={"task": "工作任务", "activities": "计划活动数"})),
            ("按动作类型", by_kind.rename(columns={"action_kind": "动作类型", "activities": "计划活动数"})),
        ], title=f"{cn_month(month)}活动计划报送情况")
        markdown = render_text("collect.md.j2", month_label=cn_month(month), s=summary, missing=records(missing),
                               uncovered=records(uncovered), late=records(late),
                               by_task=records(by_task), by_kind=records(by_kind),
                               by_township=records(by_township),
                               deadline=plan.dates_cn.station_plans)
        files = {
            "xlsx": write_bytes(month_dir(county, month, county_folder) / "collect-report.xlsx", workbook),
            "md": write_text(month_dir(county, month, county_folder) / "collect-report.md", markdown),
        }
        crud.record_documents(session=session, county=county, month=month, kind="collect_report", files=files)
    key = artifact_key("collect", county, month)
    create_markdown_artifact(key=key, markdown=markdown, description=f"{cn_month(month)}活动计划报送情况")
    create_table_artifact(
        key=f"{key}-missing",
        table=reminders[["所站编号", "所站名称", "乡镇（街道）", "负责人", "联系电话"]].to_dict("records"),
        description=f"{cn_month(month)}未报送活动计划的所站（{len(missing)}个）",
    )
    create_table_artifact(
        key=f"{key}-required",
        table=uncovered_cn[["所站编号", "所站名称", "乡镇（街道）", "未安排的规定动作"]].to_dict("records"),
        description=f"{cn_month(month)}未安排全部规定动作的所站（{len(uncovered)}个）",
    )
    create_table_artifact(key=f"{key}-townships", table=by_township_cn.to_dict("records"),
                          description=f"{cn_month(month)}各乡镇（街道）报送情况")
    if summary["stations"]:
        create_progress_artifact(progress=100.0 * summary["submitted"] / summary["stations"],
                                 description=f"{cn_month(month)}活动计划报送进度（已报送/所站总数）")
    return summary | {"files": {fmt: path for fmt, (path, _) in files.items()}}
