"""What a failed run's message tells an operator who reads it in the Prefect UI rather than on a terminal.

A step's message names the command to run first (`请先运行 activity-day run review --month 2027-03`). In a
deployment's run, read in the UI, the same step is a deployment to run there, and the run itself is retried with
its Retry button; commands with no counterpart in the UI (imports, init) stay as they are.
"""

from __future__ import annotations

import re

DEPLOYMENTS = {"draft": "draft/draft", "review": "review/review", "collect": "collect/collect",
               "sample": "sample/sample", "compile": "compile/compile", "cycle": "monthly_cycle/monthly-cycle"}
_RUN_STEP = re.compile(r"(?:运行\s*)?activity-day run (draft|review|collect|sample|compile|cycle)(?: --month (\d{4}-\d{2}))?")
RETRY_IN_UI = "处理后点击本运行右上角的“Retry”（重试），已完成的任务不再重复"


def for_the_ui(message: str, county: str | None) -> str:
    """`message` with each `activity-day run STEP --month M` shown as the deployment to run in the UI, and how to
    retry this run there."""

    def deployment(match: re.Match[str]) -> str:
        params = ", ".join(f'"{k}": "{v}"' for k, v in (("county", county), ("month", match[2])) if v)
        return f"在 Prefect 界面的“Deployments”中运行 {DEPLOYMENTS[match[1]]}（参数 {{{params}}}）"

    return f"{_RUN_STEP.sub(deployment, message).rstrip('。；;')}；{RETRY_IN_UI}。"
