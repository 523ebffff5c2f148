"""The `activity-day` command line. Prefect is imported only by the commands that run flows."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from activity_day.calendar import parse_month
from activity_day.months import next_month

app = typer.Typer(help="新时代文明实践集中活动日：方案、计划收集、抽查与通报。", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
import_app = typer.Typer(help="Import an input file (xlsx or csv).", no_args_is_help=True)
run_app = typer.Typer(help="Run a step of the month (or the whole cycle) as a Prefect flow.", no_args_is_help=True)
sample_app = typer.Typer(help="Inspect and verify the month's draw.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(run_app, name="run")
app.add_typer(sample_app, name="sample")
tokens_app = typer.Typer(help="Station tokens for the mini-program API.", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")
feedback_app = typer.Typer(help="Suggestions (意见建议) from inspections, followed across months.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


class FeedbackStatusOpt(StrEnum):
    open = "open"
    answered = "answered"
    closed = "closed"
    all = "all"


FEEDBACK_COLUMNS = {"id": "编号", "month": "提出月份", "station_code": "所站编号", "township": "乡镇（街道）",
                    "category": "类别", "content": "意见建议", "status": "状态", "answer": "办理情况",
                    "closed_month": "办结月份"}
STATUS_CN = {"open": "待办理", "answered": "已答复", "closed": "已办结"}


def _feedback(status: FeedbackStatusOpt, month: str | None):
    from activity_day import crud
    from activity_day.database import transaction

    with transaction() as session:
        frame = crud.feedback_frame(session=session, county=county(), up_to=month_option(month))
    return frame if status == FeedbackStatusOpt.all else frame[frame["status"] == status.value]


StatusOpt = Annotated[FeedbackStatusOpt, typer.Option("--status", help="Which items.")]


@feedback_app.command("list")
def feedback_list(status: StatusOpt = FeedbackStatusOpt.open, month: MonthOpt = None, as_json: JsonOpt = False) -> None:
    """Items raised up to the month (default: next month, i.e. all so far), by status."""
    frame = _feedback(status, month)
    if as_json:
        typer.echo(frame.to_json(orient="records", force_ascii=False))
        return
    for r in frame.itertuples():
        typer.echo(f"{r.id:>5} {r.month} {r.station_code:<6} {r.township} [{r.category}] {STATUS_CN[r.status]} {r.content}")
    typer.echo(f"{len(frame)} item(s)")


def _set_feedback(item_id: int, status: str, note: str | None, month: str | None) -> None:
    from activity_day import crud
    from activity_day.database import transaction
    from activity_day.months import this_month

    with transaction() as session:
        try:
            crud.set_feedback_status(session=session, county=county(), item_id=item_id, status=status, answer=note,
                                     closed_month=month_option(month) if month else this_month())
        except LookupError as exc:
            raise fail(str(exc), 1) from None
    typer.echo(f"feedback item {item_id}: {STATUS_CN[status]}")


@feedback_app.command("answer")
def feedback_answer(item_id: int, note: Annotated[str, typer.Option("--note", help="办理情况")]) -> None:
    """Record an answer to an item (it stays open until closed)."""
    _set_feedback(item_id, "answered", note, None)


@feedback_app.command("close")
def feedback_close(
    item_id: int,
    note: Annotated[str | None, typer.Option("--note", help="办理情况")] = None,
    month: Annotated[str | None, typer.Option("--month", help="Month it counts as closed in; default: this month")] = None,
) -> None:
    """Close an item; the circular of that month counts it as closed (办结)."""
    _set_feedback(item_id, "closed", note, month)


@feedback_app.command("export")
def feedback_export(file: Path, status: StatusOpt = FeedbackStatusOpt.all, month: MonthOpt = None) -> None:
    """Export items to xlsx (formulas neutralised)."""
    from activity_day.render import xlsx_bytes

    if file.suffix.lower() != ".xlsx":
        raise fail(f"{file}: the export is an .xlsx file")
    frame = _feedback(status, month).assign(status=lambda f: f["status"].map(STATUS_CN))
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(xlsx_bytes([("意见建议", frame.rename(columns=FEEDBACK_COLUMNS))], title="意见建议办理台账"))
    typer.echo(f"wrote {len(frame)} item(s) to {file}")

_state: dict[str, str | None] = {"county": None}


class Kind(StrEnum):
    stations = "stations"
    plans = "plans"
    comments = "comments"
    scores = "scores"


class Step(StrEnum):
    draft = "draft"
    review = "review"
    collect = "collect"
    sample = "sample"
    compile = "compile"
    cycle = "cycle"


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def month_option(value: str | None) -> str:
    month = value or next_month()
    try:
        parse_month(month)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return month


MonthOpt = Annotated[str | None, typer.Option("--month", help="YYYY-MM; default: next month (Asia/Shanghai)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def county() -> str:
    from activity_day.crud import MissingPrerequisite
    from activity_day.settings import get_settings
    from activity_day.setup import resolve_county

    try:
        return resolve_county(_state["county"] or get_settings().county)
    except MissingPrerequisite as exc:
        raise fail(str(exc)) from None


@app.callback()
def main_options(
    county_code: Annotated[str | None, typer.Option("--county", help="County code, when the database holds several.")] = None,
) -> None:
    _state["county"] = county_code


@app.command()
def init(profile: Annotated[Path, typer.Option("--profile", help="The county profile (YAML).")]) -> None:
    """Create the tables and load the county profile; running it again is safe."""
    from activity_day.profile import ProfileError
    from activity_day.setup import init_county

    try:
        loaded = init_county(profile)
    except ProfileError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"county {loaded.county.code} {loaded.county.name} is set up ({len(loaded.teams)} teams, "
               f"{len(loaded.departments)} departments)")


def _import(kind: Kind, file: Path, month: str | None) -> None:
    from activity_day.imports import import_file

    report = import_file(kind.value, file, county=county(), month=month_option(month))
    for line in report.lines():
        typer.echo(line, err=report.exit_code == 2)
    raise typer.Exit(report.exit_code)


@import_app.command("stations")
def import_stations(file: Path) -> None:
    """所站名录: accepted or refused as a whole."""
    _import(Kind.stations, file, None)


@import_app.command("plans")
def import_plans(
    file: Annotated[Path | None, typer.Argument(help="The plans file; omit it to import every file in the inbox.")] = None,
    month: MonthOpt = None,
) -> None:
    """活动计划: a station with a bad row gets nothing written; the others go in."""
    if file is not None:
        _import(Kind.plans, file, month)
    from activity_day.inbox import process_inbox
    from activity_day.settings import get_settings

    inbox = Path(get_settings().inbox)
    reports = process_inbox(inbox, county=county(), month=month_option(month))
    for report in reports:
        for line in report.lines():
            typer.echo(line)
    if not reports:
        typer.echo(f"no files waiting in {inbox}")
    typer.echo(f"processed files and their reports are in {inbox / 'processed'}")
    raise typer.Exit(max((r.exit_code for r in reports), default=0))


@import_app.command("comments")
def import_comments(file: Path, month: MonthOpt = None) -> None:
    """部门意见: each row is its own unit."""
    _import(Kind.comments, file, month)


@import_app.command("scores")
def import_scores(file: Path, month: MonthOpt = None) -> None:
    """检查评分: each row is its own unit."""
    _import(Kind.scores, file, month)


def _run(step: Step, month: str | None, **params: object) -> None:
    from activity_day.crud import MissingPrerequisite
    from flows.monthly import STEPS

    code, chosen = county(), month_option(month)
    try:
        result = STEPS[step.value](county=code, month=chosen, **{k: v for k, v in params.items() if v is not None})
    except MissingPrerequisite as exc:
        raise fail(str(exc), 1) from None
    except Exception as exc:  # the flow run already logged the traceback
        raise fail(f"{step.value} for {chosen} failed: {exc}", 1) from None
    typer.echo(json.dumps(result, ensure_ascii=False, indent=1, default=str))


PublicRandom = Annotated[str | None, typer.Option(
    "--public-random", help="A public random value fixed after the station list was published (e.g. lottery numbers).")]


@run_app.command("draft")
def run_draft(month: MonthOpt = None) -> None:
    """Draft the month's plan (v1, 征求意见稿)."""
    _run(Step.draft, month)


