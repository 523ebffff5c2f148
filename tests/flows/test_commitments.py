"""The draw's public random value from the departments' commit-reveal: committed before, revealed after the
candidate list, combined by an unattended run, checked by both verifiers."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.domain import draw

pytestmark = pytest.mark.flow
MONTH = "2026-12"
REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(app, list(args))
    return done.exit_code, done.output


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_commit_reveal_gives_the_unattended_draw_its_value(prefect_server, settings, registry, county,
                                                          tmp_path) -> None:
    from activity_day.flows.monthly import draft, review, sample

    draft(county=county, month=MONTH)
    review(county=county, month=MONTH)
    assert run("sample", "commit", "--month", MONTH, "--department", "理论科", "--commitment", sha("桂花 2026"))[0] == 0
    assert run("sample", "commit", "--month", MONTH, "--department", "网信科",
               "--commitment", sha("7-3-9-1").upper())[0] == 0
    code, out = run("sample", "commit", "--month", MONTH, "--department", "办公室", "--commitment", sha("x"))
    assert code == 2 and "不是审核部门" in out
    code, out = run("sample", "commit", "--month", MONTH, "--department", "宣教科", "--commitment", "abc")
    assert code == 2 and "64位十六进制" in out

    # Commitments but no reveal yet: the unattended draw waits, and says what to run.
    with pytest.raises(Exception, match="尚无部门公开随机串"):
        sample(county=county, month=MONTH)
    code, out = run("sample", "reveal", "--month", MONTH, "--department", "理论科", "--secret", "桂花2026")
    assert code == 2 and "不符" in out
    assert run("sample", "reveal", "--month", MONTH, "--department", "理论科", "--secret", "桂花 2026")[0] == 0
    code, out = run("sample", "commit", "--month", MONTH, "--department", "宣教科", "--commitment", sha("late"))
    assert code == 2 and "不再接收新的承诺值" in out

    sample(county=county, month=MONTH)
    code, out = run("sample", "record", "--month", MONTH)
    record = json.loads(out)
    assert record["public_random"] == draw.combine_reveals({"理论科": "桂花 2026"})
    assert record["public_random_parts"] == {"commitments": {"理论科": sha("桂花 2026"), "网信科": sha("7-3-9-1")},
                                             "reveals": {"理论科": "桂花 2026"}}
    assert "理论科已公开" in record["public_random_source"] and "网信科未公开" in record["public_random_source"]
    assert run("sample", "verify", "--month", MONTH)[0] == 0
    path = tmp_path / "draw.json"
    path.write_text(out, encoding="utf-8")
    checked = subprocess.run([sys.executable, str(REPO / "docs" / "verify_draw.py"), str(path)], capture_output=True,
                             text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    # A record whose reveal does not match its commitment fails the standalone check.
    record["public_random_parts"]["reveals"]["理论科"] = "桂花 2027"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    tampered = subprocess.run([sys.executable, str(REPO / "docs" / "verify_draw.py"), str(path)],
                              capture_output=True, text=True, check=False)
    assert tampered.returncode == 1 and "does not match its commitment" in tampered.stderr
    code, out = run("sample", "reveal", "--month", MONTH, "--department", "网信科", "--secret", "7-3-9-1")
    assert code == 2 and "已完成抽样" in out


def test_commitments_in_the_review_form_and_reveals_in_the_sample_form(prefect_server, settings, registry,
                                                                       county) -> None:
    from activity_day.flows.monthly import draft, review, sample
    from activity_day.services import commitments
    from activity_day.services.drawcheck import verify_stored
    from tests.flows.operator import Operator

    month = "2027-02"  # its review is still open, so the review flow shows the department form
    draft(county=county, month=month)
    operator = Operator([
        lambda _d: {"department": "理论科", "comment": "建议突出春节主题", "draw_commitment": "123"},
        lambda _d: {"department": "理论科", "comment": "建议突出春节主题", "draw_commitment": sha("腊梅")},
        lambda _d: {"department": "网信科", "draw_commitment": sha("雪"), "finished": True},
        lambda _d: {"c1": {"disposition": "采纳", "reason": "", "add_items": [], "remove_items": [], "amendment": ""}},
    ])
    operator.thread.start()
    review(county=county, month=month, interactive=True, poll_seconds=1)
    operator.thread.join(timeout=60)
    assert operator.error is None, operator.error
    assert "抽样承诺值：承诺值应为64位十六进制" in operator.descriptions[1]
    assert operator.schemas[0]["properties"]["draw_commitment"]["title"] == "抽样承诺值（可选）"
    assert [(r["department"], r["revealed"]) for r in commitments.status(county, month)] == [
        ("理论科", False), ("网信科", False)]

    operator = Operator([lambda _d: {"d0": "梅花", "d1": ""}, lambda _d: {"d0": "腊梅", "d1": ""}])
    operator.thread.start()
    result = sample(county=county, month=month, interactive=True, poll_seconds=1)
    operator.thread.join(timeout=60)
    assert operator.error is None, operator.error
    assert operator.schemas[0]["properties"]["d0"]["title"] == "理论科的随机串"
    assert "理论科：随机串与理论科事先提交的承诺值不符" in operator.descriptions[1]
    code, out = run("sample", "record", "--month", month)
    record = json.loads(out)
    assert record["public_random"] == draw.combine_reveals({"理论科": "腊梅"}) and result["new"] is True
    assert verify_stored(county, month)[0]
