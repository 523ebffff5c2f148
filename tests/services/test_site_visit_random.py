"""The site visits' public random value given by the operator (`demonstration run --public-random`, a lottery
result published after the shortlist), as the monthly draw takes one: it decides the visits, the record keeps it
and names its source, and `demonstration verify` and docs/verify_site_visits.py re-derive the visits from it. A
round with neither commitments nor a value falls back to the shortlist's checksum, and the operator is warned."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.domain.draw import commitment_of
from activity_day.domain.selection import inputs_of, site_visit_record, site_visit_seed, weak_public_random
from activity_day.errors import OperatorError
from activity_day.services import commitments
from activity_day.services import demonstration as service
from activity_day.store import demonstration as store
from activity_day.store import evaluation as evaluation_store
from activity_day.store.database import transaction

VERIFIER = Path(__file__).resolve().parents[2] / "docs" / "verify_site_visits.py"
ROUND = "2027"
LOTTERY = "0 3 7 1 9"
SOURCE = "2027年10月9日体彩排列5开奖号码"
runner = CliRunner()


@pytest.fixture
def shortlisted(county: str, registry: pd.DataFrame) -> list[str]:
    """Four stations of four townships evaluated well for 2027 and applying; returns their codes."""
    chosen = registry.drop_duplicates("乡镇（街道）").head(4)
    codes = list(chosen["所站编号"])
    with transaction() as session:
        evaluation_store.save_evaluations(session=session, county=county, period=ROUND, rows=[
            {"station_code": code, "township": town, "dimensions": {}, "total": 95.0, "stars": 5, "watch": "",
             "evidence": {}} for code, town in zip(codes, chosen["乡镇（街道）"], strict=True)])
        store.save_applications(session=session, county=county, round_=ROUND, source_ref="test", rows=[
            {"station_code": code, "brand": f"品牌{i}"} for i, code in enumerate(codes)])
    service.document_review(county, ROUND, ROUND)
    return codes


def test_a_published_value_decides_the_visits_and_is_verified_from_the_record(
        county: str, shortlisted: list[str], tmp_path: Path) -> None:
    drawn = service.site_visits(county, ROUND, LOTTERY, SOURCE)
    assert drawn.warnings == []  # a value nobody knew before the shortlist: nothing to warn of
    record = service.site_visit_record_of(county, ROUND)
    assert record["public_random"] == LOTTERY
    assert record["public_random_source"] == f"操作员录入：{SOURCE}"  # the record names the source
    assert "public_random_parts" not in record
    inputs = inputs_of(record)
    assert drawn.seed == record["seed"] == site_visit_seed(inputs, LOTTERY) != site_visit_seed(
        inputs, weak_public_random(inputs))  # not the seed the office could compute from the shortlist
    assert drawn.visits.to_dict("records") == record["visits"] == site_visit_record(inputs, LOTTERY, "")["visits"]
    others = {json.dumps(site_visit_record(inputs, f"{LOTTERY}{i}", "")["visits"]) for i in range(12)}
    assert len(others) > 1  # on this shortlist the value changes who visits whom

    # verify re-derives the visits from the record's value, in the command and in the stdlib verifier
    verified = runner.invoke(app, ["demonstration", "verify", "--round", ROUND])
    assert verified.exit_code == 0, verified.output
    assert "与记录一致" in verified.output and f"公开随机数来源：操作员录入：{SOURCE}" in verified.output
    printed = runner.invoke(app, ["demonstration", "record", "--round", ROUND])
    path = tmp_path / "visits.json"
    path.write_text(printed.stdout, encoding="utf-8")
    checked = subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith(f"OK: 4 stations, {len(record['visits'])} visits") and SOURCE in checked.stdout
    tampered = json.loads(printed.stdout) | {"public_random": LOTTERY + "0"}
    path.write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")
    changed = subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True, text=True, check=False)
    assert changed.returncode == 1 and "the seed does not follow" in changed.stderr

    # a drawn round is kept: the same value returns it, another is refused, no value returns it as well
    assert service.site_visits(county, ROUND, LOTTERY, SOURCE).seed == drawn.seed
    assert service.site_visits(county, ROUND).seed == drawn.seed
    with pytest.raises(OperatorError, match="已用公开随机数“0 3 7 1 9”抽定.*一经抽定不再重抽"):
        service.site_visits(county, ROUND, "9 9 9 9 9", SOURCE)


def test_the_weak_fallback_is_recorded_and_the_operator_warned(county: str, shortlisted: list[str]) -> None:
    drawn = service.site_visits(county, ROUND)
    record = service.site_visit_record_of(county, ROUND)
    assert record["public_random"] == weak_public_random(record) and record["public_random_source"] == service.WEAK_SOURCE
    [warning] = drawn.warnings
    assert "\n" not in warning and warning.startswith(f"{ROUND}年度示范所站实地评估未取得公开随机数")
    assert "本轮已抽定，不再重抽" in warning  # the round is drawn: the advice is for the next rounds
    assert "activity-day demonstration run --round 年度 --public-random 开奖号码" in warning
    assert service.verify_site_visits(county, ROUND)[0]


def test_a_value_without_a_source_says_so_and_commitments_leave_no_room_for_one(
        county: str, shortlisted: list[str]) -> None:
    with pytest.raises(OperatorError, match="控制字符"):
        service.site_visits(county, ROUND, "12\x0034", SOURCE)
    with pytest.raises(OperatorError, match="1到200个字符"):
        service.site_visits(county, ROUND, "", SOURCE)
    service.site_visits(county, ROUND, LOTTERY)
    assert service.site_visit_record_of(county, ROUND)["public_random_source"] == "操作员录入（未注明出处）"


def test_with_department_commitments_the_operator_cannot_choose_the_value(county: str, registry) -> None:
    department = "理论科"
    commitments.commit_round(county, "2028", department, commitment_of("山高月小"), datetime(2027, 9, 1, tzinfo=UTC))
    chosen = registry.head(2)
    with transaction() as session:
        evaluation_store.save_evaluations(session=session, county=county, period="2028", rows=[
            {"station_code": c, "township": t, "dimensions": {}, "total": 95.0, "stars": 5, "watch": "",
             "evidence": {}} for c, t in zip(chosen["所站编号"], chosen["乡镇（街道）"], strict=True)])
        store.save_applications(session=session, county=county, round_="2028", source_ref="test",
                                rows=[{"station_code": c, "brand": "品牌"} for c in chosen["所站编号"]])
    service.document_review(county, "2028", "2028")
    with pytest.raises(OperatorError, match="已有部门提交承诺值（理论科），公开随机数由各部门公开的随机串组合而成，不能另行指定"):
        service.site_visits(county, "2028", LOTTERY, SOURCE)


def test_the_command_refuses_a_bad_value_before_it_starts(county: str) -> None:
    done = runner.invoke(app, ["demonstration", "run", "--round", ROUND, "--public-random", "12\x0734"])
    assert done.exit_code == 2 and "公开随机数和来源中不能有控制字符" in done.output
