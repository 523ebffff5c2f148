"""Codes are codes: a station, speaker, menu item, checklist item, indicator or finding typed in full width (or lower
case, or with a space) is the same code on every import and on the API, and a registry that lists one code in two
spellings is refused with the file, the row and the column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import select

from activity_day.api.mobile.pages import csrf_token
from activity_day.demo import write_xlsx
from activity_day.domain.codes import finding_number, normalize_code
from activity_day.models import (
    AssessedScore,
    DemoApplication,
    DrawAssignment,
    InspectionScore,
    LectureOrder,
    Speaker,
    Station,
    StationPlan,
)
from activity_day.models.enums import InspectionMode, ScorerRole
from activity_day.services import findings
from activity_day.services.imports import ImportClock, import_file
from activity_day.services.lectures import list_orders
from activity_day.services.scoring import issue_scorer_tokens
from activity_day.services.scoring_inputs import TokenRequest
from activity_day.store import crud
from activity_day.store import lectures as lecture_store
from activity_day.store.database import transaction
from tests.api.test_every_path import EARLY, LATER, MONTH, PLAN_FILE_COLUMNS, World, bearer, plan_rows, world
from tests.api.test_every_path import raise_findings as _raise_findings
from tests.intake_helpers import change_profile

__all__ = ["world"]  # the fixture, imported for the tests below


def wide(text: str) -> str:
    """`text` as a full-width keyboard types it (ＪＳ００４ for JS004)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


@pytest.mark.parametrize(("typed", "code"), [
    ("ＪＳ００４", "JS004"), ("js004", "JS004"), (" JS 004\u3000", "JS004"), ("ＸＪ－０３", "XJ-03"),
    ("XJ—03", "XJ-03"), ("XJ\u200b-03", "XJ-03"), ("\ufeff００１", "001"), (12.0, "12"), ("", ""), (None, ""),
])
def test_one_spelling_for_a_code(typed, code) -> None:
    assert normalize_code(typed) == code


@pytest.mark.parametrize(("typed", "number"), [
    ("12", 12), ("１２", 12), (" １２\u3000", 12), ("0012", 12), (12.0, 12), ("2147483647", 2**31 - 1),
    ("0", None), ("2147483648", None), ("9" * 11, None), ("-1", None), ("1e3", None), ("١٢", None), ("", None),
])
def test_a_finding_number_is_read_as_a_code(typed, number) -> None:
    assert finding_number(typed) == number


def test_the_openapi_path_of_a_finding_admits_both_spellings() -> None:
    import re

    from activity_day.api import create_app

    put = create_app().openapi()["paths"]["/api/v1/stations/{code}/findings/{finding_id}/report"]["put"]
    [param] = [p for p in put["parameters"] if p["name"] == "finding_id"]
    assert param["schema"]["type"] == "string" and "全角" in param["description"]
    assert all(re.fullmatch(param["schema"]["pattern"], n) for n in ("12", "１２", "2147483647"))
    assert not any(re.fullmatch(param["schema"]["pattern"], n) for n in ("-1", "1e3", "9" * 11, "12a"))


def test_a_pool_with_a_full_width_duplicate_is_refused_with_file_row_and_column(tmp_path: Path, registry,
                                                                                county: str) -> None:
    base = {"姓名": "赵晓东", "乡镇（街道）": "众兴街道", "宣讲主题": "政策解读"}
    pool = pd.DataFrame([base | {"讲师编号": "JS004"}, base | {"讲师编号": "JS005", "姓名": "钱一"},
                         base | {"讲师编号": "ＪＳ００４"}, base | {"讲师编号": "js005 "}])
    report = import_file("speakers", write_xlsx(pool, tmp_path / "宣讲员库.xlsx", "宣讲员库"), county=county)
    assert report.exit_code == 1
    # the title row is row 1 and the header row 2: the data starts on row 3
    assert "宣讲员库.xlsx 第5行 【讲师编号】 “ＪＳ００４”：与第3行的讲师编号重复" in report.lines()
    assert "宣讲员库.xlsx 第6行 【讲师编号】 “js005”：与第4行的讲师编号重复" in report.lines()
    with transaction() as session:
        assert session.exec(select(Speaker)).all() == []
    pool = pool.iloc[[0, 1]].assign(**{"讲师编号": ["ＪＳ００４", "js005"]})
    assert import_file("speakers", write_xlsx(pool, tmp_path / "库.xlsx", "宣讲员库"), county=county).exit_code == 0
    with transaction() as session:
        assert sorted(s.code for s in session.exec(select(Speaker))) == ["JS004", "JS005"]


