"""The office's review of rectification reports (整改审核) as a flow with a resume form.

The run marks what is overdue, publishes the ledger, then, when stations have reported, pauses on a form with one
entry per report: 销号 (accept), 退回 (return, with a reason the station sees) or 暂不处理 (leave it for later).
The same steps are `activity-day findings accept|return` on the command line.
"""

from __future__ import annotations

from typing import Any, Literal

from prefect import flow
from pydantic import BaseModel, ConfigDict, Field, create_model

from activity_day.domain.dates import cn_date
from activity_day.errors import OperatorError
from activity_day.flows.human import Asker, Form, described, every_field_required, human_step, problems
from activity_day.flows.monthly import known_failures
from activity_day.services import findings
from activity_day.tasks.rectification import ledger

REVIEW_WAIT_SECONDS = 6 * 24 * 3600  # the weekly run's form closes before the next run opens one
DECISIONS = Literal["暂不处理", "销号", "退回"]


class ReportInput(BaseModel):
    model_config = ConfigDict(extra="forbid", title="审核意见", json_schema_extra=every_field_required)

    decision: DECISIONS = Field(default="暂不处理", title="审核结果")
    note: str = Field(default="", title="审核意见", description="退回时必填：所站会看到的退回理由")


def review_form(reports: list[dict[str, Any]], description: str) -> type[Form]:
    fields: dict[str, Any] = {"reviewer": (str, Field(default="", title="审核人", description="必填：作出审核意见的人员"))}
    for r in reports:
        photos = f"；照片 {len(r['photos'])} 张" if r["photos"] else "；无照片"
        fields[f"f{r['id']}"] = (ReportInput, Field(
            default=ReportInput(), title=f"第{r['id']}号 {r['name']}（{r['source']}·{r['category']}）",
            description=f"问题：{r['text']}。整改报告（第{r['rounds']}次）：{r['report']}{photos}"))
    model = create_model("RectificationReviewForm", __base__=(Form,), **fields)
    model.model_config["title"] = "整改审核"
    return described(model, description)


@human_step("rectification")
def _review(county: str, poll_seconds: int) -> dict[str, int]:
    ask = Asker("rectification", poll_seconds)
    took = ask.resume({"done": {"accepted": 0, "returned": 0}, "errors": [], "stop": False})
    done = took["done"]
    while not took["stop"] and (reports := findings.answered(county)):
        text = [f"## 整改审核（{cn_date(findings.today())}）", "",
                f"{len(reports)} 份整改报告待审核。逐条选择销号、退回（须写理由）或暂不处理，并填写审核人。",
                *problems(took["errors"], "，审核结果均未保存")]
        # the decisions go with the reports the form showed, as they were then (reports come in while it waits)
        answer, shown = ask(review_form(reports, "\n".join(text)), what="整改审核", context=reports,
                            timeout=REVIEW_WAIT_SECONDS)
        given = {r["id"]: getattr(answer, f"f{r['id']}") for r in shown}
        errors = [f"第{i}号：退回须写明理由" for i, g in given.items() if g.decision == "退回" and not g.note.strip()]
        if not answer.reviewer.strip() and any(g.decision != "暂不处理" for g in given.values()):
            errors.insert(0, "请填写审核人")
        decided = {} if errors else {i: g for i, g in given.items() if g.decision != "暂不处理"}
        rounds = {r["id"]: r["rounds"] for r in shown}  # the report each decision was made on
        for finding_id, g in decided.items():
            try:
                step = findings.FindingStep("accept" if g.decision == "销号" else "return", answer.reviewer.strip(),
                                            g.note.strip() or "整改到位，同意销号", findings.now())
                findings.review(county, finding_id, step, seen_round=rounds[finding_id])
            except OperatorError as exc:  # changed meanwhile, e.g. decided on the command line
                errors.append(str(exc))
                continue
            done["accepted" if g.decision == "销号" else "returned"] += 1
        took = {"done": done, "errors": errors, "stop": not errors and not decided}
        ask.took(took)
    return done


@flow(name="rectification", flow_run_name=lambda: f"{cn_date(findings.today())}·整改审核")
@known_failures
def rectification(county: str, interactive: bool = True, poll_seconds: int = 10) -> dict[str, int]:
    """Mark overdue findings, publish the ledger and, interactively, review the stations' reports."""
    counts = ledger(county, findings.today().isoformat())
    return counts | (_review(county, poll_seconds) if interactive else {})
