"""`activity-day notices`: the outbox of reminders and notices: list, send, retry."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

from activity_day.cli.options import JsonOpt, county, fail, month_option

# Seconds between the passes of a round over what could not be delivered yet; a channel that did not answer or
# could not be reached is not tried again in the round, so a hanging channel costs a round one timeout.
SEND_DELAYS = (2.0, 10.0)

app = typer.Typer(help="提醒与通知：发件箱中的每条通知及其状态；发送、重发失败的通知。", no_args_is_help=True)


class StateFilter(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"
    all = "all"


MonthArg = Annotated[str | None, typer.Option("--month", help="通知所属月份 YYYY-MM（默认全部月份）")]
StateOpt = Annotated[StateFilter, typer.Option("--state", help="pending 待发送 / sent 已发送 / failed 发送失败 / all 全部")]


def _month(value: str | None) -> str | None:
    return month_option(value) if value else None


def _summary(result) -> str:
    """Counts of notices, each once in its state at the end (attempts are not notices)."""
    text = (f"通知 {result.notices} 条：已发送 {result.sent} 条，发送失败 {result.failed} 条，待发送 {result.pending} 条"
            f"（共发送 {result.attempted} 次）")
    if result.paused:
        text += f"\n没有应答或无法连接、本轮已暂停的渠道：{'、'.join(result.paused)}（其通知留待下次发送）"
    return text


def _outcome(result, *, retried: bool) -> None:
    """Exit 2 when a notice failed for good or a channel was paused with notices left waiting."""
    if result.failed:
        hint = ("activity-day notices list --state failed 查看原因" if retried else
                "activity-day notices list --state failed 查看原因，修正渠道后运行 activity-day notices retry"
                "（--channel 只重发该渠道的）")
        raise fail(f"{result.failed} 条通知{'仍' if retried else ''}发送失败：{hint}")
    if result.paused and result.pending:
        raise fail(f"{result.pending} 条通知待发送（渠道本轮没有应答或无法连接）：每日的 notices 流程会再发送，"
                   "或在渠道恢复后运行 activity-day notices retry --channel 渠道地址")


@app.command("list")
def notices_list(ctx: typer.Context, month: MonthArg = None, state: StateOpt = StateFilter.all,
                 as_json: JsonOpt = False) -> None:
    """列出发件箱中的通知：对象、收件人、事由、渠道、状态、发送次数和最近的错误。"""
    from activity_day.domain.notices import Audience, NoticeState, channel_label
    from activity_day.services import notices

    rows = notices.outbox(county(ctx), month=_month(month), state=None if state == StateFilter.all else state.value)
    if as_json:
        typer.echo(json.dumps(notices.public_rows(rows), ensure_ascii=False))
        return
    for n in rows:
        error = f" 错误：{n.last_error}" if n.last_error and n.state != NoticeState.SENT else ""
        typer.echo(f"{NoticeState(n.state).label} {n.month} {Audience(n.audience).label}·{n.recipient} "
                   f"[{n.occasion}] {n.title} 渠道 {channel_label(n.channel)} 发送 {n.attempts} 次{error}")
    counts = {s: sum(n.state == s.value for n in rows) for s in NoticeState}
    typer.echo(f"共 {len(rows)} 条：" + "，".join(f"{s.label} {c} 条" for s, c in counts.items()))


@app.command("send")
def notices_send(ctx: typer.Context, month: MonthArg = None,
                 day: Annotated[str | None, typer.Option(
                     "--day", help="先写入这一天到期的提醒 YYYY-MM-DD（每日运行 notices 流程时不必）")] = None) -> None:
    """发送待发送的通知（失败的渠道稍后重试，多次失败记为发送失败，不影响其他通知）。"""
    from activity_day.services import notices

    code = county(ctx)
    if day is not None:
        try:
            on = date.fromisoformat(day.strip())
        except ValueError:
            raise fail(f"日期“{day}”无效：应为 YYYY-MM-DD，例如 2027-01-02") from None
        typer.echo(f"{on.isoformat()} 到期的提醒：新增 {notices.enqueue_due(code, on)} 条")
    result = notices.send_with_retries(code, month=_month(month), delays=SEND_DELAYS)
    typer.echo(_summary(result))
    _outcome(result, retried=False)


@app.command("retry")
def notices_retry(ctx: typer.Context, month: MonthArg = None,
                  key: Annotated[str | None, typer.Option("--key", help="只重发这一条（通知的 key）")] = None,
                  channel: Annotated[str | None, typer.Option(
                      "--channel", help="只重发这个渠道的通知：渠道地址（notices list --json 的 channel），"
                                        "或其中能唯一确定渠道的一段，如 127.0.0.1:8080/stations")] = None) -> None:
    """把发送失败的通知重新置为待发送并发送（可只重发一个渠道的）。"""
    from activity_day.errors import OperatorError
    from activity_day.services import notices

    code = county(ctx)
    try:
        chosen = notices.resolve_channel(code, channel) if channel is not None else None
    except OperatorError as exc:
        raise fail(str(exc)) from None
    reset = notices.retry_failed(code, month=_month(month), key=key, channel=chosen)
    where = f"（渠道 {notices.channel_label(chosen)}）" if chosen else ""
    result = notices.send_with_retries(code, month=_month(month), channel=chosen, delays=SEND_DELAYS)
    waiting = result.notices - reset
    typer.echo(f"重新发送 {reset} 条发送失败的通知{where}" + (f"，连同待发送的 {waiting} 条" if waiting > 0 else ""))
    typer.echo(_summary(result))
    _outcome(result, retried=True)
