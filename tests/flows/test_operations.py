"""Operations: a failed run retried skips what completed and ends like a clean run; scheduling is idempotent."""

from __future__ import annotations

import os
import random
import shlex
from pathlib import Path

import pandas as pd
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterName

from activity_day.context import install
from activity_day.demo import inspection_scores, station_registry, write_xlsx
from activity_day.services.counties import init_county
from activity_day.services.imports import import_file
from activity_day.services.status import month_status
from activity_day.settings import Settings
from tests.conftest import DEMO_PROFILE

pytestmark = pytest.mark.flow
MONTH = "2027-01"


def cached_runs(name: str) -> int:
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_=name)))
    return sum(1 for r in runs if r.state and r.state.name == "Cached")


def run_month(root: Path, fault: str | None) -> tuple[dict, dict[str, bytes]]:
    from activity_day.flows.monthly import monthly_cycle

    settings = Settings(database_url=f"sqlite:///{root / 'db.sqlite'}", out=root / "out", inbox=root / "inbox")
    previous = install(settings)
    if fault:
        os.environ["ACTIVITY_DAY_FAULT"] = fault  # a drill switch: never part of the production settings
    try:
        county = init_county(DEMO_PROFILE).county.code
        rng = random.Random("ops")
        registry = station_registry(rng)
        import_file("stations", write_xlsx(registry, root / "s.xlsx", "名录"), county=county)
        drawn = pd.DataFrame({"code": registry["所站编号"][:40], "mode": "onsite", "team": "第一检查组"})
        import_file("scores", write_xlsx(inspection_scores(rng, drawn, registry), root / "sc.xlsx", "评分"),
                    county=county, month=MONTH)
        cycle = monthly_cycle.with_options(retries=1, retry_delay_seconds=0) if fault else monthly_cycle
        cycle(county=county, month=MONTH)
        docs = {p.relative_to(root / "out" / MONTH).as_posix(): p.read_bytes()
                for p in sorted((root / "out" / MONTH).rglob("*")) if p.is_file()}
        return month_status(county, MONTH)["counts"], docs
    finally:
        install(previous)
        os.environ.pop("ACTIVITY_DAY_FAULT", None)


@pytest.fixture(scope="module")
def clean_month(prefect_server, tmp_path_factory) -> tuple[dict, dict[str, bytes]]:
    return run_month(tmp_path_factory.mktemp("clean"), None)


@pytest.mark.parametrize("step", ["draft", "review", "collect", "sample", "compile"])
def test_a_failed_step_retried_matches_a_clean_run(clean_month, tmp_path: Path, step: str) -> None:
    clean_counts, clean_docs = clean_month
    cached_before = cached_runs("draft-plan")
    counts, docs = run_month(tmp_path / "faulty", step)
    assert (tmp_path / "faulty" / "out" / ".faults" / f"{step}-321323-{MONTH}").exists()  # the fault fired
    assert cached_runs("draft-plan") == cached_before + 1  # the retry skipped the completed draft task
    assert counts == clean_counts and counts["scores"] > 0
    assert docs.keys() == clean_docs.keys() and "circular.docx" in docs
    assert docs == clean_docs


def test_without_a_deployment_nothing_is_scheduled(prefect_server, settings, registry, county) -> None:
    from activity_day.flows.monthly import draft, review

    assert draft(county=county, month=MONTH)["scheduled"] == []
    assert review(county=county, month=MONTH)["scheduled"] == []


def test_followup_times_follow_the_profile() -> None:
    from activity_day.tasks.schedule import followup_times

    times = followup_times({"station_plans": "2027-01-02", "sample": "2027-01-03", "compile": "2027-01-10"}, "23:59")
    assert {k: v.isoformat() for k, v in times.items()} == {
        "collect": "2027-01-03T00:00:00+08:00", "sample": "2027-01-03T09:00:00+08:00",
        "compile": "2027-01-10T09:00:00+08:00"}


