"""Resume forms shown in the Prefect UI while the review flow is paused, and the loops that drive them.

The forms carry only plain field types: the UI validates those, and everything else (known
departments, catalog codes, required reasons) is checked by the review tasks, which re-open the
form with the problems listed instead of failing the run.
"""

from __future__ import annotations

import contextvars
import threading
from datetime import datetime
from typing import Literal

from prefect import pause_flow_run
from prefect.exceptions import NotPausedError
from prefect.flow_runs import resume_flow_run
from prefect.input import RunInput
from prefect.logging import get_run_logger
from prefect.runtime import flow_run
from pydantic import BaseModel, Field

from activity_day.calendar import cn_month
from activity_day.months import TZ
from tasks.review import record_decisions, record_form_comment, review_state

APPROVAL_WAIT_SECONDS = 14 * 24 * 3600


class CommentForm(RunInput):
    """One department's comment on the draft plan (征求意见)."""

    department: str = Field(title="部门", description="提出意见的科室，如 理论科")
    comment: str = Field(default="", title="意见内容", description="留空表示该部门无意见")
    add_items: list[str] = Field(default_factory=list, title="建议增加的清单编号",
                                 description="学习清单或活动清单题库中的编号，如 THEORY-05、WH-06")
    remove_items: list[str] = Field(default_factory=list, title="建议删除的清单编号",
                                    description="本月方案中的编号")
    finished: bool = Field(default=False, title="结束征求意见",
                           description="勾选后不再等待其余部门，未反馈的部门记为“无意见”")


class Decision(BaseModel):
    comment_id: int = Field(title="意见编号")
    department: str = Field(title="部门")
    comment: str = Field(title="意见内容")
    disposition: Literal["采纳", "部分采纳", "不采纳"] = Field(default="采纳", title="处理结果")
    reason: str = Field(default="", title="理由", description="部分采纳、不采纳时必填")
    add_items: list[str] = Field(default_factory=list, title="采纳后增加的编号")
    remove_items: list[str] = Field(default_factory=list, title="采纳后删除的编号")


class ApprovalForm(RunInput):
    """Dispositions of the department comments (审定意见)."""

    decisions: list[Decision] = Field(title="逐条处理意见")


def _resume_at_deadline(run_id, deadline: datetime) -> threading.Timer:
    """At the deadline, resume the paused form with `finished`, so silence is recorded instead of a timeout."""

    def resume() -> None:
        try:
            resume_flow_run(run_id, run_input={"department": "", "finished": True})
        except NotPausedError:
            pass

    context = contextvars.copy_context()  # carries the Prefect API settings into the timer thread
    seconds = max(0.0, (deadline - datetime.now(TZ)).total_seconds())
    timer = threading.Timer(seconds, lambda: context.run(resume))
    timer.daemon = True
    timer.start()
    return timer


def _comment_form_text(month: str, state: dict, errors: list[str]) -> str:
    lines = [f"## {cn_month(month)}集中活动日方案（征求意见稿）", "",
             f"请录入部门意见。截止时间：{state['deadline_cn']}，逾期未反馈的部门记为“无意见”。", "",
             f"尚未反馈：{'、'.join(state['pending'])}"]
    if errors:
        lines += ["", "**上次填写有误，请修改后重新提交：**", *[f"- {e}" for e in errors]]
    return "\n".join(lines)


def collect_comments(county: str, month: str, poll_seconds: int) -> int:
    """Pause for department comments until every department answered or the deadline passed."""
    logger = get_run_logger()
    state = review_state(county, month)
    deadline = datetime.fromisoformat(state["deadline"])
    if datetime.now(TZ) >= deadline or not state["pending"]:
        logger.info("review deadline passed or every department answered; no comment form")
        return 0
    timer = _resume_at_deadline(flow_run.id, deadline)
    received, errors = 0, []
    try:
        while state["pending"]:
            form = pause_flow_run(
                wait_for_input=CommentForm.with_initial_data(
                    description=_comment_form_text(month, state, errors), department=state["pending"][0]),
                timeout=int((deadline - datetime.now(TZ)).total_seconds()) + 3600,
                poll_interval=poll_seconds,
            )
            if form.finished:
                break
            errors = record_form_comment(county, month, form.model_dump(include=set(CommentForm.model_fields)),
                                         f"flow-run:{flow_run.id}")
            received += not errors
            state = review_state(county, month)
    finally:
        timer.cancel()
    return received


def _approval_text(month: str, errors: list[str]) -> str:
    lines = [f"## 审定{cn_month(month)}方案的部门意见", "",
             "逐条选择处理结果：采纳、部分采纳或不采纳；部分采纳和不采纳须填写理由。"
             "采纳和部分采纳时，所列编号的增删将写入正式方案。"]
    if errors:
        lines += ["", "**上次提交有误，请修改后重新提交：**", *[f"- {e}" for e in errors]]
    return "\n".join(lines)


def approve_comments(county: str, month: str, poll_seconds: int) -> int:
    """Pause for the dispositions of every undecided comment; re-open the form until they validate."""
    state = review_state(county, month)
    errors: list[str] = []
    while state["undecided"]:
        form = pause_flow_run(
            wait_for_input=ApprovalForm.with_initial_data(
                description=_approval_text(month, errors),
                decisions=[Decision(**d) for d in state["undecided"]]),
            timeout=APPROVAL_WAIT_SECONDS,
            poll_interval=poll_seconds,
        )
        errors = record_decisions(county, month, [d.model_dump() for d in form.decisions])
        if not errors:
            return len(form.decisions)
        state = review_state(county, month)
    return 0


class PublicRandomForm(RunInput):
    """The public random value for the draw (公开随机数), entered after the candidate list is published."""

    value: str = Field(title="公开随机数", description="发布候选名单后才产生的公开数值，如当日福利彩票开奖号码")
    source: str = Field(default="", title="来源", description="如：2026年12月3日 福彩3D 第2026330期开奖号码")


def ask_public_random(month: str, published: dict, poll_seconds: int) -> tuple[str, str]:
    """Pause until the operator enters the public random value; an empty value re-opens the form."""
    error = ""
    while True:
        text = [f"## {cn_month(month)}督查抽样", "",
                f"候选名单已公布：{published['count']} 个所站，SHA-256 `{published['sha256']}`。",
                "请在名单公布之后，填入一个事先无人知道的公开随机数（例如当日彩票开奖号码）及其来源。"]
        if error:
            text += ["", f"**{error}**"]
        form = pause_flow_run(wait_for_input=PublicRandomForm.with_initial_data(description="\n".join(text)),
                              timeout=APPROVAL_WAIT_SECONDS, poll_interval=poll_seconds)
        value = form.value.strip()
        if value and len(value) <= 200 and len(form.source) <= 200:
            return value, form.source.strip()
        error = "公开随机数不能为空，请重新填写" if not value else "公开随机数和来源均不超过200个字符，请重新填写"