@run_app.command("review")
def run_review(
    month: MonthOpt = None,
    interactive: Annotated[bool, typer.Option(
        "--interactive", help="Pause for comments and dispositions in Prefect UI resume forms.")] = False,
) -> None:
    """Close the department review and issue the official plan (v2)."""
    _run(Step.review, month, interactive=interactive)


@run_app.command("collect")
def run_collect(month: MonthOpt = None) -> None:
    """Report station plan submissions and reminders."""
    _run(Step.collect, month)


@run_app.command("sample")
def run_sample(
    month: MonthOpt = None,
    public_random: PublicRandom = None,
    interactive: Annotated[bool, typer.Option(
        "--interactive", help="Pause for the public random value in a Prefect UI resume form.")] = False,
) -> None:
    """Draw one third of the stations and assign teams (a stored draw is kept)."""
    _run(Step.sample, month, public_random=public_random, interactive=interactive)


@run_app.command("compile")
def run_compile(month: MonthOpt = None) -> None:
    """Compile the circular (通报) from the scores."""
    _run(Step.compile, month)


@run_app.command("cycle")
def run_cycle(
    month: MonthOpt = None,
    public_random: PublicRandom = None,
    all_counties: Annotated[bool, typer.Option("--all-counties", help="Every county in the database, one run each.")] = False,
    via_deployments: Annotated[bool, typer.Option(
        "--via-deployments", help="With --all-counties: runs of the monthly-cycle deployment, for the workers.")] = False,
) -> None:
    """Run all five steps in order, unattended."""
    if not all_counties:
        _run(Step.cycle, month, public_random=public_random)
        return
    from flows.province import province_cycle

    chosen = month_option(month)
    try:
        result = province_cycle(month=chosen, via_deployments=via_deployments)
    except Exception as exc:
        raise fail(f"province cycle for {chosen}: {exc}", 1) from None
    typer.echo(json.dumps(result, ensure_ascii=False))


