"""Notices over one month, delivered to a real SMTP server (aiosmtpd) and a real HTTP webhook on 127.0.0.1.

The mail server refuses its first message (451) and the webhook answers its first request with 500: the send task
fails, Prefect retries it, and every notice arrives exactly once. A channel that nobody listens on is paused for
the rest of each round after one attempt: the notice tried is reported failed after the last try, with its attempts
and last error, the channel's other notices wait with the reason, and the others are delivered. A rerun delivers
nothing twice.
"""

from __future__ import annotations

import base64
import email
import json
import random
import socket
import threading
from collections.abc import Iterator
from datetime import datetime, time
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.demo import station_plans, write_xlsx
from activity_day.services.imports import import_file
from tests.conftest import profile_with_holiday_file

pytestmark = pytest.mark.flow
MONTH = "2027-03"  # activity day Friday 5 March: review deadline 15 Feb, plans 2 Mar, scores 8 Mar, compile 10 Mar
RETRY = [0.3, 0.3]  # three passes of the send task


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path: Path):
    """The outbox on both databases: a temp SQLite file, and a fresh PostgreSQL database where configured."""
    from activity_day.context import bound
    from activity_day.settings import Settings
    from tests.conftest import fresh_postgres_database

    if request.param == "sqlite":
        with bound(Settings(database_url=f"sqlite:///{tmp_path / 'var' / 'test.db'}",
                                        out=tmp_path / "out")) as chosen:
            yield chosen.settings
        return
    with fresh_postgres_database(migrated=True) as url, bound(Settings(database_url=url, out=tmp_path / "out")) as chosen:
        yield chosen.settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An SMTP server (aiosmtpd) that answers its first message 451 (try later), then takes every message."""

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.refused == 0:
            self.refused += 1
            return "451 4.3.0 暂时无法投递，请稍后重试"
        message = email.message_from_bytes(envelope.content)
        body = next(part.get_payload(decode=True).decode("utf-8") for part in message.walk()
                    if part.get_content_type() == "text/plain")
        self.messages.append({"to": ",".join(envelope.rcpt_tos), "subject": str(make_header(decode_header(
            message["Subject"]))), "body": body.strip()})
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    from aiosmtpd.controller import Controller

    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def webhook() -> Iterator[tuple[list[dict], int]]:
    """A JSON webhook receiver: the first request gets 500, then 200; it checks the basic-auth secret."""
    received: list[dict] = []
    calls = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            calls["n"] += 1
            data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            auth = self.headers.get("Authorization", "")
            if auth != "Basic " + base64.b64encode(b"hook:s3cret-from-env").decode():
                self.send_response(401)
            elif calls["n"] == 1:
                self.send_response(500)
            else:
                received.append({"path": self.path, **data})
                self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received, server.server_port
    finally:
        server.shutdown()
        server.server_close()


def notices_profile(folder: Path, *, smtp: int, hook: int, dead: int) -> Path:
    path = profile_with_holiday_file(folder)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    mail = f"mailto://127.0.0.1:{smtp}?from=office@example.com&to={{}}@example.com"
    data["notices"] = {
        "channels": {
            "stations": [f"json://hook:${{TEST_HOOK_TOKEN}}@127.0.0.1:{hook}/stations"],
            "sections": [mail.format("sections"), f"json://127.0.0.1:{dead}/nobody"],
            "teams": [mail.format("teams")],
            "office": [mail.format("office")],
        },
        "link": "泗阳县新时代文明实践微信小程序", "max_attempts": 3,
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def listed(month: str) -> list[dict]:
    done = CliRunner().invoke(app, ["notices", "list", "--month", month, "--json"])
    assert done.exit_code == 0, done.output
    return json.loads(done.output)


def test_a_month_of_notices_arrives_once_each(prefect_server, settings, registry, county, tmp_path, mailbox,
                                              webhook, monkeypatch) -> None:
    from activity_day.flows.monthly import compile_, draft, review, sample
    from activity_day.flows.notices import notices
    from activity_day.services.counties import init_county
    from activity_day.store import crud
    from activity_day.store.database import transaction

    monkeypatch.setenv("TEST_HOOK_TOKEN", "s3cret-from-env")
    box, smtp = mailbox
    hooked, hook = webhook
    init_county(notices_profile(tmp_path / "notices-profile", smtp=smtp, hook=hook, dead=free_port()))

    draft(county=county, month=MONTH)
    comments = pd.DataFrame([{"部门": "理论科", "意见内容": "建议增加“板凳课堂”宣讲场次。"}])
    assert import_file("comments", write_xlsx(comments, tmp_path / "c.xlsx", "意见"), county=county,
                       month=MONTH).exit_code == 0

    # 14 February, the day before the review deadline: the three silent sections, by mail. The first message is
    # refused (451), so the send task fails and is retried; the channel nobody listens on is tried once a try (one
    # notice, three times, then failed) and its other two notices wait for the next day's run.
    first = notices(county=county, day="2027-02-14", retry_seconds=RETRY)
    assert first["new"] == 6 and first["outbox_sent"] == 3 and first["outbox_failed"] == 1
    assert first["outbox_pending"] == 2 and first["paused_channels"] == 1
    assert box.refused == 1
    assert sorted(m["body"].split("：")[0] for m in box.messages) == ["宣教科", "版权科", "网信科"]
    assert all("2027年2月15日17:00前反馈意见" in m["body"] for m in box.messages)
    assert {m["to"] for m in box.messages} == {"sections@example.com"}
    outbox = listed(MONTH)
    assert [set(r) for r in outbox] == [{"key", "audience", "recipient", "channel", "occasion", "state", "attempts"}] * 6
    dead = [r for r in outbox if "/nobody" in r["channel"]]
    assert sorted((r["state"], r["attempts"]) for r in dead) == [("failed", 3), ("pending", 0), ("pending", 0)]
    assert sorted((r["state"], r["attempts"]) for r in outbox if r not in dead) == [("sent", 1), ("sent", 1), ("sent", 2)]
    assert {r["key"] for r in outbox} == {f"sections:{d}:{MONTH}:review-pending@-1" for d in ("宣教科", "版权科", "网信科")}
    unreachable = "：无法连接（对方没有在监听，或网络不通），本轮不再向该渠道发送"
    failed = CliRunner().invoke(app, ["notices", "list", "--month", MONTH, "--state", "failed"])
    assert failed.output.count(unreachable) == 1
    waiting = CliRunner().invoke(app, ["notices", "list", "--month", MONTH, "--state", "pending"])
    assert waiting.output.count(unreachable) == 2  # each waiting notice says why, naming the channel

    # The review closes: the official plan's notices are written with it. Most stations file plans.
    review(county=county, month=MONTH)
    with transaction(read_only=True) as session:
        plan = crud.official_plan(session=session, county=county, month=MONTH)
        content = crud.plan_content(plan)
    checklist = pd.DataFrame([i.model_dump() for block in content.checklist for i in block.items])
    plans = station_plans(random.Random("notices"), registry, datetime.combine(plan.activity_date, time()), checklist)
    assert import_file("plans", write_xlsx(plans, tmp_path / "p.xlsx", "计划"), county=county,
                       month=MONTH).exit_code == 0
    filed = set(plans["所站编号"])
    missing = sorted(set(registry["所站编号"]) - filed)
    assert missing

    # 27 February (T−3): stations without a plan, through the webhook, whose first answer is 500.
    before_mail = len(box.messages)
    third = notices(county=county, day="2027-02-27", retry_seconds=RETRY)
    assert third["failed"] == 1  # the plan's notice to the sections on the dead channel
    plan_missing = [h for h in hooked if "活动计划尚未报送" in h["message"]]
    assert len(plan_missing) == len(missing)
    assert all(h["path"] == "/stations" and "3月2日前报送" in h["message"] for h in plan_missing)
    issued = [h for h in hooked if "已印发" in h["message"]]
    assert len(issued) == 1 and "plan-v2.docx" in issued[0]["message"]
    new_mail = box.messages[before_mail:]
    assert sorted(m["to"] for m in new_mail) == ["office@example.com", "sections@example.com", "teams@example.com"]
    assert all("已印发" in m["body"] for m in new_mail)

    # A rerun of the same day sends nothing twice.
    snapshot_hook, snapshot_mail = list(hooked), list(box.messages)
    again = notices(county=county, day="2027-02-27", retry_seconds=RETRY)
    assert again["new"] == 0 and again["sent"] == 0  # only the dead channel's waiting notices were tried
    assert hooked == snapshot_hook and box.messages == snapshot_mail

    # On the day, each team gets its stations; after the scoring deadline, the teams that left some unscored.
    sample(county=county, month=MONTH)
    notices(county=county, day="2027-03-05", retry_seconds=RETRY)
    with transaction(read_only=True) as session:
        drawn = crud.assignments_frame(session=session, county=county, month=MONTH)
    teams = sorted(drawn["team"].unique())
    on_day = [m for m in box.messages if "督查任务" in m["subject"]]
    assert sorted(m["body"].split("：")[0] for m in on_day) == teams
    first_team = drawn[drawn["team"] == teams[0]]
    assert f"以下{len(first_team)}个所站" in next(m["body"] for m in on_day if m["body"].startswith(teams[0]))

    scored = drawn[drawn["team"] != teams[0]]  # the first team sends nothing
    rows = [{"所站编号": r.station_code, "检查方式": {"online": "线上", "onsite": "线下"}[r.mode], "评分人": r.team,
             "得分": 85} for r in scored.itertuples()]
    assert import_file("scores", write_xlsx(pd.DataFrame(rows), tmp_path / "s.xlsx", "评分"), county=county,
                       month=MONTH).exit_code == 0
    notices(county=county, day="2027-03-09", retry_seconds=RETRY)
    late = [m for m in box.messages if "评分报送提醒" in m["subject"]]
    assert [m["body"].split("：")[0] for m in late] == [teams[0]]
    assert f"以下{len(first_team)}个所站尚无评分" in late[0]["body"]

    # The circular is issued: its notices are in the outbox with it, and go out with the next run.
    compile_(county=county, month=MONTH)
    notices(county=county, day="2027-03-10", retry_seconds=RETRY)
    circular = [h for h in hooked if "通报" in h["title"]]
    assert len(circular) == 1 and "circular.docx" in circular[0]["message"]

    outbox = listed(MONTH)
    keys = [(r["key"], r["channel"]) for r in outbox]
    assert len(keys) == len(set(keys))
    sent_hook = [r for r in outbox if r["audience"] == "stations" and r["state"] == "sent"]
    assert len(sent_hook) == len(hooked)  # every webhook notice arrived exactly once
    sent_mail = [r for r in outbox if r["channel"].startswith("mailto://") and r["state"] == "sent"]
    assert len(sent_mail) == len(box.messages)
    assert {r["state"] for r in outbox if "/nobody" in r["channel"]} <= {"failed", "pending"}
    assert "s3cret" not in json.dumps(outbox)  # secrets stay in the environment


def test_retry_command_resends_only_the_failed(settings, county, tmp_path, mailbox, webhook, monkeypatch) -> None:
    """`notices retry` puts failed notices back and sends them; the sent ones are never sent again."""
    from activity_day.domain.notices import Occasion
    from activity_day.services import notices
    from activity_day.services.counties import init_county
    from activity_day.store.database import transaction

    monkeypatch.setenv("TEST_HOOK_TOKEN", "s3cret-from-env")
    monkeypatch.setattr("activity_day.cli.notices.SEND_DELAYS", (0.2, 0.2))
    box, smtp = mailbox
    hooked, hook = webhook
    dead = free_port()
    init_county(notices_profile(tmp_path / "p", smtp=smtp, hook=hook, dead=dead))
    issued = notices.IssuedDocument(Occasion.CIRCULAR_ISSUED, "关于督查情况的通报", "泗文明办〔2027〕3号",
                                    ["out/2027-03/circular.docx"])
    with transaction() as session:
        assert notices.enqueue_issued(session, county, MONTH, issued) == 5
    with transaction() as session:  # proposing it again writes nothing
        assert notices.enqueue_issued(session, county, MONTH, issued) == 0
    sent = CliRunner().invoke(app, ["notices", "send", "--month", MONTH])
    # Notices, not attempts (451 and 500 once each, the dead channel once: it is not tried again in the round).
    assert sent.exit_code == 2, sent.output
    assert "通知 5 条：已发送 4 条，发送失败 0 条，待发送 1 条（共发送 7 次）" in sent.output
    assert f"本轮已暂停的渠道：Webhook（127.0.0.1:{dead}/nobody）" in sent.output and "notices retry" in sent.output
    waiting = CliRunner().invoke(app, ["notices", "list", "--month", MONTH, "--state", "pending"]).output
    assert (f"错误：Webhook（127.0.0.1:{dead}/nobody）：无法连接（对方没有在监听，或网络不通），本轮不再向该渠道发送"
            in waiting)  # Chinese, named
    assert len(hooked) == 1 and len(box.messages) == 3
    assert "circular.docx" in hooked[0]["message"] and "泗文明办〔2027〕3号" in hooked[0]["message"]

    # The dead channel comes up: retry sends only that notice.
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", dead), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        again = CliRunner().invoke(app, ["notices", "retry", "--month", MONTH])
    finally:
        server.shutdown()
        server.server_close()
    assert again.exit_code == 0, again.output
    assert "重新发送 0 条发送失败的通知，连同待发送的 1 条" in again.output
    assert len(received) == 1 and len(hooked) == 1 and len(box.messages) == 3
    assert {r["state"] for r in listed(MONTH)} == {"sent"}
