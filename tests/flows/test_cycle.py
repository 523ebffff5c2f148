"""The whole month as real Prefect flow runs, on the demo county, against a temporary Prefect server."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlmodel import select

from activity_day.cli.demo import run_demo
from activity_day.demo import comment_catalog
from activity_day.models import Draw, DrawAssignment, Station, StationPlan
from activity_day.services.drawcheck import verify_stored
from activity_day.services.status import month_status
from activity_day.settings import Settings
from activity_day.store.database import transaction

pytestmark = pytest.mark.flow
MONTH = "2026-12"


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_demo_month_end_to_end_and_rerun_is_identical(prefect_server, settings: Settings, tmp_path: Path) -> None:
    from activity_day.flows.monthly import monthly_cycle

    docs = run_demo(MONTH, tmp_path / "ws", echo=lambda _line: None)
    out = Path(settings.out) / MONTH
    assert all(path.exists() for path in docs.values())
    status = month_status("321323", MONTH)
    assert status["steps"] == dict.fromkeys(("draft", "review", "collect", "sample", "compile"), "done")
    counts = status["counts"]
    assert counts["stations"] == 248 and 200 < counts["station_plans"] < 248
    assert counts["drawn"] == 83 and counts["comments"] == 4  # each section's comment, or 无意见 for the silent
    assert verify_stored("321323", MONTH)[0]
    # Demo data tells a believable story: most stations plan every required action, a minority leave some out.
    assert 0 < len(status["completeness"]["uncovered_required"]) < counts["station_plans"] * 0.25

    plan_v2 = (out / "plan-v2.md").read_text(encoding="utf-8")
    assert "泗文明办〔2026〕1号" in plan_v2 and "部门意见处理情况表" not in plan_v2 and "无意见" not in plan_v2
    # the demo's comments, adopted unattended, change the plan: an item proposed is in its lists, a written
    # suggestion is written into it; the table is the office's record, 无意见 for the sections with nothing to say
    sent = pd.read_excel(tmp_path / "ws" / "inputs" / f"部门意见-{MONTH}.xlsx", header=1, dtype=str).fillna("")
    said = sent[sent["意见内容"] != "无意见"]
    assert len(said) and len(sent) < 4  # the generated month: some sections answer, the others stay silent
    titles = comment_catalog().set_index("code")["title"]
    for row in said.itertuples():
        added = [c for c in row.建议增加.split("、") if c]
        if added:
            assert all(titles[c] in plan_v2 for c in added), row
        elif not row.建议删除:
            assert f"根据{row.部门}意见，" in plan_v2, row
    record = (out / "review-dispositions.md").read_text(encoding="utf-8")
    assert record.count("| 无意见 |") == 4 - len(said) and all(d in record for d in ("理论科", "宣教科", "版权科", "网信科"))
    plan_v1 = (out / "plan-v1.md").read_text(encoding="utf-8")
    assert "（征求意见稿）" in plan_v1 and "〔2026〕" not in plan_v1 and "办公室文件" not in plan_v1

    circular = (out / "circular.md").read_text(encoding="utf-8")
    with transaction() as session:
        digest = session.exec(select(Draw.digest)).one()
    # the draw is cited by its record's number, as readers cite documents, never by a truncated hash
    assert "抽样记录（泗文明办抽〔2026〕12号）" in circular and digest[:8] not in circular
    assert "关于2026年12月新时代文明实践集中活动日督查情况的通报" in circular
    assert "泗文明办〔2026〕2号" in circular  # the next number after the official plan's

    report = openpyxl.load_workbook(out / "collect-report.xlsx")
    reminded = {row[0] for row in report["未报送所站"].iter_rows(min_row=2, values_only=True)}
    with transaction() as session:
        submitted = set(session.exec(select(StationPlan.station_code)).all())
        registered = set(session.exec(select(Station.code)).all())
    assert reminded == registered - submitted and len(reminded) == 248 - counts["station_plans"]

    # The stations' check-ins on the day: coverage in the circular and in evidence.xlsx, by township and station.
    coverage = pd.read_excel(out / "evidence.xlsx", sheet_name=None)
    assert list(coverage) == ["按乡镇（街道）", "按所站", "线上飞检顺序"]
    by_township = coverage["按乡镇（街道）"]
    complete = int(by_township["完整"].sum())
    assert int(by_township["有计划活动的所站"].sum()) == len(coverage["按所站"]) == counts["station_plans"]
    assert f"个有计划活动的所站中， {complete} 个活动纪实完整" in circular
    assert (coverage["按所站"]["状态"] == "完整").sum() == complete

    before = tree_digest(out)
    assert "尚未收到活动纪实" in (out / "collect-report.md").read_text(encoding="utf-8")
    monthly_cycle(county="321323", month=MONTH)
    assert month_status("321323", MONTH)["counts"] == counts
    # Only the collect step's outputs change, with what arrived after its first run: the stations' check-ins on
    # the day (the collect report) and the lecture ratings (the lectures now show 已宣讲).
    after = tree_digest(out)
    assert {k for k in after if after[k] != before.get(k)} == {"collect-report.md", "lectures.xlsx"}
    assert "尚未收到活动纪实" not in (out / "collect-report.md").read_text(encoding="utf-8")
    monthly_cycle(county="321323", month=MONTH)
    assert tree_digest(out) == after


def test_empty_month_gets_a_circular_only_when_allowed(prefect_server, settings: Settings, registry,
                                                      county: str) -> None:
    from activity_day.demo import write_xlsx
    from activity_day.flows.monthly import compile_, monthly_cycle
    from activity_day.services.imports import import_file
    from activity_day.store.crud import MissingPrerequisite
    from activity_day.tasks.compile import no_scores_message

    # unattended: the run fails with the message, and issues no circular
    state = monthly_cycle(county=county, month="2027-02", return_state=True)
    assert state.is_failed() and state.message == no_scores_message("2027-02")  # the UI shows what the CLI does
    assert "activity-day import scores" in state.message
    out = Path(settings.out) / "2027-02"
    assert not (out / "circular.md").exists() and (out / "draw.xlsx").exists()
    with pytest.raises(MissingPrerequisite, match="--allow-empty"):
        compile_(county=county, month="2027-02")
    # once the scores are in, compile goes through
    with transaction() as session:
        drawn = session.exec(select(DrawAssignment.station_code).where(DrawAssignment.month == "2027-02")).all()
    scores = pd.DataFrame({"所站编号": drawn[:5], "检查方式": "线下", "评分人": "第一检查组", "得分": 90})
    assert import_file("scores", write_xlsx(scores, Path(settings.out) / "sc.xlsx", "评分"), county=county,
                       month="2027-02").exit_code == 0
    assert compile_(county=county, month="2027-02")["scored"] == 5

    result = monthly_cycle(county=county, month="2027-04", allow_empty=True)
    assert result["collect"]["missing"] == 248 and result["collect"]["submitted"] == 0
    assert result["compile"]["scored"] == 0
    circular = (Path(settings.out) / "2027-04" / "circular.md").read_text(encoding="utf-8")
    assert "本月未开展督查评分" in circular
    plan = (out / "plan-v2.md").read_text(encoding="utf-8")
    assert "春节" in plan and "元宵节" in plan
    assert "尚未收录" not in plan  # the holidays came from the profile's holiday file
    sheet = openpyxl.load_workbook(out / "collect-report.xlsx")["未报送所站"]
    codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == set(registry["所站编号"])


def test_step_without_prerequisites_fails_with_what_to_do(prefect_server, settings: Settings, county: str) -> None:
    from activity_day.flows.monthly import compile_, sample
    from activity_day.store.crud import MissingPrerequisite

    with pytest.raises(MissingPrerequisite, match="activity-day run draft --month 2027-03"):
        sample(county=county, month="2027-03")
    with pytest.raises(MissingPrerequisite):
        compile_(county=county, month="2027-03")


def test_a_second_county_does_not_move_the_first_countys_documents(prefect_server, settings: Settings, county: str,
                                                                    tmp_path: Path) -> None:
    import yaml

    from activity_day.demo import province_profile
    from activity_day.flows.monthly import draft
    from activity_day.services.counties import init_county

    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(province_profile(7), allow_unicode=True), encoding="utf-8")
    assert init_county(other).county.code == "329007"  # the database now holds two counties
    files = draft(county=county, month="2027-02")["files"]
    assert Path(files["docx"]) == Path(settings.out) / "2027-02" / "plan-v1.docx"
    apart = draft(county="329007", month="2027-02", county_folder=True)["files"]
    assert Path(apart["docx"]) == Path(settings.out) / "2027-02" / "329007" / "plan-v1.docx"
