"""The rectification ledger (整改台账) as a task: overdue marked as of today, the open findings as an artifact."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.artifacts import create_table_artifact

from activity_day.domain.dates import cn_date
from activity_day.services import findings
from activity_day.tasks.common import STEP, artifact, artifact_key

COLUMNS = {"id": "编号", "month": "月份", "station": "所站编号", "township": "乡镇（街道）", "source": "来源",
           "category": "类别", "text": "整改问题", "deadline": "期限", "status": "状态", "rounds": "报告次数",
           "report": "整改报告", "review_note": "审核意见"}
STATUS_CN = {"open": "待整改", "answered": "待审核", "accepted": "已销号", "overdue": "已逾期"}


@task(name="rectification-ledger", **STEP)
def ledger(county: str, today: str) -> dict[str, int]:
    """Store `overdue` on findings past their deadline, then publish the findings not yet accepted."""
    day = date.fromisoformat(today)
    marked = findings.mark_overdue_and_notify(county, day)  # overdue findings and their stations' notices
    frame = findings.list_findings(county, as_of=day)
    rows = findings.public_rows(frame[frame["status"] != "accepted"]) if len(frame) else []
    counts = {s: sum(r["status"] == s for r in rows) for s in ("open", "answered", "overdue")}
    artifact(create_table_artifact, key=artifact_key("rectification", county),
             table=[{COLUMNS[k]: (STATUS_CN[r[k]] if k == "status" else r[k]) for k in COLUMNS} for r in rows],
             description=f"整改台账（截至{cn_date(day)}）：待整改 {counts['open']} 条，待审核 {counts['answered']} 条，"
                         f"已逾期 {counts['overdue']} 条")
    return counts | {"marked_overdue": marked}
