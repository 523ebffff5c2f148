"""`activity-day run`: one step of the month (or the whole cycle) as a Prefect flow, then what it produced.

Prefect and the flows are imported inside the commands, so the other commands never start it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Annotated

import typer

from activity_day import console
from activity_day.cli import local_server
from activity_day.cli.options import STEP_CN, JsonOpt, MonthOpt, county, month_option
from activity_day.context import current
from activity_day.documents.summary import summary_lines
from activity_day.domain.dates import cn_month
from activity_day.errors import OperatorError

app = typer.Typer(help="以 Prefect 流程运行本月的一个步骤（或整个月度流程）。", no_args_is_help=True)


def start_flows(meanwhile: Callable[[], None] | None = None):
    """Import the flows with Prefect's console output moved to the log file; returns flows.monthly.

    Where no Prefect API is configured, Prefect's temporary server boots meanwhile (`cli/local_server.py`), and
    so does whatever `meanwhile` starts (before Prefect is imported).
    """
    api = local_server.start()
    if meanwhile is not None:
        meanwhile()
    from activity_day.flows import monthly

    console.quiet_prefect()
    if api is not None:
        local_server.wait_until_ready(api)
    return monthly


def _require_ui(what: str) -> None:
    if not local_server.api_configured():  # the temporary server has no UI
        raise OperatorError(
            f"{what}需要在 Prefect 界面中填写表单：请另开终端运行 {console.installed_command('prefect')} server start，"
            "再设置 PREFECT_API_URL=http://127.0.0.1:4200/api 后重试")


def _province(step: str, month: str | None, counties: str | None, as_json: bool, **params: object) -> None:
    """The step (or the cycle) as a province run: every county, or those of `counties`, each county's documents in
    its own folder (OUT/YYYY-MM/<county>/)."""
    from activity_day.processes import start_fork_server
    from activity_day.services.counties import resolve_counties

    chosen = month_option(month)
    codes = resolve_counties(counties) if counties is not None else None
    # The counties' processes are forked from a server that imports their code while this command starts.
    workers = current().settings.workers or os.cpu_count() or 1
    start_flows(None if params.get("via_deployments") else
                lambda: start_fork_server(min(workers, len(codes)) if codes is not None else workers))
    from activity_day.flows.province import province_cycle

    label = "月度流程" if step == "cycle" else f"·{STEP_CN[step]}"
    console.tell_operator(f"开始运行：{cn_month(chosen)}·全省{label}")
    result = province_cycle(month=chosen, counties=codes, step=step, **params)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(f"{cn_month(chosen)}：{result['counties']} 个县（市、区）的{STEP_CN[step]}已完成")


def _run(ctx: typer.Context, step: str, month: str | None, as_json: bool = False, counties: str | None = None,
         **params: object) -> None:
    if counties is not None:
        if params.pop("interactive", False):
            raise OperatorError("--interactive 只用于单个县：与 --counties 同用时各县无人值守运行，请去掉其中一个")
        _province(step, month, counties, as_json, **{k: v for k, v in params.items() if v is not None})
        return
    chosen = month_option(month)
    code = county(ctx)  # a wrong month or county is told before Prefect starts
    if params.get("interactive"):
        _require_ui("交互式运行")
    monthly = start_flows()
    console.tell_operator(f"开始运行：{cn_month(chosen)}·{STEP_CN[step]}（{code}）")
    result = monthly.STEPS[step](county=code, month=chosen,
                                **{k: v for k, v in params.items() if v is not None})
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1, default=str))
        return
    for line in summary_lines(step, chosen, result):
        typer.echo(line)


PublicRandom = Annotated[str | None, typer.Option(
    "--public-random", help="名单公布之后产生的公开随机数（如彩票开奖号码）。")]
AllowEmpty = Annotated[bool, typer.Option(
    "--allow-empty", help="没有评分也印发通报（通报写明本月未开展督查评分）。")]
Counties = Annotated[str | None, typer.Option(
    "--counties", help="只运行这些县（逗号分隔的代码，如 329001,329005），文档按县分目录存放，与全省运行一致；"
                       "例如重跑全省运行中失败的县。")]


@app.command("draft")
def run_draft(ctx: typer.Context, month: MonthOpt = None, counties: Counties = None, as_json: JsonOpt = False) -> None:
    """起草本月方案（征求意见稿）。"""
    _run(ctx, "draft", month, as_json, counties)


@app.command("review")
def run_review(
    ctx: typer.Context,
    month: MonthOpt = None,
    interactive: Annotated[bool, typer.Option(
        "--interactive", help="暂停运行，在 Prefect 界面的表单中录入部门意见并审定。")] = False,
    counties: Counties = None,
    as_json: JsonOpt = False,
) -> None:
    """结束征求意见，印发正式方案。"""
    _run(ctx, "review", month, as_json, counties, interactive=interactive)


@app.command("collect")
def run_collect(ctx: typer.Context, month: MonthOpt = None, counties: Counties = None,
                as_json: JsonOpt = False) -> None:
    """汇总所站活动计划报送情况和提醒名单。"""
    _run(ctx, "collect", month, as_json, counties)


@app.command("sample")
def run_sample(
    ctx: typer.Context,
    month: MonthOpt = None,
    public_random: PublicRandom = None,
    interactive: Annotated[bool, typer.Option(
        "--interactive", help="暂停运行，在 Prefect 界面的表单中填写公开随机数。")] = False,
    counties: Counties = None,
    as_json: JsonOpt = False,
) -> None:
    """按县情配置的比例抽取所站并分配检查组（已有抽样则沿用）。"""
    _run(ctx, "sample", month, as_json, counties, public_random=public_random, interactive=interactive)


@app.command("compile")
def run_compile(ctx: typer.Context, month: MonthOpt = None, allow_empty: AllowEmpty = False,
                counties: Counties = None, as_json: JsonOpt = False) -> None:
    """根据评分汇编通报。"""
    _run(ctx, "compile", month, as_json, counties, allow_empty=allow_empty)


@app.command("cycle")
def run_cycle(
    ctx: typer.Context,
    month: MonthOpt = None,
    public_random: PublicRandom = None,
    allow_empty: AllowEmpty = False,
    all_counties: Annotated[bool, typer.Option("--all-counties", help="数据库中的每个县各运行一次。")] = False,
    counties: Counties = None,
    via_deployments: Annotated[bool, typer.Option(
        "--via-deployments", help="与 --all-counties 同用：交给 monthly-cycle 部署，由工作进程运行。")] = False,
    as_json: JsonOpt = False,
) -> None:
    """无人值守地依次运行五个步骤。"""
    if not all_counties and counties is None:
        _run(ctx, "cycle", month, as_json, public_random=public_random, allow_empty=allow_empty)
        return
    # --public-random is the province's public random value for the month: every county's draw uses it
    _province("cycle", month, counties, as_json, via_deployments=via_deployments, allow_empty=allow_empty,
              public_random=public_random)


@app.command("retry")
def run_retry(
    run_id: Annotated[str, typer.Argument(
        metavar="运行ID", help="要重试的流程运行的 ID（失败消息中给出，或 Prefect 界面中运行页面地址的最后一段）。")],
) -> None:
    """重试一次已结束的流程运行：部署的运行交给工作进程，命令行启动的运行（如全省运行）在本机重跑；已完成的任务和县不再重复。"""
    from uuid import UUID

    try:
        flow_run_id = UUID(run_id.strip())
    except ValueError:
        raise OperatorError(f"运行ID“{run_id}”无效：应为失败消息或界面地址中的 UUID，如 3c4b9026-2921-40dc-a907-d9caace30920") \
            from None
    monthly = start_flows()
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound
    from prefect.flow_engine import run_flow
    from prefect.states import Scheduled

    from activity_day.flows.province import province_cycle

    flows = {f.name: f for f in (*monthly.STEPS.values(), province_cycle)}
    with get_client(sync_client=True) as client:
        try:
            run = client.read_flow_run(flow_run_id)
        except ObjectNotFound:
            raise OperatorError(f"Prefect 中没有运行 {flow_run_id}：请核对运行ID和 PREFECT_API_URL") from None
        if run.state is None or not run.state.is_final():
            raise OperatorError(f"运行“{run.name}”目前的状态是 {run.state.name if run.state else '未知'}，"
                                "只有已结束（失败、崩溃、取消或完成）的运行可以重试")
        flow_name = client.read_flow(run.flow_id).name
        if run.deployment_id is None and flow_name not in flows:
            raise OperatorError(f"运行“{run.name}”属于流程 {flow_name}，不是 activity-day 的流程，无法在本机重跑")
        client.set_flow_run_state(flow_run_id, Scheduled(message="由 activity-day run retry 重试"), force=True)
        if run.deployment_id is not None:
            typer.echo(f"已安排重试“{run.name}”，工作进程将接手运行")
            return
        run = client.read_flow_run(flow_run_id)
    console.tell_operator(f"在本机重跑“{run.name}”（已完成的任务和县不再重复）")
    state = run_flow(flows[flow_name], flow_run=run, parameters=run.parameters, return_type="state")
    if not state.is_completed():
        raise OperatorError(state.message or f"“{run.name}”重试后仍未完成（{state.name}）")
    typer.echo(f"“{run.name}”已重试完成")
