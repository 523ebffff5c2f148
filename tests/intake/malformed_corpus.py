"""The corpus of malformed files test_malformed imports: row and file builders, and one `Case` per file with
what its import must do."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter
from sqlmodel import select

from activity_day.intake import COMMENTS, LIMITS, PLANS, SCORES, STATIONS
from activity_day.models import DepartmentComment, InspectionScore, PlannedActivity, Station, StationPlan
from activity_day.services.imports import ImportReport
from activity_day.store.database import transaction

MONTH = "2026-12"
MAX_ACTIVITIES = 5  # the corpus's profile: a station may plan at most this many activities
BIG = "长" * (200 * 1024)  # a 200 KiB cell: over csv's default field limit of 128 KiB
LONG_NAME = "2026年12月" + "x" * 237  # with ".xlsx", 250 characters in 254 bytes (a file name holds 255)
TABLES = {"station": Station, "station_plan": StationPlan, "planned_activity": PlannedActivity,
          "department_comment": DepartmentComment, "inspection_score": InspectionScore}
REGISTRY = [("001", "众兴街道新时代文明实践所", "所", "众兴街道"), ("002", "众兴街道北村新时代文明实践站", "站", "众兴街道"),
            ("003", "王集镇新时代文明实践所", "所", "王集镇"), ("004", "王集镇李口村新时代文明实践站", "站", "王集镇"),
            ("005", "王集镇南湖村新时代文明实践站", "站", "王集镇")]


# --- building files ---------------------------------------------------------------------------------------

def station(code: str, name: str = "", kind: str = "站", township: str = "裴圩镇", **over: Any) -> list[Any]:
    row = {"所站编号": code, "所站名称": name or f"裴圩镇{code}村新时代文明实践站", "类型": kind, "乡镇（街道）": township,
           "负责人": "王伟", "联系电话": "13812345678"} | over
    return [row[h] for h in STATIONS.required]


def plan(code: Any, **over: Any) -> list[Any]:
    row = {"所站编号": code, "活动名称": "板凳课堂理论宣讲", "任务类别": "学习实践科学理论", "动作类型": "规定动作",
           "开始时间": "2026/12/5 9:00", "活动地点": "村综合服务中心", "预计参与人数": 40} | over
    return [row[h] for h in PLANS.required]


def comment(dept: str = "理论科", content: str = "建议增加理论宣讲场次", **over: Any) -> list[Any]:
    row = {"部门": dept, "意见内容": content} | over
    return [row[h] for h in COMMENTS.required]


SCORE_HEADER = [*SCORES.required, "得分", "存在问题"]


def score(code: Any, mode: str = "线下", scorer: str = "第一检查组", total: Any = 92, problems: str = "") -> list[Any]:
    return [code, mode, scorer, total, problems]


def xlsx(header: list[str], rows: list[list[Any]], *, title: str | None = None) -> Callable[[Path], bytes]:
    """An xlsx as offices make them: an optional merged title row above the header."""
    def build(tmp: Path) -> bytes:
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
        sheet = book.add_worksheet("Sheet1")
        start = 0
        if title:
            sheet.merge_range(0, 0, 0, len(header) - 1, title)
            start = 2  # a blank row under the title
        for r, row in enumerate([header, *rows], start=start):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, book.add_format({"num_format": "yyyy/m/d h:mm"}))
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, value)
        book.close()
        return buffer.getvalue()
    return build


def csv_file(header: list[str], rows: list[list[Any]], *, encoding: str = "utf-8", bom: bool = False,
             delimiter: str = ",", title: str | None = None) -> Callable[[Path], bytes]:
    def build(tmp: Path) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        if title:
            writer.writerow([title] + [""] * (len(header) - 1))
        writer.writerow(header)
        writer.writerows(rows)
        return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode(encoding)
    return build


def raw(data: bytes) -> Callable[[Path], bytes]:
    return lambda tmp: data


def truncated(build: Callable[[Path], bytes]) -> Callable[[Path], bytes]:
    return lambda tmp: build(tmp)[: len(build(tmp)) // 2]


def encrypted() -> bytes:
    """What Excel writes for a workbook with an open password: an OLE compound file, not a zip."""
    directory = "EncryptionInfo".encode("utf-16-le") + b"\0" * 50 + "EncryptedPackage".encode("utf-16-le")
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + directory + os.urandom(2048)


def zip_of(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in names.items():
            z.writestr(name, data)
    return buffer.getvalue()


def empty_sheet(tmp: Path) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("Sheet1")
    book.close()
    return buffer.getvalue()


def openpyxl_merged_header_cells(tmp: Path) -> bytes:
    """Header cells merged across two rows (two-level headers), the data below."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["泗阳县所站名录"] + [None] * 5)
    sheet.merge_cells("A1:F1")
    sheet.append(STATIONS.required)
    sheet.append([None] * 6)
    sheet.merge_cells("A2:A3")
    sheet.append(station("101"))
    sheet.append(station("102", 联系电话=13812345679.0))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the corpus ------------------------------------------------------------------------------------------

