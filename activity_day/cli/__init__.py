"""The `activity-day` command line. Prefect is imported only by the commands that run flows.

Every line an operator reads is Chinese. Expected conditions (a missing step, file or county, a bad
month, an unreachable database or Prefect server) print one line and exit 2; anything unexpected
prints one line naming the log file that holds the traceback, and exits 1.

One module per noun: `root` (the app, --county, `main`), `options` (what commands share), `errors`
(one line and an exit code), `run` and `summary` (the steps), `imports` (import, template), `sample`,
`feedback`, `tokens`, `status`, `setup` (init, api, demo) and `demo` (the demo month's runner).
"""

from activity_day.cli.root import app, main

__all__ = ["app", "main"]
