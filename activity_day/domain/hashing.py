"""SHA-256 and the canonical JSON it is taken of: the one spelling of every checksum in the project."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def sha256_hex(data: str | bytes) -> str:
    """The SHA-256 of `data` as 64 lowercase hex digits; text is hashed as its UTF-8 bytes."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys and no spaces (dates as their ISO text): the form every checksum is taken of."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
