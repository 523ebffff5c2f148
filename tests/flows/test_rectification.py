"""The rectification loop over two months: findings from the circular, reports through the API with photos, one
accepted, one returned and then overdue; the overdue station weighs more in the next draw, which still verifies."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from fastapi.testclient import TestClient
from PIL import Image
from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.demo import write_xlsx
from activity_day.services.imports import import_file

pytestmark = pytest.mark.flow
M1, M2 = "2026-12", "2027-01"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path: Path):
    """The loop on both databases: a temp SQLite file, and a fresh PostgreSQL database where configured."""
    from activity_day.context import bound
    from activity_day.settings import Settings
    from tests.conftest import fresh_postgres_database

    if request.param == "sqlite":
        with bound(Settings(database_url=f"sqlite:///{tmp_path / 'var' / 'test.db'}",
                                        out=tmp_path / "out")) as chosen:
            yield chosen.settings
        return
    with fresh_postgres_database(migrated=True) as url, bound(Settings(database_url=url, out=tmp_path / "out")) as chosen:
        yield chosen.settings


def cli(*args: str) -> str:
    done = CliRunner().invoke(app, list(args))
    assert done.exit_code == 0, done.output
    return done.output


def photo(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return buffer.getvalue()


def scores_file(rows: list[dict], path: Path) -> Path:
    return write_xlsx(pd.DataFrame(rows), path, "评分")


def test_two_rounds_then_overdue_raises_the_next_draw(prefect_server, settings, registry, county, tmp_path) -> None:
    from activity_day.api import clock, create_app
    from activity_day.flows.monthly import compile_, draft, review, sample
    from activity_day.flows.rectification import rectification
    from activity_day.services.submissions import issue_tokens
    from activity_day.store.database import transaction
    from tests.flows.operator import Operator

    names = registry.set_index("所站编号")
    township_of = names["乡镇（街道）"].to_dict()
    draft(county=county, month=M1)
    review(county=county, month=M1)
    sample(county=county, month=M1)
    # 002 gets a problem from its online check; 020 a problem and a score under the rectify line (70).
    assert import_file("scores", scores_file([
        {"所站编号": "002", "检查方式": "线上", "评分人": "第二检查组", "得分": 82, "存在问题": "活动照片未上传平台"},
        {"所站编号": "020", "检查方式": "线下", "评分人": "第一检查组", "得分": 60, "存在问题": "活动记录不完整"},
        {"所站编号": "003", "检查方式": "观察员", "评分人": "李", "得分": 92, "存在问题": ""},
    ], tmp_path / "s1.xlsx"), county=county, month=M1).exit_code == 0
    summary = compile_(county=county, month=M1)
    assert summary["findings"] == 3

    listed = json.loads(cli("findings", "list", "--month", M1, "--json", "--as-of", "2026-12-20"))
    assert all(set(r) >= {"id", "station", "source", "category", "text", "deadline", "status"} for r in listed)
    assert sorted((r["station"], r["source"], r["text"], r["deadline"], r["status"]) for r in listed) == [
        ("002", "线上", "活动照片未上传平台", "2026-12-25", "open"),
        ("020", "低分", "综合得分60分，低于整改线70分", "2026-12-25", "open"),
        ("020", "线下", "活动记录不完整", "2026-12-25", "open"),
    ]
    assert json.loads(cli("findings", "list", "--month", M1, "--json", "--as-of", "2026-12-26"))[0]["status"] \
        == "overdue"
    by_station = {}
    for r in listed:
        by_station.setdefault(r["station"], []).append(r["id"])
    # The workbook of 整改通知: a row per finding with its number, to fill in and import back.
    sheet = pd.read_excel(Path(settings.out) / M1 / "rectification.xlsx", dtype=str)
    assert sorted(zip(sheet["整改编号"].astype(int), sheet["所站编号"], sheet["整改问题"], strict=True)) == sorted(
        (r["id"], r["station"], r["text"]) for r in listed)
    assert list(sheet.columns[-2:]) == ["整改情况", "照片校验码"] and sheet["整改情况"].isna().all()

    with transaction() as session:
        tokens = issue_tokens(session=session, county=county, stations=["002", "020"], now=datetime.now(UTC))
    api = create_app()
    api.dependency_overrides[clock] = lambda: datetime(2026, 12, 20, 2, 0, tzinfo=UTC)  # before the deadline
    client = TestClient(api)

    def as_station(code: str) -> dict:
        return {"Authorization": f"Bearer {tokens[code]}"}

    uploaded = client.post("/api/v1/stations/002/photos", headers=as_station("002"),
                           files={"file": ("after.jpg", photo("green"), "image/jpeg")})
    assert uploaded.status_code in (200, 201), uploaded.text
    sha = uploaded.json()["sha256"]

    # Round 1: 002 reports with a photo and is accepted; 020 reports without one and is returned.
    done = client.put(f"/api/v1/stations/002/findings/{by_station['002'][0]}/report", headers=as_station("002"),
                      json={"report": "已补传全部活动照片", "photos": [sha]})
    assert done.status_code == 200 and done.json()["status"] == "answered" and done.json()["photos"] == [sha]
    other = client.put(f"/api/v1/stations/002/findings/{by_station['020'][0]}/report", headers=as_station("002"),
                       json={"report": "x"})
    assert other.status_code == 404  # another station's finding is not found, whatever its id
    unknown_photo = client.put(f"/api/v1/stations/020/findings/{by_station['020'][0]}/report",
                               headers=as_station("020"), json={"report": "已整改", "photos": ["0" * 64]})
    assert unknown_photo.status_code == 409 and "照片尚未上传" in unknown_photo.json()["message"]
    for finding_id in by_station["020"]:
        assert client.put(f"/api/v1/stations/020/findings/{finding_id}/report", headers=as_station("020"),
                          json={"report": "正在整改"}).status_code == 200
    assert "已销号" in cli("findings", "accept", str(by_station["002"][0]), "--by", "县文明办张三")
    # The office returns 020's reports in the review flow's resume form; a return without a reason comes back.
    first, second = (f"f{i}" for i in by_station["020"])
    operator = Operator([
        lambda _d: {"reviewer": "县文明办张三", first: {"decision": "退回", "note": ""}},
        lambda _d: {"reviewer": "县文明办张三", first: {"decision": "退回", "note": "未见整改照片"},
                    second: {"decision": "退回", "note": "未见整改照片"}},
    ])
    operator.thread.start()
    reviewed = rectification(county=county, poll_seconds=1)
    operator.thread.join(timeout=60)
    assert operator.error is None, operator.error
    assert "2 份整改报告待审核" in operator.descriptions[0] and "退回须写明理由" in operator.descriptions[1]
    assert operator.schemas[0]["properties"][first]["description"].startswith("问题：")
    assert reviewed["returned"] == 2 and reviewed["accepted"] == 0 and reviewed["answered"] == 2
    code = CliRunner().invoke(app, ["findings", "return", str(by_station["020"][0]), "--note", " "])
    assert code.exit_code == 2 and "退回须写明理由" in code.output
    again = CliRunner().invoke(app, ["findings", "accept", str(by_station["002"][0])])
    assert again.exit_code == 2 and "已销号" in again.output
    shown = json.loads(cli("findings", "show", str(by_station["020"][0]), "--json"))
    assert [e["action"] for e in shown["events"]] == ["raised", "report", "return"]
    assert shown["events"][-1]["note"] == "未见整改照片" and shown["rounds"] == 1

    # Round 2 never comes for 020: the deadline passes. The next month's draw weighs that.
    draft(county=county, month=M2)
    review(county=county, month=M2)
    sample(county=county, month=M2)
    record = json.loads(cli("sample", "record", "--month", M2))
    candidate = {c["code"]: c for c in record["candidates"]}
    assert candidate["020"]["risk_from"][:2] == ["整改逾期1次+3", "上月得分低于整改线+2"]
    assert candidate["020"]["risk"] == max(c["risk"] for c in record["candidates"]
                                           if c["township"] == township_of["020"])
    assert candidate["002"]["risk_from"] == ["本月未报送计划+2"]  # accepted: nothing overdue
    drawn = {s["code"]: s for s in record["selected"]}
    assert drawn["020"]["by"] == "risk"  # drawn in 2026-12, so the rotation alone would have skipped it
    assert cli("sample", "verify", "--month", M2).startswith("核验通过")
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    checked = subprocess.run([sys.executable, str(REPO / "docs" / "verify_draw.py"), str(path)], capture_output=True,
                             text=True, check=False)
    assert checked.returncode == 0, checked.stderr

    # The next circular names the overdue station.
    assert import_file("scores", scores_file([
        {"所站编号": "003", "检查方式": "观察员", "评分人": "李", "得分": 90, "存在问题": ""},
    ], tmp_path / "s2.xlsx"), county=county, month=M2).exit_code == 0
    assert compile_(county=county, month=M2)["overdue"] == 2
    texts = [p.text for p in Document(Path(settings.out) / M2 / "circular.docx").paragraphs]
    paragraph = next(t for t in texts if t.startswith("上月下发的整改问题"))
    assert "上月下发的整改问题3条，已销号1条，待审核0条，正在整改0条，逾期2条。" in paragraph
    overdue = next(t for t in texts if t.startswith("截至") and "逾期未整改" in t)
    assert "全县共有1个所站的2条问题逾期未整改，分布在1个乡镇（街道）" in overdue
    assert f"即{names.loc['020', '所站名称']}（2条，最早于" in overdue
    statuses = {r["id"]: r["status"] for r in json.loads(cli("findings", "list", "--month", M1, "--json"))}
    assert statuses == {by_station["002"][0]: "accepted", **dict.fromkeys(by_station["020"], "overdue")}
