"""`activity-day feedback`: suggestions collected during inspections, followed up across months."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from activity_day.cli.options import JsonOpt, MonthOpt, county, fail, month_option
from activity_day.context import current
from activity_day.models.enums import FeedbackStatus

app = typer.Typer(help="督查中收集的意见建议，跨月跟踪办理。", no_args_is_help=True)


class FeedbackStatusOpt(StrEnum):
    open = "open"
    answered = "answered"
    closed = "closed"
    all = "all"


FEEDBACK_COLUMNS = {"id": "编号", "month": "提出月份", "station_code": "所站编号", "township": "乡镇（街道）",
                    "category": "类别", "content": "意见建议", "status": "状态", "answer": "办理情况",
                    "closed_month": "办结月份"}
STATUS_CN = {s.value: s.label for s in FeedbackStatus}

StatusOpt = Annotated[FeedbackStatusOpt, typer.Option("--status", help="哪些条目：open 待办理 / answered 已答复 / "
                                                                      "closed 已办结 / all 全部")]


def _feedback(ctx: typer.Context, status: FeedbackStatusOpt, month: str | None):
    from activity_day.store import crud
    from activity_day.store.database import transaction

    up_to = month_option(month)
    with transaction() as session:
        frame = crud.feedback_frame(session=session, county=county(ctx), up_to=up_to)
    return frame if status == FeedbackStatusOpt.all else frame[frame["status"] == status.value]


@app.command("list")
def feedback_list(ctx: typer.Context, status: StatusOpt = FeedbackStatusOpt.open, month: MonthOpt = None,
                  as_json: JsonOpt = False) -> None:
    """列出截至该月提出的意见建议（默认：全部待办理）。"""
    frame = _feedback(ctx, status, month)
    if as_json:
        typer.echo(frame.to_json(orient="records", force_ascii=False))
        return
    for r in frame.itertuples():
        typer.echo(f"{r.id:>5} {r.month} {r.station_code:<6} {r.township} [{r.category}] {STATUS_CN[r.status]} {r.content}")
    typer.echo(f"共 {len(frame)} 条")


def _set_feedback(ctx: typer.Context, item_id: int, status: str, note: str | None, month: str | None) -> None:
    from activity_day.domain.months import this_month
    from activity_day.store import crud
    from activity_day.store.database import transaction

    with transaction() as session:
        try:
            crud.set_feedback_status(session=session, county=county(ctx), item_id=item_id, status=status, answer=note,
                                     closed_month=month_option(month) if month else this_month(current().now()))
        except LookupError:
            raise fail(f"没有编号为 {item_id} 的意见建议（用 activity-day feedback list --status all 查看编号）") from None
    typer.echo(f"意见建议 {item_id}：{STATUS_CN[status]}")


@app.command("answer")
def feedback_answer(ctx: typer.Context, item_id: int,
                    note: Annotated[str, typer.Option("--note", help="办理情况")]) -> None:
    """登记答复（答复后仍为待办结，直到办结）。"""
    _set_feedback(ctx, item_id, "answered", note, None)


@app.command("close")
def feedback_close(
    ctx: typer.Context,
    item_id: int,
    note: Annotated[str | None, typer.Option("--note", help="办理情况")] = None,
    month: Annotated[str | None, typer.Option("--month", help="计入办结的月份；默认本月")] = None,
) -> None:
    """办结一条意见建议；该月通报计为已办结。"""
    _set_feedback(ctx, item_id, "closed", note, month)


@app.command("export")
def feedback_export(ctx: typer.Context, file: Path, status: StatusOpt = FeedbackStatusOpt.all,
                    month: MonthOpt = None) -> None:
    """导出意见建议办理台账（xlsx）。"""
    from activity_day.documents.render import xlsx_bytes

    if file.suffix.lower() != ".xlsx":
        raise fail(f"{file}：台账应导出为 .xlsx 文件")
    frame = _feedback(ctx, status, month).assign(status=lambda f: f["status"].map(STATUS_CN))
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(xlsx_bytes([("意见建议", frame.rename(columns=FEEDBACK_COLUMNS))], title="意见建议办理台账"))
    typer.echo(f"已导出 {len(frame)} 条到 {file}")
