"""Delivery of one notice through one channel: apprise, with a file channel of our own and each thread's log kept
apart, so a failure is told in Chinese with the channel named and no secret in it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from activity_day.domain import notices as rules

log = logging.getLogger("activity_day.services.notices")  # the outbox's log, where apprise's warnings always went


# --- the file channel ---------------------------------------------------------------------------------------------

def _register_file_channel() -> None:
    """apprise has no file channel; `file://folder` writes each notice as a text file there (the demo's channel)."""
    from apprise.decorators import notify

    @notify(on="file", name="文件")
    def _write(body: str, title: str, notify_type: str, meta: dict, *args: Any, **kwargs: Any) -> bool:
        query = meta.get("qsd") or {}
        folder, name = Path(unquote(query.get("dir", "notices"))), query.get("name") or "notice"
        folder.mkdir(parents=True, exist_ok=True)
        safe = "".join("_" if c in ':/\\?*"<>|' else c for c in name)
        (folder / f"{safe}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
        return True


class _ThreadLog(logging.Handler):
    """apprise's log, kept apart for each sending thread (apprise.LogCapture swaps one handler and one level for the
    whole process, so channels sent side by side would read one another's errors); warnings still reach our log."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.buffers: dict[int, list[str]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        lines = self.buffers.get(threading.get_ident())
        if lines is not None:
            lines.append(record.getMessage())
        if record.levelno >= logging.WARNING:
            log.debug("apprise: %s", record.getMessage())

    @contextmanager
    def capture(self) -> Iterator[list[str]]:
        lines: list[str] = []
        self.buffers[threading.get_ident()] = lines
        try:
            yield lines
        finally:
            self.buffers.pop(threading.get_ident(), None)


_THREAD_LOG = _ThreadLog()


def _asset():
    """Send in the calling thread, so that apprise's log reaches this notice's capture: no thread pool of apprise's
    (its own deadline would use one; the channel's connect and read timeouts bound the wait instead)."""
    apprise = _apprise()
    try:
        return apprise.AppriseAsset(async_mode=False, service_timeout=0)
    except TypeError:  # apprise 1.x: no service deadline, and no pool for one service
        return apprise.AppriseAsset(async_mode=False)


@lru_cache(maxsize=1)
def _apprise():
    import apprise

    _register_file_channel()
    logger = logging.getLogger("apprise")
    logger.setLevel(logging.DEBUG)  # its socket errors (timed out, refused, SMTP codes) are logged at DEBUG
    logger.propagate = False  # ...and stay with the notice they belong to, in Chinese, not on the console
    logger.addHandler(_THREAD_LOG)
    return apprise


def _file_url(url: str, key: str) -> str:
    # apprise folds file:///a/b into host "a": hand the folder over as a parameter instead.
    folder = url[len(rules.FILE_SCHEME):]
    return f"{rules.FILE_SCHEME}local/?dir={quote(folder, safe='')}&name={quote(key, safe='')}"


@dataclass(frozen=True)
class Delivery:
    """The outcome of one attempt: delivered, else why (Chinese, the channel named) and whether the channel is to
    be left alone for the rest of the round (no answer in time, or no connection)."""

    delivered: bool
    error: str = ""
    pauses: bool = False


def deliver(channel: str, *, key: str, title: str, body: str, secrets: Mapping[str, str],
            timeout: float = 10.0) -> Delivery:
    """Send one notice through one channel (an apprise URL with ${VAR} secrets), waiting at most `timeout` seconds
    to connect and to read."""
    apprise = _apprise()
    label = rules.channel_label(channel)
    try:
        url = rules.substitute(channel, secrets)
    except KeyError as exc:
        return Delivery(False, f"{label}：环境变量 {exc.args[0]} 未设置（通知渠道的密钥）")
    url = _file_url(url, key) if url.startswith(rules.FILE_SCHEME) else rules.with_timeout(url, timeout)
    sender = apprise.Apprise(asset=_asset())
    if not sender.add(url):
        return Delivery(False, f"{label}：通知渠道地址无法识别（apprise 不支持或格式有误）")
    started = time.monotonic()
    with _THREAD_LOG.capture() as lines:
        try:
            delivered = bool(sender.notify(title=title, body=body))
        except Exception as exc:  # a plugin's own failure is that channel's failure, not the run's
            delivered = False
            lines.append(f"{type(exc).__name__}: {exc}")
    if delivered:
        return Delivery(True)
    waited = time.monotonic() - started >= 0.9 * timeout  # no answer for the whole timeout: it hangs
    failure = rules.explain_failure(label, "\n".join(lines), timeout, waited=waited)
    error = failure.text
    for name in rules.placeholders(channel):  # never keep a secret in the outbox
        if secrets.get(name):
            error = error.replace(secrets[name], "***")
    return Delivery(False, error, failure.pauses)
