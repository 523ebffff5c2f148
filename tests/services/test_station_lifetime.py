"""A station's lifetime in the evaluation: inferred by the registry imports (a station added joins, one dropped
leaves, on the import's day), stated in the registry's 设立日期 and 撤销日期, and corrected by the office with
`activity-day stations set`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.demo import write_xlsx
from activity_day.services.imports import ImportClock, import_file
from activity_day.services.stations import lifetimes

runner = CliRunner()


def by_code(county: str) -> dict[str, dict]:
    return {s["code"]: s for s in lifetimes(county)}


def test_the_registry_imports_keep_each_stations_lifetime(tmp_path: Path, registry: pd.DataFrame, county: str) -> None:
    first = by_code(county)
    # the county's first registry: every station was there before any record
    assert len(first) == 248 and all(s["joined_on"] is None and s["left_on"] is None for s in first.values())
    new = registry.iloc[[0]].assign(**{"所站编号": "249", "所站名称": "众兴街道新建社区新时代文明实践站"})
    changed = pd.concat([registry.iloc[1:], new])  # 001 dropped, 249 added
    sept = datetime(2027, 9, 10, 1, tzinfo=UTC)
    report = import_file("stations", write_xlsx(changed, tmp_path / "九月.xlsx", "名录"), county=county, clock=ImportClock(now=sept))
    assert report.exit_code == 0, report.lines()
    after = by_code(county)
    assert after["249"]["joined_on"] == "2027-09-10" and after["249"]["active"]
    assert after["001"]["left_on"] == "2027-09-10" and not after["001"]["active"]
    assert after["002"]["joined_on"] is None and after["002"]["left_on"] is None
    # imported again later: nothing moves; 001 listed again is back, with the day it first joined (none)
    later = datetime(2027, 11, 2, 1, tzinfo=UTC)
    import_file("stations", write_xlsx(changed, tmp_path / "again.xlsx", "名录"), county=county, clock=ImportClock(now=later))
    assert by_code(county)["001"]["left_on"] == "2027-09-10" and by_code(county)["249"]["joined_on"] == "2027-09-10"
    back = pd.concat([registry, new])
    import_file("stations", write_xlsx(back, tmp_path / "back.xlsx", "名录"), county=county, clock=ImportClock(now=later))
    assert by_code(county)["001"] == first["001"] | {"active": True}


def test_the_registry_states_the_days_and_refuses_impossible_ones(tmp_path: Path, registry: pd.DataFrame,
                                                                 county: str) -> None:
    now = datetime(2027, 10, 8, 1, tzinfo=UTC)
    stated = registry.assign(**{"设立日期": None, "撤销日期": None})
    stated.loc[0, "设立日期"], stated.loc[1, "撤销日期"] = "2027-09", "2027/9/20"
    report = import_file("stations", write_xlsx(stated, tmp_path / "名录.xlsx", "名录"), county=county, clock=ImportClock(now=now))
    assert report.exit_code == 0, report.lines()
    found = by_code(county)
    assert found["001"]["joined_on"] == "2027-09-01" and found["001"]["active"]
    assert found["002"]["left_on"] == "2027-09-20" and not found["002"]["active"]
    wrong = stated.copy()
    wrong.loc[2, "撤销日期"], wrong.loc[0, "撤销日期"], wrong.loc[3, "设立日期"] = "2027-12-01", "2027-08-31", "九月"
    report = import_file("stations", write_xlsx(wrong, tmp_path / "错.xlsx", "名录"), county=county, clock=ImportClock(now=now))
    assert report.exit_code == 1
    assert "错.xlsx 第5行 【撤销日期】 “2027-12-01”：不能晚于导入当天（2027-10-08）：撤销后再导入" in report.lines()
    assert "错.xlsx 第3行 【撤销日期】 “2027-08-31”：应晚于设立日期（2027-09-01）" in report.lines()
    assert any(line.startswith("错.xlsx 第6行 【设立日期】 “九月”：不是有效的日期") for line in report.lines())
    assert by_code(county) == found  # nothing of a refused registry is written


def test_the_office_corrects_a_lifetime(settings, registry: pd.DataFrame, county: str) -> None:
    result = runner.invoke(app, ["stations", "set", "--station", "０１７", "--joined", "2026-09"])
    assert result.exit_code == 0, result.output
    assert "017" in result.output and "2026-09-01 至 今" in result.output
    result = runner.invoke(app, ["stations", "set", "--station", "018", "--left", "2026-11-30"])
    assert result.exit_code == 0 and "已撤销" in result.output
    listed = json.loads(runner.invoke(app, ["stations", "list", "--json"]).output)
    lives = {s["code"]: s for s in listed}
    assert (lives["017"]["joined_on"], lives["018"]["left_on"], lives["018"]["active"]) == ("2026-09-01", "2026-11-30",
                                                                                              False)
    registered = json.loads(runner.invoke(app, ["stations", "list", "--registered", "--json"]).output)
    assert len(registered) == 247 and "018" not in {s["code"] for s in registered}
    refused = runner.invoke(app, ["stations", "set", "--station", "017", "--left", "2026-08-31"])
    assert refused.exit_code != 0 and "应晚于设立日期" in refused.output
    future = runner.invoke(app, ["stations", "set", "--station", "019", "--left", f"{date.today().year + 1}-01-01"])
    assert future.exit_code != 0 and "晚于今天" in future.output
    unknown = runner.invoke(app, ["stations", "set", "--station", "999", "--joined", "无"])
    assert unknown.exit_code != 0 and "没有编号为 999 的所站" in unknown.output
    back = runner.invoke(app, ["stations", "set", "--station", "018", "--left", "无"])
    assert back.exit_code == 0 and "已撤销" not in back.output
