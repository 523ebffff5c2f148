"""Department review through the Prefect resume forms, driven as an operator would from the UI."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import select

from activity_day.domain.planning import load_learning_catalog
from activity_day.domain.review import plan_codes
from activity_day.models import LearningItem
from activity_day.store import crud
from activity_day.store.database import transaction
from tests.flows.operator import Operator

pytestmark = pytest.mark.flow
MONTH = "2027-02"


def test_comment_and_approval_forms(prefect_server, settings, registry, county) -> None:
    from activity_day.flows.monthly import draft, review

    draft(county=county, month=MONTH)
    with transaction() as session:
        v1 = crud.get_plan(session=session, county=county, month=MONTH, version=1)
    in_plan = plan_codes(v1.content)
    catalog = load_learning_catalog()
    addition = next(c for c in catalog[catalog["festival"] == ""]["code"] if c not in in_plan)
    removal = sorted(in_plan)[0]

    def approve(_description: str) -> dict:
        """The approval form lists the open comments; the operator adopts one and rejects the other."""
        with transaction() as session:
            frame = crud.comments_frame(session=session, county=county, month=MONTH)
        return {f"c{row.id}": {
            "disposition": "采纳" if row.department == "理论科" else "不采纳",
            "reason": "" if row.department == "理论科" else "该项为本月规定动作，予以保留",
            "add_items": list(row.proposes_add), "remove_items": list(row.proposes_remove),
            "amendment": "增加“板凳课堂”宣讲场次" if row.department == "理论科" else ""}
            for row in frame.itertuples() if pd.isna(row.disposition)}

    def reject_without_reason(_description: str) -> dict:
        answer = approve(_description)
        return {key: dict(value, reason="") for key, value in answer.items()}

    operator = Operator([
        lambda _d: {"department": "财务科", "comment": "x", "add_items": ["nope"]},
        lambda _d: {"department": "理论科", "comment": f"建议增加{addition}", "add_items": [addition]},
        # 同意 says nothing to decide: recorded as 无意见, the department no longer pending
        lambda _d: {"department": "宣教科", "comment": "同意。"},
        # a comment sent together with 结束征求意见 is recorded, then the review stops waiting
        lambda _d: {"department": "网信科", "comment": f"建议删除{removal}", "remove_items": [removal],
                    "finished": True},
        reject_without_reason,
        approve,
    ])
    # Listen where the terminal does: on the operator logger itself (Prefect reconfigures the root logger).
    heard: list[logging.LogRecord] = []
    listener = logging.Handler()
    listener.emit = heard.append  # type: ignore[method-assign]
    logging.getLogger("activity_day.operator").addHandler(listener)
    operator.thread.start()
    try:
        result = review(county=county, month=MONTH, interactive=True, poll_seconds=1)
    finally:
        logging.getLogger("activity_day.operator").removeHandler(listener)
    operator.thread.join(timeout=30)
    assert operator.error is None, operator.error

    # each pause tells the terminal where the form is and what to do
    notices = [r.getMessage() for r in heard]
    assert len(notices) == 6 and all("/flow-run/" in n and "Resume" in n for n in notices)
    assert notices[0].startswith("2027年2月·征求意见 已暂停，等待填写“部门意见”") and "审定意见" in notices[4]

    assert "尚未反馈：理论科、宣教科、版权科、网信科" in operator.descriptions[0]
    assert "部门应为" in operator.descriptions[1] and "财务科" in operator.descriptions[1]
    assert "本条意见未保存" in operator.descriptions[1]
    # the re-opened form keeps what was typed
    reopened = operator.schemas[1]["properties"]
    assert (reopened["department"]["default"], reopened["comment"]["default"]) == ("财务科", "x")
    assert reopened["add_items"]["default"] == ["nope"]
    assert "尚未反馈：宣教科、版权科、网信科" in operator.descriptions[2]
    assert operator.schemas[2]["properties"]["department"]["default"] == "宣教科"
    assert operator.schemas[2]["properties"]["comment"]["default"] == ""
    assert "尚未反馈：版权科、网信科" in operator.descriptions[3]
    # every label is Chinese and no field is marked optional, pre-filled or not
    for schema in operator.schemas:
        assert set(schema["required"]) == set(schema["properties"])
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in p["title"]) for p in schema["properties"].values())
    # the approval form: one fixed entry per open comment; number, department and text are not fields
    with transaction() as session:
        ids = {r.department: int(r.id) for r in crud.comments_frame(session=session, county=county,
                                                                       month=MONTH).itertuples()}
    approval = operator.schemas[4]
    assert set(approval["properties"]) == {f"c{ids['理论科']}", f"c{ids['网信科']}"}
    entry = approval["properties"][f"c{ids['网信科']}"]
    assert entry["title"] == f"第{ids['网信科']}号意见（网信科）" and f"建议删除{removal}" in entry["description"]
    assert set(approval["$defs"]["DecisionInput"]["properties"]) == {"disposition", "reason", "add_items",
                                                                     "remove_items", "amendment"}
    assert "必须填写理由" in operator.descriptions[5]
    # re-opened after the missing reason: 不采纳 stays 不采纳, the typed 修改内容 stays
    assert operator.schemas[5]["properties"][f"c{ids['网信科']}"]["default"]["disposition"] == "不采纳"
    assert operator.schemas[5]["properties"][f"c{ids['理论科']}"]["default"]["disposition"] == "采纳"
    assert operator.schemas[5]["properties"][f"c{ids['理论科']}"]["default"]["amendment"] == "增加“板凳课堂”宣讲场次"

    assert result["silent"] == ["宣教科", "版权科"] and result["comments"] == 2
    assert result["amendments"] == ["增加“板凳课堂”宣讲场次。"]
    assert result["edits"] == [{"action": "增加", "code": addition, "department": "理论科"}]
    with transaction() as session:
        v2 = crud.get_plan(session=session, county=county, month=MONTH, version=2)
        table = crud.comments_frame(session=session, county=county, month=MONTH)
    assert v2.status == "official"
    assert addition in plan_codes(v2.content) and removal in plan_codes(v2.content)
    by_dept = {r.department: (r.disposition, r.reason, r.source) for r in table.itertuples()}
    assert by_dept["理论科"] == ("采纳", "", "form")
    assert by_dept["网信科"] == ("不采纳", "该项为本月规定动作，予以保留", "form")
    assert by_dept["宣教科"] == ("无意见", "", "form") and by_dept["版权科"] == ("无意见", "", "silence")
    assert table.set_index("department").loc["宣教科", "content"] == "无意见"
    # the adopted comment is in the official plan: its code in the lists and its 修改内容 under 工作要求
    plan_md = (Path(settings.out) / MONTH / "plan-v2.md").read_text(encoding="utf-8")
    title = load_learning_catalog().set_index("code").loc[addition, "title"]
    assert "1. 根据理论科意见，增加“板凳课堂”宣讲场次。" in plan_md and title in plan_md
    assert "该项为本月规定动作" not in plan_md and "部门意见处理情况表" not in plan_md
    record = (Path(settings.out) / MONTH / "review-dispositions.md").read_text(encoding="utf-8")
    assert "该项为本月规定动作，予以保留" in record and f"清单增加{addition}；工作要求（四）第1条" in record
    # drafting again after the official plan keeps the month's lists as the review left them
    draft(county=county, month=MONTH)
    with transaction() as session:
        learning = set(session.exec(select(LearningItem.code).where(LearningItem.month == MONTH)).all())
    assert addition in learning


def test_deadline_resumes_the_comment_form_with_finished(prefect_server) -> None:
    from datetime import datetime, timedelta

    from prefect import flow, pause_flow_run
    from prefect.runtime import flow_run

    from activity_day.domain.months import TZ
    from activity_day.flows.forms import CommentForm, _resume_at_deadline

    @flow
    def waits_for_comment() -> bool:
        timer = _resume_at_deadline(flow_run.id, datetime.now(TZ) + timedelta(seconds=2))
        form = pause_flow_run(wait_for_input=CommentForm.with_initial_data(department="理论科"), timeout=120,
                              poll_interval=1)
        timer.cancel()
        return form.finished

    assert waits_for_comment() is True


def test_past_deadline_issues_the_plan_without_waiting(prefect_server, settings, registry, county) -> None:
    from activity_day.flows.monthly import draft, review

    draft(county=county, month="2026-01")  # its review closed on 2025-12-18
    result = review(county=county, month="2026-01", interactive=True, poll_seconds=1)
    assert result["silent"] == ["理论科", "宣教科", "版权科", "网信科"]


def test_public_random_form_for_the_draw(prefect_server, settings, registry, county) -> None:
    from activity_day.flows.monthly import draft, review, sample
    from activity_day.services.drawcheck import verify_stored

    draft(county=county, month="2027-03")
    review(county=county, month="2027-03")
    operator = Operator([lambda _d: {"value": "  "}, lambda _d: {"value": "385", "source": "福彩3D 第2027061期"}])
    operator.thread.start()
    result = sample(county=county, month="2027-03", interactive=True, poll_seconds=1)
    operator.thread.join(timeout=30)
    assert operator.error is None, operator.error
    assert "候选名单已公布：248 个所站" in operator.descriptions[0]
    assert "公开随机数不能为空" in operator.descriptions[1]
    with transaction() as session:
        stored = crud.require_draw(session=session, county=county, month="2027-03")
    assert stored.public_random == "385" and stored.record["public_random_source"] == "福彩3D 第2027061期"
    assert stored.seed.endswith("|385") and stored.candidates_sha256 in operator.descriptions[0]
    assert result["drawn"] == 83 and verify_stored(county, "2027-03")[0]
    # a rerun keeps the draw and does not ask again
    assert sample(county=county, month="2027-03", interactive=True, poll_seconds=1)["new"] is False
