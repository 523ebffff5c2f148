"""What every command shares: the --month and --json options, the chosen county, and the one-line refusal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

from activity_day.context import current
from activity_day.domain.dates import canonical_month
from activity_day.domain.months import next_month
from activity_day.errors import OperatorError
from activity_day.models.enums import Step

MonthOpt = Annotated[str | None, typer.Option("--month", help="月份 YYYY-MM；默认为下个月（北京时间）")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象（供脚本使用）。")]
CountyOpt = Annotated[str | None, typer.Option("--county", help="县（市、区）代码，数据库中有多个县时使用。")]

STEP_CN = {s.value: s.cn for s in Step} | {"cycle": "月度流程"}


@dataclass(frozen=True)
class Chosen:
    """What the root command's options chose; the root callback puts it in the Typer context's `obj`."""

    county: str | None = None


def county(ctx: typer.Context) -> str:
    """The county code this command works on: --county, else the setting, else the database's only county."""
    from activity_day.services.counties import resolve_county

    chosen = ctx.find_object(Chosen)
    return resolve_county((chosen.county if chosen else None) or current().settings.county)


def month_option(value: str | None) -> str:
    """The month in its one stored spelling (2027-3 and ２０２７－０３ are 2027-03)."""
    month = value or next_month(current().now())
    try:
        return canonical_month(month)
    except ValueError:
        raise OperatorError(f"月份“{month}”无效：应为 YYYY-MM，月份 01 到 12，例如 2027-02") from None


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print `错误：message` and return the Exit to raise."""
    typer.echo(f"错误：{message}", err=True)
    return typer.Exit(code)
