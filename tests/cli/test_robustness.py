"""Commands under real conditions: one Chinese line and an exit code for what an operator can fix, never a
traceback; commands that run no flow never reach Prefect; 回避 can never be switched off by a spelling."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import DEMO_PROFILE

REPO = Path(__file__).resolve().parents[2]
DEAD_PREFECT = "http://127.0.0.1:9/api"  # nothing listens there: any use of Prefect would fail


def activity_day(workdir: Path, *args: str, timeout: int = 300, **env: str) -> subprocess.CompletedProcess:
    """The real command in a subprocess, as an operator runs it."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ACTIVITY_DAY_", "PREFECT_API_URL"))}
    environ |= {"ACTIVITY_DAY_DATABASE_URL": f"sqlite:///{workdir / 'var' / 'ad.db'}",
                "ACTIVITY_DAY_OUT": str(workdir / "out"), "ACTIVITY_DAY_INBOX": str(workdir / "inbox"),
                "PYTHONWARNINGS": "default"} | env
    return subprocess.run([sys.executable, "-m", "activity_day.cli", *args], cwd=workdir, env=environ,
                          capture_output=True, text=True, timeout=timeout)


def lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]


def assert_one_error_line(result: subprocess.CompletedProcess, code: int, *needles: str) -> None:
    out = lines(result)
    errors = [line for line in out if line.startswith("错误：")]
    assert result.returncode == code, out
    assert len(errors) == 1 and "Traceback" not in result.stderr and "Warning" not in result.stderr, out
    for needle in needles:
        assert needle in errors[0], errors[0]


def test_commands_without_flows_never_reach_prefect(tmp_path: Path) -> None:
    import random

    from activity_day.demo import station_registry, write_xlsx

    registry = write_xlsx(station_registry(random.Random(3)), tmp_path / "名录.xlsx", "名录")
    env = {"PREFECT_API_URL": DEAD_PREFECT}
    assert activity_day(tmp_path, "init", "--profile", str(DEMO_PROFILE), **env).returncode == 0
    imported = activity_day(tmp_path, "import", "stations", str(registry), **env)
    assert imported.returncode == 0 and "写入 248 行" in imported.stdout
    status = activity_day(tmp_path, "status", "--month", "2027-02", **env)
    assert status.returncode == 0 and "方案起草 未完成" in status.stdout and "未报送计划（248 个）" in status.stdout
    assert activity_day(tmp_path, "template", "plans", str(tmp_path / "t.xlsx"), **env).returncode == 0
    assert activity_day(tmp_path, "feedback", "list", **env).stdout.strip() == "共 0 条"
    tokens = activity_day(tmp_path, "tokens", "issue", "--station", "001", "--out", str(tmp_path / "k.xlsx"), **env)
    assert tokens.returncode == 0, lines(tokens)
    for args in (("sample", "show", "--month", "2027-02"), ("sample", "verify", "--month", "2027-02"),
                 ("sample", "record", "--month", "2027-02")):
        assert_one_error_line(activity_day(tmp_path, *args, **env), 2, "尚未抽样", "activity-day run sample")
    for result in (imported, status, tokens):
        assert "Prefect" not in result.stdout + result.stderr and "Traceback" not in result.stderr


