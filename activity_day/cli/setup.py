"""`activity-day init`, `api` and `demo`: set a county up, serve the intake API, run a generated month."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from activity_day.cli.options import MonthOpt, fail, month_option


def init(profile: Annotated[Path, typer.Option("--profile", help="县情配置文件（YAML）。")]) -> None:
    """建表并载入县情配置；可重复运行。"""
    from activity_day.domain.profile import ProfileError
    from activity_day.services.counties import init_county

    try:
        loaded = init_county(profile)
    except ProfileError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"{loaded.county.name}（{loaded.county.code}）已设置：检查组 {len(loaded.teams)} 个，"
               f"征求意见部门 {len(loaded.departments)} 个")


def api(
    host: Annotated[str, typer.Option(help="监听地址。")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="监听端口。")] = 8000,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="工作进程数，建议与处理器核数相同。")] = 1,
) -> None:
    """运行微信小程序报送接口和手机页面（接口说明见 /docs 和 /openapi.json）。"""
    import uvicorn

    from activity_day import console
    from activity_day.api import served_app
    from activity_day.api.logs import log_config
    from activity_day.api.serving import serve_workers
    from activity_day.context import current
    from activity_day.store.database import ensure_schema

    # The app reads the proxies' headers itself (ACTIVITY_DAY_TRUSTED_PROXIES), and the access log never holds a
    # token: a link's t= is logged as its hash (api/logs.py), in the terminal and in the log file alike.
    if workers == 1:
        config = uvicorn.Config(served_app(), host=host, port=port, log_level="info", log_config=log_config(),
                                proxy_headers=False)
        console.also_to_log_file("uvicorn", "uvicorn.error", "uvicorn.access")
        uvicorn.Server(config).run()
        return
    # Several processes, each building the app itself (served_app) and writing the log file through its own
    # handler, which reopens the file when another process has rotated it.
    ensure_schema()  # migrated once, before the workers start
    serve_workers(host=host, port=port, workers=workers, log_config=log_config(current().settings.log_file.resolve()))


def demo(
    month: MonthOpt = None,
    out: Annotated[Path, typer.Option("--out", help="要创建的演示工作目录。")] = Path("demo"),
    province: Annotated[int | None, typer.Option("--province", min=1, max=200,
                                                 help="生成这么多个县并全部运行。")] = None,
    months: Annotated[int, typer.Option("--months", min=1, max=24,
                                        help="连续运行这么多个月（到 --month 为止），并对最后一个月所在年度做所站综合评价。")] = 1,
) -> None:
    """生成一个仿真县（或一个省），用正常的导入和流程跑完整个月。"""
    from activity_day.cli.demo import run_demo, run_province_demo
    from activity_day.cli.run import start_flows

    chosen = month_option(month)
    if province and months > 1:
        raise fail("--months 与 --province 不能同时使用：多月演示只生成一个县")
    start_flows()
    if province:
        run_province_demo(chosen, out, province, echo=typer.echo)
    else:
        run_demo(chosen, out, months=months, echo=typer.echo)