@sample_app.command("verify")
def sample_verify(month: MonthOpt = None) -> None:
    """Exit 0 exactly when the stored draw is reproduced from its recorded inputs."""
    from activity_day.crud import MissingPrerequisite
    from tasks.sample import verify_stored

    try:
        ok, message = verify_stored(county(), month_option(month))
    except MissingPrerequisite as exc:
        raise fail(str(exc), 1) from None
    typer.echo(("OK " if ok else "MISMATCH ") + message, err=not ok)
    raise typer.Exit(0 if ok else 1)


def _stored_draw(month: str | None):
    from activity_day import crud
    from activity_day.database import transaction

    with transaction() as session:
        try:
            return crud.require_draw(session=session, county=county(), month=month_option(month))
        except crud.MissingPrerequisite as exc:
            raise fail(str(exc), 1) from None


@sample_app.command("show")
def sample_show(month: MonthOpt = None, as_json: JsonOpt = False) -> None:
    """The drawn stations with township, mode and team."""
    stored = _stored_draw(month)
    stations = [{"code": s["code"], "township": s["township"], "mode": s["mode"], "team": s["team"],
                 "slot": s["slot"], "rank": s["rank"]} for s in stored.record["selected"]]
    if as_json:
        typer.echo(json.dumps({"month": stored.month, "seed": stored.seed, "digest": stored.digest,
                               "stations": stations}, ensure_ascii=False))
        return
    typer.echo(f"{stored.month}: {len(stations)} stations drawn; digest {stored.digest}")
    for s in stations:
        typer.echo(f"{s['rank']:>4} {s['code']:<8} {s['township']:<8} {s['mode']:<7} {s['team']} {s['slot']}")


@sample_app.command("record")
def sample_record(month: MonthOpt = None) -> None:
    """The full draw record as JSON (input of docs/verify_draw.py)."""
    typer.echo(json.dumps(_stored_draw(month).record, ensure_ascii=False, indent=1, sort_keys=True))


@app.command()
def status(month: MonthOpt = None, as_json: JsonOpt = False) -> None:
    """Which steps are done for the month, and the counts."""
    from activity_day.status import month_status

    report = month_status(county(), month_option(month))
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    typer.echo(f"{report['county']} {report['month']}")
    for step, state in report["steps"].items():
        typer.echo(f"  {step:<8} {state}")
    typer.echo("  " + ", ".join(f"{k} {v}" for k, v in report["counts"].items()))
    done = report["completeness"]
    if done["missing"]:
        typer.echo(f"  not submitted ({len(done['missing'])}):")
        for s in done["missing"]:
            typer.echo(f"    {s['code']} {s['name']} {s['township']} {s['leader']} {s['phone']}")
    if done["uncovered_required"]:
        typer.echo(f"  required actions not planned ({len(done['uncovered_required'])}):")
        for s in done["uncovered_required"]:
            typer.echo(f"    {s['code']} {s['name']}: {s['missing_codes']}")
    if done["late"]:
        typer.echo(f"  late ({len(done['late'])}): " + ", ".join(s["code"] for s in done["late"]))
    for path in report["documents"]:
        typer.echo(f"  {path}")


