"""One spelling per term (issue 11): one SHA-256 helper, one late policy, one inspection-mode encoding."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

import pytest

from activity_day.domain import draw, hashing
from activity_day.domain.lateness import Lateness, judge_lateness, past_deadline
from activity_day.domain.months import TZ


def test_sha256_hex_hashes_text_as_utf8_and_bytes_as_they_are():
    assert hashing.sha256_hex("泗阳|2026-12") == hashlib.sha256("泗阳|2026-12".encode()).hexdigest()
    assert hashing.sha256_hex(b"\x00\xff") == hashlib.sha256(b"\x00\xff").hexdigest()
    assert hashing.sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_canonical_json_is_sorted_compact_unescaped_with_dates_as_iso_text():
    data = {"b": [1, {"d": date(2026, 12, 5)}], "a": "线上"}
    assert hashing.canonical_json(data) == '{"a":"线上","b":[1,{"d":"2026-12-05"}]}'
    assert hashing.canonical_json(data) == json.dumps(data, ensure_ascii=False, sort_keys=True,
                                                      separators=(",", ":"), default=str)


def test_the_draw_hashes_with_the_one_helper():
    assert draw.canonical_json is hashing.canonical_json
    assert draw.sha256_hex is hashing.sha256_hex


DEADLINE = datetime(2026, 12, 1, 23, 59, tzinfo=TZ)


@pytest.mark.parametrize(("received_at", "deadline", "policy", "expected"), [
    (datetime(2026, 12, 1, 23, 59, tzinfo=TZ), DEADLINE, "refuse", Lateness(late=False, refused=False)),
    (datetime(2026, 12, 2, 0, 0, tzinfo=TZ), DEADLINE, "accept", Lateness(late=True, refused=False)),
    (datetime(2026, 12, 2, 0, 0, tzinfo=TZ), DEADLINE, "refuse", Lateness(late=True, refused=True)),
    (None, DEADLINE, "refuse", Lateness(late=False, refused=False)),  # no receipt time: a plain import
    (datetime(2026, 12, 9, tzinfo=TZ), None, "refuse", Lateness(late=False, refused=False)),  # no official plan
])
def test_late_after_the_deadline_and_refused_only_when_the_policy_refuses(received_at, deadline, policy, expected):
    assert judge_lateness(received_at, deadline, policy) == expected


def test_the_refusal_names_the_deadline_in_shanghai_time():
    assert past_deadline(DEADLINE) == "已超过报送截止时间（2026-12-01 23:59）"
