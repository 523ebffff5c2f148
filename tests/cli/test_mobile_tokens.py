"""`activity-day tokens issue`: the phone pages' links (`--json`) and the printable QR sheet."""

from __future__ import annotations

import json
from pathlib import Path

import docx
from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.documents.token_sheet import qr_png
from activity_day.services.scoring import scorer_for_token
from activity_day.services.submissions import station_for_token
from activity_day.store.database import transaction

runner = CliRunner()


def cli(*args: str):
    return runner.invoke(app, list(args))


def test_station_json_is_the_contract(settings, registry, tmp_path: Path) -> None:
    result = cli("tokens", "issue", "--station", "001", "--json")
    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    found = json.loads(line)
    assert list(found) == ["station", "token", "link"] and found["station"] == "001"
    assert found["link"] == f"http://127.0.0.1:8000/m/station?t={found['token']}"
    with transaction() as session:
        assert station_for_token(session=session, token=found["token"]).station_code == "001"
    assert list(tmp_path.glob("*.docx")) == []  # --json alone writes no file

    other = cli("tokens", "issue", "--station", "002", "--station", "003", "--json", "--base-url", "https://wm.example.cn/")
    assert [json.loads(x)["link"].split("?")[0] for x in other.output.splitlines()] == [
        "https://wm.example.cn/m/station"] * 2
    team = json.loads(cli("tokens", "issue", "--team", "第一检查组", "--json").output)
    assert team["link"] == f"http://127.0.0.1:8000/m/team?t={team['token']}"
    observer = json.loads(cli("tokens", "issue", "--observer", "韩梅", "--township", "众兴街道", "--json").output)
    assert observer["link"].startswith("http://127.0.0.1:8000/m/observer?t=sc_")
    with transaction() as session:
        assert scorer_for_token(session=session, token=observer["token"]).township == "众兴街道"

    for refused in (["--station", "001"], ["--station", "001", "--json", "--base-url", "wm.example.cn"],
                    ["--station", "001", "--out", str(tmp_path / "t.pdf")]):
        answer = cli("tokens", "issue", *refused)
        assert answer.exit_code == 2 and answer.output.startswith("错误：") and answer.output.count("\n") == 1


def test_the_sheet_has_each_stations_qr_code_and_link(settings, registry, tmp_path: Path) -> None:
    out = tmp_path / "tokens.xlsx"
    result = cli("tokens", "issue", "--station", "001", "--station", "002", "--station", "003", "--out", str(out))
    sheet = out.with_suffix(".docx")
    assert result.exit_code == 0 and result.output.startswith(f"已签发 3 个令牌，见 {out}、{sheet}；这些所站原有的令牌已作废\n")
    # The default address opens only on this machine: the operator is told before printing the sheet.
    assert "只有本机能打开" in result.output and "ACTIVITY_DAY_PUBLIC_URL" in result.output
    public = cli("tokens", "issue", "--station", "004", "--out", str(tmp_path / "t4.xlsx"), "--base-url", "https://wm.example.cn")
    assert public.exit_code == 0 and "只有本机能打开" not in public.output
    document = docx.Document(str(sheet))
    [table] = document.tables
    cells = [c for row in table.rows for c in row.cells]
    texts = [c.text for c in cells]
    assert texts[0].startswith("众兴街道新时代文明实践所") and "编号 001" in texts[0] and "编号 003" in texts[2]
    links = [t.splitlines()[-1] for t in texts[:3]]
    assert all(link.startswith("http://127.0.0.1:8000/m/station?t=ad_") for link in links)
    pictures = [p for p in document.part.package.parts if p.content_type == "image/png"]
    assert sorted(p.blob for p in pictures) == sorted(qr_png(link) for link in links)  # each card's own link

    only = tmp_path / "observer.docx"
    assert cli("tokens", "issue", "--observer", "韩梅", "--township", "众兴街道", "--out", str(only)).exit_code == 0
    assert only.exists() and not only.with_suffix(".xlsx").exists()
    assert "文明观察员 · 众兴街道" in docx.Document(str(only)).tables[0].rows[0].cells[0].text