@tokens_app.command("issue")
def tokens_issue(
    out: Annotated[Path, typer.Option("--out", help="xlsx to write the new tokens to (shown only once).")],
    station: Annotated[list[str] | None, typer.Option("--station", help="Station code; repeat for several.")] = None,
    all_stations: Annotated[bool, typer.Option("--all", help="Every active station.")] = False,
) -> None:
    """Issue new tokens (revoking each station's earlier ones) and export them to xlsx."""
    import pandas as pd

    from activity_day import crud
    from activity_day.database import transaction
    from activity_day.render import xlsx_bytes
    from activity_day.submissions import issue_tokens, utcnow

    if bool(station) == all_stations:
        raise fail("give --station CODE (one or more) or --all")
    if out.suffix.lower() != ".xlsx":
        raise fail(f"{out}: the token list is an .xlsx file")
    code = county()
    with transaction() as session:
        stations = crud.stations_frame(session=session, county=code).set_index("code")
        chosen = list(stations.index) if all_stations else list(station or [])
        unknown = [s for s in chosen if s not in stations.index]
        if unknown:
            raise fail(f"unknown station code(s): {', '.join(unknown)}")
        tokens = issue_tokens(session=session, county=code, stations=chosen, now=utcnow())
    sheet = pd.DataFrame([{"所站编号": c, "所站名称": stations.loc[c, "name"], "乡镇（街道）": stations.loc[c, "township"],
                           "负责人": stations.loc[c, "leader"], "令牌": t} for c, t in tokens.items()])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(xlsx_bytes([("所站令牌", sheet)], title="所站令牌（请妥善保管）"))
    typer.echo(f"issued {len(tokens)} token(s) to {out}; earlier tokens of these stations no longer work")


@tokens_app.command("revoke")
def tokens_revoke(station: Annotated[str, typer.Option("--station", help="Station code.")]) -> None:
    """Revoke a station's tokens."""
    from activity_day.database import transaction
    from activity_day.submissions import revoke_tokens, utcnow

    with transaction() as session:
        count = revoke_tokens(session=session, county=county(), station=station, now=utcnow())
    if not count:
        raise fail(f"station {station} has no active token", 1)
    typer.echo(f"revoked {count} token(s) of station {station}")


@app.command()
def api(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the mini-program intake API (OpenAPI schema at /docs and /openapi.json)."""
    import uvicorn

    from activity_day import crud
    from activity_day.api import create_app
    from activity_day.database import ensure_schema, transaction

    ensure_schema()
    with transaction() as session:
        limits = [crud.load_profile_of(session=session, county=c).intake.max_body_bytes
                  for c in crud.county_codes(session=session)]
    uvicorn.run(create_app(max(limits, default=262144)), host=host, port=port, log_level="info")


@app.command()
def template(kind: Kind, file: Path) -> None:
    """Write an empty input template (xlsx) with the exact headers."""
    from activity_day.templates_xlsx import template_bytes

    if file.suffix.lower() != ".xlsx":
        raise fail(f"{file}: the template is an .xlsx file")
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(template_bytes(kind.value))
    typer.echo(f"wrote {file}")


@app.command()
def demo(
    month: MonthOpt = None,
    out: Annotated[Path, typer.Option("--out", help="Workspace folder to create.")] = Path("demo"),
    province: Annotated[int | None, typer.Option("--province", min=1, max=200,
                                                 help="Generate this many counties and run them all.")] = None,
) -> None:
    """Generate a realistic county (or a province) and run the whole month through the normal code paths."""
    from activity_day.demo import run_demo, run_province_demo

    if province:
        run_province_demo(month_option(month), out, province, echo=typer.echo)
    else:
        run_demo(month_option(month), out, echo=typer.echo)


def main() -> None:
    # County offices often run offline: keep Prefect's temporary server from phoning home.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
