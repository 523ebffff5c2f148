"""`activity-day tokens issue/revoke --team/--observer`: scoring tokens for teams and civic observers."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.services.scoring import scorer_for_token
from activity_day.store.database import transaction

runner = CliRunner()


def cli(*args: str):
    return runner.invoke(app, list(args))


def sheet_rows(path: Path) -> list[tuple]:
    return list(openpyxl.load_workbook(path).worksheets[0].iter_rows(min_row=2, values_only=True))


def holder(token: str):
    with transaction() as session:
        return scorer_for_token(session=session, token=token)


def test_team_tokens_issue_reissue_and_revoke(settings, registry, tmp_path: Path) -> None:
    out = tmp_path / "teams.xlsx"
    result = cli("tokens", "issue", "--team", "第一检查组", "--out", str(out))
    assert result.exit_code == 0 and result.output.startswith("已签发 1 个检查组评分令牌"), result.output
    [(name, token, link)] = sheet_rows(out)
    assert name == "第一检查组" and token.startswith("sc_") and holder(token).name == "第一检查组"
    assert link == f"http://127.0.0.1:8000/m/team?t={token}" and out.with_suffix(".docx").exists()
    assert cli("tokens", "issue", "--all-teams", "--out", str(tmp_path / "all.xlsx")).exit_code == 0
    names = [r[0] for r in sheet_rows(tmp_path / "all.xlsx")]
    assert names == ["第一检查组", "第二检查组", "第三检查组", "第四检查组", "线上·吴敏", "线上·郑凯"]
    assert holder(token) is None  # issuing again revoked it
    assert cli("tokens", "revoke", "--team", "线上·吴敏").output == "已作废检查组“线上·吴敏”的 1 个令牌\n"
    again = cli("tokens", "revoke", "--team", "线上·吴敏")
    assert again.exit_code == 1 and again.output == "错误：检查组“线上·吴敏”没有有效的令牌\n"


def test_observer_tokens_need_a_registered_township(settings, registry, tmp_path: Path) -> None:
    out = tmp_path / "observer.xlsx"
    result = cli("tokens", "issue", "--observer", "韩梅", "--township", "众兴街道", "--out", str(out))
    assert result.exit_code == 0, result.output
    [(name, township, token, link)] = sheet_rows(out)
    assert link == f"http://127.0.0.1:8000/m/observer?t={token}"
    assert (name, township) == ("韩梅", "众兴街道")
    found = holder(token)
    assert (found.role, found.name, found.township) == ("observer", "韩梅", "众兴街道")
    assert cli("tokens", "revoke", "--observer", "韩梅").exit_code == 0 and holder(token) is None


def test_refusals_are_one_line_with_exit_code_2(settings, registry, tmp_path: Path) -> None:
    out = str(tmp_path / "t.xlsx")
    for args in (["--team", "第九检查组"], ["--observer", "韩梅"], ["--observer", "韩梅", "--township", "火星镇"],
                 ["--team", "第一检查组", "--station", "001"], ["--township", "众兴街道", "--all-teams"],
                 ["--observer", "名" * 41, "--township", "众兴街道"], []):
        result = cli("tokens", "issue", *args, "--out", out)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("错误：") and result.output.count("\n") == 1, result.output
    assert "第一检查组" in cli("tokens", "issue", "--team", "第一检察组", "--out", out).output  # did you mean
    assert not Path(out).exists()
    assert cli("tokens", "revoke", "--team", "第一检查组", "--station", "001").exit_code == 2
