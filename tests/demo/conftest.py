"""A demo year, generated once per session for the tests that read a year of documents."""

from __future__ import annotations

from pathlib import Path

import pytest

YEAR_MONTH = "2027-12"  # the year's last month: the demo runs 2027-01 … 2027-12 and evaluates 2027


@pytest.fixture(scope="session")
def demo_year(prefect_server, tmp_path_factory) -> Path:
    """The demo directory of a 12-month demo year (`activity-day demo --months 12 --month 2027-12`)."""
    from activity_day.cli.demo import run_demo

    out = tmp_path_factory.mktemp("year") / "demo"
    run_demo(YEAR_MONTH, out, months=12, echo=lambda _line: None)
    assert (out / "out" / YEAR_MONTH / "circular.md").exists()
    return out
