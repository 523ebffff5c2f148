"""Selecting demonstration stations (示范所站评选) as a flow with human steps.

自主申报 (imported before the run) → 资料审核 → 实地评估 (assessors drawn with 回避) → 集中会审 (a resume form:
the panel decides on each candidate with a site score and a reason) → 媒体公示 (the 公示 notice; the run pauses
on a form until the period has passed; objections are recorded meanwhile with `activity-day demonstration
object`, and decided in that form) → 命名 (the final list and the naming notice).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from prefect import flow
from prefect.runtime import flow_run
from pydantic import BaseModel, ConfigDict, Field, create_model

from activity_day.domain.dates import cn_date
from activity_day.domain.draw import public_random_problem
from activity_day.domain.evaluation import period_months
from activity_day.errors import OperatorError
from activity_day.flows.human import Asker, Form, described, every_field_required, human_step, problems
from activity_day.flows.monthly import known_failures
from activity_day.services import demonstration as service
from activity_day.tasks.demonstration import (
    candidates,
    objections_state,
    open_publicity,
    render_notice,
    review_and_assign,
)

DECISIONS = Literal["命名", "不予命名"]
RULINGS = Literal["不成立", "成立"]


class CandidateInput(BaseModel):
    model_config = ConfigDict(extra="forbid", title="会审意见", json_schema_extra=every_field_required)

    decision: DECISIONS | None = Field(default=None, title="会审结果", description="必填：命名或不予命名")
    site_score: float | None = Field(default=None, ge=0, le=100, title="实地评估得分",
                                     description="必填：评估人员实地评估的平均分，0 到 100")
    reason: str = Field(default="", title="理由", description="必填：命名或不予命名的理由")


class ObjectionInput(BaseModel):
    model_config = ConfigDict(extra="forbid", title="异议处理", json_schema_extra=every_field_required)

    ruling: RULINGS = Field(default="不成立", title="核查结果")
    outcome: str = Field(default="", title="处理意见", description="必填：核查情况和处理意见")


def panel_form(cands: list[dict[str, Any]], description: str) -> type[Form]:
    fields: dict[str, Any] = {"panel": (str, Field(default="", title="会审人员", description="必填：参加集中会审的人员姓名"))}
    for c in cands:
        fields[f"s{c['code']}"] = (CandidateInput, Field(
            default=CandidateInput(), title=f"{c['township']}{c['name']}（{c['code']}）",
            description=f"特色品牌：{c['brand']}；综合得分 {c['total']}，{c['stars']}星；评估人员：{c['assessors']}"))
    model = create_model("PanelForm", __base__=(Form,), **fields)
    model.model_config["title"] = "集中会审"
    return described(model, description)


def publicity_form(objections: list[dict[str, Any]], description: str) -> type[Form]:
    fields: dict[str, Any] = {
        "decided_by": (str, Field(default="", title="处理人", description="必填：作出处理意见的人员")),
        "closed": (bool, Field(default=False, title="公示期满，确认命名",
                               description="勾选后按会审结果和异议处理意见命名；不勾选则保存处理意见并继续等待")),
    }
    for o in objections:
        fields[f"o{o['id']}"] = (ObjectionInput, Field(
            default=ObjectionInput(), title=f"第{o['id']}号异议（{o['station']}）", description=f"异议内容：{o['content']}"))
    model = create_model("PublicityForm", __base__=(Form,), **fields)
    model.model_config["title"] = "公示与异议"
    return described(model, description)


@human_step("panel")
def _panel(county: str, round_: str, poll_seconds: int) -> None:
    cands = candidates(county, round_)
    ask = Asker("panel", poll_seconds)
    errors: list[str] = ask.resume({"errors": []})["errors"]
    while True:
        text = [f"## {round_}年度示范所站集中会审", "", f"资料审核通过 {len(cands)} 个所站。请逐一填写会审结果、"
                "实地评估得分和理由，并填写会审人员。", *problems(errors)]
        answer, shown = ask(panel_form(cands, "\n".join(text)), what="集中会审", context=cands)
        errors = []
        for c in shown:
            given = getattr(answer, f"s{c['code']}")
            missing = [label for label, value in (("会审结果", given.decision), ("实地评估得分", given.site_score),
                                                  ("理由", given.reason.strip() or None)) if value is None]
            if missing:
                errors.append(f"{c['code']}：请填写{'、'.join(missing)}")
        if not answer.panel.strip():
            errors.insert(0, "请填写会审人员")
        if not errors:
            decisions = [{"station": c["code"], "approved": getattr(answer, f"s{c['code']}").decision == "命名",
                          "site_score": getattr(answer, f"s{c['code']}").site_score,
                          "reason": getattr(answer, f"s{c['code']}").reason.strip()} for c in shown]
            try:
                service.record_decisions(county, round_, decisions, answer.panel.strip())
            except OperatorError as exc:  # more named than the quota
                errors = [str(exc)]
        ask.took({"errors": errors})
        if not errors:
            return


@human_step("publicity")
def _publicity(county: str, round_: str, end: date, poll_seconds: int) -> str:
    ask = Asker("publicity", poll_seconds)
    errors: list[str] = ask.resume({"errors": []})["errors"]
    while True:
        pending = objections_state(county, round_)
        text = [f"## {round_}年度示范所站公示", "", f"公示期至{cn_date(end)}。公示期间收到的异议请用 "
                f"`activity-day demonstration object --round {round_} --station 所站编号 --content 异议内容` 登记，"
                "再在本表中填写核查结果；公示期满后勾选“公示期满，确认命名”提交。",
                "", f"已登记异议 {len(pending)} 条。", *problems(errors)]
        # the rulings go with the objections the form showed (more may be recorded while it waits)
        answer, shown = ask(publicity_form(pending, "\n".join(text)), what="公示与异议", context=pending)
        errors = [f"第{o['id']}号异议：请填写处理意见" for o in shown if not getattr(answer, f"o{o['id']}").outcome.strip()]
        if shown and not answer.decided_by.strip():
            errors.insert(0, "请填写处理人")
        named = None
        if not errors:
            service.decide_objections(county, round_, {o["id"]: (getattr(answer, f"o{o['id']}").ruling == "成立",
                                                                 getattr(answer, f"o{o['id']}").outcome.strip())
                                                       for o in shown}, answer.decided_by.strip())
            if answer.closed and (late := objections_state(county, round_)):
                errors = [f"表单打开后又登记了 {len(late)} 条异议，请填写核查结果后再确认命名"]
            elif answer.closed and service.today() > end:
                named = answer.decided_by.strip()
            elif answer.closed:
                errors = [f"公示期至{cn_date(end)}，期满后才能确认命名（今天是{cn_date(service.today())}）"]
        ask.took({"errors": errors})
        if named is not None:
            return named


@flow(name="demonstration", flow_run_name=lambda: f"{flow_run.parameters.get('round')}年度·示范所站评选")
@known_failures
def select_demonstration(county: str, round: str, period: str | None = None,  # noqa: A002  (the parameter's name in the UI)
                         publicity_start: str | None = None, poll_seconds: int = 5, public_random: str | None = None,
                         public_random_source: str = "") -> dict:
    """A round of the demonstration-station selection: review, site visits, the panel, the 公示 and the naming.

    `period`: the evaluation the review reads (default: the round, a year); `publicity_start`: the first day
    of the 公示, YYYY-MM-DD (default today); `public_random`: the site visits' public random value, published after
    the shortlist (a lottery result), with `public_random_source` (docs/draw.md).
    """
    if problem := public_random_problem(public_random, public_random_source):
        raise OperatorError(problem)
    if not re.fullmatch(r"\d{4}", round.strip()):
        raise OperatorError(f"评选年度“{round}”无效：应为四位年份，如 2027")
    round = round.strip()  # noqa: A001
    chosen = (period or round).strip().upper()
    period_months(chosen)  # a period the evaluation does not know fails here, in Chinese
    try:
        start = date.fromisoformat(publicity_start.strip()) if publicity_start else service.today()
    except ValueError:
        raise OperatorError(f"公示开始日期“{publicity_start}”无效：应为 YYYY-MM-DD") from None
    # A run that waited suspended starts over from here when resumed: the review and the 公示's dates are kept
    # from its first pass (tasks cached per run), and the panel's decision is not asked again.
    reviewed = review_and_assign(county, round, chosen, public_random, public_random_source)
    _panel(county, round, poll_seconds)
    end = date.fromisoformat(open_publicity(county, round, start.isoformat()))
    notice = render_notice(county, round, "publicity")
    _publicity(county, round, end, poll_seconds)
    named = service.name_stations(county, round, service.today())
    final = render_notice(county, round, "naming")
    return {"round": round, "applications": reviewed["applications"], "eligible": reviewed["eligible"],
            "publicity_end": end.isoformat(), "named": list(named["code"]), "files": notice | final,
            "warnings": reviewed.get("warnings", [])}
