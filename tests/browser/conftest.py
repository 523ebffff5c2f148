"""The phone pages in a real browser: Debian's chromium driven by playwright, at a phone's 360×740, against the
app under uvicorn on a free port with a real SQLite database.

Without /usr/bin/chromium (or the playwright package) the tests skip, saying why; with
ACTIVITY_DAY_REQUIRE_BROWSER=1 (set by .ci/run, which installs chromium) they fail instead. Set
ACTIVITY_DAY_SCREENSHOTS=docs/screenshots to keep the pages' screenshots there (the README shows them).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from activity_day.api import clock, create_app
from tests.api.test_api import RealServer

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 360, "height": 740}


def _browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (make install)"
    return None


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    """Chromium, for this folder's tests only: playwright's sync API keeps an event loop in the main thread while
    it runs, and Prefect's sync calls (State.result) return coroutines where they find one."""
    missing = _browser_missing()
    if missing:
        if os.environ.get("ACTIVITY_DAY_REQUIRE_BROWSER"):
            pytest.fail(f"the browser tests must run here: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=["--disable-gpu", "--lang=zh-CN"])
        yield launched
        launched.close()


@pytest.fixture
def serve() -> Iterator[Callable[[datetime], str]]:
    """Start the app under uvicorn with its clock at `now`; returns the base URL. Stopped after the test."""
    servers: list[RealServer] = []

    def start(now: datetime) -> str:
        app = create_app()
        app.dependency_overrides[clock] = lambda: now
        server = RealServer(app)
        servers.append(server)
        return server.__enter__()

    yield start
    for server in servers:
        server.__exit__(None, None, None)


@pytest.fixture
def phone(browser):
    """A fresh browser context the size of a phone (its own cookies and localStorage), in Chinese, on Beijing time
    (a phone's clock is what a check-in reports)."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="zh-CN", is_mobile=True,
                                  has_touch=True, timezone_id="Asia/Shanghai")
    context.set_default_timeout(15000)
    yield context
    context.close()


@pytest.fixture
def shoot(tmp_path: Path) -> Callable[[object, str], Path]:
    """Take a screenshot of the phone's screen; kept in ACTIVITY_DAY_SCREENSHOTS when that is set."""
    keep = os.environ.get("ACTIVITY_DAY_SCREENSHOTS")

    def take(page, name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 5000  # a page, not a blank
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, Path(keep) / path.name)
        return path

    return take
