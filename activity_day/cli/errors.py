"""One line and an exit code for whatever a command raises: 2 for what an operator can fix, else 1."""

from __future__ import annotations

import re

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


def usage_error(exc) -> int:
    """Print a usage error in Chinese with the command's help to look at; returns click's exit code (2). A group
    called without a command has already shown its help: nothing more is said."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        return exc.exit_code
    path = exc.ctx.command_path if exc.ctx is not None else "activity-day"
    typer.echo(f"错误：{usage_in_chinese(exc.format_message())}；用法见 {path} --help", err=True)
    return exc.exit_code


def database_unreachable(exc: BaseException) -> str | None:
    """One line for a database that cannot be used: a bad URL, a server that does not answer, a lock."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from activity_day.context import current

    url = current().settings.database_url
    shown = url.split("@")[-1] if "@" in url else url
    if isinstance(exc, ArgumentError | NoSuchModuleError) or (
            isinstance(exc, ModuleNotFoundError | RuntimeError) and "dialect" in str(exc)):
        return f"数据库地址无效（ACTIVITY_DAY_DATABASE_URL={shown}）：应为 sqlite:///文件路径 或 postgresql+psycopg://用户@主机/库名"
    if isinstance(exc, OperationalError) and "database is locked" in str(exc):
        return f"数据库（{shown}）正被另一个程序写入，等待超时：请稍后重试"
    if isinstance(exc, OperationalError):
        return f"无法连接数据库（{shown}）：请确认数据库已启动、地址和权限正确（ACTIVITY_DAY_DATABASE_URL）"
    return None


try:  # typer 0.29 carries its own copy of click: its usage errors are of that copy's class
    from typer._click.exceptions import UsageError as _TyperUsageError

    USAGE_ERRORS: tuple[type[Exception], ...] = (click.exceptions.UsageError, _TyperUsageError)
except ImportError:
    USAGE_ERRORS = (click.exceptions.UsageError,)

# click's words for a command line it cannot use, in the order they are tried, each as Chinese for an operator.
USAGE = [
    (r"Missing option '([^']+)'\.?", r"缺少选项 \1"),
    (r"Missing argument '([^']+)'\.?", r"缺少参数 \1"),
    (r"Missing parameter: (\S+)", r"缺少参数 \1"),
    (r"Missing command\.?", "缺少命令"),
    (r"No such option: (\S+?)\s*Did you mean (\S+?)\?", r"没有选项 \1（是否为 \2？）"),
    (r"No such option: (\S+?)\s*\(Possible options: ([^)]*)\)", r"没有选项 \1（可用：\2）"),
    (r"No such option: (\S+)", r"没有选项 \1"),
    (r"No such command '([^']+)'\.?", r"没有命令 \1"),
    (r"Got unexpected extra arguments?(?:\(s\))? \((.*)\)", r"多余的参数：\1"),
    (r"Option '([^']+)' does not take a value\.?", r"选项 \1 后面不能写值"),
    (r"Option '([^']+)' requires an argument\.?", r"选项 \1 后面要写一个值"),
    (r"Option '([^']+)' requires (\d+) arguments\.?", r"选项 \1 后面要写 \2 个值"),
]
# What is wrong with an option's value (click's words, or the pydantic ones typer checks values with).
VALUE = [
    (r"(?:Value error, )?'([^']*)' is not one of (.+?)\.?", lambda m: "应为以下之一：" + "、".join(
        re.findall(r"'([^']*)'", m[2]))),
    (r"'([^']*)' is not a valid integer\.?|Input should be a valid integer.*", lambda m: "应为整数"),
    (r"'([^']*)' is not a valid float\.?|Input should be a valid number.*", lambda m: "应为数字"),
    (r"'([^']*)' is not a valid boolean.*|Input should be a valid boolean.*", lambda m: "应为 true 或 false"),
    (r"Input should be less than or equal to (\S+?)\.?", lambda m: f"不能大于{m[1]}"),
    (r"Input should be greater than or equal to (\S+?)\.?", lambda m: f"不能小于{m[1]}"),
    (r"Input should be less than (\S+?)\.?", lambda m: f"应小于{m[1]}"),
    (r"Input should be greater than (\S+?)\.?", lambda m: f"应大于{m[1]}"),
    (r"(-?[\d.]+) is not in the range (.+?)\.?", lambda m: f"{m[1]}超出范围（{m[2]}）"),
    (r"[^']*'([^']*)' does not exist\.?", lambda m: f"找不到“{m[1]}”"),
]


def usage_in_chinese(message: str) -> str:
    """click's usage error as one Chinese line (what click says, kept, where no translation fits)."""
    text = " ".join(message.split())
    for pattern, chinese in USAGE:
        if (found := re.fullmatch(pattern, text)) is not None:
            return found.expand(chinese)
    if (invalid := re.fullmatch(r"Invalid value for '([^']+)': (.*)", text)) is not None:
        option, problem = invalid[1], invalid[2]
        for pattern, says in VALUE:
            if (found := re.fullmatch(pattern, problem)) is not None:
                return f"{option} 的值{says(found)}"
        return f"{option} 的值有误（{problem}）"
    return f"命令行有误（{text}）"


class OperatorGroup(TyperGroup):
    """Turns exceptions of any command into one line and an exit code (also under CliRunner); a command line that
    cannot be used, too: `错误：缺少选项 --note` and how to see the command's help, in Chinese, exit code 2."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except USAGE_ERRORS as exc:
            raise typer.Exit(usage_error(exc)) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except USAGE_ERRORS as exc:
            raise typer.Exit(usage_error(exc)) from None
        except (typer.Exit, typer.Abort, TyperException, click.exceptions.Exit, click.exceptions.ClickException,
                click.exceptions.Abort):
            raise  # exits: the command line framework exits as usual
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except Exception as exc:
            raise typer.Exit(handle_error(exc)) from None
