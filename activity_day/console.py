"""What a county operator sees on the terminal: Chinese lines and no tracebacks; the details go to a log file.

Prefect writes its own console lines (English, with tracebacks of failed runs). Commands that run
flows send those to the log file instead and print what the operator needs: what ran, what came
out, and, when a run pauses for a form, where to fill it in. Messages for the terminal go through
the `activity_day.operator` logger, so a flow can reach the terminal of the command that runs it
(and, on a worker, the worker's console).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import tomllib
import traceback
from pathlib import Path

from activity_day.errors import OperatorError

OPERATOR = "activity_day.operator"
# Prefect gives its temporary server 20 s to start; on a busy 2-core machine it may need more.
EPHEMERAL_STARTUP_SECONDS = "180"
# The API URL of the temporary Prefect server an `activity-day` command started itself (cli/local_server.py):
# Prefect sees it as PREFECT_API_URL, activity-day still treats it as temporary (no heartbeats, no UI).
TEMPORARY_PREFECT_API = "ACTIVITY_DAY_TEMPORARY_PREFECT_API"
_installed: dict[str, logging.Handler] = {}


def prefect_defaults() -> None:
    """Defaults for Prefect, set before Prefect is imported; a value the user set (in the environment or
    with `prefect config set`) wins."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # offices often run offline
    os.environ.setdefault("DO_NOT_TRACK", "1")
    if not in_prefect_profile("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"):
        os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", EPHEMERAL_STARTUP_SECONDS)


def in_prefect_profile(setting: str) -> bool:
    """Whether the active Prefect profile (profiles.toml, written by `prefect config set`) sets `setting`."""
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    active = os.environ.get("PREFECT_PROFILE") or data.get("active") or "ephemeral"
    return setting in data.get("profiles", {}).get(active, {})


def operator_logger() -> logging.Logger:
    return logging.getLogger(OPERATOR)


def tell_operator(message: str) -> None:
    """A line for the operator's terminal (and the log file)."""
    operator_logger().warning(message)


def setup(log_file: Path) -> Path:
    """Log everything worth keeping to `log_file`; operator messages to stderr, as plain lines."""
    log_file = Path(log_file).resolve()
    if "file" not in _installed:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = logging.handlers.RotatingFileHandler(
                log_file, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
        except OSError as exc:  # a read-only working folder: go on without the file log
            sys.stderr.write(f"注意：无法写日志文件 {log_file}（{exc.strerror}），本次运行不留日志；"
                             "可用 ACTIVITY_DAY_LOG_FILE 指定可写的位置\n")
            handler = logging.NullHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.getLogger().addHandler(handler)
        _installed["file"] = handler
        terminal = logging.StreamHandler(sys.stderr)
        terminal.setFormatter(logging.Formatter("%(message)s"))
        operator_logger().addHandler(terminal)
        operator_logger().setLevel(logging.INFO)
        _installed["terminal"] = terminal
    logging.captureWarnings(True)  # Python warnings go to the log file, not the terminal
    return log_file


def quiet_prefect() -> None:
    """Move Prefect's console output to the log file (the UI still gets every log through the API)."""
    from prefect.logging.handlers import PrefectConsoleHandler

    for name in ("", "prefect", "uvicorn", "fastapi"):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            if isinstance(handler, PrefectConsoleHandler):
                logger.removeHandler(handler)
    if "file" in _installed:
        for name in ("uvicorn", "fastapi"):  # these do not propagate to the root logger
            logging.getLogger(name).addHandler(_installed["file"])


def also_to_log_file(*names: str) -> None:
    """Send these loggers (which do not propagate, like uvicorn's) to the log file as well."""
    handler = _installed.get("file")
    if handler is None:
        return
    for name in names:
        logger = logging.getLogger(name)
        if handler not in logger.handlers:
            logger.addHandler(handler)


class ExpectedConditionAsMessage(logging.Filter):
    """A run log record about an expected condition becomes its Chinese message, without a traceback.

    Prefect logs every failed task with its traceback; for a missing step or file the UI's log then
    says what the terminal says, and nothing more.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, OperatorError):
            record.msg, record.args, record.exc_info, record.exc_text = str(exc), (), None, None
        return True


def plain_expected_conditions() -> None:
    """Install `ExpectedConditionAsMessage` on Prefect's run loggers (idempotent; flows call it on import)."""
    for name in ("prefect.task_runs", "prefect.flow_runs"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, ExpectedConditionAsMessage) for f in logger.filters):
            logger.addFilter(ExpectedConditionAsMessage())


def log_unexpected(exc: BaseException) -> None:
    """Write the full traceback of an unexpected error to the log file."""
    logging.getLogger("activity_day").error("unexpected error\n%s",
                                            "".join(traceback.format_exception(exc)))


def log_file_path() -> Path | None:
    handler = _installed.get("file")
    return Path(handler.baseFilename) if isinstance(handler, logging.FileHandler) else None


def installed_command(name: str) -> str:
    """How the operator runs one of this installation's commands (activity-day, prefect): the script beside the
    running Python, relative to the current folder when it is inside it (.venv/bin/prefect in a checkout)."""
    script = Path(sys.executable).parent / name
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


def prefect_unreachable(exc: BaseException) -> str | None:
    """A Chinese line saying what to do, when `exc` means the Prefect API could not be started or reached."""
    text = f"{type(exc).__name__}: {exc}"
    if "ephemeral Prefect API server" in text or "Unable to find an available port" in text:
        timeout = os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", EPHEMERAL_STARTUP_SECONDS)
        return (f"Prefect 临时服务器在 {timeout} 秒内未能启动（本机可能过于繁忙）。请另开终端运行 "
                f"{installed_command('prefect')} server start，再设置 PREFECT_API_URL=http://127.0.0.1:4200/api 后重试；"
                "或调大 PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS")
    url = os.environ.get("PREFECT_API_URL", "")
    refused = {getattr(getattr(e, "response", None), "status_code", None) for e in _chain(exc)} & {401, 403}
    if refused:
        # The server answered: it is up, and it refused the credential (PREFECT_SERVER_API_AUTH_STRING is set there).
        given = ("未设置 PREFECT_API_AUTH_STRING" if not os.environ.get("PREFECT_API_AUTH_STRING")
                 else "PREFECT_API_AUTH_STRING 与服务器的 PREFECT_SERVER_API_AUTH_STRING 不一致")
        return (f"Prefect 服务器{('（' + url + '）') if url else ''}拒绝了登录凭据（{min(refused)}）：{given}。"
                "请设置与服务器相同的“用户名:密码”（服务器上见 /etc/activity-day/secrets.env）")
    names = {type(e).__name__ for e in _chain(exc)}
    if names & {"ConnectError", "ConnectTimeout", "PrefectHTTPStatusError"} or "Failed to reach API" in text:
        return (f"无法连接 Prefect 服务器{('（' + url + '）') if url else ''}：请确认服务器已启动"
                f"（{installed_command('prefect')} server start），PREFECT_API_URL 指向它（如 http://127.0.0.1:4200/api）；"
                "不设置 PREFECT_API_URL 时本命令会自行启动临时服务器")
    return None


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__
