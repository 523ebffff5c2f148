"""Pins: behaviour the rest of the suite let break unnoticed, each asserted on exact values (issue 10)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import select

from activity_day.domain import aggregate, draw
from activity_day.domain.profile import load_profile
from activity_day.domain.results import month_results
from activity_day.intake import PlanChecks, code_index, validate_plans
from tests.conftest import DEMO_PROFILE, profile_with_holiday_file

STATIONS = pd.DataFrame({
    "code": ["001", "002", "003", "004", "005"], "name": ["甲所", "乙站", "丙站", "丁站", "戊站"],
    "township": ["东镇", "东镇", "西镇", "北乡", "北乡"], "leader": ["a", "b", "c", "d", "e"],
    "phone": ["1", "2", "3", "4", "5"],
})


# 1. Required actions (规定动作) a station's plan leaves out ------------------------------------------------------

def test_uncovered_required_names_exactly_the_codes_each_station_left_out() -> None:
    plans = pd.DataFrame({"station_code": ["001", "002", "003", "005"]})  # 004 submitted nothing
    activities = pd.DataFrame({
        "station_code": ["001", "001", "001", "002", "002", "003", "005"],
        "checklist_code": ["LL-01", "XJ-02", "WH-03", "LL-01", "ZY-09", None, "WH-03"],
    })
    out = aggregate.uncovered_required(activities, plans, STATIONS, ["LL-01", "XJ-02", "WH-03"])
    assert out[["code", "township", "missing_codes"]].to_dict("records") == [  # townships in the registry's order
        {"code": "002", "township": "东镇", "missing_codes": "XJ-02、WH-03"},  # optional ZY-09 does not count
        {"code": "003", "township": "西镇", "missing_codes": "LL-01、XJ-02、WH-03"},
        {"code": "005", "township": "北乡", "missing_codes": "LL-01、XJ-02"},
    ]
    assert out.loc[0, ["name", "leader", "phone"]].tolist() == ["乙站", "b", "2"]


# 2. Late submissions --------------------------------------------------------------------------------------------

def test_late_submissions_lists_only_the_late_plans_with_their_channel() -> None:
    plans = pd.DataFrame({"station_code": ["001", "002", "003", "005"], "late": [False, True, True, True],
                          "channel": ["excel", "api", "inbox", "excel"]})
    out = aggregate.late_submissions(plans, STATIONS)
    assert out.to_dict("records") == [  # townships in the registry's order: 东镇, 西镇, 北乡
        {"code": "002", "name": "乙站", "township": "东镇", "channel": "api"},
        {"code": "003", "name": "丙站", "township": "西镇", "channel": "inbox"},
        {"code": "005", "name": "戊站", "township": "北乡", "channel": "excel"},
    ]


# 3. and 4. Patrol routes: travel time in arrivals, and the 2-opt improvement -------------------------------------

SEAT = (118.70, 33.72)
ONE_TEAM = [{"name": "一组", "members": [{"name": "甲", "home_township": "别处"}]}]


def test_arrival_is_previous_arrival_plus_visit_plus_travel() -> None:
    # due north of the seat: 0.1° of latitude is 11.12 km (22 min at 30 km/h), 0.2° is 22.24 km (44 min)
    geo = {"A": (118.70, 33.82), "B": (118.70, 34.02)}
    selected = [{"rank": 1, "code": "B", "township": "T", "key": "b"},
                {"rank": 2, "code": "A", "township": "T", "key": "a"}]
    rows = draw.assign(selected, onsite=["T"], params=draw.DrawParams(
        teams=ONE_TEAM, onsite_share=1, onsite_fixed=["T"], slot_minutes=15, online_start="09:00",
        activity_date="2026-12-05", geo=geo, seat=SEAT, onsite_start="08:30", visit_minutes=40, travel_kmh=30))
    assert {r["code"]: (r["order"], r["slot"]) for r in rows} == {
        "A": (1, "第1站 08:52"),  # 08:30 + 22 min on the road
        "B": (2, "第2站 10:16"),  # 08:52 + 40 min visit + 44 min on the road
    }


def _length(order: list[str], points: dict[str, tuple[float, float]]) -> float:
    stops = [SEAT, *(points[c] for c in order)]
    return sum(draw.haversine_km(a, b) for a, b in zip(stops, stops[1:], strict=False))


def test_two_opt_shortens_the_nearest_neighbour_route() -> None:
    points = {"A": (118.65, 33.75), "B": (118.75, 33.67), "C": (118.70, 33.77), "D": (118.75, 33.76)}
    greedy = ["C", "D", "A", "B"]  # nearest neighbour from the seat: C (5.6 km), then D, A, B
    assert round(_length(greedy, points), 2) == 32.46
    improved = draw.route(points, SEAT)
    assert improved == ["A", "C", "D", "B"]  # reversing C-D-A to A-D-C, then D-C to C-D
    assert round(_length(improved, points), 2) == 25.59


# 5. The commendation cap (scoring.commend_top) in the month's figures ------------------------------------------

def test_month_results_commend_at_most_commend_top_stations() -> None:
    profile = load_profile(DEMO_PROFILE)
    profile = profile.model_copy(update={"scoring": profile.scoring.model_copy(
        update={"commend_threshold": 80, "commend_top": 2})})
    scores = pd.DataFrame({
        "station_code": ["001", "002", "003", "004", "005"], "mode": "onsite", "scorer": "一组",
        "score": [95.0, 85.0, 90.0, 81.0, 60.0], "problems": "", "suggestions": "", "category": "",
    })
    data = {
        "stations": STATIONS, "plans": pd.DataFrame({"station_code": ["001"], "late": False, "channel": "excel"}),
        "activities": pd.DataFrame({"station_code": ["001"], "seq": [1]}), "scores": scores,
        "previous_scores": scores.iloc[0:0], "history": scores.assign(month="2026-12"),
        "assignments": pd.DataFrame({"station_code": ["001"], "mode": ["onsite"], "township": ["东镇"],
                                     "rank": [1], "team": "一组", "slot": ""}),
    }
    figures = month_results(data, profile, "2026-12")
    assert figures["commended"]["station_code"].tolist() == ["001", "003"]  # four reach 80: the best two
    assert figures["rectify"]["station_code"].tolist() == ["005"]
    assert (figures["summary"]["commended"], figures["summary"]["rectify"]) == (2, 1)


# 8. The volunteer team (志愿服务队伍) length limit ---------------------------------------------------------------

def _plan_row(team: str) -> pd.DataFrame:
    return pd.DataFrame([{"所站编号": "001", "活动名称": "理论宣讲", "任务类别": "学习实践科学理论", "动作类型": "规定动作",
                          "开始时间": "2026/12/5 9:00", "活动地点": "广场", "预计参与人数": 10, "清单编号": None,
                          "志愿服务队伍": team, "_row": 2}])


@pytest.mark.parametrize(("max_text", "limit"), [(200, 100), (50, 50)])
def test_volunteer_team_may_hold_100_characters_or_max_text_if_smaller(max_text: int, limit: int) -> None:
    def check(team: str):
        return validate_plans(_plan_row(team), "p.xlsx",
                              PlanChecks("2026-12", code_index(["001"]), checklist_codes=set(), max_text=max_text))

    fits = check("志" * limit)
    assert list(fits.units) == ["001"] and fits.units["001"][0]["volunteer_team"] == "志" * limit
    too_long = check("志" * (limit + 1))
    assert list(too_long.refused) == ["001"]
    [problem] = too_long.refused["001"]
    assert (problem.column, problem.row) == ("志愿服务队伍", 2) and f"超过{limit}个字" in problem.line()


# A county whose statutory holidays come from its profile, not from the installed chinese-calendar ---------------

def import_registry(folder: Path, county: str) -> pd.DataFrame:
    import random

    from activity_day.demo import station_registry, write_xlsx
    from activity_day.services.imports import import_file

    frame = station_registry(random.Random("tests"))
    report = import_file("stations", write_xlsx(frame, folder / "所站名录.xlsx", "所站名录"), county=county)
    assert report.exit_code == 0, report.lines()
    return frame


# 7. An inbox file's drop time (mtime) is its received time -------------------------------------------------------

def test_inbox_file_counts_as_received_when_dropped_not_when_processed(settings, tmp_path: Path) -> None:
    from activity_day.models import StationPlan
    from activity_day.services.counties import init_county
    from activity_day.services.inbox import process_inbox
    from activity_day.store.database import transaction
    from tests.intake_helpers import official_plan

    county = init_county(profile_with_holiday_file(tmp_path)).county.code
    import_registry(tmp_path, county)
    content = official_plan(county, "2026-12")
    assert content["dates"]["station_plans"] == "2026-12-02"  # deadline 2026-12-02 23:59 Asia/Shanghai
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    header = "所站编号,活动名称,任务类别,动作类型,开始时间,活动地点,预计参与人数,清单编号\n"
    for code, dropped in (("006", datetime(2026, 12, 2, 15, 58, tzinfo=UTC)),   # 23:58 in Shanghai
                          ("007", datetime(2026, 12, 2, 16, 0, tzinfo=UTC))):   # 00:00 the next day
        path = inbox / f"{code}.csv"
        path.write_text(header + f"{code},理论宣讲,学习实践科学理论,规定动作,2026/12/5 9:00,会议室,40,\n",
                        encoding="utf-8")
        os.utime(path, (dropped.timestamp(), dropped.timestamp()))
    reports = process_inbox(inbox, county=county, month="2026-12")
    assert [r.accepted for r in reports] == [["006"], ["007"]]
    with transaction() as session:
        stored = {p.station_code: (p.late, p.received_at.replace(tzinfo=None))
                  for p in session.exec(select(StationPlan)).all()}
    assert stored == {"006": (False, datetime(2026, 12, 2, 15, 58)), "007": (True, datetime(2026, 12, 2, 16, 0))}


# B. and 6. A drawn month through the real flows: the draw's workbooks, then feedback answered and closed ---------

MONTH = "2026-12"
COLUMNS = ["检查组", "检查方式", "顺序", "时间", "所站编号", "所站名称", "乡镇（街道）", "活动地点", "负责人", "联系电话",
           "抽取序号"]
PLANNED = [f"{i:03d}" for i in range(1, 41)]  # stations that submit a plan, each at its own venue


@pytest.fixture(scope="module")
def drawn(prefect_server, tmp_path_factory) -> dict:
    """The demo county (holidays from its profile) drawn for the month, with plans from 001 to 040."""
    from activity_day.context import install
    from activity_day.demo import write_xlsx
    from activity_day.flows.monthly import draft, review, sample
    from activity_day.services.counties import init_county
    from activity_day.services.imports import import_file
    from activity_day.settings import Settings

    root = tmp_path_factory.mktemp("drawn")
    previous = install(Settings(database_url=f"sqlite:///{root / 'var' / 'test.db'}", out=root / "out"))
    try:
        profile = init_county(profile_with_holiday_file(root))
        county = profile.county.code
        registry = import_registry(root, county)
        draft(county=county, month=MONTH)
        review(county=county, month=MONTH)
        plans = pd.DataFrame([{"所站编号": code, "活动名称": "理论宣讲", "任务类别": "学习实践科学理论", "动作类型": "规定动作",
                               "开始时间": "2026/12/5 9:00", "活动地点": f"{code}号广场", "预计参与人数": 40}
                              for code in PLANNED])
        assert import_file("plans", write_xlsx(plans, root / "plans.xlsx", "计划"), county=county,
                           month=MONTH).exit_code == 0
        sample(county=county, month=MONTH)
        from activity_day.store import crud
        from activity_day.store.database import transaction

        with transaction() as session:
            record = crud.require_draw(session=session, county=county, month=MONTH).record
            assert crud.official_plan(session=session, county=county, month=MONTH).content["holiday_source"] == "profile"
        yield {"county": county, "profile": profile, "record": record, "registry": registry, "root": root,
               "out": root / "out" / MONTH}
    finally:
        install(previous)


def sheets(path: Path) -> dict[str, list[list]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def as_rows(table: list[list]) -> list[dict]:
    header, *rows = table
    assert header == COLUMNS
    return [dict(zip(header, row, strict=True)) for row in rows]


def minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:5])


def test_draw_xlsx_has_one_row_per_drawn_station_with_its_team_and_time(drawn: dict) -> None:
    record, profile = drawn["record"], drawn["profile"]
    book = sheets(drawn["out"] / "draw.xlsx")
    assert list(book) == ["抽查名单"]
    rows = as_rows(book["抽查名单"])
    selected = {s["code"]: s for s in record["selected"]}
    assert len(rows) == len(selected) == 83
    assert [r["所站编号"] for r in rows] == [s["code"] for s in record["selected"]]  # by draw rank, once each
    assert [int(r["抽取序号"]) for r in rows] == list(range(1, 84))
    for r in rows:
        s = selected[r["所站编号"]]
        assert (r["检查组"], r["检查方式"], r["乡镇（街道）"]) == (
            s["team"], {"onsite": "线下巡查", "online": "线上飞检"}[s["mode"]], s["township"])
    names = drawn["registry"].set_index("所站编号")
    assert all(r["所站名称"] == names.loc[r["所站编号"], "所站名称"] for r in rows)
    venues = {r["所站编号"]: r["活动地点"] for r in rows}
    assert {c: v for c, v in venues.items() if c in PLANNED} == {c: f"{c}号广场" for c in venues if c in PLANNED}
    assert {v for c, v in venues.items() if c not in PLANNED} == {"（未报送计划）"}
    teams = [t.name for t in profile.teams]
    inspectors = [f"线上·{m.name}" for m in profile.sampling.online_inspectors]
    assert inspectors == ["线上·吴敏", "线上·郑凯"]
    assert {r["检查组"] for r in rows if r["检查方式"] == "线下巡查"} <= set(teams)
    assert {r["检查组"] for r in rows if r["检查方式"] == "线上飞检"} == set(inspectors)


def test_times_run_in_order_and_nobody_visits_a_home_township(drawn: dict) -> None:
    profile = drawn["profile"]
    rows = as_rows(sheets(drawn["out"] / "draw.xlsx")["抽查名单"])
    homes = {t.name: {m.home_township for m in t.members} for t in profile.teams}
    homes |= {f"线上·{m.name}": {m.home_township} for m in profile.sampling.online_inspectors}
    assert all(r["乡镇（街道）"] not in homes[r["检查组"]] for r in rows)
    visit, slot = profile.sampling.visit_minutes, profile.sampling.online_slot_minutes
    for team in homes:
        mine = sorted((r for r in rows if r["检查组"] == team), key=lambda r: int(r["顺序"]))
        assert [int(r["顺序"]) for r in mine] == list(range(1, len(mine) + 1))
        onsite = [r for r in mine if r["检查方式"] == "线下巡查"]
        online = [r for r in mine if r["检查方式"] == "线上飞检"]
        assert not (onsite and online)  # teams patrol, the inspectors run the video checks
        arrivals = [minutes(r["时间"].split(" ")[1]) for r in onsite]
        assert [r["时间"].split(" ")[0] for r in onsite] == [f"第{n}站" for n in range(1, len(onsite) + 1)]
        assert all(b - a >= visit for a, b in zip(arrivals, arrivals[1:], strict=False)), team
        assert arrivals == [] or arrivals[0] > minutes(profile.sampling.onsite_start)  # the seat is away
        starts = [minutes(r["时间"][:5]) for r in online]
        assert starts == [minutes(profile.sampling.online_start) + slot * k for k in range(len(online))], team
        assert all(minutes(r["时间"][6:]) - minutes(r["时间"][:5]) == slot for r in online)
    assert sum(r["检查方式"] == "线下巡查" for r in rows) and sum(r["检查方式"] == "线上飞检" for r in rows)


def test_online_schedule_holds_every_video_check_and_nothing_else(drawn: dict) -> None:
    book = sheets(drawn["out"] / "online-schedule.xlsx")
    assert list(book) == ["线上飞检时间表"]
    rows = as_rows(book["线上飞检时间表"])
    online = {s["code"]: s for s in drawn["record"]["selected"] if s["mode"] == "online"}
    assert sorted(r["所站编号"] for r in rows) == sorted(online) and len(rows) == len(online)
    assert all(r["检查方式"] == "线上飞检" and r["时间"] == online[r["所站编号"]]["slot"] for r in rows)


def test_each_team_and_inspector_gets_a_workbook_of_its_own_stations(drawn: dict) -> None:
    profile, record = drawn["profile"], drawn["record"]
    labels = [t.name for t in profile.teams] + ["线上·吴敏", "线上·郑凯"]
    folder = drawn["out"] / "teams"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}-{t}.xlsx" for n, t in enumerate(labels, 1))
    seen: list[str] = []
    for n, label in enumerate(labels, start=1):
        book = sheets(folder / f"{n}-{label}.xlsx")
        assert list(book) == ["线下巡查路线", "线上飞检"]
        route, video = as_rows(book["线下巡查路线"]), as_rows(book["线上飞检"])
        assert all(r["检查组"] == label for r in route + video)
        assert {r["检查方式"] for r in route} <= {"线下巡查"} and {r["检查方式"] for r in video} <= {"线上飞检"}
        assert [int(r["顺序"]) for r in route] == list(range(1, len(route) + 1))  # in visiting order
        mine = sorted(s["code"] for s in record["selected"] if s["team"] == label)
        assert sorted(r["所站编号"] for r in route + video) == mine and mine
        seen += mine
    assert sorted(seen) == sorted(s["code"] for s in record["selected"])


def test_answered_feedback_stays_open_and_only_closed_items_count_as_closed(drawn: dict) -> None:
    from activity_day.demo import write_xlsx
    from activity_day.flows.monthly import compile_
    from activity_day.services.imports import import_file
    from activity_day.store import crud
    from activity_day.store.database import transaction

    county, out = drawn["county"], drawn["out"]
    first, second, third = drawn["record"]["selected"][:3]

    def row(s: dict, suggestion: str) -> dict:
        return {"所站编号": s["code"], "检查方式": "线下" if s["mode"] == "onsite" else "线上", "评分人": s["team"],
                "得分": 88, "存在问题": "", "意见建议": suggestion}

    scores = pd.DataFrame([row(first, "建议完善活动台账"), row(second, "建议增加宣传横幅"),
                           row(third, "建议错开农忙时间")])
    assert import_file("scores", write_xlsx(scores, drawn["root"] / "scores.xlsx", "评分"), county=county,
                       month=MONTH).exit_code == 0
    before = compile_(county=county, month=MONTH)
    assert [before[k] for k in ("feedback_new", "feedback_closed", "feedback_total", "feedback_open")] == [3, 0, 3, 3]
    with transaction() as session:
        items = crud.feedback_frame(session=session, county=county, up_to=MONTH).set_index("content")["id"]
        crud.set_feedback_status(session=session, county=county, item_id=int(items["建议完善活动台账"]),
                                 status="answered", answer="正在整理台账", closed_month=MONTH)
        crud.set_feedback_status(session=session, county=county, item_id=int(items["建议增加宣传横幅"]),
                                 status="closed", answer="已悬挂横幅", closed_month=MONTH)
    after = compile_(county=county, month=MONTH)
    assert [after[k] for k in ("feedback_new", "feedback_closed", "feedback_total", "feedback_open")] == [3, 1, 3, 2]
    with transaction() as session:
        frame = crud.feedback_frame(session=session, county=county, up_to=MONTH).set_index("content")
    assert frame.loc["建议完善活动台账", ["status", "answer"]].tolist() == ["answered", "正在整理台账"]
    assert frame["closed_month"].dropna().to_dict() == {"建议增加宣传横幅": MONTH}  # answering closes nothing
    text = (out / "circular.md").read_text(encoding="utf-8")
    assert "本月新收集意见建议 3 条，办结 1 条，累计 3 条，尚未办结 2 条" in text