def test_a_registry_in_full_width_is_the_same_registry(tmp_path: Path, registry: pd.DataFrame, county: str) -> None:
    again = registry.assign(**{"所站编号": registry["所站编号"].map(wide)})
    assert import_file("stations", write_xlsx(again, tmp_path / "全角.xlsx", "名录"), county=county).exit_code == 0
    with transaction() as session:
        assert sorted(s.code for s in session.exec(select(Station)) if s.active) == sorted(registry["所站编号"])
    twice = pd.concat([registry, registry.iloc[[0]].assign(**{"所站编号": wide(registry["所站编号"].iloc[0])})])
    report = import_file("stations", write_xlsx(twice, tmp_path / "重复.xlsx", "名录"), county=county)
    assert report.exit_code == 1
    assert f"重复.xlsx 第{len(registry) + 3}行 【所站编号】 “００１”：与第3行的所站编号重复" in report.lines()


def test_every_import_and_the_api_read_a_full_width_code_as_the_code(world: World) -> None:
    county, station, other, ws = world.county, world.station, world.other, world.workdir
    # 点单 (orders): a file in full width, and the API with a full-width path
    orders = pd.DataFrame([{"所站编号": wide(other), "菜单编号": wide("xj-02"), "预计听众": 30}])
    assert import_file("orders", write_xlsx(orders, ws / "点单.xlsx", "宣讲点单"), county=county, month=MONTH,
                       clock=ImportClock(received_at=EARLY)).exit_code == 0
    world.at(EARLY)
    sent = world.client.put(f"/api/v1/stations/{wide(other)}/lectures/{MONTH}/{wide('XJ-03')}",
                            headers=bearer(world.tokens[other]), json={"audience": 40})
    assert sent.status_code == 200, sent.text
    again = world.client.put(f"/api/v1/stations/{other}/lectures/{MONTH}/XJ-03", headers=bearer(world.tokens[other]),
                             json={"audience": 40})
    assert again.status_code == 200
    with transaction() as session:
        assert sorted((o.station_code, o.menu_code) for o in session.exec(select(LectureOrder))
                      if o.station_code == other) == [(other, "XJ-02"), (other, "XJ-03")]
    # 活动计划 (plans): the station, the checklist item and the menu item in full width
    good = plan_rows(world, menu_code=wide("xj-04"))
    frame = pd.DataFrame([{"所站编号": wide(station)} | {PLAN_FILE_COLUMNS[k]: v for k, v in r.items()} for r in good])
    report = import_file("plans", write_xlsx(frame, ws / "计划.xlsx", "活动计划"), county=county, month=MONTH,
                         clock=ImportClock(received_at=EARLY))
    assert report.exit_code == 0, report.lines()
    assert "XJ-04" in [o["menu_code"] for o in list_orders(county, MONTH) if o["station"] == station]
    sent = world.client.put(f"/api/v1/stations/{wide(other)}/plans/{MONTH}", headers=bearer(world.tokens[other]),
                            json={"submission_id": "codes-wide-0001", "activities": plan_rows(world, menu_code="ＸＪ－０５")})
    assert sent.status_code == 200, sent.text
    assert "XJ-05" in [o["menu_code"] for o in list_orders(county, MONTH) if o["station"] == other]
    with transaction() as session:
        assert {p.station_code for p in session.exec(select(StationPlan))} == {station, other}
    # 讲师接单 (answers): the speaker, the station and the menu item in full width, from a file and the API
    [order] = [o for o in list_orders(county, MONTH) if o["station"] == station and o["menu_code"] == "XJ-01"]
    first, second = world.speaker, next(m["code"] for m in order["team"] if m["code"] != world.speaker)
    answers = pd.DataFrame([{"所站编号": wide(station), "菜单编号": wide("xj-01"), "讲师编号": wide(second.lower()),
                             "答复": "接单"}])
    report = import_file("answers", write_xlsx(answers, ws / "接单.xlsx", "讲师接单"), county=county, month=MONTH,
                         clock=ImportClock(now=EARLY))
    assert report.exit_code == 0, report.lines()
    sent = world.client.put(f"/api/v1/speakers/me/lectures/{MONTH}/{wide(station)}/{wide('xj-01')}",
                            headers=bearer(world.tokens["speaker"]), json={"accept": True})
    assert sent.status_code == 200, sent.text
    [order] = [o for o in list_orders(county, MONTH) if o["station"] == station and o["menu_code"] == "XJ-01"]
    assert sorted(order["confirmed"]) == sorted([first, second])
    # 评单 (ratings): a file and the station's and the observer's API, all in full width
    world.at(LATER)
    ratings = pd.DataFrame([{"所站编号": wide(station), "菜单编号": wide("XJ-01"), "评价人": "张三", "评分（1-5）": 5}])
    assert import_file("ratings", write_xlsx(ratings, ws / "评价.xlsx", "宣讲评价"), county=county, month=MONTH,
                       clock=ImportClock(now=LATER)).exit_code == 0
    rated = world.client.put(f"/api/v1/stations/{wide(station)}/lectures/{MONTH}/{wide('XJ-01')}/rating",
                             headers=bearer(world.tokens[station]), json={"score": 4})
    assert rated.status_code == 200, rated.text
    observed = world.client.put(f"/api/v1/scoring/{MONTH}/lectures/{wide(station)}/{wide('xj-01')}/rating",
                                headers=bearer(world.tokens["observer"]), json={"score": 3})
    assert observed.status_code == 200, observed.text
    with transaction() as session:
        stored = lecture_store.ratings_in(session=session, county=county, months=[MONTH])
    assert sorted(zip(stored["station_code"], stored["menu_code"], stored["rater"], strict=True)) == \
        [(station, "XJ-01", "张三"), (station, "XJ-01", "所站"), (station, "XJ-01", world.observer)]
    # 检查评分 (scores) and 实地评估 (assessed indicators, whose codes the profile keeps in lower case)
    scores = pd.DataFrame([{"所站编号": wide(station), "检查方式": "观察员", "评分人": "韩梅", "得分": 88}])
    assert import_file("scores", write_xlsx(scores, ws / "评分.xlsx", "检查评分"), county=county, month=MONTH,
                       clock=ImportClock(now=LATER)).exit_code == 0
    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
    assessor = next(m.name for t in profile.teams for m in t.members if m.home_township != world.township)
    assessed = pd.DataFrame([{"所站编号": wide(station), "指标代码": wide("SITE"), "评估月份": MONTH, "得分": 80,
                              "评估人": assessor}])
    report = import_file("evaluation", write_xlsx(assessed, ws / "实地评估.xlsx", "实地评估"), county=county)
    assert report.exit_code == 0, report.lines()
    # 示范所站申报 (applications) and 整改报告 (reports: the finding's number in full width)
    applications = pd.DataFrame([{"所站编号": wide(station), "特色品牌": "板凳课堂"}])
    assert import_file("applications", write_xlsx(applications, ws / "申报.xlsx", "申报"), county=county,
                       round_="2027").exit_code == 0
    [number] = _raise_findings(world, 1)
    reports = pd.DataFrame([{"整改编号": wide(str(number)), "所站编号": wide(station), "整改情况": "已补齐台账"}])
    report = import_file("reports", write_xlsx(reports, ws / "整改.xlsx", "整改报告"), county=county, clock=ImportClock(now=LATER))
    assert report.exit_code == 0, report.lines()
    with transaction() as session:
        assert [(s.station_code, s.scorer) for s in session.exec(select(InspectionScore))] == [(station, "韩梅")]
        assert [(a.station_code, a.indicator) for a in session.exec(select(AssessedScore))] == [(station, "site")]
        assert [a.station_code for a in session.exec(select(DemoApplication))] == [station]
    answered = findings.list_findings(county)
    assert answered.set_index("id").loc[number, "status"] == "answered"
    # the finding's number in full width on the API's path and in the page's address: the same finding
    by_api, by_page = _raise_findings(world, 2)
    sent = world.client.put(f"/api/v1/stations/{wide(station)}/findings/{wide(str(by_api))}/report",
                            headers=bearer(world.tokens[station]), json={"report": "已整改（接口）", "photos": []})
    assert sent.status_code == 200, sent.text
    assert sent.json()["id"] == by_api and sent.json()["status"] == "answered"
    posted = world.client.post(f"/m/station/findings/{wide(str(by_page))}", follow_redirects=False, data={
        "csrf": csrf_token(world.tokens[station]), "month": MONTH, "report": "已整改（页面）", "photos": ""})
    assert posted.status_code == 303, posted.text
    assert posted.headers["location"] == f"/m/station?month={MONTH}#finding-{by_page}"
    again = world.client.put(f"/api/v1/stations/{station}/findings/{by_page}/report",  # half width: that finding
                             headers=bearer(world.tokens[station]), json={"report": "已整改（再次）", "photos": []})
    assert again.status_code == 200 and again.json()["id"] == by_page
    stored = findings.list_findings(county).set_index("id")
    assert stored.loc[by_api, "report"] == "已整改（接口）" and stored.loc[by_page, "report"] == "已整改（再次）"
    for bad in ("０", "１" * 11, "1２a", "2147483648"):  # not a finding number in either spelling: 422, as before
        refused = world.client.put(f"/api/v1/stations/{station}/findings/{bad}/report",
                                   headers=bearer(world.tokens[station]), json={"report": "x", "photos": []})
        assert refused.status_code == 422, bad


