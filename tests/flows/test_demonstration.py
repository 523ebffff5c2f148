"""A demonstration-station round end to end: applications, review against the evaluation, site visits drawn
with 回避, the panel's form, the 公示 with an objection recorded and upheld, and the naming notice."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
import yaml
from docx import Document as Word
from typer.testing import CliRunner

from activity_day.cli import app
from activity_day.cli.demo import run_demo
from activity_day.context import bound
from activity_day.demo import write_xlsx
from activity_day.domain.draw import combine_reveals, commitment_of
from activity_day.errors import OperatorError
from activity_day.services import commitments
from activity_day.services.counties import init_county
from activity_day.services.imports import import_file
from activity_day.settings import Settings
from activity_day.store import crud, numbers
from activity_day.store.database import transaction
from activity_day.tasks.demonstration import render_notice
from tests.flows.operator import Operator

pytestmark = pytest.mark.flow
COUNTY = "321323"


def test_a_round_from_applications_to_the_naming_notice(prefect_server, tmp_path: Path, monkeypatch) -> None:
    from activity_day.flows.demonstration import select_demonstration
    from activity_day.services import demonstration as service
    from activity_day.services.demonstration import record_objection, round_summary
    from activity_day.store import demonstration as store

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", out=tmp_path / "out",
                        inbox=tmp_path / "inbox", log_file=tmp_path / "log.txt")
    with bound(settings):
        run_demo("2027-02", tmp_path / "ws", months=2, echo=lambda _line: None)  # evaluates 2027
        profile = yaml.safe_load((tmp_path / "ws" / "profile.yaml").read_text(encoding="utf-8"))
        profile["demonstration"] = {"min_total": 80, "min_stars": 3, "max_open_feedback": 50, "quota": 5,
                                    "assessors_per_station": 2, "publicity_days": 5}
        (tmp_path / "ws" / "profile.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
        init_county(tmp_path / "ws" / "profile.yaml")
        with transaction() as session:
            evaluation = store.evaluation_frame(session=session, county=COUNTY, period="2027")
            stations = crud.stations_frame(session=session, county=COUNTY).set_index("code")
        ranked = evaluation.sort_values("total", ascending=False)
        good = [c for c in ranked["code"] if not ranked.set_index("code").loc[c, "watch"]][:2]
        weak = ranked["code"].iloc[-1]
        rows = pd.DataFrame({"所站编号": [*good, weak, good[0], "999"], "特色品牌": ["板凳课堂", "孝善食堂", "文化广场", "重复", "x"],
                             "申报理由": ["理论宣讲进院落", "", "", "", ""]})
        report = import_file("applications", write_xlsx(rows, tmp_path / "申报.xlsx", "申报"), county=COUNTY,
                             round_="2027")
        assert report.rows_written == 3 and len(report.refused) == 2  # a second row for one station, an unknown code
        objected = good[1]
        # The site visits' random value: a department commits before the review publishes the shortlist, and reveals
        # after it; until then no assessor is drawn, and a commitment after the shortlist is refused.
        theory, other_department = profile["departments"][:2]
        now = datetime(2026, 10, 1, 2, tzinfo=UTC)
        commitments.commit_round(COUNTY, "2027", theory, commitment_of("山高月小"), now)
        service.document_review(COUNTY, "2027", "2027")
        with pytest.raises(OperatorError, match="尚无部门公开随机串.*入围名单已公布（2 个所站"):
            service.site_visits(COUNTY, "2027")
        with pytest.raises(OperatorError, match="不再接收承诺值"):
            commitments.commit_round(COUNTY, "2027", other_department, commitment_of("水落石出"), now)
        with pytest.raises(OperatorError, match="与理论科事先提交的承诺值不符|与.*事先提交的承诺值不符"):
            commitments.reveal_round(COUNTY, "2027", theory, "山高月大", now)
        commitments.reveal_round(COUNTY, "2027", theory, "山高月小", now)

        def panel(description: str) -> dict:
            assert "资料审核通过 2 个所站" in description
            return {"panel": "张主任、李科长", **{f"s{c}": {"decision": "命名", "site_score": score, "reason": "特色鲜明"}
                                                 for c, score in zip(good, (92.0, 88.5), strict=True)}}

        clock = {"today": date(2026, 10, 9)}  # inside the 公示 period
        monkeypatch.setattr(service, "today", lambda: clock["today"])

        def publicity_early(_description: str) -> dict:
            return {"closed": True}  # inside the period: the form comes back saying so

        def publicity_objection(description: str) -> dict:
            assert "期满后才能确认命名" in description
            record_objection(COUNTY, "2027", objected, "该站活动照片与实际不符")
            return {"closed": True}  # with an objection the form has not shown yet: back again

        def publicity_ruling(description: str) -> dict:
            assert "表单打开后又登记了 1 条异议" in description and "已登记异议 1 条" in description
            clock["today"] = date(2026, 10, 20)  # the period has passed
            [objection] = round_summary(COUNTY, "2027")["objections"]
            return {f"o{objection['id']}": {"ruling": "成立", "outcome": "经核查属实，不予命名"}, "decided_by": "王主任",
                    "closed": True}

        operator = Operator([lambda _d: {"panel": ""}, panel, publicity_early, publicity_objection, publicity_ruling])
        operator.thread.start()
        result = select_demonstration(county=COUNTY, round="2027", publicity_start="2026-10-08", poll_seconds=1)
        operator.thread.join(timeout=30)
        assert operator.error is None
        assert "请填写会审人员" in operator.descriptions[1]  # the empty panel form came back with the problem

    assert result["applications"] == 3 and result["eligible"] == 2 and result["named"] == [good[0]]
    # The visits were drawn from the revealed secret, and anyone can re-derive them from the record
    runner = CliRunner()
    with bound(settings):
        verified = runner.invoke(app, ["demonstration", "verify", "--round", "2027"])
        printed = runner.invoke(app, ["demonstration", "record", "--round", "2027"])
        late = runner.invoke(app, ["demonstration", "reveal", "--round", "2027", "--department", theory,
                                   "--secret", "山高月小"])
    assert verified.exit_code == 0 and "与记录一致" in verified.output and "部门承诺—公开组合（" in verified.output
    visits = json.loads(printed.stdout)
    assert visits["public_random"] == combine_reveals({theory: "山高月小"}) and len(visits["visits"]) == 4
    assert late.exit_code != 0 and "实地评估人员已抽定" in late.output
    path = tmp_path / "visits.json"
    path.write_text(printed.stdout, encoding="utf-8")
    checked = subprocess.run([sys.executable, str(Path(__file__).resolve().parents[2] / "docs" / "verify_site_visits.py"),
                              str(path)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0 and checked.stdout.startswith("OK: 2 stations, 4 visits"), checked.stderr
    assert result["publicity_end"] == "2026-10-13"  # five working days from 8 October; Saturday the 10th is worked (调休)
    with bound(settings):
        summary = round_summary(COUNTY, "2027")
    status = {a["station"]: a for a in summary["applications"]}
    assert status[good[0]]["status"] == "named" and status[weak]["status"] == "ineligible"
    assert "综合得分" in status[weak]["reason"] or "星级" in status[weak]["reason"]
    assert status[good[0]]["decided_by"] == "张主任、李科长" and status[good[0]]["decided_at"] is not None
    assert status[objected]["status"] == "approved" and "异议成立" in status[objected]["status_cn"]
    # 回避: no assessor lives in the township of the station visited
    homes = {m["name"]: m["home_township"] for t in profile["teams"] for m in t["members"]}
    for code in good:
        assert len(status[code]["assessors"]) == 2
        assert all(homes[name] != stations.loc[code, "township"] for name in status[code]["assessors"])
    [objection] = summary["objections"]
    assert objection["upheld"] is True and objection["decided_by"] == "王主任"
    folder = Path(settings.out) / "demonstration" / "2027"
    publicity = "\n".join(p.text for p in Word(folder / "publicity.docx").paragraphs)
    assert "拟命名名单的公示" in publicity and "公示期为2026年10月8日至2026年10月13日" in publicity
    naming = (folder / "naming.md").read_text(encoding="utf-8")
    assert stations.loc[good[0], "name"] in naming and stations.loc[objected, "name"] in naming  # named, and withdrawn
    assert "不予命名" in naming and naming.count("| 1 |") == 1
    # The naming notice is issued like the circular: masthead, a number from the register, 主送 and 版记; a rerun
    # keeps its number. The 公示 list stays a simple notice.
    county = profile["county"]
    notice = Word(folder / "naming.docx")
    lines = [p.text for p in notice.paragraphs if p.text]
    number = re.fullmatch(rf"{county['doc_prefix']}〔2026〕(\d+)号", lines[1])
    assert lines[0] == f"{county['office_name']}文件" and number, lines[:3]
    assert lines[3] == county["addressees"] and naming.startswith(f"{county['office_name']}文件\n\n{lines[1]}\n")
    assert f"抄送：{county['cc']}" in notice.element.xml and "2026年10月20日印发" in notice.element.xml
    with bound(settings), transaction(read_only=True) as session:
        [issued] = [n for n in numbers.issued(session=session, issuer=county["doc_prefix"]) if n.document == "naming-2027"]
    assert issued.number == int(number[1]) and issued.month == "2026-10"
    with bound(settings):
        render_notice.fn(COUNTY, "2027", "naming")
    assert [p.text for p in Word(folder / "naming.docx").paragraphs if p.text][1] == lines[1]
    assert "〔" not in publicity and "印发" not in Word(folder / "publicity.docx").element.xml
    # a named round is closed: no second review, no objection, no late application
    from activity_day.services.demonstration import document_review

    with bound(settings):
        with pytest.raises(OperatorError, match="已命名，不能重新审核"):
            document_review(COUNTY, "2027", "2027")
        with pytest.raises(OperatorError, match="不在公示期"):  # named, whatever the date
            record_objection(COUNTY, "2027", good[0], "迟到的异议")
        with pytest.raises(OperatorError, match="不再受理申报"):
            import_file("applications", tmp_path / "申报.xlsx", county=COUNTY, round_="2027")