def test_expected_conditions_are_one_line_and_exit_2(tmp_path: Path) -> None:
    env = {"PREFECT_API_URL": DEAD_PREFECT}
    assert_one_error_line(activity_day(tmp_path, "status", **env), 2, "activity-day init --profile")
    assert_one_error_line(activity_day(tmp_path, "status", "--month", "2027-13", **env), 2,
                          "月份“2027-13”无效", "YYYY-MM")
    assert activity_day(tmp_path, "init", "--profile", str(DEMO_PROFILE), **env).returncode == 0
    missing = activity_day(tmp_path, "import", "scores", str(tmp_path / "nope.xlsx"), "--month", "2027-02", **env)
    assert missing.returncode == 2 and lines(missing) == [f"{tmp_path / 'nope.xlsx'}：文件不存在"]
    assert_one_error_line(activity_day(tmp_path, "status", ACTIVITY_DAY_FAULT="draw", **env), 2,
                          "ACTIVITY_DAY_FAULT", "draft、review、collect、sample、compile")
    unreachable = activity_day(tmp_path, "status", **env,
                               ACTIVITY_DAY_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:9/none")
    assert_one_error_line(unreachable, 2, "无法连接数据库")
    # a flow command with an unreachable Prefect server says what to do
    assert_one_error_line(activity_day(tmp_path, "run", "draft", "--month", "2027-02", **env), 2,
                          "PREFECT_API_URL", "prefect server start")
    # interactive runs need the UI: refused at once when there is no server
    assert_one_error_line(activity_day(tmp_path, "run", "review", "--month", "2027-02", "--interactive"), 2,
                          "prefect server start")


def test_a_missing_step_is_one_line_even_through_prefect(tmp_path: Path) -> None:
    assert activity_day(tmp_path, "init", "--profile", str(DEMO_PROFILE)).returncode == 0
    # a temporary Prefect server starts for this: no traceback, no Prefect console lines, no warnings
    result = activity_day(tmp_path, "run", "collect", "--month", "2027-02")
    assert_one_error_line(result, 2, "2027年2月尚无正式方案", "activity-day run draft --month 2027-02")
    assert lines(result)[0] == "开始运行：2027年2月·计划收集（321323）" and len(lines(result)) == 2
    log = (tmp_path / "var" / "log" / "activity-day.log").read_text(encoding="utf-8")
    assert "MissingPrerequisite" in log  # the details are kept for whoever looks into it


def test_an_unexpected_error_names_the_log(tmp_path: Path) -> None:
    (tmp_path / "blocked").write_text("a file where a folder is needed", encoding="utf-8")
    result = activity_day(tmp_path, "template", "plans", str(tmp_path / "blocked" / "t.xlsx"))
    log = tmp_path / "var" / "log" / "activity-day.log"
    assert_one_error_line(result, 1, "意外故障", str(log))
    assert "Traceback" in log.read_text(encoding="utf-8")


def test_prefect_start_up_timeout_default_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    from activity_day import console

    monkeypatch.delenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", raising=False)
    console.prefect_defaults()
    assert os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] == console.EPHEMERAL_STARTUP_SECONDS
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "600")
    console.prefect_defaults()
    assert os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] == "600"
    hint = console.prefect_unreachable(RuntimeError(
        "Timed out while attempting to connect to ephemeral Prefect API server."))
    assert hint is not None and "600 秒" in hint and "PREFECT_API_URL" in hint
    assert console.prefect_unreachable(ValueError("something else")) is None


# --- 回避 and names -------------------------------------------------------------------------------------------

def _profile_with_home(tmp_path: Path, home: str) -> Path:
    data = yaml.safe_load(DEMO_PROFILE.read_text(encoding="utf-8"))
    data["teams"][0]["members"][0]["home_township"] = home
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_init_refuses_a_home_township_not_in_the_registry(settings, registry, tmp_path: Path) -> None:
    from activity_day.domain.profile import ProfileError
    from activity_day.services.counties import init_county

    with pytest.raises(ProfileError, match="“王集乡”不在所站名录的乡镇（街道）中（是否为“王集镇”？）"):
        init_county(_profile_with_home(tmp_path, "王集乡"))
    # a stray full-width space or ASCII brackets are the same township, not a way around 回避
    loaded = init_county(_profile_with_home(tmp_path, "王集镇\u3000"))
    assert loaded.teams[0].members[0].home_township == "王集镇"


