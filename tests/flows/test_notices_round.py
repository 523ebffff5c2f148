"""A county's daily round over three channels, one of them hanging: real HTTP servers on 127.0.0.1.

Two webhooks answer at once; the third accepts the connection and never answers until the test lets it. The
hanging channel is given up after its timeout (from the profile) for the rest of each pass, the channels are sent
side by side, so the others are all delivered and the round takes seconds, not a timeout per notice. The command
prints counts of notices, and `notices retry --channel` resends that one channel only.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from activity_day.cli import app
from tests.conftest import profile_with_holiday_file

MONTH = "2027-03"
STATIONS = 30
HANG_TIMEOUT = 1  # seconds, the hanging channel's own timeout in the profile (the others keep the default)


class Hook:
    """A webhook on 127.0.0.1 that records what it receives; `hang` holds every request until released."""

    def __init__(self, hang: bool = False) -> None:
        self.received: list[dict] = []
        self.requests = 0
        self.released = threading.Event()
        if not hang:
            self.released.set()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                hook.requests += 1
                data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if not hook.released.is_set():  # held, bounded: the sender gave up on it after its timeout
                    hook.released.wait(timeout=30)
                    return
                hook.received.append(data)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hooks() -> Iterator[tuple[Hook, Hook, Hook]]:
    made = (Hook(), Hook(), Hook(hang=True))
    try:
        yield made
    finally:
        for hook in made:
            hook.close()


def test_a_hanging_channel_is_given_up_and_the_others_deliver(settings, tmp_path: Path, hooks, monkeypatch) -> None:
    from activity_day.domain.notices import Audience, NoticeDraft
    from activity_day.services import notices
    from activity_day.services.counties import init_county
    from activity_day.store import crud
    from activity_day.store.database import transaction

    first, second, hung = hooks
    hang_url = f"json://127.0.0.1:{hung.port}/hang"
    path = profile_with_holiday_file(tmp_path / "profile")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["notices"] = {"channels": {"stations": [f"json://127.0.0.1:{first.port}/stations", hang_url],
                                    "sections": [f"json://127.0.0.1:{second.port}/sections"]},
                       "max_attempts": 3, "timeouts": {hang_url: HANG_TIMEOUT}}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    county = init_county(path).county.code
    monkeypatch.setattr("activity_day.cli.notices.SEND_DELAYS", (0.1, 0.1))

    common = {"office": "泗阳县文明办", "link": "", "month_label": "2027年3月", "station_plans_cn": "2027年3月2日"}
    drafts = [NoticeDraft(Audience.STATIONS, f"{i:03d}", f"第{i}站", MONTH, "plan-missing@-3", "plan-missing",
                          "泗阳县文明办：2027年3月活动计划报送提醒", dict(common, station=f"第{i}站", leader="")) for i in
              range(1, STATIONS + 1)]
    drafts += [NoticeDraft(Audience.SECTIONS, d, d, MONTH, "review-pending@-1", "review-pending",
                           "泗阳县文明办：2027年3月活动日方案征求意见", dict(common, department=d, review_cn="2027年2月15日"))
               for d in ("理论科", "宣教科", "版权科", "网信科")]
    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
        assert notices.enqueue(session, county, drafts, profile=profile) == 2 * STATIONS + 4

    started = time.monotonic()
    sent = CliRunner().invoke(app, ["notices", "send", "--month", MONTH])
    elapsed = time.monotonic() - started

    # Counts of notices (64), not of attempts (37): every notice once, in its state at the end.
    assert sent.exit_code == 2, sent.output
    assert (f"通知 {2 * STATIONS + 4} 条：已发送 {STATIONS + 4} 条，发送失败 1 条，待发送 {STATIONS - 1} 条"
            f"（共发送 {STATIONS + 4 + 3} 次）") in sent.output
    assert f"没有应答、本轮已暂停的渠道：Webhook（127.0.0.1:{hung.port}/hang）" in sent.output
    # The hanging channel was tried once a pass and given up after its own timeout; the others delivered all.
    assert hung.requests == 3 and hung.received == []
    assert len(first.received) == STATIONS and len(second.received) == 4
    assert elapsed < 30  # three passes of a 1 s timeout; 30 notices waiting 1 s each would be 90 s and more

    rows = {(r["key"], r["channel"]): r for r in json.loads(
        CliRunner().invoke(app, ["notices", "list", "--month", MONTH, "--json"]).output)}
    assert all(set(r) == {"key", "audience", "recipient", "channel", "occasion", "state", "attempts"}
               for r in rows.values())
    stuck = [r for (_, channel), r in rows.items() if channel == hang_url]
    assert sorted((r["state"], r["attempts"]) for r in stuck) == [("failed", 3)] + [("pending", 0)] * (STATIONS - 1)
    failed = CliRunner().invoke(app, ["notices", "list", "--month", MONTH, "--state", "failed"]).output
    assert f"错误：Webhook（127.0.0.1:{hung.port}/hang）：{HANG_TIMEOUT}秒内没有应答（超时），本轮不再向该渠道发送" in failed
    waiting = CliRunner().invoke(app, ["notices", "list", "--month", MONTH, "--state", "pending"]).output
    assert waiting.count("本轮不再向该渠道发送") == STATIONS - 1  # each waiting notice says why it waits

    # The channel answers again: a retry of that channel alone sends its notices, and nothing else again.
    hung.released.set()
    retried = CliRunner().invoke(app, ["notices", "retry", "--month", MONTH, "--channel", f"{hung.port}/hang"])
    assert retried.exit_code == 0, retried.output
    assert f"重新发送 1 条发送失败的通知（渠道 Webhook（127.0.0.1:{hung.port}/hang））" in retried.output
    assert f"通知 {STATIONS} 条：已发送 {STATIONS} 条，发送失败 0 条，待发送 0 条（共发送 {STATIONS} 次）" in retried.output
    assert len(hung.received) == STATIONS and len(first.received) == STATIONS and len(second.received) == 4
    unknown = CliRunner().invoke(app, ["notices", "retry", "--channel", "127.0.0.1"])
    assert unknown.exit_code == 2 and "有不止一个渠道与“127.0.0.1”相符" in unknown.output