@pytest.mark.apart
def test_province_demo_and_all_counties_cycle(prefect_server, settings, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from activity_day.cli import app

    demo = CliRunner().invoke(app, ["demo", "--province", "2", "--month", "2026-12", "--out", str(tmp_path / "p")])
    assert demo.exit_code == 0, demo.output
    lines = demo.output.splitlines()
    assert lines[0] == "[1/2] 第1示范县（329001）：已生成 248 个所站" and "通报汇编：2 个县（市、区）已完成" in lines
    for code in ("329001", "329002"):
        status = month_status(code, "2026-12")
        assert all(state == "done" for state in status["steps"].values())
        assert status["counts"]["stations"] == 248 and status["counts"]["drawn"] == 83
        assert status["counts"]["station_plans"] > 200 and status["counts"]["scores"] > 0
        assert (Path(settings.out) / "2026-12" / code / "circular.docx").exists()
    result = CliRunner().invoke(app, ["run", "cycle", "--all-counties", "--month", "2027-01", "--allow-empty"])
    assert result.exit_code == 0, result.output
    assert "2027年1月：2 个县（市、区）的月度流程已完成" in result.output
    assert month_status("329002", "2027-01")["steps"]["compile"] == "done"
    assert CliRunner().invoke(app, ["status", "--month", "2027-01"]).exit_code == 2  # two counties: say which


def test_fault_switch_fires_once_and_only_for_its_month(tmp_path: Path, monkeypatch) -> None:
    from activity_day.flows.drills import InjectedFault, fault_drill
    from activity_day.settings import Settings as Production

    assert "fault" not in Production.model_fields  # drills stay out of the production settings
    monkeypatch.setenv("ACTIVITY_DAY_FAULT", "compile:2027-03")
    previous = install(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", out=tmp_path / "out"))
    try:
        fault_drill("compile", "321323", "2027-04")  # another month: nothing
        with pytest.raises(InjectedFault, match="失败一次"):
            fault_drill("compile", "321323", "2027-03")
        fault_drill("compile", "321323", "2027-03")  # the retry goes through
        fault_drill("draft", "321323", "2027-03")
    finally:
        install(previous)


def test_draw_tables_list_teams_in_the_profiles_order_not_by_character_code() -> None:
    import pandas as pd

    from activity_day.tasks.sample import TEAM, by_team, team_order

    record = {"params": {"teams": [{"name": n} for n in ("第一检查组", "第二检查组", "第三检查组", "第四检查组")]}}
    table = pd.DataFrame({TEAM: ["第三检查组", "线上·吴敏", "第二检查组", "第一检查组", "第四检查组", "第二检查组"],
                          "检查方式": ["线下"] * 6, "顺序": [1, 1, 2, 1, 1, 1]})
    teams = team_order(record, table)
    assert teams == ["第一检查组", "第二检查组", "第三检查组", "第四检查组", "线上·吴敏"]
    assert list(by_team(table, teams)[TEAM]) == ["第一检查组", "第二检查组", "第二检查组", "第三检查组", "第四检查组",
                                               "线上·吴敏"]


def _rows_and_documents(root: Path) -> tuple[dict[str, list[tuple]], dict[str, bytes]]:
    """Every table's rows without surrogate ids and clock times (paths relative to the workspace), and every
    document's bytes, keyed by its path under out/."""
    import sqlalchemy as sa

    from activity_day.models.db import get_engine

    engine = get_engine(f"sqlite:///{root / 'var' / 'activity_day.db'}")
    rows: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        meta = sa.MetaData()
        meta.reflect(bind=conn)
        for name, table in meta.tables.items():
            if name == "alembic_version":
                continue
            kept = [c for c in table.columns if c.name != "id" and not isinstance(c.type, sa.DateTime)]
            values = conn.execute(sa.select(*kept)).all()
            rows[name] = sorted(tuple(str(v).replace(str(root), "<root>") for v in row) for row in values)
    docs = {p.relative_to(root / "out").as_posix(): p.read_bytes()
            for p in sorted((root / "out").rglob("*")) if p.is_file() and ".faults" not in p.parts}
    return rows, docs


@pytest.mark.apart
def test_counties_run_in_parallel_as_they_run_one_after_another(prefect_server, tmp_path: Path,
                                                                 monkeypatch) -> None:
    """A province's counties in a pool of processes give the rows and bytes they give one after another."""
    from datetime import UTC, datetime
    from itertools import pairwise

    from prefect.client.schemas.filters import TaskRunFilterStartTime
    from typer.testing import CliRunner

    from activity_day.cli import app

    outcomes = {}
    for workers in ("1", "3"):
        monkeypatch.setenv("ACTIVITY_DAY_WORKERS", workers)
        started = datetime.now(UTC)
        root = tmp_path / f"workers-{workers}"
        demo = CliRunner().invoke(app, ["demo", "--province", "3", "--month", "2026-12", "--out", str(root)])
        assert demo.exit_code == 0, demo.output
        outcomes[workers] = _rows_and_documents(root)
        with get_client(sync_client=True) as client:
            runs = client.read_task_runs(task_run_filter=TaskRunFilter(
                name=TaskRunFilterName(like_="·2026年12月·"), start_time=TaskRunFilterStartTime(after_=started)))
        spans = sorted((r.start_time, r.end_time) for r in runs if r.state and r.state.is_completed())
        assert len(spans) == 3 * 5  # 3 counties, 5 steps each (the demo runs the steps one by one)
        overlapping = any(later[0] < earlier[1] for earlier, later in pairwise(spans))
        assert overlapping == (workers == "3")  # counties ran side by side only with several workers

    (rows_serial, docs_serial), (rows_parallel, docs_parallel) = outcomes["1"], outcomes["3"]
    assert rows_serial["planned_activity"] and rows_serial["inspection_score"] and rows_serial["circular"]
    assert rows_parallel == rows_serial
    assert sorted(docs_parallel) == sorted(docs_serial)
    assert {p.split("/")[1] for p in docs_serial if p.endswith("circular.docx")} == {"329001", "329002", "329003"}
    different = [p for p in docs_serial if docs_parallel[p] != docs_serial[p]]
    assert different == []


def test_province_progress_line_counts_failures_and_estimates_the_rest() -> None:
    from activity_day.flows.province import progress_line, worker_count

    assert progress_line(25, 0, 100, 10.0) == "[█████░░░░░░░░░░░░░░░] 25/100 个县（市、区）已完成，用时 10 秒，预计还需 30 秒"
    assert progress_line(3, 1, 3, 7.4) == "[████████████████████] 3/3 个县（市、区）已完成，失败 1 个，用时 7 秒"
    assert worker_count(1, 8) == 1 and worker_count(100, 3) == 3  # never more processes than counties


def test_province_progress_is_reported_every_five_percent_and_the_rerun_names_the_failed_counties() -> None:
    from activity_day.flows.province import progress_due, rerun_command

    assert [d for d in range(1, 101) if progress_due(d, 100)] == [1, *range(5, 101, 5)]
    assert [d for d in range(1, 4) if progress_due(d, 3)] == [1, 2, 3]  # few counties: each of them
    assert rerun_command(["329001", "329005"], "2027-05", "cycle") == \
        "activity-day run cycle --counties 329001,329005 --month 2027-05"
    assert rerun_command(["329001", "329005"], "2027-05", "draft") == \
        "activity-day run draft --counties 329001,329005 --month 2027-05"


def three_counties_the_first_failing_its_draft(out: Path, folder: Path, month: str) -> None:
    """Three province counties with their registries; with ACTIVITY_DAY_FAULT=draft only the first fails,
    because the other two's markers say the drill already fired for them."""
    import yaml

    from activity_day.demo import province_profile

    for index in (1, 2, 3):
        path = folder / f"county-{index}.yaml"
        path.write_text(yaml.safe_dump(province_profile(index), allow_unicode=True), encoding="utf-8")
        code = init_county(path).county.code
        import_file("stations", write_xlsx(station_registry(random.Random(code)), folder / f"s{index}.xlsx", "名录"),
                    county=code)
        if index > 1:
            marker = out / ".faults" / f"draft-{code}-{month}"
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text("fired\n", encoding="utf-8")


def test_a_failed_county_does_not_stop_the_others_and_the_summary_names_it(prefect_server, settings, tmp_path: Path,
                                                                            monkeypatch) -> None:
    """Three counties drafted in two processes; the fault switch fires for the first only (the others'
    markers say it already fired). The run fails naming that county; the summary table lists all three."""
    import json

    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from activity_day.errors import OperatorError
    from activity_day.flows.province import province_cycle

    three_counties_the_first_failing_its_draft(Path(settings.out), tmp_path, "2027-05")
    monkeypatch.setenv("ACTIVITY_DAY_FAULT", "draft")
    with pytest.raises(OperatorError, match=r"3 个县（市、区）中有 1 个失败（329001）") as failed:
        province_cycle(month="2027-05", step="draft", workers=2)
    rerun = str(failed.value).split("或只重跑失败的县：", 1)[1]
    assert rerun == "activity-day run draft --counties 329001 --month 2027-05"
    with get_client(sync_client=True) as client:
        table = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["province-2027-05"])))
    rows = json.loads(table[0].data)
    assert [(r["县代码"], r["步骤"], r["状态"]) for r in rows] == [
        ("329001", "方案起草", "失败"), ("329002", "方案起草", "完成"), ("329003", "方案起草", "完成")]
    assert rows[0]["说明"].startswith("故障演练（ACTIVITY_DAY_FAULT=draft）：329001 2027-05 的 draft 步骤按设定失败一次")
    assert rows[1]["用时（秒）"] > 0 and rows[1]["说明"] == ""
    for code in ("329002", "329003"):
        assert (Path(settings.out) / "2027-05" / code / "plan-v1.docx").exists()
    with get_client(sync_client=True) as client:
        wanted = ["county-329002-2027-05", "county-329003-2027-05", "plan-329002-2027-05-v1"]
        keys = {a.key for a in client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=wanted)))}
        summary = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["county-329002-2027-05"])))
    # one summary per county that finished, in place of the step's own plan artifact
    assert {"county-329002-2027-05", "county-329003-2027-05"} <= keys and "plan-329002-2027-05-v1" not in keys
    text = summary[0].data
    assert text.startswith("# 329002 · 2027年5月 · 方案起草") and "2027年5月方案（征求意见稿）已起草" in text
    assert "2027-05/329002/plan-v1.docx" in text and "2027年5月集中活动日方案（征求意见稿）" in text
    # the drill fired once: the printed command reruns the county, its documents beside the others'
    from typer.testing import CliRunner

    from activity_day.cli.root import app

    done = CliRunner().invoke(app, shlex.split(rerun)[1:])
    assert done.exit_code == 0, done.output
    assert "2027年5月：1 个县（市、区）的方案起草已完成" in done.output
    assert (Path(settings.out) / "2027-05" / "329001" / "plan-v1.docx").exists()
    assert not (Path(settings.out) / "2027-05" / "plan-v1.docx").exists()


def test_a_retried_province_run_redoes_only_the_failed_county(prefect_server, settings, tmp_path: Path,
                                                              monkeypatch) -> None:
    """A retry keeps the root run: the counties that completed come from the cache, the failed one runs again."""
    from prefect import flow

    from activity_day.flows.province import province_cycle

    three_counties_the_first_failing_its_draft(Path(settings.out), tmp_path, "2027-06")
    monkeypatch.setenv("ACTIVITY_DAY_FAULT", "draft")

    @flow(retries=1, retry_delay_seconds=0)
    def operator_retries() -> dict:  # what a retry of a province-cycle deployment run does: same root run
        return province_cycle(month="2027-06", step="draft", workers=2)

    assert operator_retries()["counties"] == 3
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="2027年6月·方案起草")))
    states = sorted((r.name.split("·")[0], r.state.name) for r in runs)
    assert states == [("329001", "Completed"), ("329001", "Failed"), ("329002", "Cached"), ("329002", "Completed"),
                      ("329003", "Cached"), ("329003", "Completed")]