def test_the_draw_refuses_when_the_registry_no_longer_holds_a_home_township(settings, registry, county) -> None:
    from activity_day.domain.profile import load_profile, revised
    from activity_day.errors import OperatorError
    from activity_day.store import crud
    from activity_day.store.database import transaction
    from activity_day.tasks.draft import draft_plan
    from activity_day.tasks.review import close_review, review_state
    from activity_day.tasks.sample import publish_candidates

    month = "2027-03"
    draft_plan.fn(county, month)
    close_review.fn(county, month, comments_digest=review_state.fn(county, month)["digest"])
    profile = load_profile(DEMO_PROFILE)
    teams = [t.model_dump() for t in profile.teams]
    teams[1]["members"][0]["home_township"] = "王集乡"  # stored before the registry changed, say
    profile = revised(profile, {"teams": teams})
    with transaction() as session:
        crud.save_profile(session=session, profile=profile)
    with pytest.raises(OperatorError, match="回避无法落实.*“王集乡”.*是否为“王集镇”"):
        publish_candidates.fn(county, month)


def test_run_logs_show_an_expected_condition_as_its_message() -> None:
    import logging

    from activity_day.console import ExpectedConditionAsMessage
    from activity_day.errors import MissingPrerequisite

    def record_of(exc: Exception) -> logging.LogRecord:
        try:
            raise exc
        except Exception:
            return logging.LogRecord("prefect.task_runs", logging.ERROR, __file__, 1,
                                     "Task run failed with exception: %r", (exc,), sys.exc_info())

    expected = record_of(MissingPrerequisite("2027年2月尚未抽样：请先运行 activity-day run sample --month 2027-02"))
    assert ExpectedConditionAsMessage().filter(expected)
    assert expected.getMessage() == "2027年2月尚未抽样：请先运行 activity-day run sample --month 2027-02"
    assert expected.exc_info is None
    unexpected = record_of(ZeroDivisionError("x"))
    assert ExpectedConditionAsMessage().filter(unexpected) and unexpected.exc_info is not None
    assert unexpected.getMessage().startswith("Task run failed with exception")


