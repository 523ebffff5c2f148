"""Choosing the counties a command acts on."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from activity_day.demo import province_profile
from activity_day.services.counties import init_county, resolve_counties, resolve_county
from activity_day.store.crud import MissingPrerequisite


def _counties(folder: Path, n: int) -> list[str]:
    codes = []
    for index in range(1, n + 1):
        path = folder / f"county-{index}.yaml"
        path.write_text(yaml.safe_dump(province_profile(index), allow_unicode=True), encoding="utf-8")
        codes.append(init_county(path).county.code)
    return codes


def test_a_list_of_counties_is_checked_kept_in_order_and_without_repeats(settings, tmp_path: Path) -> None:
    codes = _counties(tmp_path, 10)
    assert resolve_counties(f"{codes[2]}，{codes[0]}, {codes[2]},") == [codes[2], codes[0]]
    with pytest.raises(MissingPrerequisite, match=r"县（市、区）999999、888888尚未设置.*核对 --counties"):
        resolve_counties(f"{codes[0]},999999,888888")
    with pytest.raises(MissingPrerequisite, match="未列出任何县"):
        resolve_counties(" , ")
    # with many counties, the message asking for one names a few, not all ten
    with pytest.raises(MissingPrerequisite) as caught:
        resolve_county(None)
    message = str(caught.value)
    assert message.startswith(f"数据库中有 10 个县（市、区）（{'、'.join(codes[:8])}等）") and codes[9] not in message
