"""`activity-day lectures tokens`: the speaker page's links (`--json`), the xlsx list and the printable QR sheet."""

from __future__ import annotations

import json
import random
from pathlib import Path

import docx
import pandas as pd
from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.demo import speaker_pool, write_xlsx
from activity_day.documents.token_sheet import qr_png
from activity_day.domain.planning import load_learning_catalog
from activity_day.services.imports import import_file
from activity_day.services.lectures import speaker_for_token
from activity_day.store.database import transaction

runner = CliRunner()


def cli(*args: str):
    return runner.invoke(app, list(args))


def test_speaker_tokens_carry_the_speaker_page_link_and_a_qr_sheet(settings, registry, county, tmp_path: Path) -> None:
    pool = speaker_pool(random.Random("tokens"), list(load_learning_catalog()["category_name"].drop_duplicates()), 6)
    assert import_file("speakers", write_xlsx(pool, tmp_path / "宣讲员库.xlsx", "宣讲员库"), county=county).exit_code == 0

    result = cli("lectures", "tokens", "--speaker", "js001", "--json", "--base-url", "https://wm.example.cn/")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert list(found) == ["speaker", "token", "link"] and found["speaker"] == "JS001"
    assert found["link"] == f"https://wm.example.cn/m/speaker?t={found['token']}" and found["token"].startswith("sp_")
    with transaction() as session:
        assert speaker_for_token(session=session, token=found["token"]).code == "JS001"
    assert list(tmp_path.glob("*.docx")) == []  # --json alone writes no file

    out = tmp_path / "讲师令牌.xlsx"
    written = cli("lectures", "tokens", "--speaker", "JS001", "--speaker", "JS002", "--out", str(out))
    sheet = out.with_suffix(".docx")
    assert written.exit_code == 0 and written.output.startswith(
        f"已签发 2 个讲师接单令牌，见 {out}、{sheet}；原有的令牌已作废\n")
    assert "只有本机能打开" in written.output  # the default address: the operator is told before printing
    listed = pd.read_excel(out, dtype=str).set_index("讲师编号")
    assert list(listed.index) == ["JS001", "JS002"]
    assert all(listed.loc[c, "链接"] == f"http://127.0.0.1:8000/m/speaker?t={listed.loc[c, '令牌']}" for c in listed.index)
    with transaction() as session:  # the --json token was revoked by the new one
        assert speaker_for_token(session=session, token=found["token"]) is None
    document = docx.Document(str(sheet))
    texts = [c.text for row in document.tables[0].rows for c in row.cells]
    names = dict(zip(pool["讲师编号"], pool["姓名"], strict=True))
    assert texts[0].startswith(names["JS001"]) and "宣讲员 · " in texts[0] and "编号 JS001" in texts[0]
    assert "接单或谢绝" in texts[0] and texts[1].splitlines()[-1] == listed.loc["JS002", "链接"]
    pictures = [p for p in document.part.package.parts if p.content_type == "image/png"]
    assert sorted(p.blob for p in pictures) == sorted(qr_png(link) for link in listed["链接"])

    for refused in (["--speaker", "JS001"], ["--all", "--speaker", "JS001", "--json"],
                    ["--all", "--out", str(tmp_path / "t.pdf")], ["--all", "--json", "--base-url", "wm.example.cn"]):
        answer = cli("lectures", "tokens", *refused)
        assert answer.exit_code == 2 and answer.output.startswith("错误：") and answer.output.count("\n") == 1