def test_usage_mistakes_exit_2_like_any_command_line(settings) -> None:
    from typer.testing import CliRunner

    from activity_day.cli import app

    runner = CliRunner()
    for args in (["import", "scores"], ["--bogus"], ["nosuch"], ["template", "foo", "x.xlsx"],
                 ["feedback", "answer", "abc", "--note", "x"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "意外故障" not in result.output, args


def test_months_are_stored_in_one_spelling(settings, county) -> None:
    from typer.testing import CliRunner

    from activity_day.cli import app
    from activity_day.domain.dates import canonical_month

    assert [canonical_month(m) for m in ("2027-3", " 2027-03 ", "２０２７－０３")] == ["2027-03"] * 3
    for bad in ("2027-13", "2027-003", "27-03", "2027/03", ""):
        with pytest.raises(ValueError):
            canonical_month(bad)
    shown = CliRunner().invoke(app, ["status", "--month", "2027-3", "--json"])
    assert shown.exit_code == 0 and '"month": "2027-03"' in shown.output


def test_tokens_stay_valid_when_the_token_file_cannot_be_written(settings, registry, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from activity_day.cli import app
    from activity_day.services.submissions import station_for_token
    from activity_day.store.database import transaction

    runner = CliRunner()
    first = tmp_path / "k.xlsx"
    assert runner.invoke(app, ["tokens", "issue", "--station", "001", "--out", str(first)]).exit_code == 0
    import openpyxl

    token = openpyxl.load_workbook(first).worksheets[0].cell(2, 5).value
    (tmp_path / "blocked").write_text("not a folder", encoding="utf-8")
    failed = runner.invoke(app, ["tokens", "issue", "--station", "001", "--out", str(tmp_path / "blocked" / "k.xlsx")])
    assert failed.exit_code == 1 and "意外故障" in failed.output
    with transaction() as session:
        assert station_for_token(session=session, token=token).station_code == "001"  # not revoked


def test_an_unwritable_log_folder_is_one_notice(tmp_path: Path) -> None:
    result = activity_day(tmp_path, "template", "plans", str(tmp_path / "t.xlsx"),
                          ACTIVITY_DAY_LOG_FILE="/proc/no-such-dir/activity-day.log")
    assert result.returncode == 0 and (tmp_path / "t.xlsx").exists()
    assert result.stderr.startswith("注意：无法写日志文件") and "Traceback" not in result.stderr


def test_main_sets_the_start_up_timeout_unless_the_prefect_profile_does(monkeypatch, tmp_path: Path) -> None:
    from activity_day import cli, console

    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    monkeypatch.delenv("PREFECT_PROFILES_PATH", raising=False)
    monkeypatch.delenv("PREFECT_PROFILE", raising=False)
    monkeypatch.delenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", raising=False)
    monkeypatch.setattr(sys, "argv", ["activity-day", "--help"])
    with pytest.raises(SystemExit):
        cli.main()
    assert os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] == console.EPHEMERAL_STARTUP_SECONDS
    monkeypatch.delenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS")
    (tmp_path / "profiles.toml").write_text(
        'active = "local"\n[profiles.local]\nPREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS = "90"\n',
        encoding="utf-8")
    console.prefect_defaults()
    assert "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS" not in os.environ  # `prefect config set` wins


def test_registry_import_warns_when_a_home_township_disappears(settings, county, tmp_path: Path) -> None:
    import random

    from activity_day.demo import station_registry, write_xlsx
    from activity_day.services.imports import import_file

    registry = station_registry(random.Random(5))
    registry = registry[registry["乡镇（街道）"] != "王集镇"]
    report = import_file("stations", write_xlsx(registry, tmp_path / "名录.xlsx", "名录"), county=county)
    assert report.exit_code == 0
    assert any("“王集镇”不在所站名录的乡镇（街道）中" in line and "activity-day init" in line
               for line in report.lines()), report.lines()


def test_departments_and_public_random_values_are_cleaned(settings, registry, county) -> None:
    from activity_day.domain.profile import load_profile
    from activity_day.errors import OperatorError
    from activity_day.tasks.sample import draw_sample

    data = yaml.safe_load(DEMO_PROFILE.read_text(encoding="utf-8"))
    data["departments"] = ["理论科", "宣教科 ", "版权科", "网信科(网络)"]
    from activity_day.domain.profile import Profile

    assert Profile.model_validate(data).departments == ["理论科", "宣教科", "版权科", "网信科（网络）"]
    assert load_profile(DEMO_PROFILE).departments == ["理论科", "宣教科", "版权科", "网信科"]
    with pytest.raises(OperatorError, match="控制字符"):
        draw_sample.fn(county, "2027-03", "385\x00", None, "福彩")


def test_a_township_no_one_may_inspect_is_an_operator_error(settings, registry, county) -> None:
    from activity_day.demo import TOWNSHIPS
    from activity_day.domain.profile import load_profile, revised
    from activity_day.errors import OperatorError
    from activity_day.store import crud
    from activity_day.store.database import transaction
    from activity_day.tasks.draft import draft_plan
    from activity_day.tasks.review import close_review, review_state
    from activity_day.tasks.sample import draw_sample

    month = "2027-03"
    draft_plan.fn(county, month)
    close_review.fn(county, month, comments_digest=review_state.fn(county, month)["digest"])
    profile = load_profile(DEMO_PROFILE)
    profile = revised(profile, {
        # both video inspectors live in 卢集镇 ...
        "sampling.online_inspectors": [i.model_dump() | {"home_township": "卢集镇"}
                                       for i in profile.sampling.online_inspectors],
        "sampling.onsite_townships": [t for t in TOWNSHIPS if t != "卢集镇"]})  # ... which is checked online
    with transaction() as session:
        crud.save_profile(session=session, profile=profile)
    with pytest.raises(OperatorError, match="卢集镇.*请调整县情配置中的检查组或线上飞检人员"):
        draw_sample.fn(county, month)
