"""Reading what users really send: title rows, merged cells, GBK, BOM, numbers where text was meant."""

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from activity_day.intake import (
    PLANS,
    STATIONS,
    FileUnusable,
    PlanChecks,
    code_index,
    parse_datetime,
    read_table,
    resolve_code,
    validate_plans,
    validate_stations,
)

HEADER = ["所站编号", "所站名称", "类型", "乡镇（街道）", "负责人", "联系电话"]
PLAN_CHECKS = PlanChecks("2026-12", code_index(["001", "002"]), checklist_codes={"LL-01"})


def test_gbk_csv_with_title_row_and_numeric_codes(tmp_path: Path) -> None:
    text = "泗阳县所站名录（2026年12月）,,,,,\n" + ",".join(HEADER) + "\n" + "1,众兴街道新时代文明实践所,所,众兴街道,王伟,13812345678\n"
    path = tmp_path / "stations.csv"
    path.write_bytes(text.encode("gbk"))
    frame = read_table(path, STATIONS)
    assert frame["_row"].tolist() == [3]
    assert frame.loc[0, "所站名称"] == "众兴街道新时代文明实践所"
    known = code_index(["001", "002"])
    assert resolve_code(frame.loc[0, "所站编号"], known) == "001"


def test_utf8_bom_csv(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(("\ufeff" + ",".join(HEADER) + "\n001,甲站,站,王集镇,李四,13900000000\n").encode("utf-8"))
    frame = read_table(path, STATIONS)
    assert list(frame["所站编号"]) == ["001"]


def test_xlsx_merged_title_blank_rows_serial_dates_fullwidth(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "2026年12月活动计划"
    sheet.merge_cells("A1:I1")
    sheet.append([])
    sheet.append(["序号", *PLANS.required, "备注"])
    sheet.append([1, 1.0, "理论宣讲 ", "学习实践科学理论", "规定动作", 46361.375, "活动室", "５０", "x"])
    sheet.append([])
    sheet.append([2, "００２", "广场舞", "丰富活跃文化生活", "自选动作", "2026年12月5日 9时", "广场", 30.0, ""])
    path = tmp_path / "plans.xlsx"
    book.save(path)
    frame = read_table(path, PLANS)
    assert frame["_row"].tolist() == [4, 6]
    result = validate_plans(frame, "plans.xlsx", PLAN_CHECKS)
    assert result.problems == []
    assert set(result.units) == {"001", "002"}
    first = result.units["001"][0]
    assert first["start_time"] == datetime(2026, 12, 5, 9, 0)
    assert first["expected_participants"] == 50
    assert first["name"] == "理论宣讲"  # trailing space dropped
    assert result.units["002"][0]["start_time"] == datetime(2026, 12, 5, 9, 0)


def test_phone_stored_as_float_is_read_back(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(["001", "甲站", "站", "王集镇", "李四", 13812345678.0])
    path = tmp_path / "s.xlsx"
    book.save(path)
    result = validate_stations(read_table(path, STATIONS), "s.xlsx")
    assert result.problems == []
    assert result.units["名录"][0]["phone"] == "13812345678"


def test_wrong_header_is_unusable_and_names_the_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("编号,名称,类型,乡镇（街道）,负责人,联系电话\n1,a,站,b,c,13800000000\n", encoding="utf-8")
    with pytest.raises(FileUnusable) as info:
        read_table(path, STATIONS)
    assert "所站编号" in info.value.problem.message and "所站名称" in info.value.problem.message
    assert info.value.problem.row == 1


def test_missing_file_is_unusable(tmp_path: Path) -> None:
    with pytest.raises(FileUnusable, match="文件不存在"):
        read_table(tmp_path / "nope.xlsx", STATIONS)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026/12/5 9:00", datetime(2026, 12, 5, 9)),
        ("2026-12-05 14:30", datetime(2026, 12, 5, 14, 30)),
        ("2026年12月5日 9时", datetime(2026, 12, 5, 9)),
        ("2026年12月5日9时30分", datetime(2026, 12, 5, 9, 30)),
        ("2026.12.5", datetime(2026, 12, 5)),
        (46361.5, datetime(2026, 12, 5, 12)),
        ("46361.5", datetime(2026, 12, 5, 12)),
        (datetime(2026, 12, 5, 8), datetime(2026, 12, 5, 8)),
    ],
)
def test_datetime_forms(raw, expected) -> None:
    assert parse_datetime(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["2026-13-01", "明天上午", "12", "", None])
def test_bad_datetimes_say_why(raw) -> None:
    value, error = parse_datetime(raw)
    assert value is None and error


def test_plan_outside_month_and_bad_checklist_code_refuse_the_station() -> None:
    import pandas as pd

    frame = pd.DataFrame([
        {"所站编号": "001", "活动名称": "a", "任务类别": "学习实践科学理论", "动作类型": "规定动作",
         "开始时间": "2027/1/5 9:00", "活动地点": "x", "预计参与人数": 10, "清单编号": "ZZ-99", "志愿服务队伍": None,
         "_row": 2},
        {"所站编号": "002", "活动名称": "b", "任务类别": "学习实践科学理论", "动作类型": "规定动作",
         "开始时间": "2026/12/5 9:00", "活动地点": "x", "预计参与人数": 10, "清单编号": "ll-01", "志愿服务队伍": None,
         "_row": 3},
    ])
    result = validate_plans(frame, "p.xlsx", PLAN_CHECKS)
    assert set(result.refused) == {"001"} and set(result.units) == {"002"}
    columns = {p.column for p in result.refused["001"]}
    assert columns == {"开始时间", "清单编号"}
    assert result.units["002"][0]["checklist_code"] == "LL-01"


RUBRIC = [("规定动作", 30), ("组织实施", 20), ("群众参与", 20), ("志愿服务", 15), ("台账资料", 15)]


def _scores_file(tmp_path: Path, header: list[str], rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    path = tmp_path / "scores.xlsx"
    book.save(path)
    return path


def test_per_item_scores_are_checked_against_the_rubric(tmp_path: Path) -> None:
    from activity_day.intake import check_score_columns, scores_kind, validate_scores

    header = ["所站编号", "检查方式", "评分人", *[n for n, _ in RUBRIC]]
    path = _scores_file(tmp_path, header, [
        ["001", "线下", "一组", 28, 18, 17, 12, 13],
        ["002", "线下", "一组", 31, 18, 17, 12, 13],
    ])
    frame = read_table(path, scores_kind(RUBRIC))
    assert check_score_columns(frame, "scores.xlsx", RUBRIC) is None
    result = validate_scores(frame, "scores.xlsx", stations=code_index(["001", "002"]), rubric=RUBRIC)
    assert result.units["第2行"][0]["score"] == 88 and result.units["第2行"][0]["items"]["规定动作"] == 28
    [problem] = result.refused["第3行"]
    assert problem.column == "规定动作" and "满分30" in problem.message


def test_total_must_match_the_items(tmp_path: Path) -> None:
    from activity_day.intake import scores_kind, validate_scores

    header = ["所站编号", "检查方式", "评分人", "得分", *[n for n, _ in RUBRIC]]
    path = _scores_file(tmp_path, header, [["001", "观察员", "张", 90, 28, 18, 17, 12, 13]])
    result = validate_scores(read_table(path, scores_kind(RUBRIC)), "s.xlsx", stations=code_index(["001"]),
                             rubric=RUBRIC)
    assert result.refused["第2行"][0].column == "得分" and "88" in result.refused["第2行"][0].message


def test_partial_rubric_columns_make_the_file_unusable(tmp_path: Path) -> None:
    from activity_day.intake import check_score_columns, scores_kind

    path = _scores_file(tmp_path, ["所站编号", "检查方式", "评分人", "规定动作", "组织实施"], [["001", "线下", "一组", 28, 18]])
    problem = check_score_columns(read_table(path, scores_kind(RUBRIC)), "scores.xlsx", RUBRIC)
    assert problem is not None and "群众参与" in problem.message and "台账资料" in problem.message
    path = _scores_file(tmp_path, ["所站编号", "检查方式", "评分人", "备注"], [["001", "线下", "一组", "x"]])
    problem = check_score_columns(read_table(path, scores_kind(RUBRIC)), "scores.xlsx", RUBRIC)
    assert problem is not None and "得分" in problem.message


# --- files that used to crash the reader ---------------------------------------------------------------

def test_csv_cell_over_128_kib_is_read_then_refused_as_too_long(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(",".join(HEADER) + "\n001,甲站,站,王集镇,李四,13900000000\n002," + "长" * 200_000
                    + ",站,王集镇,李四,13900000000\n", encoding="utf-8")
    frame = read_table(path, STATIONS)
    assert len(frame.loc[1, "所站名称"]) == 200_000
    result = validate_stations(frame, "s.csv")
    [problem] = result.problems
    assert (problem.row, problem.column) == (3, "所站名称") and problem.message == "超过80个字（共200000个字）"
    assert len(problem.line()) < 100  # the value is shown cut short


def test_control_characters_are_removed_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes((",".join(HEADER) + "\n001,甲\x00站,站,王集\x07镇,李四,13900000000\n").encode("utf-8"))
    frame = read_table(path, STATIONS)
    assert (frame.loc[0, "所站名称"], frame.loc[0, "乡镇（街道）"]) == ("甲站", "王集镇")
    notices = frame.attrs["notices"]
    assert [(n.row, n.column) for n in notices] == [(2, "所站名称"), (2, "乡镇（街道）")]
    assert notices[0].line() == "s.csv 第2行 【所站名称】 “甲站”：含有不可见的控制字符（U+0000），已删除"


def test_many_control_characters_are_summed_up(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    body = "".join(f"{i:03d},站\x00{i},站,王集镇,李四,13900000000\n" for i in range(1, 31))
    path.write_text(",".join(HEADER) + "\n" + body, encoding="utf-8")
    notices = read_table(path, STATIONS).attrs["notices"]
    assert len(notices) == 21 and notices[-1].message == "另有10处控制字符已删除"


def test_excel_unicode_text_export_is_read(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_bytes(("\t".join(HEADER) + "\r\n001\t甲站\t站\t王集镇\t李四\t13900000000\r\n").encode("utf-16"))
    assert list(read_table(path, STATIONS)["所站名称"]) == ["甲站"]


def test_zero_width_characters_in_headers_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("\ufeff\ufeff所站编号\u200b," + ",".join(HEADER[1:]) + "\n001,甲站,站,王集镇,李四,13900000000\n",
                    encoding="utf-8")
    assert list(read_table(path, STATIONS)["所站编号"]) == ["001"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("s.xlsx", b"", "0 字节"),
        ("s.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "密码"),
        ("s.xlsx", b"PK\x03\x04" + b"\0" * 100, "不完整"),
        ("s.xls", b"<html><table><tr><td>x</td></tr></table></html>", "网页"),
        ("s.xlsx", "所站编号,所站名称\n".encode(), "扩展名不符"),
        ("s.csv", bytes(range(128, 256)) * 8, "编码"),
        ("s.csv", b"", "文件是空的"),
        ("s.csv", b"\n\n,,,\n", "文件是空的"),
    ],
)
def test_unusable_files_say_why_in_chinese(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(FileUnusable) as info:
        read_table(path, STATIONS)
    assert message in info.value.problem.message and info.value.problem.file == name


def test_a_non_utf8_file_name_is_shown_decoded(tmp_path: Path) -> None:
    import os

    from activity_day.intake import file_label

    path = Path(os.fsdecode(os.fsencode(tmp_path) + b"/" + "王集镇名录.xlsx".encode("gbk")))
    assert file_label(path) == "王集镇名录.xlsx"
    assert file_label(tmp_path / "a\x07b.csv") == "ab.csv"


def test_names_are_stored_in_one_spelling() -> None:
    import pandas as pd

    from activity_day.intake import validate_comments, validate_scores

    frame = pd.DataFrame([{"所站编号": "001", "所站名称": "甲站 ", "类型": "站", "乡镇（街道）": "来安街道(开发区)",
                           "负责人": "王　伟", "联系电话": "13900000000", "经度": None, "纬度": None, "_row": 2}])
    [row] = validate_stations(frame, "s.xlsx").units["名录"]
    assert (row["name"], row["township"], row["leader"]) == ("甲站", "来安街道（开发区）", "王伟")
    comments = pd.DataFrame([{"部门": "理论 科", "意见内容": "x", "处理意见": None, "处理理由": None, "建议增加": None,
                              "建议删除": None, "_row": 2}])
    assert validate_comments(comments, "c.xlsx", departments=["理论科"]).units["第2行"][0]["department"] == "理论科"
    scores = pd.DataFrame([{"所站编号": "001", "检查方式": "观察员", "评分人": "张 三", "得分": 90, "存在问题": None,
                            "问题类别": None, "意见建议": None, "_row": 2}])
    scores.attrs["found"] = ["所站编号", "检查方式", "评分人", "得分"]
    assert validate_scores(scores, "s.xlsx", stations=code_index(["001"])).units["第2行"][0]["scorer"] == "张三"
