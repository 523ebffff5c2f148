"""The root `activity-day` command: its --county option, the commands and sub-commands, and `main`."""

from __future__ import annotations

import sys

import typer

from activity_day import console
from activity_day.cli import (
    backup,
    demonstration,
    evaluate,
    evidence,
    feedback,
    findings,
    imports,
    lectures,
    notices,
    numbers,
    prefect_setup,
    run,
    sample,
    setup,
    stations,
    status,
    tokens,
)
from activity_day.cli.errors import OperatorGroup
from activity_day.cli.options import Chosen, CountyOpt

app = typer.Typer(cls=OperatorGroup, help="新时代文明实践集中活动日：方案、计划收集、抽查与通报。", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)


@app.callback()
def main_options(ctx: typer.Context, county_code: CountyOpt = None) -> None:
    # Sub-commands read it back with cli.options.county(ctx): click hands `obj` down to every child context.
    ctx.obj = Chosen(county=county_code)


# The order here is the order `activity-day --help` lists them in.
app.command()(setup.init)
app.command("setup")(prefect_setup.setup)
app.command()(status.status)
app.command()(evaluate.evaluate)
app.command()(setup.api)
app.command()(imports.template)
app.command()(setup.demo)
app.command()(backup.backup)
app.command()(backup.restore)
app.command()(backup.migrate)
app.add_typer(imports.app, name="import")
app.add_typer(run.app, name="run")
app.add_typer(sample.app, name="sample")
app.add_typer(tokens.app, name="tokens")
app.add_typer(feedback.app, name="feedback")
app.add_typer(findings.app, name="findings")
app.add_typer(lectures.app, name="lectures")
app.add_typer(evidence.app, name="evidence")
app.add_typer(numbers.app, name="numbers")
app.add_typer(demonstration.app, name="demonstration")
app.add_typer(notices.app, name="notices")
app.add_typer(stations.app, name="stations")


def main() -> None:
    """The console script: settings checked, logging routed, then the command in the environment's context;
    exits with its code."""
    console.prefect_defaults()
    from pydantic import ValidationError

    from activity_day.context import bound, from_environment
    from activity_day.settings import get_drills

    try:
        ctx = from_environment()
        get_drills()
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            typer.echo(f"错误：设置 ACTIVITY_DAY_{where.upper()} 有误：{err['msg'].removeprefix('Value error, ')}",
                       err=True)
        sys.exit(2)
    console.setup(ctx.settings.log_file)
    try:
        with bound(ctx):
            app()
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:  # `activity-day sample show | head`: the reader has what it wanted
        sys.stderr.close()
        sys.exit(0)
