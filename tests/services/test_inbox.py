"""The inbox on the files offices really send: GBK CSV, BOM, title rows, numbers where text was meant."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlmodel import select

from activity_day.models import PlannedActivity, StationPlan
from activity_day.services.inbox import pending_files, process_inbox
from activity_day.store.database import transaction
from tests.intake_helpers import change_profile, official_plan

MONTH = "2026-12"
HEADER = "所站编号,活动名称,任务类别,动作类型,开始时间,活动地点,预计参与人数,清单编号"


@pytest.fixture
def inbox(settings, registry, county, tmp_path: Path) -> Path:
    official_plan(county, MONTH)
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def plans() -> dict[str, list[PlannedActivity]]:
    with transaction() as session:
        acts = session.exec(select(PlannedActivity).order_by(PlannedActivity.station_code, PlannedActivity.seq)).all()
    out: dict[str, list] = {}
    for a in acts:
        out.setdefault(a.station_code, []).append(a)
    return out


def test_gbk_csv_with_title_row_and_numeric_codes(inbox: Path, county: str) -> None:
    text = ("泗阳县2026年12月集中活动日活动计划汇总,,,,,,,\n" + HEADER + "\n"
            "1,板凳课堂理论宣讲,学习实践科学理论,规定动作,2026/12/5 9:00,王集村文化广场,50,LL-01\n"
            "2,移风易俗宣传,持续深入移风易俗,自选动作,2026年12月5日 14时,李口村会议室,30,\n")
    (inbox / "计划.csv").write_bytes(text.encode("gbk"))
    [report] = process_inbox(inbox, county=county, month=MONTH)
    assert report.exit_code == 0 and report.accepted == ["001", "002"]
    got = plans()
    assert got["001"][0].name == "板凳课堂理论宣讲" and got["001"][0].start_time.hour == 9
    assert got["002"][0].start_time.hour == 14 and got["002"][0].checklist_code is None
    processed = sorted(p.name for p in (inbox / "processed").iterdir())
    assert len(processed) == 2 and processed[0].startswith("计划.") and processed[1].endswith(".csv.result.txt")
    assert not (inbox / "计划.csv").exists()
    assert "接收 2 个所站的计划" in (inbox / "processed" / processed[1]).read_text(encoding="utf-8")


def test_bom_csv_fullwidth_digits_and_trailing_spaces(inbox: Path, county: str) -> None:
    text = HEADER + "\n００３ ,文艺演出 ,丰富活跃文化生活,特色动作,２０２６/１２/５ ９:３０,文化广场 ,１２０ ,\n"
    (inbox / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    [report] = process_inbox(inbox, county=county, month=MONTH)
    assert report.exit_code == 0, report.lines()
    act = plans()["003"][0]
    assert (act.name, act.location, act.expected_participants, act.start_time.minute) == ("文艺演出", "文化广场", 120, 30)


def test_xlsx_merged_title_blank_rows_serial_dates_and_one_bad_station(inbox: Path, county: str) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "2026年12月活动计划"
    sheet.merge_cells("A1:H1")
    sheet.append(HEADER.split(","))
    sheet.append([4, "理论宣讲", "学习实践科学理论", "规定动作", 46361.375, "会议室", 40.0, None])
    sheet.append([None] * 8)
    sheet.append([5, "理论宣讲", "学习实践科学理论", "规定动作", 46361.375, "会议室", 40, None])
    sheet.append([5, "文艺演出", "丰富活跃文化", "特色动作", 46361.5, "广场", 80, None])
    path = inbox / "乡镇汇总.xlsx"
    book.save(path)
    (inbox / "~$乡镇汇总.xlsx").write_bytes(b"lock")  # Excel's lock file is not a submission
    [report] = process_inbox(inbox, county=county, month=MONTH)
    assert report.exit_code == 1 and report.accepted == ["004"] and report.refused == ["005"]
    [line] = [line for line in report.lines() if "【任务类别】" in line]
    assert line.startswith("乡镇汇总.xlsx 第6行") and "“丰富活跃文化”" in line
    assert set(plans()) == {"004"} and plans()["004"][0].start_time.isoformat() == "2026-12-05T09:00:00"
    assert (inbox / "~$乡镇汇总.xlsx").exists()


def test_unusable_file_is_moved_with_its_report(inbox: Path, county: str) -> None:
    (inbox / "wrong.csv").write_text("编号,名称\n1,x\n", encoding="utf-8")
    (inbox / "notes.docx").write_bytes(b"PK")
    reports = process_inbox(inbox, county=county, month=MONTH)
    assert [r.exit_code for r in reports] == [2, 2]
    texts = [p.read_text(encoding="utf-8") for p in (inbox / "processed").glob("*.result.txt")]
    assert any("表头" in t for t in texts) and any("不支持的文件类型" in t for t in texts)
    assert list(inbox.glob("*.csv")) == [] and plans() == {}
    with transaction() as session:
        assert session.exec(select(StationPlan)).all() == []


def test_files_arriving_after_the_deadline_are_flagged_late(inbox: Path, county: str) -> None:
    from datetime import UTC, datetime

    text = HEADER + "\n6,理论宣讲,学习实践科学理论,规定动作,2026/12/5 9:00,会议室,40,\n"
    (inbox / "late.csv").write_text(text, encoding="utf-8")
    process_inbox(inbox, county=county, month=MONTH, now=datetime(2026, 12, 3, 8, tzinfo=UTC))
    (inbox / "early.csv").write_text(text.replace("\n6,", "\n7,"), encoding="utf-8")
    process_inbox(inbox, county=county, month=MONTH, now=datetime(2026, 12, 1, 8, tzinfo=UTC))
    with transaction() as session:
        late = {p.station_code: p.late for p in session.exec(select(StationPlan)).all()}
    assert late == {"006": True, "007": False}


def test_late_files_are_refused_when_the_profile_says_so(inbox: Path, county: str) -> None:
    from datetime import UTC, datetime


    change_profile(county, {"intake.late_submissions": "refuse"})
    (inbox / "late.csv").write_text(HEADER + "\n8,理论宣讲,学习实践科学理论,规定动作,2026/12/5 9:00,会议室,40,\n",
                                    encoding="utf-8")
    [report] = process_inbox(inbox, county=county, month=MONTH, now=datetime(2026, 12, 3, 8, tzinfo=UTC))
    assert report.exit_code == 1 and report.refused == ["008"] and "不再接收" in report.lines()[0]
    assert plans() == {}


def test_long_and_non_utf8_file_names_are_processed(inbox: Path, county: str) -> None:
    import os

    row = "\n9,理论宣讲,学习实践科学理论,规定动作,2026/12/5 9:00,会议室,40,\n"
    long_name = "王集镇" + "x" * 242 + ".csv"  # 250 characters, 254 bytes: the longest name most file systems hold
    (inbox / long_name).write_text(HEADER + row, encoding="utf-8")
    gbk = Path(os.fsdecode(os.fsencode(inbox) + b"/" + "李口镇计划.csv".encode("gbk")))
    gbk.write_text(HEADER + row.replace("\n9,", "\n10,"), encoding="utf-8")
    reports = process_inbox(inbox, county=county, month=MONTH)
    assert sorted((r.file, r.exit_code) for r in reports) == sorted([(long_name, 0), ("李口镇计划.csv", 0)])
    done = sorted(os.fsencode(p.name) for p in (inbox / "processed").iterdir())
    assert len(done) == 4 and all(len(name) <= 255 for name in done)
    assert set(plans()) == {"009", "010"} and pending_files(inbox) == []
    with transaction() as session:
        refs = [p.source_ref for p in session.exec(select(StationPlan)).all()]
    assert all(len(r) <= 200 for r in refs) and "李口镇计划.csv" in refs


def test_a_file_with_control_characters_goes_in_with_a_notice(inbox: Path, county: str) -> None:
    (inbox / "nul.csv").write_bytes((HEADER + "\n011,理论\x00宣讲,学习实践科学理论,规定动作,2026/12/5 9:00,会议室,40,\n")
                                    .encode("utf-8"))
    [report] = process_inbox(inbox, county=county, month=MONTH)
    assert report.exit_code == 0 and plans()["011"][0].name == "理论宣讲"
    [result] = (inbox / "processed").glob("*.result.txt")
    text = result.read_text(encoding="utf-8")
    assert "【活动名称】" in text and "U+0000" in text and "\x00" not in text
