"""No token in any log: a run of page traffic against the real `activity-day api` server, then every line it wrote
(the log file, the terminal's access log and errors) is searched for the tokens it saw. Also: the trusted proxies
make cookies Secure behind a TLS proxy."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from activity_day.api import create_app
from activity_day.api.logs import RedactTokens, redact, token_mark
from activity_day.api.mobile.pages import csrf_token
from activity_day.context import bound
from activity_day.settings import Settings
from tests.api.test_fuzz import MONTH, rated_lectures, serve, speaker_token, team_token
from tests.intake_helpers import official_plan, tokens_for


def test_a_token_in_a_line_becomes_its_hash() -> None:
    token = "ad_" + "x" * 43
    line = f'127.0.0.1:5000 - "GET /m/station?t={token}&month=2026-12 HTTP/1.1" 303'
    assert redact(line) == f'127.0.0.1:5000 - "GET /m/station?t={token_mark(token)}&month=2026-12 HTTP/1.1" 303'
    assert token not in redact(f"Authorization: Bearer {token}") and token_mark(token) in redact(token)
    assert redact("GET /m/station?month=2026-12") == "GET /m/station?month=2026-12"
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("1.2.3.4:5", "GET", f"/m/team?t=sc_{'y' * 43}", "1.1", 303), None)
    assert RedactTokens().filter(record) and "y" * 43 not in record.getMessage()


@pytest.mark.parametrize("workers", [1, 2])
def test_no_token_in_any_log_after_a_day_of_page_traffic(registry, county: str, tmp_path: Path,
                                                         settings: Settings, workers: int) -> None:
    official_plan(county, MONTH)
    station = tokens_for(county, ["001", "002"])
    tokens = {"station": station["001"], "team": team_token(county), "speaker": speaker_token(county, tmp_path),
              "observer": rated_lectures(county)}
    revoked = tokens_for(county, ["002"])["002"]  # issuing again revokes station["002"]
    out, err = tmp_path / "api.out", tmp_path / "api.err"
    server, base = serve(settings.database_url, tmp_path, stdout=out, workers=workers)
    try:
        for role, token in tokens.items():
            with httpx.Client(base_url=base, timeout=30) as phone:
                first = phone.get(f"/m/{role}?t={token}&month={MONTH}")
                assert first.status_code == 303 and token not in first.headers["location"]
                page = phone.get(first.headers["location"])
                assert page.status_code == 200 and token not in page.text
                phone.get(f"/m/{role}?t={token}")  # a second visit by the link
                if role == "station":
                    sent = phone.post("/m/station/plan", data={"csrf": csrf_token(token), "month": MONTH,
                                                               "submission_id": "h5-log-0001", "name": ""})
                    assert sent.status_code in (200, 303, 422)
                    phone.get(f"/api/v1/stations/001/plans/{MONTH}", headers={"Authorization": f"Bearer {token}"})
        with httpx.Client(base_url=base, timeout=30) as stranger:
            assert stranger.get(f"/m/station?t={station['002']}").status_code == 401  # a revoked link
            assert stranger.get(f"/m/station?t={revoked}").status_code == 303
            assert stranger.get("/m/team?t=sc_not-a-real-token-but-long-enough").status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=30)
    logs = {path.name: path.read_text(encoding="utf-8", errors="replace")
            for path in (tmp_path / "api.log", out, err) if path.exists()}
    seen = "\n".join(logs.values())
    assert "GET /m/station?t=" in seen, logs  # the access log was written: the requests are there…
    assert "GET /m/station?t=" in logs["api.log"]  # in the log file too, from every worker process
    for token in [*tokens.values(), station["002"], revoked]:
        assert token not in seen, token  # …without any token
        assert token[3:] not in seen
    assert token_mark(tokens["station"]) in seen  # each link visit is still traceable by its hash
    assert not re.search(r"\b(?:ad|sc|sp)_[A-Za-z0-9_-]{20,}", seen)


def test_cookies_are_secure_behind_a_trusted_tls_proxy(settings: Settings, registry, county: str) -> None:
    token = tokens_for(county, ["001"])["001"]
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    # The test client comes from "testclient": not a trusted proxy by default, so its headers are not believed.
    with TestClient(create_app(), base_url="http://testserver") as client:
        plain = client.get(f"/m/station?t={token}", headers=forwarded, follow_redirects=False)
    assert plain.status_code == 303 and "secure" not in plain.headers["set-cookie"].lower()
    with bound(settings.model_copy(update={"trusted_proxies": "*"})), \
            TestClient(create_app(), base_url="http://testserver") as client:
        behind = client.get(f"/m/station?t={token}", headers=forwarded, follow_redirects=False)
    assert behind.status_code == 303 and "secure" in behind.headers["set-cookie"].lower()
    # Published at an https address, cookies are Secure whatever the proxy says.
    with bound(settings.model_copy(update={"public_url": "https://wm.example.cn"})), \
            TestClient(create_app(), base_url="http://testserver") as client:
        published = client.get(f"/m/station?t={token}", follow_redirects=False)
    assert "secure" in published.headers["set-cookie"].lower()
