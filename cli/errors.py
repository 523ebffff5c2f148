"""One line and an exit code for whatever a command raises: 2 for what an operator can fix, else 1."""

from __future__ import annotations

import click
import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from activity_day import console
from activity_day.errors import OperatorError


def handle_error(exc: Exception) -> int:
    """Print one line for `exc` and return the exit code: 2 for what an operator can fix, else 1."""
    if isinstance(exc, OperatorError):
        message, code = str(exc), exc.exit_code
    elif (hint := console.prefect_unreachable(exc)) is not None:
        message, code = hint, 2
    elif (hint := database_unreachable(exc)) is not None:
        message, code = hint, 2
    else:
        console.log_unexpected(exc)
        where = console.log_file_path()
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        message = f"意外故障（{type(exc).__name__}{'：' + first if first else ''}）" + (
            f"，完整记录见 {where}" if where else "")
        code = 1
    typer.echo(f"错误：{message}", err=True)
    return code


def database_unreachable(exc: BaseException) -> str | None:
    """One line for a database that cannot be used: a bad URL, a server that does not answer, a lock."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from activity_day.settings import get_settings

    url = get_settings().database_url
    shown = url.split("@")[-1] if "@" in url else url
    if isinstance(exc, ArgumentError | NoSuchModuleError) or (
            isinstance(exc, ModuleNotFoundError | RuntimeError) and "dialect" in str(exc)):
        return f"数据库地址无效（ACTIVITY_DAY_DATABASE_URL={shown}）：应为 sqlite:///文件路径 或 postgresql+psycopg://用户@主机/库名"
    if isinstance(exc, OperationalError) and "database is locked" in str(exc):
        return f"数据库（{shown}）正被另一个程序写入，等待超时：请稍后重试"
    if isinstance(exc, OperationalError):
        return f"无法连接数据库（{shown}）：请确认数据库已启动、地址和权限正确（ACTIVITY_DAY_DATABASE_URL）"
    return None


class OperatorGroup(TyperGroup):
    """Turns exceptions of any command into one line and an exit code (also under CliRunner)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException, click.exceptions.Exit, click.exceptions.ClickException,
                click.exceptions.Abort):
            raise  # usage errors and exits: the command line framework prints and exits as usual
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except Exception as exc:
            raise typer.Exit(handle_error(exc)) from None
