"""Resume forms shown in the Prefect UI while the review or the draw waits, and the loops that drive them.

The forms carry only plain field types: the UI validates those, and everything else (known
departments, catalog codes, required reasons) is checked by the review tasks, which re-open the
form with the problems listed instead of failing the run. How the forms wait (suspended in a
deployment's run, so no worker holds them) and find their answers again is `flows/human.py`.
"""

from __future__ import annotations

import contextvars
import threading
from datetime import datetime
from typing import Any, Literal

from prefect.exceptions import NotPausedError
from prefect.flow_runs import resume_flow_run
from prefect.logging import get_run_logger
from prefect.runtime import flow_run
from pydantic import BaseModel, ConfigDict, Field, create_model

from activity_day.context import current
from activity_day.domain.dates import cn_month
from activity_day.domain.names import control_characters
from activity_day.errors import OperatorError
from activity_day.flows.human import (
    WAIT_SECONDS,
    Asker,
    Form,
    described,
    every_field_required,
    human_step,
    problems,
    suspending,
)
from activity_day.services import commitments
from activity_day.tasks.review import record_decisions, record_form_comment, review_state
from activity_day.tasks.schedule import schedule_review_deadline

APPROVAL_WAIT_SECONDS = WAIT_SECONDS
DISPOSITIONS = Literal["采纳", "部分采纳", "不采纳"]


class CommentForm(Form):
    """One department's comment on the draft plan (征求意见)."""

    model_config = ConfigDict(title="部门意见")

    department: str = Field(default="", title="部门", description="提出意见的科室，如 理论科")
    comment: str = Field(default="", title="意见内容", description="留空表示该部门无意见")
    add_items: list[str] = Field(default=[], title="建议增加的清单编号",
                                 description="学习清单或活动清单题库中的编号，如 THEORY-05、WH-06")
    remove_items: list[str] = Field(default=[], title="建议删除的清单编号",
                                    description="本月方案中的编号")
    draw_commitment: str = Field(default="", title="抽样承诺值（可选）",
                                 description="部门自选一个随机串并自行保管，这里只填它的 SHA-256（64位十六进制）；"
                                             "候选名单公布后再公开随机串，各部门的随机串组合为本月抽样的公开随机数")
    finished: bool = Field(default=False, title="结束征求意见",
                           description="勾选后本条意见照常保存，不再等待其余部门，未反馈的部门记为“无意见”")

    def says_something(self) -> bool:
        """Whether the operator entered a comment or codes (a pre-filled department alone is not a comment)."""
        return bool(self.comment.strip() or self.draw_commitment.strip()
                    or any(c.strip() for c in self.add_items + self.remove_items))


class DecisionInput(BaseModel):
    """The operator's part of one comment's disposition; the comment itself is shown, not edited."""

    model_config = ConfigDict(extra="forbid", title="处理意见", json_schema_extra=every_field_required)

    disposition: DISPOSITIONS = Field(default="采纳", title="处理结果")
    reason: str = Field(default="", title="理由", description="部分采纳、不采纳时必填")
    add_items: list[str] = Field(default=[], title="采纳后增加的编号")
    remove_items: list[str] = Field(default=[], title="采纳后删除的编号")
    amendment: str = Field(default="", title="修改内容",
                           description="写入正式方案“工作要求”的内容，如：增加“板凳课堂”宣讲场次。采纳且不增删编号时可留空，"
                                       "按意见内容生成；部分采纳且不增删编号时必填")


def approval_form(undecided: list[dict[str, Any]], typed: dict[int, dict[str, Any]], description: str) -> type[Form]:
    """The approval form: one fixed entry per open comment, titled with its number, department and text.

    The entries cannot be added or removed, and the comment's number, department and text are in the
    title and description, not in fields. `typed` holds what the operator entered before (by comment id, as text).
    """
    fields = {}
    for c in undecided:
        initial = typed.get(str(c["comment_id"])) or {"add_items": c["add_items"], "remove_items": c["remove_items"]}
        fields[f"c{c['comment_id']}"] = (DecisionInput, Field(
            default=DecisionInput(**initial), title=f"第{c['comment_id']}号意见（{c['department']}）",
            description=f"意见内容：{c['comment']}"))
    model = create_model("ApprovalForm", __base__=(Form,), **fields)
    model.model_config["title"] = "审定意见"
    return described(model, description)


