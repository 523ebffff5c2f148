"""Human steps that start over: a run that starts again from the top (a suspended run resumed, a crashed run retried)
finds the forms already answered and asks only what is left; a finished step is not asked again."""

from __future__ import annotations

import threading
from uuid import UUID

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.flow_engine import run_flow
from prefect.states import Scheduled
from pydantic import ConfigDict, Field
from typer.testing import CliRunner

from activity_day.cli.root import app
from activity_day.context import carried
from activity_day.flows.human import Asker, Form, human_step
from activity_day.store import crud
from activity_day.store.database import transaction
from tests.flows.operator import Operator

pytestmark = pytest.mark.flow
MONTH = "2027-02"


class Word(Form):
    model_config = ConfigDict(title="一个词")

    word: str = Field(default="", title="词", description="任意一个词")


def start_over(fn, run_id: UUID) -> object:
    """Run the flow run `run_id` again from the top, as a resumed or retried run does (the same run, its answers)."""
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(run_id, Scheduled(), force=True)
        run = client.read_flow_run(run_id)
    return run_flow(fn, flow_run=run, parameters=run.parameters, return_type="state")


def within(seconds: float, call) -> object:
    """`call()`, failing the test if it does not return in time (a form asked again would wait for days)."""
    out: dict = {}
    thread = threading.Thread(target=carried(lambda: out.setdefault("value", call())), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the run asked again for a form it had an answer to"
    return out["value"]


def test_a_run_that_starts_over_asks_only_what_is_left(prefect_server) -> None:
    crash = {"armed": True}
    taken: list[tuple[int, str]] = []

    @human_step("words")
    def words(poll_seconds: int) -> list[str]:
        ask = Asker("words", poll_seconds)
        got = ask.resume({"got": []})["got"]
        while len(got) < 3:
            answer, asked_with = ask(Word.prefilled(f"第{len(got) + 1}个词"), what="一个词", context=len(got))
            if len(got) == 1 and crash.pop("armed", False):
                raise RuntimeError("the worker died with an answer in hand")
            if answer.word.strip():  # an empty word: the same form again
                got = [*got, answer.word]
                taken.append((asked_with, answer.word))
            ask.took({"got": got})
        return got

    @flow(name="words")
    def three_words() -> list[str]:
        return words(poll_seconds=1) + words(poll_seconds=1)  # the second call is the finished step: not asked

    operator = Operator([lambda _d: {"word": ""}, lambda _d: {"word": "甲"}, lambda _d: {"word": "乙"},
                         lambda _d: {"word": "丙"}])
    operator.thread.start()
    state = three_words(return_state=True)
    assert state.is_failed()  # three forms answered, the third not yet taken; the operator waits for a fourth
    state = within(120, lambda: start_over(three_words, state.state_details.flow_run_id))
    operator.thread.join(timeout=60)
    assert operator.error is None, operator.error
    assert state.is_completed() and state.result() == ["甲", "乙", "丙"] * 2
    # nothing asked twice, nothing typed lost: 乙, answered before the crash, taken after it with its form's context
    assert len(operator.descriptions) == 4 and taken == [(0, "甲"), (1, "乙"), (2, "丙")]
    # what the operator must know is drawn above the first field, where the UI shows it
    assert operator.schemas[0]["properties"]["word"]["description"] == "第1个词\n\n任意一个词"


def test_a_review_run_again_from_the_top_records_nothing_twice(prefect_server, settings, registry, county) -> None:
    from activity_day.flows.monthly import draft, review

    draft(county=county, month=MONTH)
    operator = Operator([
        lambda _d: {"department": "理论科", "comment": "建议突出学雷锋纪念日主题"},
        lambda _d: {"department": "网信科", "comment": "建议增加网络文明宣传内容", "finished": True},
        lambda _d: {},  # every comment adopted as proposed
    ])
    operator.thread.start()
    state = review(county=county, month=MONTH, interactive=True, poll_seconds=1, return_state=True)
    operator.thread.join(timeout=60)
    assert operator.error is None and state.is_completed()
    notice = operator.schemas[0]["properties"]["department"]["description"]
    assert "截止时间：2027年1月18日17:00" in notice and "尚未反馈：理论科、宣教科、版权科、网信科" in notice
    with transaction() as session:
        before = crud.comments_frame(session=session, county=county, month=MONTH).to_dict("records")

    run_id = state.state_details.flow_run_id
    result = within(180, lambda: CliRunner().invoke(app, ["run", "retry", str(run_id)]))
    assert result.exit_code == 0, result.output
    assert "已重试完成" in result.output and len(operator.descriptions) == 3
    with transaction() as session:
        after = crud.comments_frame(session=session, county=county, month=MONTH).to_dict("records")
    assert after == before
