"""A province run started from the command line can be retried (it has no deployment for the UI's Retry), and
its message gives the command to rerun the failed counties with every option the run had."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterName
from typer.testing import CliRunner

from activity_day.cli.root import app
from activity_day.errors import OperatorError
from tests.flows.test_operations import three_counties_the_first_failing_its_draft

pytestmark = pytest.mark.flow


def test_the_rerun_command_carries_every_option_of_the_run() -> None:
    from activity_day.flows.province import rerun_command

    assert rerun_command(["329001", "329005"], "2027-05", "cycle", allow_empty=True, via_deployments=True,
                         public_random="08 15 23") == ("activity-day run cycle --counties 329001,329005 --month 2027-05 "
                                                       "--via-deployments --allow-empty --public-random '08 15 23'")
    assert rerun_command(["329001"], "2027-05", "compile", allow_empty=True, public_random="7") == \
        "activity-day run compile --counties 329001 --month 2027-05 --allow-empty"
    assert rerun_command(["329001", "329002"], "2027-05", "sample", allow_empty=True, public_random="7") == \
        "activity-day run sample --counties 329001,329002 --month 2027-05 --public-random 7"
    # a step of a province run is rerun as a province run of that step: the documents stay in the county folders
    assert rerun_command(["329001"], "2027-05", "draft", allow_empty=True, via_deployments=True) == \
        "activity-day run draft --counties 329001 --month 2027-05"


def test_run_cycle_for_counties_gives_the_public_random_value_to_every_county(prefect_server, settings,
                                                                             tmp_path: Path, monkeypatch) -> None:
    """`run cycle --counties … --public-random V`: V is the province's public random value for the month, and
    each county's steps (its draw) get it, with their documents in the county's folder."""
    from activity_day.tasks import steps

    three_counties_the_first_failing_its_draft(Path(settings.out), tmp_path, "2027-08")
    given: list[tuple[str, dict]] = []
    monkeypatch.setattr(steps, "run_steps", lambda county, month, wanted, options, after_step=None: (
        given.append((county, options)) or {}))
    monkeypatch.setattr(settings, "workers", 1)
    result = CliRunner().invoke(app, ["run", "cycle", "--counties", "329001,329002", "--month", "2027-08",
                                      "--public-random", "2027215 08 15", "--json"])
    assert result.exit_code == 0, result.output
    assert sorted(given) == [(code, steps.StepOptions(county_folder=True, allow_empty=False,
                                                      public_random="2027215 08 15"))
                             for code in ("329001", "329002")]


def test_a_province_run_from_the_command_line_is_retried_by_its_id(prefect_server, settings, tmp_path: Path,
                                                                   monkeypatch) -> None:
    from activity_day.flows.province import province_cycle

    three_counties_the_first_failing_its_draft(Path(settings.out), tmp_path, "2027-07")
    monkeypatch.setenv("ACTIVITY_DAY_FAULT", "draft")
    with pytest.raises(OperatorError) as failed:
        province_cycle(month="2027-07", step="draft", workers=2)
    message = str(failed.value)
    assert "3 个县（市、区）中有 1 个失败（329001）" in message
    assert "或只重跑失败的县：activity-day run draft --counties 329001 --month 2027-07" in message
    run_id = re.search(r"activity-day run retry ([0-9a-f-]{36})", message)[1]

    result = CliRunner().invoke(app, ["run", "retry", run_id])
    assert result.exit_code == 0, result.output
    assert "已重试完成" in result.output
    with get_client(sync_client=True) as client:
        province = client.read_flow_run(run_id)
        runs = client.read_task_runs(task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="2027年7月·方案起草")))
    assert province.name == "2027年7月·全省·方案起草" and province.state.is_completed()
    states = sorted((r.name.split("·")[0], r.state.name) for r in runs)
    assert states == [("329001", "Completed"), ("329001", "Failed"), ("329002", "Cached"), ("329002", "Completed"),
                      ("329003", "Cached"), ("329003", "Completed")]
    assert (Path(settings.out) / "2027-07" / "329001" / "plan-v1.docx").exists()
