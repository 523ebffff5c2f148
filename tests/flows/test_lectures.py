"""Micro lecture teams through the normal paths: the pool, the menu in the official plan, orders, dispatch in the
collect step, a decline that re-forms one team only, confirmations."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.demo import lecture_orders, speaker_pool, write_xlsx
from activity_day.domain.months import TZ
from activity_day.domain.planning import load_learning_catalog
from activity_day.services.imports import ImportClock, import_file

pytestmark = pytest.mark.flow
MONTH = "2027-03"
REASON = re.compile(r"(\d+)年(\d+)月(\d+)日组不成宣讲队：会讲该主题（(.+?)）的(\d+)名讲师中，(.*?)，"
                    r"(?:可派(\d+)人（至少需3人）|可派的(\d+)人都不会讲本菜单的故事)")
PROMISED_DAY = re.compile(r"改到(\d+)年(\d+)月(\d+)日（星期.）可组队（(.+)届时有空）")


def unserved_match_the_pool(rows: list[dict], pool: pd.DataFrame, topic_of: dict[str, str]) -> None:
    """Every unserved order's reason counts the pool as `lectures list` shows the month (declined, not available,
    回避, cap reached, lecturing elsewhere that day), and no speaker is promised twice on a day by the suggestions."""
    from activity_day.domain.lectures import available
    from activity_day.services.lectures import _speakers

    speakers = _speakers(pool)
    load = Counter(m["code"] for r in rows if r["team"] for m in r["team"])
    busy: dict[str, set[str]] = {}
    for r in rows:
        busy.setdefault(r["date"], set()).update(m["code"] for m in r["team"])
    promised: dict[date, set[str]] = {}
    for r in (r for r in rows if r["status"] == "unserved"):
        day = date.fromisoformat(r["date"])
        topic = [s for s in speakers if topic_of[r["menu_code"]] in s.topics]
        counts = Counter()
        for s in topic:
            counts["本场已谢绝" if s.code in r["declined"] else "当天不在可宣讲时间" if not available(s, day)
                   else "本乡镇讲师回避" if s.township == r["township"] else "本月场次已满" if load[s.code] >= s.cap
                   else "当天已有其他宣讲" if s.code in busy.get(r["date"], set()) else "可派"] += 1
        hit = REASON.fullmatch(r["reason"])
        assert hit and int(hit.group(5)) == len(topic), r["reason"]
        said = dict(re.findall(r"(\D+?)(\d+)人", hit.group(6).replace("、", "")))
        assert {k: int(v) for k, v in said.items()} == {k: v for k, v in counts.items() if v and k != "可派"}
        assert int(hit.group(7) or hit.group(8)) == counts["可派"]
        if found := PROMISED_DAY.fullmatch(r["suggestion"]):
            team = set(found.group(4).split("、"))
            on = promised.setdefault(date(*map(int, found.groups()[:3])), set())
            assert not team & on and not team & busy.get(str(date(*map(int, found.groups()[:3]))), set())
            on |= team


def cli(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(app, list(args))
    return done.exit_code, done.output


def test_pool_menu_orders_dispatch_and_a_decline(prefect_server, settings, registry, county, tmp_path: Path) -> None:
    from activity_day.flows.monthly import collect, draft, review
    from activity_day.store import crud
    from activity_day.store import lectures as lecture_store
    from activity_day.store.database import transaction

    rng = random.Random("lectures")
    topics = list(load_learning_catalog()["category_name"].drop_duplicates())
    with transaction() as session:
        programs = [p.name for p in crud.load_profile_of(session=session, county=county).county_programs]
    pool = speaker_pool(rng, topics + programs)

    # A pool with mistakes is refused whole, each mistake named; the corrected pool is taken.
    broken = pool.copy()
    broken.loc[0, "乡镇（街道）"] = "众兴镇"
    broken.loc[1, "宣讲主题"] = "理论武器"
    broken.loc[2, "可宣讲时间"] = "每逢初一"
    code, out = cli("import", "speakers", str(write_xlsx(broken, tmp_path / "坏.xlsx", "宣讲员库")))
    assert code == 1 and "拒收 1 份宣讲员库" in out
    assert "第3行 【乡镇（街道）】 “众兴镇”：所站名录中没有这个乡镇（街道），是否为“众兴街道”" in out
    assert "没有“理论武器”这个宣讲主题，是否为“理论武装”" in out and "“每逢初一”无法识别" in out
    code, out = cli("import", "speakers", str(write_xlsx(pool, tmp_path / "宣讲员库.xlsx", "宣讲员库")))
    assert code == 0 and "写入 40 行" in out

    draft(county=county, month=MONTH)
    review(county=county, month=MONTH)
    with transaction() as session:
        plan = crud.plan_content(crud.official_plan(session=session, county=county, month=MONTH))
    menu = plan.lecture_menu
    assert [m.code for m in menu] == [f"XJ-{n:02d}" for n in range(1, len(topics) + len(programs) + 1)]
    assert [m.topic for m in menu] == topics + programs and all(m.stories for m in menu[:5])
    official = (Path(settings.out) / MONTH / "plan-v2.md").read_text(encoding="utf-8")
    assert "本月宣讲菜单如下" in official and f"- XJ-01 {menu[0].title}（可讲故事：" in official

    orders = lecture_orders(rng, registry, [m.code for m in menu], pd.Timestamp(plan.activity_date).to_pydatetime())
    bad = pd.DataFrame([{"所站编号": "001", "菜单编号": "XJ01", "宣讲日期": None, "预计听众": 50},
                        {"所站编号": "002", "菜单编号": "XJ-01", "宣讲日期": "2027-04-02", "预计听众": 50}])
    code, out = cli("import", "orders", str(write_xlsx(pd.concat([orders, bad]), tmp_path / "点单.xlsx", "宣讲点单")),
                    "--month", MONTH)
    assert code == 1 and f"接收 {len(orders)} 个宣讲点单，拒收 2 个宣讲点单" in out
    assert "本月宣讲菜单中没有这个编号，是否为“XJ-01”" in out and "应在本月内（2027-03-01 至 2027-03-31）" in out

    # A station orders through the API as well: the same checks as a row of the file, named by field.
    from datetime import UTC

    from fastapi.testclient import TestClient

    from activity_day.api import clock, create_app
    from activity_day.services.submissions import issue_tokens

    ordering = next(c for c in registry["所站编号"] if c not in set(orders["所站编号"]))
    with transaction() as session:
        token = issue_tokens(session=session, county=county, stations=[ordering], now=datetime.now(UTC))[ordering]
    api = create_app()
    api.dependency_overrides[clock] = lambda: datetime(2027, 2, 20, tzinfo=UTC)  # before the plans' deadline
    client, auth = TestClient(api), {"Authorization": f"Bearer {token}"}
    placed = client.put(f"/api/v1/stations/{ordering}/lectures/{MONTH}/XJ-02", headers=auth,
                        json={"date": "2027-03-12", "audience": 60})
    assert placed.status_code == 200 and placed.json()["status"] == "ordered", placed.text
    wrong = client.put(f"/api/v1/stations/{ordering}/lectures/{MONTH}/XJ-02", headers=auth,
                       json={"date": "2027-04-12", "audience": 60})
    assert wrong.status_code == 422 and wrong.json()["problems"][0]["field"] == "date"
    unknown = client.put(f"/api/v1/stations/{ordering}/lectures/{MONTH}/XJ-99", headers=auth, json={"audience": 60})
    assert unknown.status_code == 404 and unknown.json()["problems"][0]["field"] == "menu_code"  # not on the menu
    elsewhere = next(c for c in registry["所站编号"] if c != ordering)
    refused = client.put(f"/api/v1/stations/{elsewhere}/lectures/{MONTH}/XJ-02", headers=auth, json={"audience": 60})
    assert refused.status_code == 403
    orders = pd.concat([orders, pd.DataFrame([{"所站编号": ordering, "菜单编号": "XJ-02", "宣讲日期": "2027-03-12",
                                               "预计听众": 60}])], ignore_index=True)

    # A station orders in its plan file too: a row's 菜单编号 orders that lecture, on the activity's day and for its
    # expected participants; a wrong code refuses that station's plan, named by row and column with the right code.
    planner, mistaken = [c for c in registry["所站编号"] if c not in set(orders["所站编号"])][:2]
    activity = {"所站编号": planner, "活动名称": "身边好人故事会", "任务类别": "培育践行主流价值", "动作类型": "自选动作",
                "开始时间": "2027-03-09 09:00", "活动地点": "村综合服务中心", "预计参与人数": 45, "菜单编号": "XJ-03"}
    plan_file = write_xlsx(pd.DataFrame([activity, activity | {"所站编号": mistaken, "菜单编号": "XJ03"}]),
                           tmp_path / "活动计划.xlsx", "活动计划")
    code, out = cli("import", "plans", str(plan_file), "--month", MONTH)
    assert code == 1 and "第4行 【菜单编号】 “XJ03”：本月宣讲菜单中没有这个编号，是否为“XJ-03”" in out, out
    assert cli("import", "plans", str(plan_file), "--month", MONTH)[0] == 1  # the same file again adds nothing
    orders = pd.concat([orders, pd.DataFrame([{"所站编号": planner, "菜单编号": "XJ-03", "宣讲日期": "2027-03-09",
                                               "预计听众": 45}])], ignore_index=True)
    [from_plan] = [r for r in json.loads(cli("lectures", "list", "--month", MONTH, "--json")[1])
                   if r["station"] == planner]
    assert (from_plan["menu_code"], from_plan["date"], from_plan["audience"]) == ("XJ-03", "2027-03-09", 45)
    assert not [r for r in json.loads(cli("lectures", "list", "--month", MONTH, "--json")[1]) if r["station"] == mistaken]

    collected = collect(county=county, month=MONTH)
    assert collected["lectures"]["orders"] == len(orders)
    code, out = cli("lectures", "list", "--month", MONTH, "--json")
    rows = json.loads(out)
    assert set(rows[0]) >= {"order", "station", "township", "menu_code", "date", "team", "status", "reason"}
    dispatched = [r for r in rows if r["status"] == "dispatched"]
    assert len(dispatched) > len(rows) * 0.6
    speakers = pool.set_index("讲师编号")
    topic_of = {m.code: m.topic for m in menu}
    for r in dispatched:
        assert 3 <= len(r["team"]) <= 4
        for member in r["team"]:
            assert member["township"] != r["township"]  # nobody lectures at home
            assert topic_of[r["menu_code"]] in speakers.loc[member["code"], "宣讲主题"].split("、")
    assert all(r["reason"] and r["suggestion"] for r in rows if r["status"] == "unserved")
    with transaction(read_only=True) as session:
        stored_pool = lecture_store.pool_frame(session=session, county=county)
    unserved_match_the_pool(rows, stored_pool, {m.code: m.topic for m in menu})
    mine = client.get(f"/api/v1/stations/{ordering}/lectures/{MONTH}", headers=auth).json()["orders"]
    assert [o["menu_code"] for o in mine] == ["XJ-02"] and mine[0]["status"] in ("dispatched", "unserved")
    sheets = pd.read_excel(Path(settings.out) / MONTH / "lectures.xlsx", sheet_name=None)
    assert list(sheets) == ["派单（按乡镇）", "派单（按讲师）"]
    assert len(sheets["派单（按讲师）"]) == sum(len(r["team"]) for r in dispatched)

    # A decline re-forms that one team; every other team stays as it was.
    target, other = dispatched[0], dispatched[1]
    leaving = target["team"][0]["code"]
    code, out = cli("lectures", "decline", "--month", MONTH, "--station", target["station"], "--menu",
                    target["menu_code"], "--speaker", leaving)
    assert code == 0 and "已谢绝" in out
    after = {r["order"]: r for r in json.loads(cli("lectures", "list", "--month", MONTH, "--json")[1])}
    changed = after[target["order"]]
    assert leaving not in [m["code"] for m in changed["team"]] and changed["declined"] == [leaving]
    assert all(after[r["order"]]["team"] == r["team"] for r in rows if r["order"] != target["order"])
    for member in other["team"]:
        assert cli("lectures", "confirm", "--month", MONTH, "--station", other["station"], "--menu",
                   other["menu_code"], "--speaker", member["code"])[0] == 0
    assert json.loads(cli("lectures", "list", "--month", MONTH, "--json")[1])[rows.index(other)]["status"] == "confirmed"
    code, out = cli("lectures", "decline", "--month", MONTH, "--station", other["station"], "--menu",
                    other["menu_code"], "--speaker", "JS999")
    assert code == 2 and "不在该宣讲队中" in out

    # After the lecture: ratings from the station and an observer; a lecture without a team cannot be rated.
    ratings = pd.DataFrame([
        {"所站编号": other["station"], "菜单编号": other["menu_code"], "评价人": "所站", "评分（1-5）": 5, "评价意见": "故事感人"},
        {"所站编号": other["station"], "菜单编号": other["menu_code"], "评价人": "韩梅", "评分（1-5）": 4, "评价意见": ""},
        {"所站编号": other["station"], "菜单编号": other["menu_code"], "评价人": "李", "评分（1-5）": 6, "评价意见": ""},
        {"所站编号": "001", "菜单编号": "XJ-99", "评价人": "所站", "评分（1-5）": 5, "评价意见": ""},
    ])
    # Rated the day after the lecture (a rating before its day is refused: tests/api/test_every_path_lectures.py).
    after = datetime.combine(date.fromisoformat(other["date"]) + timedelta(days=1), time(10), TZ)
    rated = import_file("ratings", write_xlsx(ratings, tmp_path / "评价.xlsx", "宣讲评价"), county=county, month=MONTH,
                        clock=ImportClock(now=after))
    code, out = rated.exit_code, "\n".join(rated.lines())
    assert code == 1 and "接收 2 条宣讲评价，拒收 2 条宣讲评价" in out
    assert "【评分（1-5）】 “6”" in out and "本月没有派出宣讲队的这场宣讲" in out
    final = {r["order"]: r for r in json.loads(cli("lectures", "list", "--month", MONTH, "--json")[1])}
    assert final[other["order"]]["status"] == "delivered"
    # A delivered lecture keeps its day and audience: a changed order for it is told, not taken.
    changed = pd.DataFrame([{"所站编号": other["station"], "菜单编号": other["menu_code"], "宣讲日期": None, "预计听众": 999}])
    code, out = cli("import", "orders", str(write_xlsx(changed, tmp_path / "改单.xlsx", "宣讲点单")), "--month", MONTH)
    assert code == 0 and f"{other['menu_code']}宣讲已开讲并评单，日期和听众不再修改" in out, out
    kept = {r["order"]: r for r in json.loads(cli("lectures", "list", "--month", MONTH, "--json")[1])}[other["order"]]
    assert kept["status"] == "delivered" and kept["audience"] == other["audience"] and kept["team"] == other["team"]

    # Answers by file: one confirms, one declines (that team alone re-forms), and a speaker not on the team is refused.
    third = next(r for r in json.loads(cli("lectures", "list", "--month", MONTH, "--json")[1])
                 if r["status"] == "dispatched" and r["order"] not in (target["order"], other["order"]))
    keep, drop = third["team"][0]["code"], third["team"][1]["code"]
    before_file = {r["order"]: r["team"] for r in json.loads(cli("lectures", "list", "--month", MONTH, "--json")[1])}
    answers = pd.DataFrame([
        {"所站编号": third["station"], "菜单编号": third["menu_code"], "讲师编号": keep, "答复": "接单"},
        {"所站编号": third["station"], "菜单编号": third["menu_code"], "讲师编号": drop, "答复": "谢绝"},
        {"所站编号": third["station"], "菜单编号": third["menu_code"], "讲师编号": "JS999", "答复": "接单"},
        {"所站编号": third["station"], "菜单编号": third["menu_code"], "讲师编号": keep, "答复": "也许"},
    ])
    code, out = cli("import", "answers", str(write_xlsx(answers, tmp_path / "接单.xlsx", "讲师接单")), "--month", MONTH)
    assert code == 1 and "接收 2 条讲师答复，拒收 2 条讲师答复" in out
    assert "【讲师编号】 “JS999”：不在该宣讲队中" in out and "【答复】 “也许”：应为“接单”或“谢绝”" in out
    now = {r["order"]: r for r in json.loads(cli("lectures", "list", "--month", MONTH, "--json")[1])}
    assert drop not in [m["code"] for m in now[third["order"]]["team"]] and now[third["order"]]["declined"] == [drop]
    assert all(now[k]["team"] == team for k, team in before_file.items() if k != third["order"])

    record = {r["code"]: r for r in json.loads(cli("lectures", "speakers", "--month", MONTH, "--json")[1])}
    assert record[drop]["declined"] == 1 and record[leaving]["declined"] == 1
    assert all(record[m["code"]]["delivered"] == 1 and record[m["code"]]["rating"] is not None for m in other["team"])
    assert sum(r["lectures"] for r in record.values()) == sum(len(r["team"]) for r in now.values()
                                                              if r["status"] != "unserved")

    # Speakers answer through the API with their own token: their lectures only, a decline re-forms that team alone.
    fourth = next(r for r in now.values() if r["status"] == "dispatched"
                  and r["order"] not in (target["order"], other["order"], third["order"]))
    member = fourth["team"][0]["code"]
    code, out = cli("lectures", "tokens", "--speaker", member.lower(), "--speaker", other["team"][0]["code"],
                    "--out", str(tmp_path / "讲师令牌.xlsx"))
    assert code == 0 and "已签发 2 个讲师接单令牌" in out
    issued = pd.read_excel(tmp_path / "讲师令牌.xlsx", dtype=str).set_index("讲师编号")["令牌"]
    assert cli("lectures", "tokens", "--speaker", "JS99X", "--out", str(tmp_path / "x.xlsx"))[0] == 2
    speaker_auth = {"Authorization": f"Bearer {issued[member]}"}
    listed = client.get(f"/api/v1/speakers/me/lectures/{MONTH}", headers=speaker_auth)
    assert listed.status_code == 200 and fourth["order"] in [o["order"] for o in listed.json()["lectures"]]
    assert all(member in [m["code"] for m in o["team"]] for o in listed.json()["lectures"])
    path = f"/api/v1/speakers/me/lectures/{MONTH}"
    not_mine = next(r for r in now.values() if r["status"] == "dispatched" and member not in [m["code"] for m in r["team"]])
    assert client.put(f"{path}/{not_mine['station']}/{not_mine['menu_code']}", headers=speaker_auth,
                      json={"accept": True}).status_code == 403
    assert client.put(f"{path}/999/XJ-01", headers=speaker_auth, json={"accept": True}).status_code == 403
    assert client.put(f"{path}/{fourth['station']}/{fourth['menu_code']}", headers=speaker_auth,
                      json={"accept": "yes"}).status_code == 422
    assert client.get(path, headers=auth).status_code == 401  # a station's token is not a speaker's
    assert client.get(f"/api/v1/scoring/{MONTH}/stations", headers=speaker_auth).status_code == 401  # nor a scorer's
    before_api = {r["order"]: r["team"] for r in json.loads(cli("lectures", "list", "--month", MONTH, "--json")[1])}
    declined = client.put(f"{path}/{fourth['station']}/{fourth['menu_code']}", headers=speaker_auth,
                          json={"accept": False})
    assert declined.status_code == 200 and member in declined.json()["declined"]
    assert member not in [m["code"] for m in declined.json()["team"]]
    after_api = {r["order"]: r["team"] for r in json.loads(cli("lectures", "list", "--month", MONTH, "--json")[1])}
    assert all(after_api[k] == team for k, team in before_api.items() if k != fourth["order"])
    again = client.put(f"{path}/{fourth['station']}/{fourth['menu_code']}", headers=speaker_auth, json={"accept": False})
    assert again.status_code == 200 and again.json()["team"] == declined.json()["team"]  # a retry changes nothing
    regret = client.put(f"{path}/{fourth['station']}/{fourth['menu_code']}", headers=speaker_auth, json={"accept": True})
    assert regret.status_code == 409 and "已谢绝" in regret.json()["message"]
    # A delivered lecture takes no more answers.
    rated_auth = {"Authorization": f"Bearer {issued[other['team'][0]['code']]}"}
    late = client.put(f"{path}/{other['station']}/{other['menu_code']}", headers=rated_auth, json={"accept": False})
    assert late.status_code == 409 and "已开讲并评单" in late.json()["message"]

    # The ratings feed the evaluation: the rated station's 点单宣讲落实 and 宣讲评单 have values, with their records.
    code, out = cli("evaluate", "--period", MONTH, "--json")
    assert code == 0, out
    result = json.loads(out.strip().splitlines()[-1])  # the JSON is the last line, after the progress lines
    rated = next(s for s in result["stations"] if s["code"] == other["station"])
    assert rated["evidence"]["lecture_rating"]["value"] == 90.0  # (5 + 4) / 2 on a 5-point scale
    assert rated["evidence"]["lectures_delivered"]["value"] == 100.0
    unordered = next(s for s in result["stations"] if s["code"] not in set(orders["所站编号"]))
    assert unordered["evidence"]["lectures_delivered"]["value"] is None
