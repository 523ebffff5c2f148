"""Which notices are due, on which day, to whom; channel URLs and their secrets. Pure functions, tiny frames."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from activity_day.domain.notices import (
    Audience,
    MonthFacts,
    Occasion,
    Offsets,
    anchor_file_url,
    due_on,
    issued_notices,
    literal_secrets,
    rectification_notices,
    substitute,
    trigger_days,
)
from activity_day.domain.profile import ProfileError, load_profile

BASE = {"office": "泗阳县文明办", "link": "小程序"}
STATIONS = pd.DataFrame({"code": ["001", "002", "003"], "name": ["甲站", "乙站", "丙站"],
                         "township": ["众兴街道", "众兴街道", "王集镇"], "leader": ["张", "李", "王"],
                         "phone": ["1", "2", "3"]})


def facts(**changes) -> MonthFacts:
    values = dict(
        month="2027-03", month_label="2027年3月", activity_date=date(2027, 3, 5), review_deadline=date(2027, 2, 15),
        plan_deadline=date(2027, 3, 2), scores_deadline=date(2027, 3, 8), review_open=False, plan_issued=True,
        departments=["理论科", "宣教科"], answered={"理论科"}, stations=STATIONS,
        plans=pd.DataFrame({"station_code": ["001", "002"]}),
        uncovered=pd.DataFrame({"code": ["002"], "name": ["乙站"], "leader": ["李"], "missing_codes": ["R-01"]}),
        assignments=pd.DataFrame({"station_code": ["001", "003", "002"], "township": ["众兴街道", "王集镇", "众兴街道"],
                                  "mode": ["onsite", "onsite", "online"], "team": ["第一组", "第一组", "线上·吴敏"],
                                  "slot": ["第10站 15:00", "第2站 09:00", "09:00-09:15"]}),
        scores=pd.DataFrame({"station_code": ["002"], "mode": ["online"], "scorer": ["线上·吴敏"]}),
        observers=[("周观察", "王集镇")],
        dates_cn={"review": "2027年2月15日", "station_plans": "2027年3月2日", "scores": "2027年3月8日",
                  "activity_date": "2027年3月5日"})
    return MonthFacts(**(values | changes))


def keys(drafts) -> list[str]:
    return [d.key for d in drafts]


def test_plan_reminders_fall_three_and_one_days_before_the_deadline() -> None:
    offsets = Offsets()
    assert keys(due_on(date(2027, 2, 27), facts(), offsets, BASE)) == [
        "stations:003:2027-03:plan-missing@-3", "stations:002:2027-03:plan-required@-3"]
    assert keys(due_on(date(2027, 3, 1), facts(), offsets, BASE)) == [
        "stations:003:2027-03:plan-missing@-1", "stations:002:2027-03:plan-required@-1"]
    assert due_on(date(2027, 2, 28), facts(), offsets, BASE) == []
    required = due_on(date(2027, 3, 1), facts(), offsets, BASE)[1]
    assert required.context["codes"] == "R-01" and required.recipient == "乙站"


def test_review_reminders_only_while_the_review_is_open() -> None:
    open_ = facts(review_open=True, plan_issued=False)
    assert keys(due_on(date(2027, 2, 14), open_, Offsets(), BASE)) == ["sections:宣教科:2027-03:review-pending@-1"]
    assert due_on(date(2027, 2, 14), facts(), Offsets(), BASE) == []  # the plan is out: nothing to remind


def test_on_the_day_teams_get_their_stations_in_visiting_order_and_observers_their_township() -> None:
    drafts = due_on(date(2027, 3, 5), facts(), Offsets(), BASE)
    assert keys(drafts) == ["teams:第一组:2027-03:assignment@+0", "teams:线上·吴敏:2027-03:assignment@+0",
                            "observers:周观察:2027-03:assignment@+0"]
    assert [s["name"] for s in drafts[0].context["stations"]] == ["丙站", "甲站"]  # 第2站 before 第10站
    assert [s["name"] for s in drafts[2].context["stations"]] == ["丙站"]


def test_after_the_scoring_deadline_only_teams_with_unscored_stations() -> None:
    drafts = due_on(date(2027, 3, 9), facts(), Offsets(), BASE)
    assert keys(drafts) == ["teams:第一组:2027-03:scores-missing@+1"]
    assert drafts[0].context["stations"] == ["甲站", "丙站"]
    assert trigger_days(activity_date=date(2027, 3, 5), review=date(2027, 2, 15), station_plans=date(2027, 3, 2),
                        scores=date(2027, 3, 8), offsets=Offsets()) == {
        date(2027, 2, 14), date(2027, 2, 27), date(2027, 3, 1), date(2027, 3, 5), date(2027, 3, 9)}


def test_rectification_due_and_overdue_once_per_station_and_month() -> None:
    findings = pd.DataFrame({"id": [1, 2, 3, 4], "month": ["2027-01", "2027-01", "2027-02", "2027-02"],
                             "station_code": ["001", "001", "002", "003"], "text": ["a", "b", "c", "d"],
                             "deadline": [date(2027, 2, 1), date(2027, 2, 1), date(2027, 3, 13), date(2027, 3, 13)],
                             "status": ["overdue", "open", "open", "accepted"]})
    drafts = rectification_notices(findings, STATIONS, date(2027, 3, 10), [3], BASE)
    assert keys(drafts) == ["stations:001:2027-01:rectification-overdue", "stations:002:2027-02:rectification-due@-3"]
    assert drafts[0].context["count"] == 2 and drafts[0].context["deadline_cn"] == "2027年2月1日"


def test_a_document_goes_once_to_each_audience() -> None:
    drafts = issued_notices(Occasion.CIRCULAR_ISSUED, "2027-03", BASE, title="通报", doc_number="泗文明办〔2027〕3号",
                            files=["circular.docx"])
    assert [d.audience for d in drafts] == [Audience.STATIONS, Audience.SECTIONS, Audience.TEAMS, Audience.OBSERVERS,
                                            Audience.OFFICE]
    assert {d.key.split(":", 1)[1] for d in drafts} == {"all:2027-03:circular-issued"}


@pytest.mark.parametrize(("url", "problems"), [
    ("wecombot://${WECOM_KEY}", []),
    ("wecombot://0a1b2c3d", ["机器人密钥"]),
    ("dingtalk://${SECRET}@${TOKEN}/", []),
    ("dingtalk://${TOKEN}/13800000000", []),  # a phone number to @mention is no secret
    ("dingtalk://SECabc@${TOKEN}/", ["机器人密钥"]),
    ("mailtos://office:${SMTP_PASSWORD}@smtp.example.gov.cn?to=a@example.gov.cn", []),
    ("mailtos://office:hunter2@smtp.example.gov.cn", ["口令"]),
    ("json://hooks.example.com/x?token=abc", ["参数 token"]),
    ("json://hooks.example.com/x", []),
])
def test_secrets_are_placeholders_never_literal(url: str, problems: list[str]) -> None:
    assert literal_secrets(url) == problems


def test_placeholders_come_from_the_environment() -> None:
    assert substitute("wecombot://${K}", {"K": "abc"}) == "wecombot://abc"
    with pytest.raises(KeyError, match="MISSING"):
        substitute("wecombot://${MISSING}", {})
    assert anchor_file_url("file://notices", Path("/srv/county")) == "file:///srv/county/notices"
    assert anchor_file_url("file:///var/notices", Path("/srv")) == "file:///var/notices"


def test_a_profile_with_a_literal_secret_is_refused(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parents[2] / "profiles" / "demo.yaml").read_text(encoding="utf-8")
    path = tmp_path / "profile.yaml"
    path.write_text(text.replace('stations: ["file://notices"]', 'stations: ["wecombot://0a1b2c3d"]'),
                    encoding="utf-8")
    with pytest.raises(ProfileError, match=r"机器人密钥直接写在配置里.*\$\{变量名\}"):
        load_profile(path)
    path.write_text(text, encoding="utf-8")
    assert load_profile(path).notices.channels[Audience.OFFICE] == [f"file://{tmp_path / 'notices'}"]


def test_a_channel_is_named_in_chinese_without_its_secrets() -> None:
    from activity_day.domain.notices import channel_label

    assert channel_label("json://hook:${HOOK_TOKEN}@127.0.0.1:8080/stations") == "Webhook（127.0.0.1:8080/stations）"
    assert channel_label("wecombot://${WECOM_KEY}") == "企业微信群机器人（${WECOM_KEY}）"
    assert channel_label("mailtos://office:${SMTP_PASSWORD}@smtp.example.gov.cn:465?mode=ssl") == \
        "邮件（smtp.example.gov.cn:465）"
    assert channel_label("file:///srv/notices") == "文件（/srv/notices）"


def test_the_profile_timeout_goes_into_the_channel_url() -> None:
    from activity_day.domain.notices import with_timeout

    assert with_timeout("json://127.0.0.1:8080/x", 5) == "json://127.0.0.1:8080/x?cto=5&rto=5"
    assert with_timeout("mailto://h:25?from=a@b.cn&rto=3", 2.5) == "mailto://h:25?from=a@b.cn&rto=3&cto=2.5"
    assert with_timeout("file:///srv/notices", 5) == "file:///srv/notices"


@pytest.mark.parametrize(("log", "waited", "text", "pauses"), [
    ("A Connection error occurred sending JSON notification to 127.0.0.1.\nSocket Exception: HTTPConnectionPool("
     "host='127.0.0.1', port=9): Read timed out. (read timeout=4.0)", False, "Webhook（127.0.0.1）：4秒内没有应答（超时），本轮不再向该渠道发送",
     True),
    ("A Connection error occurred sending JSON notification to 127.0.0.1.", True,
     "Webhook（127.0.0.1）：4秒内没有应答（超时），本轮不再向该渠道发送", True),
    ("Socket Exception: HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded (Caused by "
     "NewConnectionError('Failed to establish a new connection: [Errno 111] Connection refused'))", False,
     "Webhook（127.0.0.1）：无法连接（对方没有在监听，或网络不通），本轮不再向该渠道发送", True),
    ("Failed to send JSON POST notification: Internal Server Error, error=500.", False,
     "Webhook（127.0.0.1）：对方返回 HTTP 500（对方服务器内部错误）", False),
    ("Failed to send JSON POST notification: Unauthorized, error=401.", False,
     "Webhook（127.0.0.1）：对方返回 HTTP 401（认证失败，口令或密钥不对）", False),
    ("Connection error while submitting email to \"smtp\"\nSocket Exception: (451, b'4.3.0 try later')", False,
     "Webhook（127.0.0.1）：邮件服务器暂时拒收，稍后重试（SMTP 451）", False),
    ("Socket Exception: (535, b'5.7.8 Authentication failed')", False,
     "Webhook（127.0.0.1）：邮件服务器拒绝登录，用户名或口令不对（SMTP 535）", False),
    ("", False, "Webhook（127.0.0.1）：发送失败（渠道没有说明原因）", False),
])
def test_a_channel_error_is_told_in_chinese(log: str, waited: bool, text: str, pauses: bool) -> None:
    from activity_day.domain.notices import explain_failure

    failure = explain_failure("Webhook（127.0.0.1）", log, 4, waited=waited)
    assert (failure.text, failure.pauses) == (text, pauses)
    assert not any("a" <= c.lower() <= "z" for c in failure.text.replace("Webhook", "").replace("HTTP", "")
                   .replace("SMTP", ""))  # no English left
