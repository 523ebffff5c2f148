"""`activity-day setup`: what a Prefect server needs before workers run the months of every county.

1. the process work pool `activity-day`, with its concurrency limit (flow runs at once over all its workers);
2. the deployments of prefect.yaml, with one schedule per county of the database in place of each county schedule
   (`activity_day/domain/schedules.py`), deployed by Prefect's own `prefect deploy` from the file it writes,
   var/prefect-deployments.yaml;
3. the automation that marks a flow run Crashed when its heartbeats stop (a worker killed, a machine gone), so
   that the run can be retried.

Safe to repeat: after `init` of another county, after editing a profile's activity day, after an upgrade.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from activity_day.cli import local_server
from activity_day.console import installed_command
from activity_day.errors import OperatorError
from activity_day.resources import PACKAGE

POOL = "activity-day"
AUTOMATION = "activity-day：运行失去心跳时标记为崩溃"
MISSED_HEARTBEATS = 3  # a run is marked Crashed after this many heartbeats did not come
# Deployments are made from the checkout: prefect.yaml and the flows/ entrypoints it names live there, not in the wheel.
CHECKOUT = PACKAGE.parent


def _deployments_file(out: Path) -> tuple[Path, dict[str, str]]:
    """Write prefect.yaml with every county's schedules to `out`; the county codes and their draft crons."""
    import yaml

    from activity_day.domain.schedules import county_schedules, draft_cron
    from activity_day.store import crud
    from activity_day.store.database import ensure_schema, transaction

    ensure_schema()
    with transaction(read_only=True) as session:
        profiles = {code: crud.load_profile_of(session=session, county=code)
                    for code in crud.county_codes(session=session)}
    if not profiles:
        raise OperatorError("数据库中还没有任何县（市、区）：请先运行 activity-day init --profile 配置文件.yaml")
    config = yaml.safe_load((CHECKOUT / "prefect.yaml").read_text(encoding="utf-8"))
    config.pop("definitions", None)  # its anchors are resolved in what was loaded
    out.parent.mkdir(parents=True, exist_ok=True)

    class Plain(yaml.SafeDumper):
        def ignore_aliases(self, data: object) -> bool:  # every deployment spelled out, no &id001
            return True

    text = yaml.dump(county_schedules(config, profiles), Dumper=Plain, allow_unicode=True, sort_keys=False)
    out.write_text("# Written by `activity-day setup` from prefect.yaml and the county profiles: do not edit.\n" + text,
                   encoding="utf-8")
    return out, {code: draft_cron(profile) for code, profile in profiles.items()}


def _wait_for_server(timeout: int, every: float = 2.0) -> None:
    """Return once the Prefect server answers its health check; a server just started answers only after it has
    created or migrated its tables. Raises an OperatorError after `timeout` seconds."""
    import time

    from prefect.client.orchestration import get_client
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    deadline = time.monotonic() + timeout
    told = False
    with get_client(sync_client=True) as client:
        while (failed := client.api_healthcheck()) is not None:
            if time.monotonic() >= deadline:
                raise OperatorError(f"Prefect 服务器（{url}）在 {timeout} 秒内没有就绪（{type(failed).__name__}）："
                                    "请查看 systemctl status activity-day-prefect-server 和 journalctl -u "
                                    "activity-day-prefect-server，或用 --wait 给它更长的时间")
            if not told:
                typer.echo(f"等待 Prefect 服务器（{url}）就绪：首次启动或升级后要先建表，最多等待 {timeout} 秒……")
                told = True
            time.sleep(every)


def _work_pool(limit: int) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            pool = client.read_work_pool(POOL)
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(
                name=POOL, type="process", concurrency_limit=limit,
                base_job_template=ProcessWorker.get_default_base_job_template()))
            return "已创建"
        if pool.type != "process":
            raise OperatorError(f"工作池 {POOL} 已存在但类型是 {pool.type}：请删除后重试（prefect work-pool delete {POOL}）")
        client.update_work_pool(POOL, WorkPoolUpdate(concurrency_limit=limit))
        return "已存在"