def _resume_at_deadline(run_id, deadline: datetime) -> threading.Timer:
    """At the deadline, resume the paused form with `finished`, so silence is recorded instead of a timeout.

    Only for a run that holds its process; a suspended review is closed by its review-deadline run instead.
    """

    def resume() -> None:
        try:
            resume_flow_run(run_id, run_input=CommentForm(finished=True).model_dump())
        except NotPausedError:
            pass

    context = contextvars.copy_context()  # carries the Prefect API settings into the timer thread
    seconds = max(0.0, (deadline - current().local_now()).total_seconds())
    timer = threading.Timer(seconds, lambda: context.run(resume))
    timer.daemon = True
    timer.start()
    return timer


def closing_answer() -> dict[str, Any]:
    """What the deadline sends to the comment form: nothing said, 结束征求意见 ticked."""
    return CommentForm(finished=True).model_dump()


def _comment_form_text(month: str, state: dict, errors: list[str]) -> str:
    lines = [f"## {cn_month(month)}集中活动日方案（征求意见稿）", "",
             f"请录入部门意见。截止时间：{state['deadline_cn']}，逾期未反馈的部门记为“无意见”。", "",
             f"尚未反馈：{'、'.join(state['pending']) or '无'}"]
    return "\n".join(lines + problems(errors, "，本条意见未保存"))


@human_step("comments")
def collect_comments(county: str, month: str, poll_seconds: int) -> int:
    """Wait for department comments until every department answered, the operator finished, or the deadline.

    A comment submitted together with 结束征求意见 is recorded before the loop ends; a form with
    problems comes back with everything the operator typed and the problems above it.
    """
    ask = Asker("comments", poll_seconds)
    took = ask.resume({"received": 0, "errors": [], "typed": None, "finished": False})
    state = review_state(county, month)
    deadline = datetime.fromisoformat(state["deadline"])

    def closed() -> bool:  # past the deadline, and no answer sent before it still to take
        return current().local_now() >= deadline and not ask.answered()

    if closed() or not state["pending"] or took["finished"]:
        get_run_logger().info("征求意见已截止、已结束或各部门均已反馈，不再打开部门意见表单")
        return took["received"]
    if suspending():  # no process to hold a timer: a run of the review-deadline deployment closes the form
        schedule_review_deadline(county, month, str(flow_run.id), state["deadline"])
        timer = None
    else:
        timer = _resume_at_deadline(flow_run.id, deadline)
    try:
        while state["pending"] and not took["finished"] and not closed():
            values = took["typed"] if took["typed"] is not None else {"department": state["pending"][0]}
            form, _ = ask(CommentForm.prefilled(_comment_form_text(month, state, took["errors"]), **values),
                          what="部门意见", timeout=int((deadline - current().local_now()).total_seconds()) + 3600)
            typed = form.model_dump(include=set(CommentForm.model_fields))
            errors: list[str] = []
            comment = form.says_something() or bool(form.department.strip() and not form.finished)
            if comment:
                errors = record_form_comment(county, month, typed, f"flow-run:{flow_run.id}")
            took = {"received": took["received"] + int(comment and not errors), "errors": errors,
                    "typed": typed if errors else None, "finished": form.finished and not errors}
            ask.took(took)
            state = review_state(county, month)
    finally:
        if timer is not None:
            timer.cancel()
    return took["received"]


def _approval_text(month: str, errors: list[str]) -> str:
    lines = [f"## 审定{cn_month(month)}方案的部门意见", "",
             "逐条选择处理结果：采纳、部分采纳或不采纳；部分采纳和不采纳须填写理由。"
             "采纳和部分采纳时，所列编号的增删和填写的修改内容将写入正式方案。意见编号、部门和意见内容见各条标题和说明。"]
    return "\n".join(lines + problems(errors, "，处理结果均未保存"))


@human_step("approval")
def approve_comments(county: str, month: str, poll_seconds: int) -> int:
    """Wait for the dispositions of every undecided comment; re-open the form, as typed, until they validate."""
    ask = Asker("approval", poll_seconds)
    took = ask.resume({"errors": [], "typed": {}})
    state = review_state(county, month)
    while state["undecided"]:
        form, shown = ask(approval_form(state["undecided"], took["typed"], _approval_text(month, took["errors"])),
                          what="审定意见", context=state["undecided"])
        typed = {str(c["comment_id"]): getattr(form, f"c{c['comment_id']}").model_dump() for c in shown}
        decisions = [{"comment_id": c["comment_id"], "department": c["department"], **typed[str(c["comment_id"])]}
                     for c in shown]
        errors = record_decisions(county, month, decisions)
        ask.took({"errors": errors, "typed": typed})
        if not errors:
            return len(decisions)
        took = {"errors": errors, "typed": typed}
        state = review_state(county, month)
    return 0


