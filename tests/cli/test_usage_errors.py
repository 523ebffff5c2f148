"""A command line the CLI cannot use is answered in Chinese, on one line with where to look, exit code 2: never
click's English ("Missing option '--note'") in front of an operator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from activity_day.cli.errors import usage_in_chinese

BIN = Path(sys.executable).parent


def activity_day(workdir: Path, *args: str) -> list[str]:
    """The installed command, as an operator types it; its output's lines."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ACTIVITY_DAY_")}
    environ["ACTIVITY_DAY_DATABASE_URL"] = f"sqlite:///{workdir / 'ad.db'}"
    done = subprocess.run([str(BIN / "activity-day"), *args], cwd=workdir, env=environ, capture_output=True,
                          text=True, timeout=120)
    return [str(done.returncode), *(line for line in (done.stdout + done.stderr).splitlines() if line.strip())]


@pytest.mark.parametrize(("args", "said"), [
    (["findings", "return", "18"], "错误：缺少选项 --note；用法见 activity-day findings return --help"),
    (["findings", "list", "--bogus"], "错误：没有选项 --bogus；用法见 activity-day findings list --help"),
    (["run", "draft", "--month", "2027-02", "extra"], "错误：多余的参数：extra；用法见 activity-day run draft --help"),
    (["nosuch"], "错误：没有命令 nosuch；用法见 activity-day --help"),
    (["api", "--port", "x"], "错误：--port 的值应为整数；用法见 activity-day api --help"),
    (["demo", "--province", "999"], "错误：--province 的值不能大于200；用法见 activity-day demo --help"),
    (["findings", "list", "--status", "weird"],
     "错误：--status 的值应为以下之一：open、answered、accepted、overdue、all；用法见 activity-day findings list --help"),
])
def test_usage_errors_are_one_chinese_line(tmp_path: Path, args: list[str], said: str) -> None:
    assert activity_day(tmp_path, *args) == ["2", said]


def test_every_click_message_becomes_chinese() -> None:
    for message, said in [
        ("Missing argument 'FILE'.", "缺少参数 FILE"),
        ("No such option: --mont Did you mean --month?", "没有选项 --mont（是否为 --month？）"),
        ("Option '--county' requires an argument.", "选项 --county 后面要写一个值"),
        ("Option '--json' does not take a value.", "选项 --json 后面不能写值"),
        ("Invalid value for '--until': 'x' is not a valid float.", "--until 的值应为数字"),
        ("Invalid value for '--n': 0 is not in the range 1<=x<=9.", "--n 的值0超出范围（1<=x<=9）"),
    ]:
        assert usage_in_chinese(message) == said
    assert usage_in_chinese("Something new") == "命令行有误（Something new）"