@dataclass
class Case:
    id: str
    kind: str
    name: str | bytes  # bytes: a file name that is not UTF-8
    build: Callable[[Path], bytes] | None  # None: the path is created by `setup` (a directory, nothing at all)
    code: int
    accepted: list[str] | None = None  # the units the report accepts, when it matters
    check: Callable[[ImportReport, str], None] | None = None
    setup: Callable[[Path], None] | None = None
    late: bool = False  # import the plans after the deadline, under a profile that refuses late plans


def has_line(*needles: str) -> Callable[[ImportReport, str], None]:
    def check(report: ImportReport, county: str) -> None:
        assert any(all(n in line for n in needles) for line in report.lines()), (needles, report.lines())
    return check


def all_of(*checks: Callable[[ImportReport, str], None]) -> Callable[[ImportReport, str], None]:
    def check(report: ImportReport, county: str) -> None:
        for c in checks:
            c(report, county)
    return check


def stored(model: type, column: str, expected: set) -> Callable[[ImportReport, str], None]:
    def check(report: ImportReport, county: str) -> None:
        with transaction() as session:
            got = set(session.exec(select(getattr(model, column)).where(model.county == county)).all())
        assert expected <= got, (expected, got)
    return check


def refs_fit(model: type) -> Callable[[ImportReport, str], None]:
    def check(report: ImportReport, county: str) -> None:
        with transaction() as session:
            refs = session.exec(select(model.source_ref).where(model.county == county)).all()
        assert refs and all(len(r) <= 200 and r.startswith("2026年12月") for r in refs), refs
    return check


def one_township(name: str) -> Callable[[ImportReport, str], None]:
    def check(report: ImportReport, county: str) -> None:
        with transaction() as session:
            towns = session.exec(select(Station.township).where(Station.county == county, Station.active)
                                 .distinct()).all()
            codes = session.exec(select(Station.code).where(Station.county == county,
                                                            Station.township == name)).all()
        assert list(towns) == [name] and sorted(codes) == ["101", "102", "103"]
    return check