class PublicRandomForm(Form):
    """The public random value for the draw (公开随机数), entered after the candidate list is published."""

    model_config = ConfigDict(title="公开随机数")

    value: str = Field(default="", title="公开随机数", description="发布候选名单后才产生的公开数值，如当日福利彩票开奖号码")
    source: str = Field(default="", title="来源", description="如：2026年12月3日 福彩3D 第2026330期开奖号码")


def reveal_form(pending: list[str], description: str) -> type[Form]:
    """One field per department that committed and has not revealed: its secret (随机串)."""
    fields = {f"d{i}": (str, Field(default="", title=f"{d}的随机串", description=f"{d}事先提交承诺值时自选的随机串"))
              for i, d in enumerate(pending)}
    model = create_model("RevealForm", __base__=(Form,), **fields)
    model.model_config["title"] = "公开随机串"
    return described(model, description)


@human_step("reveals")
def ask_reveals(county: str, month: str, published: dict, poll_seconds: int) -> tuple[None, str]:
    """Wait for the committed departments' secrets until at least one is revealed (each checked against its
    commitment); the draw then combines the reveals (docs/draw.md). Returns no value: the draw reads them."""
    ask = Asker("reveals", poll_seconds)
    errors: list[str] = ask.resume({"errors": []})["errors"]
    while True:
        state = commitments.status(county, month)
        pending = [r["department"] for r in state if not r["revealed"]]
        # a form shown again after a problem may have been answered before this run started over
        if any(r["revealed"] for r in state) and not errors and not ask.answered():
            return None, ""
        text = [f"## {cn_month(month)}督查抽样：公开随机串", "",
                f"候选名单已公布：{published['count']} 个所站，SHA-256 `{published['sha256']}`。",
                f"以下部门在征求意见时提交了承诺值：{'、'.join(r['department'] for r in state)}。"
                "请录入各部门现在公开的随机串（未到的部门留空，至少一个），系统逐一核对承诺值后组合为公开随机数。"]
        text += problems(errors, "，相符的随机串已保存")
        form, shown = ask(reveal_form(pending, "\n".join(text)), what="公开随机串", context=pending)
        typed = form.model_dump()
        errors = []
        for i, department in enumerate(shown):
            secret = str(typed.get(f"d{i}") or "")
            if not secret.strip():
                continue
            try:
                commitments.reveal(county, month, department, secret, current().local_now())
            except OperatorError as exc:
                errors.append(f"{department}：{exc}")
        if not errors and not any(r["revealed"] for r in commitments.status(county, month)):
            errors = ["至少需要一个部门公开随机串"]
        ask.took({"errors": errors})


@human_step("public-random")
def ask_public_random(month: str, published: dict, poll_seconds: int) -> tuple[str, str]:
    """Wait until the operator enters the public random value; an empty value re-opens the form, as typed."""
    ask = Asker("public-random", poll_seconds)
    took = ask.resume({"error": "", "typed": {}})
    while True:
        text = [f"## {cn_month(month)}督查抽样", "",
                f"候选名单已公布：{published['count']} 个所站，SHA-256 `{published['sha256']}`。",
                "请在名单公布之后，填入一个事先无人知道的公开随机数（例如当日彩票开奖号码）及其来源。"]
        if took["error"]:
            text += ["", f"**{took['error']}**"]
        form, _ = ask(PublicRandomForm.prefilled("\n".join(text), **took["typed"]), what="公开随机数")
        typed = form.model_dump(include=set(PublicRandomForm.model_fields))
        value, source = form.value.strip(), form.source.strip()
        if not value:
            error = "公开随机数不能为空，请重新填写"
        elif len(value) > 200 or len(source) > 200:
            error = "公开随机数和来源均不超过200个字符，请重新填写"
        elif control_characters(value + source):
            error = f"公开随机数和来源中有不可见的控制字符（{'、'.join(control_characters(value + source))}），请重新填写"
        else:
            return value, source
        took = {"error": error, "typed": typed}
        ask.took(took)
