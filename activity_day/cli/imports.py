"""`activity-day import` (the files offices send) and `activity-day template` (empty files to fill in)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from activity_day.cli.options import MonthOpt, county, fail, month_option

app = typer.Typer(help="导入文件（xlsx 或 csv）。", no_args_is_help=True)


class Kind(StrEnum):
    stations = "stations"
    plans = "plans"
    comments = "comments"
    scores = "scores"
    evaluation = "evaluation"
    applications = "applications"
    reports = "reports"
    speakers = "speakers"
    orders = "orders"
    ratings = "ratings"
    answers = "answers"


def _import(ctx: typer.Context, kind: Kind, file: Path, month: str | None) -> None:
    from activity_day.services.imports import ImportClock, import_file
    from activity_day.services.submissions import utcnow

    chosen = month_option(month)
    # The command's clock is what the time rules read (a lecture rated only from its day, an answer before it).
    report = import_file(kind.value, file, county=county(ctx), month=chosen, clock=ImportClock(now=utcnow()))
    for line in report.lines():
        typer.echo(line, err=report.exit_code == 2)
    raise typer.Exit(report.exit_code)


@app.command("stations")
def import_stations(ctx: typer.Context, file: Path) -> None:
    """所站名录：整表接收或整表拒收。"""
    _import(ctx, Kind.stations, file, None)


@app.command("plans")
def import_plans(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Argument(help="活动计划文件；不写则导入收件箱中的全部文件。")] = None,
    month: MonthOpt = None,
) -> None:
    """活动计划：某所站有一行出错则该所站整份不写入，其余所站照常写入。"""
    if file is not None:
        _import(ctx, Kind.plans, file, month)
    from activity_day.context import current
    from activity_day.services.inbox import process_inbox

    inbox = Path(current().settings.inbox)
    chosen = month_option(month)
    reports = process_inbox(inbox, county=county(ctx), month=chosen)
    for report in reports:
        for line in report.lines():
            typer.echo(line)
    if not reports:
        typer.echo(f"收件箱 {inbox} 中没有待处理的文件")
    typer.echo(f"已处理的文件及导入结果在 {inbox / 'processed'}")
    raise typer.Exit(max((r.exit_code for r in reports), default=0))


@app.command("comments")
def import_comments(ctx: typer.Context, file: Path, month: MonthOpt = None) -> None:
    """部门意见：每行单独接收或拒收。"""
    _import(ctx, Kind.comments, file, month)


@app.command("scores")
def import_scores(ctx: typer.Context, file: Path, month: MonthOpt = None) -> None:
    """检查评分：每行单独接收或拒收。"""
    _import(ctx, Kind.scores, file, month)


@app.command("evaluation")
def import_evaluation(ctx: typer.Context, file: Path) -> None:
    """实地评估（所站综合评价中由评估人员填报的指标）：每行单独接收或拒收，评估人须回避本乡镇。"""
    _import(ctx, Kind.evaluation, file, None)  # each row names its month (评估月份)


@app.command("speakers")
def import_speakers(ctx: typer.Context, file: Path) -> None:
    """宣讲员库（讲师编号、姓名、乡镇（街道）、宣讲主题，可写单位、宣讲故事、可宣讲时间、每月上限）：整份接收或拒收。"""
    _import(ctx, Kind.speakers, file, None)


@app.command("orders")
def import_orders(ctx: typer.Context, file: Path, month: MonthOpt = None) -> None:
    """宣讲点单（所站编号、菜单编号，可写宣讲日期、预计听众）：每行单独接收或拒收，派单在 run collect 中进行。"""
    _import(ctx, Kind.orders, file, month)


@app.command("answers")
def import_answers(ctx: typer.Context, file: Path, month: MonthOpt = None) -> None:
    """讲师接单（所站编号、菜单编号、讲师编号、答复：接单或谢绝）：谢绝的场次只为该场重新组队。"""
    _import(ctx, Kind.answers, file, month)


@app.command("ratings")
def import_ratings(ctx: typer.Context, file: Path, month: MonthOpt = None) -> None:
    """宣讲评价（所站编号、菜单编号、评价人、评分1-5，可写评价意见）：所站和文明观察员对已宣讲场次的评价。"""
    _import(ctx, Kind.ratings, file, month)


@app.command("reports")
def import_reports(ctx: typer.Context, file: Path) -> None:
    """整改报告（整改编号、所站编号、整改情况，可附照片校验码）：每行单独接收或拒收；同一报告重复导入不重复记录。"""
    _import(ctx, Kind.reports, file, None)  # findings are numbered across months: the month is not used


def template(kind: Kind, file: Path) -> None:
    """写出空白导入模板（xlsx），表头与导入要求完全一致。"""
    from activity_day.documents.templates_xlsx import template_bytes

    if file.suffix.lower() != ".xlsx":
        raise fail(f"{file}：模板应为 .xlsx 文件")
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(template_bytes(kind.value))
    typer.echo(f"已写出 {file}")
