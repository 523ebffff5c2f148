"""No token in any log: the server's access log names a token link by a short hash of the token, never the token.

A phone page's first visit carries its token in the link (`/m/station?t=TOKEN`), and uvicorn's access log writes
every request line with its query string. `RedactTokens` rewrites each record before any handler sees it: a `t=`
(or `token=`) query value becomes `t=sha256:1a2b3c4d`, and anything shaped like one of our tokens (`ad_…`, `sc_…`,
`sp_…`) becomes its hash too, so a log line can still be matched to a token by whoever holds the token.
"""

from __future__ import annotations

import copy
import logging
import re
from pathlib import Path
from typing import Any

from activity_day.domain.hashing import sha256_hex

TOKEN_QUERY = re.compile(r"([?&](?:t|token)=)([^&#\s\"']+)")
# The three kinds of token (station "ad_", scorer "sc_", speaker "sp_"), each 43 URL-safe characters after it.
TOKEN_TEXT = re.compile(r"\b(?:ad|sc|sp)_[A-Za-z0-9_-]{20,}")


def token_mark(token: str) -> str:
    """What a log shows instead of a token: the first 8 hex digits of its SHA-256."""
    return f"sha256:{sha256_hex(token)[:8]}"


def redact(text: str) -> str:
    """`text` with every token in a query string, and every token-shaped word, replaced by its mark."""
    text = TOKEN_QUERY.sub(lambda m: m[1] + token_mark(m[2]), text)
    return TOKEN_TEXT.sub(lambda m: token_mark(m[0]), text)


def _clean(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """A logger filter (uvicorn's access and error loggers) that redacts tokens in the message and its args."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _clean(v) for k, v in record.args.items()}
        return True


def log_config(log_file: Path | None = None) -> dict[str, Any]:
    """uvicorn's logging configuration with `RedactTokens` on its loggers (dictConfig format); with `log_file`,
    uvicorn's loggers and the root logger also write there, as `console.setup` does for a single process."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"tokens": {"()": f"{__name__}.RedactTokens"}}
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        config["loggers"].setdefault(name, {})["filters"] = ["tokens"]
    if log_file is not None:
        # Worker processes share the file: each appends, and reopens it when another has rotated it away.
        config["formatters"]["file"] = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
        config["handlers"]["file"] = {"class": "logging.handlers.WatchedFileHandler", "filename": str(log_file),
                                      "encoding": "utf-8", "formatter": "file", "filters": ["tokens"]}
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            logger = config["loggers"][name]
            if "handlers" in logger:
                logger["handlers"] = [*logger["handlers"], "file"]
        config["root"] = {"handlers": ["file"], "level": "WARNING"}
    return config
