"""One spelling per term (issue 11): one SHA-256 helper, one late policy, one inspection-mode encoding."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from activity_day.documents import render
from activity_day.domain import draw, hashing


def test_sha256_hex_hashes_text_as_utf8_and_bytes_as_they_are():
    assert hashing.sha256_hex("泗阳|2026-12") == hashlib.sha256("泗阳|2026-12".encode()).hexdigest()
    assert hashing.sha256_hex(b"\x00\xff") == hashlib.sha256(b"\x00\xff").hexdigest()
    assert hashing.sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_canonical_json_is_sorted_compact_unescaped_with_dates_as_iso_text():
    data = {"b": [1, {"d": date(2026, 12, 5)}], "a": "线上"}
    assert hashing.canonical_json(data) == '{"a":"线上","b":[1,{"d":"2026-12-05"}]}'
    assert hashing.canonical_json(data) == json.dumps(data, ensure_ascii=False, sort_keys=True,
                                                      separators=(",", ":"), default=str)


def test_the_old_names_are_the_one_helper():
    assert draw.canonical_json is hashing.canonical_json
    assert draw.sha256_hex is hashing.sha256_hex
    assert render.sha256_bytes is hashing.sha256_hex