def test_a_team_name_in_either_spelling_is_the_team(world: World) -> None:
    """A team's name with a full-width digit (第１检查组) is the profile's 第1检查组: on its token, in a scores
    file and in the API's body."""
    county, other = world.county, world.other
    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
    teams = [t.model_dump() for t in profile.teams]
    teams[0]["name"] = "第1检查组"
    change_profile(county, {"teams": teams})
    with transaction() as session:
        township = crud.stations_frame(session=session, county=county).set_index("code").loc[other, "township"]
        session.add(DrawAssignment(county=county, month=MONTH, station_code=other, township=township, rank=1,
                                   mode=InspectionMode.ONSITE, team="第1检查组", slot="第1站 09:00"))
        [token] = issue_scorer_tokens(session=session, county=county, now=EARLY,
                                      request=TokenRequest(ScorerRole.TEAM, [wide("第1检查组")])).items()
    assert token[0] == "第1检查组"  # the token is the profile's team
    world.at(LATER)
    scores = pd.DataFrame([{"所站编号": wide(other), "检查方式": "线下", "评分人": wide("第1检查组"), "得分": 80}])
    report = import_file("scores", write_xlsx(scores, world.workdir / "组评分.xlsx", "检查评分"), county=county,
                         month=MONTH, clock=ImportClock(now=LATER))
    assert report.exit_code == 0, report.lines()
    sent = world.client.put(f"/api/v1/scoring/{MONTH}/stations/{wide(other)}", headers=bearer(token[1]),
                            json={"score": 85, "scorer": "第１检查组"})
    assert sent.status_code == 200, sent.text
    with transaction() as session:
        stored = [(s.station_code, s.mode, s.scorer, s.score) for s in session.exec(select(InspectionScore))]
    assert stored == [(other, InspectionMode.ONSITE, "第1检查组", 85.0)]  # one team, one score, corrected by the API
