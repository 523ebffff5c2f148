"""Whole pages kept per process, compressed once, under a key made of everything the page shows.

A page is read (one read-only transaction), then its template's context is the key: the same context is the same
HTML, so a page is rendered and gzipped once and its bytes answered again until something it shows changes. Any
change to what the page shows changes its context, so a kept page can never be stale: the key is not a version
that every write must remember to bump, it is the page's data itself (the month's plan and the profile, kept per
process by their checksums, enter it as the objects themselves).

A page may carry one value fresh for every answer (the station page's submission id, so that two views of one
page never share an idempotency key). The page is kept with a placeholder of the same length in its place and
compressed as three parts, the placeholder's part stored uncompressed after a full flush (which nothing after
refers back to); an answer swaps in its own value and the gzip trailer's CRC-32, which is linear in the bytes,
is corrected for the swap.
"""

from __future__ import annotations

import dataclasses
import secrets
import struct
import threading
import zlib
from collections.abc import Callable, Hashable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from activity_day.api.mobile.pages import SECURITY_HEADERS, fragment

MAX_PAGES = 1024  # per process; a kept station page is about 32 KB with its key (6 KB of it the page)
LEVEL = 6  # zlib's default, as GZipMiddleware was configured for the pages before
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"  # no name, no time, Unix
HTML = "text/html; charset=utf-8"
GZIPPED = SECURITY_HEADERS | {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
_SCALARS = (int, float, bool, Decimal, date, datetime, type(None))


class Same:
    """An object in a key by its identity (the kept plan content, the row renderers): the key holds it, so its
    id cannot be reused by another object while the key lives."""

    __slots__ = ("obj",)

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.obj is self.obj

    def __hash__(self) -> int:
        return id(self.obj)


def frozen(value: Any) -> Hashable:
    """`value` as a key: dicts and lists as tuples (in their order), strings as themselves, other scalars with
    their type (1, 1.0 and True are equal in Python, but render differently; Markup and enums are str subclasses
    that render differently from their text), frozen dataclasses (the scorer) by their fields, any other object
    by identity."""
    kind = type(value)
    if kind is str:
        return value
    if kind is dict:
        return ("d", *[(k if type(k) is str else frozen(k), v if type(v) is str else frozen(v))
                       for k, v in value.items()])
    if kind is list or kind is tuple:
        return (kind, *[v if type(v) is str else frozen(v) for v in value])
    if kind is float or isinstance(value, Decimal):
        return kind, repr(value)  # 8.5 and 8.50, 0.0 and -0.0 are equal, but render differently
    if isinstance(value, datetime):
        return kind, value.isoformat()  # the same moment in two time zones renders differently
    if isinstance(value, _SCALARS) or isinstance(value, str):
        return kind, value
    if dataclasses.is_dataclass(value) and kind.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        return kind, *[frozen(getattr(value, f.name)) for f in dataclasses.fields(value)]
    return Same(value)


class Key:
    """A page's key with its hash computed once (a page's context is hundreds of values)."""

    __slots__ = ("value", "hash")

    def __init__(self, value: Hashable) -> None:
        self.value, self.hash = value, hash(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key) and self.hash == other.hash and self.value == other.value

    def __hash__(self) -> int:
        return self.hash


@dataclasses.dataclass(frozen=True)
class Kept:
    head: bytes  # the gzip header and the page up to the fresh value, deflated, flushed to a byte boundary
    tail: bytes  # the page after the fresh value, deflated to its end
    crc: int  # CRC-32 of the page with the placeholder
    placeholder: bytes  # the fresh value's stand-in (b"" when the page has none)
    after: int  # bytes of the page after the fresh value
    zeros_crc: int  # CRC-32 of len(placeholder) + after zero bytes
    size: int  # bytes of the page


_pages: dict[Key, Kept] = {}  # the oldest kept first: the first to go when full
_lock = threading.Lock()
_zeros = b""
# A stand-in no page shows otherwise: random per process.
PLACEHOLDER_ID = secrets.token_hex(16)


def kept_count() -> int:
    return len(_pages)


def _zero_bytes(n: int) -> memoryview:
    """n zero bytes, from one buffer that grows as pages do (read once into a local: another page thread may
    replace the buffer meanwhile, and a view past a buffer's end would quietly be shorter)."""
    global _zeros
    zeros = _zeros
    if len(zeros) < n:
        zeros = _zeros = bytes(max(n, 2 * len(zeros)))
    return memoryview(zeros)[:n]


def _deflate(data: bytes, final: bool) -> bytes:
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def keep(html: bytes, placeholder: bytes = b"") -> Kept | None:
    """A rendered page compressed for keeping; None when its placeholder is not there exactly once."""
    if placeholder:
        if html.count(placeholder) != 1:
            return None
        before, _, after = html.partition(placeholder)
    else:
        before, after = html, b""
    head = GZIP_HEADER + _deflate(before, final=not placeholder)
    tail = _deflate(after, final=True) if placeholder else b""
    zeros_crc = zlib.crc32(_zero_bytes(len(placeholder) + len(after))) if placeholder else 0
    return Kept(head, tail, zlib.crc32(html), placeholder, len(after), zeros_crc, len(html))


def gzipped(kept: Kept, fresh: bytes = b"") -> bytes:
    """The kept page with `fresh` (as long as the placeholder) in the placeholder's place, gzipped."""
    crc = kept.crc
    if kept.placeholder:
        # CRC-32 is affine in the bytes: swapping the placeholder for `fresh` changes it by the CRC of their
        # difference followed by the rest of the page as zeros, less the CRC of as many zeros.
        diff = (int.from_bytes(fresh, "big") ^ int.from_bytes(kept.placeholder, "big")).to_bytes(len(fresh), "big")
        crc ^= zlib.crc32(_zero_bytes(kept.after), zlib.crc32(diff)) ^ kept.zeros_crc
        stored = b"\x00" + struct.pack("<HH", len(fresh), 0xFFFF ^ len(fresh)) + fresh  # a stored block, not last
        body = kept.head + stored + kept.tail
    else:
        body = kept.head
    return body + struct.pack("<II", crc & 0xFFFFFFFF, kept.size & 0xFFFFFFFF)


def answer(request: Request, kept: Kept, fresh: bytes = b"") -> Response:
    """The kept page as a response: gzipped for a client that takes gzip (as GZipMiddleware decides), plain
    otherwise, which GZipMiddleware passes on with its Vary: Accept-Encoding as before."""
    body = gzipped(kept, fresh)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(body, media_type=HTML, headers=GZIPPED)
    return Response(zlib.decompress(body, 31), media_type=HTML, headers=SECURITY_HEADERS)


def page(request: Request, template: str, context: dict[str, Any],
         fresh: tuple[str, Callable[[], str]] | None = None) -> Response:
    """`template` rendered with `context` as a page, kept under the context; `fresh` names the one value of the
    context that every answer gets anew, and how to make it (a value of the same length every time)."""
    key = Key((template, frozen(context)))
    kept = _pages.get(key)
    value = fresh[1]() if fresh else ""
    if kept is not None and len(value.encode()) != len(kept.placeholder):
        kept = None  # a fresh value of another length in bytes cannot take the placeholder's place
    if kept is None:
        stand_in = value[: len(value) - len(PLACEHOLDER_ID)] + PLACEHOLDER_ID if fresh else ""
        html = fragment(template, **context, **({fresh[0]: stand_in} if fresh else {})).encode()
        kept = keep(html, stand_in.encode())
        if kept is None or len(stand_in.encode()) != len(value.encode()):  # rendered for this answer alone
            return Response(fragment(template, **context, **({fresh[0]: value} if fresh else {})),
                            media_type=HTML, headers=SECURITY_HEADERS)
        with _lock:
            _pages[key] = kept
            while len(_pages) > MAX_PAGES:
                del _pages[next(iter(_pages))]
    return answer(request, kept, value.encode())