S, P, C, R = STATIONS.required, PLANS.required, COMMENTS.required, SCORE_HEADER
CORPUS = [
    # --- stations (the registry is one unit: anything wrong refuses it whole) ---
    Case("stations-brackets-one-township", "stations", "名录.xlsx",
         xlsx(S, [station("101", township="来安街道（开发区）"), station("102", township="来安街道(开发区)"),
                  station("103", township="来安街道 (开发区)　")]), 0, ["名录"], one_township("来安街道（开发区）")),
    Case("stations-merged-title-float-phone", "stations", "名录.xlsx", openpyxl_merged_header_cells, 0, ["名录"],
         stored(Station, "phone", {"13812345679"})),
    Case("stations-nul-in-name-csv", "stations", "名录.csv",
         csv_file(S, [station("101", name="裴圩镇\x00新时代文明实践所", kind="所"), station("102")]), 0, ["名录"],
         all_of(stored(Station, "name", {"裴圩镇新时代文明实践所"}), has_line("第2行", "【所站名称】", "U+0000", "已删除"))),
    Case("stations-control-chars-xlsx", "stations", "名录.xlsx",
         xlsx(S, [station("101", 负责人="王\x07伟"), station("102")]), 0, ["名录"],
         all_of(stored(Station, "leader", {"王伟"}), has_line("【负责人】", "U+0007"))),
    Case("stations-utf16-tab-text", "stations", "名录.txt",
         lambda tmp: csv_file(S, [station("101"), station("102")], delimiter="\t")(tmp).decode().encode("utf-16"),
         0, ["名录"]),
    Case("stations-200kib-cell", "stations", "名录.csv", csv_file(S, [station("101"), station("102", name=BIG)]), 1,
         [], has_line("第3行", "【所站名称】", "超过80个字")),
    Case("stations-name-over-column", "stations", "名录.xlsx",
         xlsx(S, [station("101", name="站" * (LIMITS["所站名称"] + 1))]), 1, [], has_line("【所站名称】", "超过")),
    Case("stations-township-over-column", "stations", "名录.xlsx",
         xlsx(S, [station("101", township="镇" * (LIMITS["乡镇（街道）"] + 1))]), 1, [], has_line("【乡镇（街道）】")),
    Case("stations-leader-over-column", "stations", "名录.xlsx",
         xlsx(S, [station("101", 负责人="王" * 41)]), 1, [], has_line("【负责人】", "超过40个字")),
    Case("stations-code-over-column", "stations", "名录.xlsx", xlsx(S, [station("1" * 21)]), 1, [],
         has_line("【所站编号】", "超过20个字符")),
    Case("stations-huge-number-code", "stations", "名录.xlsx", xlsx(S, [station(1e300)]), 1, [],
         has_line("【所站编号】")),
    Case("stations-duplicated-rows", "stations", "名录.xlsx", xlsx(S, [station("101"), station("101")]), 1, [],
         has_line("第3行", "与第2行的所站编号重复")),
    Case("stations-bad-kind-and-phone", "stations", "名录.xlsx",
         xlsx(S, [station("101", kind="村", 联系电话="见备注")]), 1, [], has_line("【类型】")),
    Case("stations-missing-column", "stations", "名录.xlsx", xlsx(S[:-1], [station("101")[:-1]]), 2, None,
         has_line("表头缺少列：联系电话")),
    Case("stations-duplicated-header-column", "stations", "名录.csv",
         csv_file([*S, "所站名称"], [[*station("101"), "又一个"]]), 2, None, has_line("【所站名称】", "两次")),
    Case("stations-header-only", "stations", "名录.xlsx", xlsx(S, []), 2, None, has_line("只有表头")),
    Case("stations-zero-bytes", "stations", "名录.xlsx", raw(b""), 2, None, has_line("0 字节")),
    Case("stations-empty-sheet", "stations", "名录.xlsx", empty_sheet, 2, None, has_line("工作表是空的")),
    Case("stations-binary-junk-xlsx", "stations", "名录.xlsx", raw(os.urandom(4096)), 2, None,
         has_line("不是有效的表格文件")),
    Case("stations-directory", "stations", "名录.xlsx", None, 2, None, has_line("文件夹"),
         setup=lambda p: p.mkdir()),
    Case("stations-missing-file", "stations", "名录.xlsx", None, 2, None, has_line("文件不存在"),
         setup=lambda p: None),
    Case("stations-name-too-long-for-the-disk", "stations", "名录" * 60 + ".xlsx", None, 2, None,
         has_line("文件名过长"), setup=lambda p: None),

    # --- plans (a station's plan is one unit) ---
    Case("plans-merged-title-xlsx", "plans", "活动计划.xlsx",
         xlsx(P, [plan("001"), plan("002", 开始时间=datetime(2026, 12, 5, 14, 30))], title="2026年12月活动计划"), 0,
         ["001", "002"]),
    Case("plans-numbers-as-text", "plans", "活动计划.xlsx",
         xlsx(P, [plan(1.0, 预计参与人数="５０人"), plan("００２", 开始时间="2026年12月5日 9时", 预计参与人数=30.0),
                  plan("3", 开始时间=46361.375)]), 0, ["001", "002", "003"]),
    Case("plans-gbk-csv-title", "plans", "活动计划.csv",
         csv_file(P, [plan("1"), plan("2")], encoding="gbk", title="泗阳县活动计划"), 0, ["001", "002"]),
    Case("plans-nul-in-text-csv", "plans", "活动计划.csv",
         csv_file(P, [plan("001", 活动名称="理论\x00宣讲"), plan("002", 活动地点="广场\x1b")], bom=True), 0,
         ["001", "002"], all_of(stored(PlannedActivity, "name", {"理论宣讲"}),
                                stored(PlannedActivity, "location", {"广场"}), has_line("【活动地点】", "U+001B"))),
    Case("plans-nul-in-code-xlsx", "plans", "活动计划.xlsx", xlsx(P, [plan("00\x001")]), 0, ["001"],
         has_line("【所站编号】", "U+0000")),
    Case("plans-long-file-name", "plans", LONG_NAME + ".xlsx", xlsx(P, [plan("001")]), 0, ["001"],
         refs_fit(StationPlan)),
    Case("plans-gbk-file-name", "plans", "活动计划（王集镇）.csv".encode("gbk"), csv_file(P, [plan("003")]), 0, ["003"],
         has_line("活动计划（王集镇）.csv")),
    Case("plans-200kib-cell", "plans", "活动计划.csv",
         csv_file(P, [plan("001"), plan("002", 活动名称=BIG), plan("002")]), 1, ["001"],
         has_line("第3行", "【活动名称】", "超过200个字")),
    Case("plans-garbage-dates", "plans", "活动计划.xlsx",
         xlsx(P, [plan("001"), plan("003", 开始时间="下周六上午"), plan("004", 开始时间=datetime(1900, 1, 1)),
                  plan("005", 开始时间="2026-02-30 9:00")]), 1, ["001"], has_line("【开始时间】", "日期不存在")),
    Case("plans-negative-and-huge-counts", "plans", "活动计划.csv",
         csv_file(P, [plan("001", 预计参与人数=-5), plan("002", 预计参与人数=str(10**300)), plan("003"),
                      plan("004", 预计参与人数="1e400"), plan("005", 预计参与人数="nan")]), 1, ["003"],
         has_line("第2行", "【预计参与人数】", "应在1到100000之间")),
    Case("plans-huge-number-cells-xlsx", "plans", "活动计划.xlsx",
         xlsx(P, [plan(1e300), plan("002", 预计参与人数=1e300, 开始时间=1e300), plan("003")]), 1, ["003"]),
    Case("plans-true-false-cells", "plans", "活动计划.xlsx",
         xlsx(P, [plan("001", 预计参与人数=True), plan("002"), plan("003", 预计参与人数=False)]), 1, ["002"],
         has_line("第2行", "【预计参与人数】", "应为整数")),
    Case("plans-too-many-activities", "plans", "活动计划.xlsx",
         xlsx(P, [plan("001")] * (MAX_ACTIVITIES + 1) + [plan("002")] * MAX_ACTIVITIES), 1, ["002"],
         has_line(f"活动不能超过{MAX_ACTIVITIES}项")),
    Case("plans-unknown-and-blank-station", "plans", "活动计划.xlsx",
         xlsx(P, [plan("999"), plan(""), plan("001")]), 1, ["001"], has_line("没有这个编号")),
    Case("plans-duplicated-rows-kept", "plans", "活动计划.xlsx", xlsx(P, [plan("001"), plan("001")]), 0, ["001"]),
    Case("plans-late-refused", "plans", "活动计划.xlsx", xlsx(P, [plan("001"), plan("002")]), 1, [],
         has_line("不再接收"), late=True),
    Case("plans-gbk-misread-as-latin1", "plans", "活动计划.csv",  # GBK bytes opened as Latin-1, saved as UTF-8
         lambda tmp: csv_file(P, [plan("001")], encoding="gbk")(tmp).decode("latin-1").encode("utf-8"), 2, None,
         has_line("找不到活动计划表头")),
    Case("plans-utf16-without-bom", "plans", "活动计划.csv",
         lambda tmp: csv_file(P, [plan("001")])(tmp).decode().encode("utf-16-le"), 2),
    Case("plans-encrypted-xlsx", "plans", "活动计划.xlsx", raw(encrypted()), 2, None, has_line("密码")),
    Case("plans-truncated-xlsx", "plans", "活动计划.xlsx", truncated(xlsx(P, [plan("001")] * 50)), 2, None,
         has_line("损坏")),
    Case("plans-zip-not-workbook", "plans", "活动计划.xlsx", raw(zip_of({"readme.txt": b"hi"})), 2, None,
         has_line("损坏")),
    Case("plans-html-saved-as-xls", "plans", "活动计划.xls",
         raw("<html><body><table><tr><td>所站编号</td></tr></table></body></html>".encode()), 2, None,
         has_line("网页")),
    Case("plans-csv-renamed-xlsx", "plans", "活动计划.xlsx", csv_file(P, [plan("001")]), 2),
    Case("plans-header-missing-columns", "plans", "活动计划.xlsx", xlsx(P[:4], [plan("001")[:4]]), 2, None,
         has_line("表头缺少列", "开始时间", "活动地点", "预计参与人数")),
    Case("plans-word-document", "plans", "活动计划.docx", raw(zip_of({"word/document.xml": b"<w/>"})), 2, None,
         has_line("不支持的文件类型")),
    Case("plans-binary-junk-csv", "plans", "活动计划.csv", raw(bytes(range(128, 256)) * 40), 2),

    # --- comments (each row is a unit) ---
    Case("comments-duplicated-row", "comments", "部门意见.xlsx",
         xlsx(C, [comment(), comment("宣教科", "增加志愿服务"), comment()]), 1, ["第2行", "第3行"],
         has_line("第4行", "与第2行的意见重复")),
    Case("comments-department-spellings", "comments", "部门意见.xlsx",
         xlsx(C, [comment("理论 科"), comment("宣教科　", "x"), comment(" 网信科", "y")]), 0, None,
         stored(DepartmentComment, "department", {"理论科", "宣教科", "网信科"})),
    Case("comments-unknown-department", "comments", "部门意见.xlsx",
         xlsx(C, [comment("理论处"), comment("宣教科")]), 1, ["第3行"], has_line("【部门】", "是否为“理论科”")),
    Case("comments-nul-in-content", "comments", "部门意见.csv", csv_file(C, [comment(content="建议\x00增加")]), 0,
         ["第2行"], stored(DepartmentComment, "content", {"建议增加"})),
    Case("comments-200kib-content", "comments", "部门意见.csv",
         csv_file(C, [comment(content=BIG), comment("宣教科")]), 1, ["第3行"], has_line("【意见内容】", "超过2000个字")),
    Case("comments-bad-disposition", "comments", "部门意见.csv",
         csv_file([*C, "处理意见"], [[*comment(), "部分采纳"], [*comment("宣教科"), "同意"]]), 1, []),
    Case("comments-long-file-name", "comments", LONG_NAME + ".csv", csv_file(C, [comment()]), 0, ["第2行"],
         refs_fit(DepartmentComment)),
    Case("comments-header-only", "comments", "部门意见.csv", csv_file(C, []), 2, None, has_line("只有表头")),
    Case("comments-zero-bytes", "comments", "部门意见.csv", raw(b""), 2, None, has_line("是空的")),
    Case("comments-title-but-no-header", "comments", "部门意见.xlsx",
         xlsx(["科室", "内容"], [["理论科", "x"]], title="部门意见汇总"), 2, None, has_line("找不到部门意见表头")),

    # --- scores (each row is a unit) ---
    Case("scores-long-file-name", "scores", LONG_NAME + ".xlsx", xlsx(R, [score("001"), score("002")]), 0,
         ["第2行", "第3行"], refs_fit(InspectionScore)),
    Case("scores-numbers-as-text", "scores", "检查评分.csv",
         csv_file(R, [score("1", total="92分"), score("００２", total="８８.５")], encoding="gb18030"), 0,
         ["第2行", "第3行"], stored(InspectionScore, "score", {92.0, 88.5})),
    Case("scores-nul-in-scorer", "scores", "检查评分.csv", csv_file(R, [score("001", scorer="第一\x00检查组")]), 0,
         ["第2行"], stored(InspectionScore, "scorer", {"第一检查组"})),
    Case("scores-huge-negative-nan", "scores", "检查评分.xlsx",
         xlsx(R, [score("001", total=1e300), score("002", total=-5), score("003", total="NaN"), score("004")]), 1,
         ["第5行"], has_line("第2行", "【得分】")),
    Case("scores-duplicated-rows-and-spaced-names", "scores", "检查评分.xlsx",
         xlsx(R, [score("001", scorer="张三"), score("001", scorer="张 三"), score("002", scorer="张三")]), 1,
         ["第2行", "第4行"], has_line("第3行", "与第2行重复")),
    Case("scores-200kib-problems", "scores", "检查评分.csv",
         csv_file(R, [score("001", problems=BIG), score("002", problems="台账不全")]), 1, ["第3行"],
         has_line("【存在问题】", "超过2000个字")),
    Case("scores-category-over-column", "scores", "检查评分.csv",
         csv_file([*R, "问题类别"], [[*score("001"), "类" * 21]]), 1, [], has_line("【问题类别】", "超过20个字")),
    Case("scores-missing-total-column", "scores", "检查评分.xlsx", xlsx(R[:3], [score("001")[:3]]), 2, None,
         has_line("得分")),
    Case("scores-truncated-xlsx", "scores", "检查评分.xlsx", truncated(xlsx(R, [score("001")] * 30)), 2),
    Case("scores-password-protected", "scores", "检查评分.xlsx", raw(encrypted()), 2, None, has_line("密码")),
]
