"""Tokens expire (the end of the issuing year, or --until) and every kind can be revoked, speakers included; an
observer's tokens are per person and township."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta

from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.demo import speaker_pool, write_xlsx
from activity_day.domain.planning import load_learning_catalog
from activity_day.domain.tokens import default_expiry, end_of_day, expiry, is_live, last_day
from activity_day.services.imports import import_file
from activity_day.services.lectures import speaker_for_token
from activity_day.services.scoring import scorer_for_token
from activity_day.services.submissions import station_for_token
from activity_day.store.database import transaction

runner = CliRunner()
CST = timedelta(hours=8)


def cli(*args: str):
    return runner.invoke(app, list(args))


def test_a_token_lives_to_the_end_of_its_year_in_beijing_time() -> None:
    issued = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    assert default_expiry(issued) == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # 2027-01-01 00:00 in Beijing
    # 2026-12-31 17:00 UTC is already 2027 in Beijing: a token issued then is for 2027.
    assert default_expiry(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == datetime(2027, 12, 31, 16, 0, tzinfo=UTC)
    assert expiry(issued, date(2027, 6, 30)) == end_of_day(date(2027, 6, 30)) == datetime(2027, 6, 30, 16, tzinfo=UTC)
    assert last_day(end_of_day(date(2027, 6, 30))) == date(2027, 6, 30)
    edge = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert is_live(edge, edge - timedelta(seconds=1)) and not is_live(edge, edge)
    assert is_live(edge.replace(tzinfo=None), edge - timedelta(seconds=1))  # the database's naive UTC
    assert is_live(None, edge)


def test_tokens_stop_working_after_until(settings, registry) -> None:
    tomorrow = (datetime.now(UTC) + CST + timedelta(days=1)).date()
    result = cli("tokens", "issue", "--station", "001", "--json", "--until", tomorrow.isoformat())
    assert result.exit_code == 0, result.output
    token = json.loads(result.output.splitlines()[0])["token"]
    with transaction() as session:
        assert station_for_token(session=session, token=token) is not None
        assert station_for_token(session=session, token=token, now=end_of_day(tomorrow) - timedelta(seconds=1))
        assert station_for_token(session=session, token=token, now=end_of_day(tomorrow)) is None
    shown = cli("tokens", "issue", "--team", "第一检查组", "--json", "--until", tomorrow.isoformat())
    team = json.loads(shown.output.splitlines()[0])["token"]
    with transaction() as session:
        assert scorer_for_token(session=session, token=team, now=end_of_day(tomorrow)) is None
        assert scorer_for_token(session=session, token=team).name == "第一检查组"


def test_the_office_is_told_when_tokens_expire_and_a_past_day_is_refused(settings, registry, tmp_path) -> None:
    out = tmp_path / "t.xlsx"
    result = cli("tokens", "issue", "--station", "001", "--out", str(out), "--until", "2099-12-31")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == "令牌有效期至2099年12月31日（北京时间，含当日），到期或作废后链接和二维码即失效"
    for until, why in (("2020-01-01", "已经过去"), ("明年", "应为 YYYY-MM-DD")):
        refused = cli("tokens", "issue", "--station", "001", "--out", str(out), "--until", until)
        assert refused.exit_code == 2 and refused.output.startswith("错误：--until") and why in refused.output


def test_an_observer_holds_one_token_per_township_and_is_told_so(settings, registry, tmp_path) -> None:
    def issue(township: str) -> tuple[str, str]:
        result = cli("tokens", "issue", "--observer", "韩梅", "--township", township, "--out",
                     str(tmp_path / f"{township}.xlsx"))
        assert result.exit_code == 0, result.output
        line = cli("tokens", "issue", "--observer", "韩梅", "--township", township, "--json").output
        return json.loads(line.splitlines()[0])["token"], result.output

    first, _ = issue("众兴街道")
    second, said = issue("来安街道")
    assert "韩梅在众兴街道的令牌不受影响，仍然有效" in said and "--observer 韩梅 --township 众兴街道" in said
    with transaction() as session:
        holders = [scorer_for_token(session=session, token=t) for t in (first, second)]
    assert [(h.name, h.township) for h in holders] == [("韩梅", "众兴街道"), ("韩梅", "来安街道")]
    # The same township again replaces only that township's token.
    third, said = issue("众兴街道")
    with transaction() as session:
        assert scorer_for_token(session=session, token=first) is None
        assert scorer_for_token(session=session, token=second).township == "来安街道"
    assert "韩梅在来安街道的令牌不受影响" in said
    one = cli("tokens", "revoke", "--observer", "韩梅", "--township", "来安街道")
    assert one.exit_code == 0 and one.output == "已作废文明观察员“韩梅”在来安街道的 1 个令牌；其在众兴街道的令牌仍然有效\n"
    rest = cli("tokens", "revoke", "--observer", "韩梅")
    assert rest.exit_code == 0 and rest.output == "已作废文明观察员“韩梅”的 1 个令牌\n"
    with transaction() as session:
        assert scorer_for_token(session=session, token=third) is None


def test_a_speaker_token_can_be_revoked(settings, registry, county, tmp_path) -> None:
    pool = speaker_pool(random.Random(7), list(load_learning_catalog()["category_name"].drop_duplicates()))
    assert import_file("speakers", write_xlsx(pool, tmp_path / "pool.xlsx", "宣讲员库"), county=county).exit_code == 0
    code = str(pool.iloc[0]["讲师编号"])
    token = json.loads(cli("lectures", "tokens", "--speaker", code, "--json").output.splitlines()[0])["token"]
    with transaction() as session:
        assert speaker_for_token(session=session, token=token).code == code
    revoked = cli("tokens", "revoke", "--speaker", code.lower())
    assert revoked.exit_code == 0 and revoked.output == f"已作废讲师 {code} 的 1 个令牌\n"
    with transaction() as session:
        assert speaker_for_token(session=session, token=token) is None
    again = cli("tokens", "revoke", "--speaker", code)
    assert again.exit_code == 1 and again.output == f"错误：讲师 {code} 没有有效的令牌\n"