def _automation(within: int) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    automation = AutomationCore(
        name=AUTOMATION,
        description="流程运行在心跳停止后（工作进程被杀、机器宕机）标记为“已崩溃”（Crashed），以便在界面中重试",
        trigger=EventTrigger(
            # After each heartbeat, any event of the same run (its next heartbeat, or a state change such as
            # Suspended or Completed) must come within `within` seconds; a suspended run sends no more heartbeats.
            after={"prefect.flow-run.heartbeat"},
            expect={"prefect.flow-run.*"},
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=within),
        ),
        actions=[ChangeFlowRunState(
            state=StateType.CRASHED,
            message=f"{within} 秒内没有收到心跳（工作进程或机器已停止）：请确认工作进程在运行，再点击“Retry”（重试）")],
    )
    with get_client(sync_client=True) as client:
        existing = client.read_automations_by_name(AUTOMATION)
        if existing:
            client.update_automation(existing[0].id, automation)
            for extra in existing[1:]:
                client.delete_automation(extra.id)
            return "已更新"
        client.create_automation(automation)
        return "已创建"


def setup(
    pool_limit: Annotated[int, typer.Option(
        "--pool-limit", min=1, max=1000,
        help="工作池的并发上限：所有工作进程合计同时运行的流程数（挂起等待表单的运行不计）。")] = 8,
    deploy: Annotated[bool, typer.Option(
        "--deploy/--no-deploy", help="是否部署（--no-deploy 只设置工作池和自动化）。")] = True,
    wait: Annotated[int, typer.Option(
        "--wait", min=0, max=3600, help="最多等待 Prefect 服务器就绪的秒数（刚启动的服务器要先建表）。")] = 300,
) -> None:
    """在 Prefect 服务中设置工作池、各县定时的部署和“运行失去心跳时标记为崩溃”的自动化；可重复运行。"""
    if not local_server.api_configured():
        raise OperatorError(f"setup 需要一个常驻的 Prefect 服务：请先运行 {installed_command('prefect')} server start，"
                            "再设置 PREFECT_API_URL=http://127.0.0.1:4200/api 后重试")
    if deploy and not (CHECKOUT / "prefect.yaml").is_file():
        raise OperatorError(f"部署需要 activity-day 的源码目录（prefect.yaml 和 flows/）：{CHECKOUT} 中没有 prefect.yaml。"
                            "请在源码目录中安装（pip install -e .）后重试，或用 --no-deploy 只设置工作池和自动化")
    path, crons = _deployments_file(CHECKOUT / "var" / "prefect-deployments.yaml") if deploy else (None, {})
    from prefect.settings import get_current_settings

    _wait_for_server(wait)
    typer.echo(f"工作池 {POOL}（process）：{_work_pool(pool_limit)}，并发上限 {pool_limit}")
    if path is not None:
        done = subprocess.run([str(Path(sys.executable).parent / "prefect"), "--no-prompt", "deploy", "--all",
                               "--prefect-file", str(path)], cwd=CHECKOUT, capture_output=True, text=True,
                              check=False, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise OperatorError(f"prefect deploy 失败（退出码 {done.returncode}）：{(done.stderr or done.stdout).strip()[-500:]}")
        typer.echo(f"部署：已按 {len(crons)} 个县的县情配置部署（{path.relative_to(CHECKOUT)}）")
        for code, cron in crons.items():
            typer.echo(f"  {code}：方案起草 {cron.split()[2]} 日 09:00；整改审核 每周一 09:00；提醒与通知 每天 08:00；"
                       "年度评价 1月10日 09:00")
    frequency = get_current_settings().flows.heartbeat_frequency
    if not frequency:
        typer.echo("注意：PREFECT_FLOWS_HEARTBEAT_FREQUENCY 未设置，流程运行不发送心跳，崩溃的运行无法被发现")
        frequency = 180
    within = frequency * MISSED_HEARTBEATS
    typer.echo(f"自动化“{AUTOMATION}”：{_automation(within)}（心跳间隔 {frequency} 秒，{within} 秒内无心跳即标记为崩溃；"
               "工作进程须使用相同的 PREFECT_FLOWS_HEARTBEAT_FREQUENCY）")
