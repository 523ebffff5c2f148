"""Nothing lost, nothing crashes: a corpus of malformed files, built here, through every import on SQLite
and PostgreSQL.

For each file: no exception escapes `import_file`; the exit code is the one the contract gives (0 all in,
1 some units refused, 2 the file unusable); a refused unit leaves no row, and every accepted unit is
stored whole. Also: every text limit is checked before the database, within the columns' lengths.
"""

from __future__ import annotations

import csv
import io
import os
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from sqlalchemy import String, delete, func
from sqlmodel import SQLModel, select

from activity_day.domain.profile import load_profile
from activity_day.intake import COMMENTS, LIMITS, PLANS, SCORES, STATIONS, STORED_IN
from activity_day.models import (
    ActionKind,
    CommentSource,
    DepartmentComment,
    Disposition,
    InspectionMode,
    InspectionScore,
    PlannedActivity,
    PracticeTask,
    Station,
    StationKind,
    StationPlan,
    Submission,
)
from activity_day.models.enums import SubmissionStatus
from activity_day.services.imports import ImportReport, import_file
from activity_day.settings import Settings, use_settings
from activity_day.store import crud
from activity_day.store.database import ensure_schema, transaction
from tests.conftest import DEMO_PROFILE
from tests.intake_helpers import activity, official_plan, tokens_for

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


# --- running it on both databases --------------------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path: Path) -> Iterator[str]:
    """Settings for a SQLite file, or for the session's PostgreSQL database (skipped without one)."""
    if request.param == "sqlite":
        request.getfixturevalue("settings")
        yield request.param
        return
    previous = use_settings(Settings(database_url=request.getfixturevalue("postgres_url"), out=tmp_path / "out"))
    yield request.param
    use_settings(previous)


@pytest.fixture
def fresh_county(database: str, tmp_path: Path) -> Iterator[str]:
    """A county of its own with a five-station registry, removed afterwards: the PostgreSQL database is
    shared by the session, and other tests count its rows."""
    profile = load_profile(DEMO_PROFILE)
    profile.county.code = f"T{uuid.uuid4().hex[:10]}"
    profile.intake.max_activities = MAX_ACTIVITIES
    ensure_schema()
    with transaction() as session:
        crud.save_profile(session=session, profile=profile)
    path = tmp_path / "registry.csv"
    path.write_bytes(csv_file(STATIONS.required, [[c, n, k, t, "李四", "13900000000"] for c, n, k, t in REGISTRY])(
        tmp_path))
    report = import_file("stations", path, county=profile.county.code)
    assert report.exit_code == 0, report.lines()
    yield profile.county.code
    with transaction() as session:
        for table in reversed(SQLModel.metadata.sorted_tables):
            key = table.c.code if table.name == "county" else table.c.get("county")
            if key is not None:
                session.exec(delete(table).where(key == profile.county.code))


def counts(county: str) -> dict[str, int]:
    with transaction() as session:
        return {name: session.exec(select(func.count()).select_from(model).where(model.county == county)).one()
                for name, model in TABLES.items()}


def stored_plans(county: str) -> dict[str, int]:
    """Activities per station with a stored plan."""
    with transaction() as session:
        plans = session.exec(select(StationPlan).where(StationPlan.county == county)).all()
    return {p.station_code: p.activity_count for p in plans}


@pytest.mark.parametrize("case", CORPUS, ids=[c.id for c in CORPUS])
def test_malformed_file(case: Case, fresh_county: str, tmp_path: Path) -> None:
    county = fresh_county
    folder = tmp_path / "in"
    folder.mkdir()
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), case.name if isinstance(case.name, bytes)
                                         else case.name.encode())))
    if case.build is not None:
        path.write_bytes(case.build(tmp_path))
    elif case.setup is not None:
        case.setup(path)
    received_at = None
    if case.late:
        official_plan(county, MONTH)
        with transaction() as session:
            profile = crud.load_profile_of(session=session, county=county)
            profile.intake.late_submissions = "refuse"
            crud.save_profile(session=session, profile=profile)
        received_at = datetime(2026, 12, 4, 12, tzinfo=UTC)
    before = counts(county)

    report = import_file(case.kind, path, county=county, month=None if case.kind == "stations" else MONTH,
                         received_at=received_at)

    after = counts(county)
    lines = report.lines()
    assert report.exit_code == case.code, lines
    assert all("\x00" not in line for line in lines)
    if case.code == 2:
        assert after == before and report.problems and report.rows_written == 0
        assert len(lines) == 1 and "：" in lines[0]
    else:
        assert all(p.file for p in report.problems) and all(p.row for p in report.problems if p.column)
    if case.code == 1:
        assert report.refused and report.problems
    if case.code == 0:
        assert not report.refused
    if case.accepted is not None:
        assert report.accepted == case.accepted, lines
    delta = {t: after[t] - before[t] for t in TABLES}
    if case.kind == "stations":
        if report.accepted:  # the registry replaced the five stations: new ones added, old ones inactive
            with transaction() as session:
                active = session.exec(select(func.count()).select_from(Station).where(
                    Station.county == county, Station.active)).one()
            assert active == report.rows_written == delta["station"] > 0
        else:
            assert delta == dict.fromkeys(TABLES, 0)
    elif case.kind == "plans":
        plans = stored_plans(county)
        assert sorted(plans) == sorted(report.accepted)  # refused stations left nothing
        assert delta["planned_activity"] == sum(plans.values()) == report.rows_written
        assert delta["station_plan"] == len(report.accepted)
        assert {t: n for t, n in delta.items() if t not in ("planned_activity", "station_plan")} == \
            dict.fromkeys(set(TABLES) - {"planned_activity", "station_plan"}, 0)
    else:
        table = "department_comment" if case.kind == "comments" else "inspection_score"
        assert delta[table] == len(report.accepted) == report.rows_written  # rows written = rows stored
        assert {t: n for t, n in delta.items() if t != table} == dict.fromkeys(set(TABLES) - {table}, 0)
    if case.check is not None:
        case.check(report, county)


def test_corpus_is_large_and_covers_every_kind() -> None:
    kinds = {c.kind for c in CORPUS}
    assert len(CORPUS) >= 40 and kinds == {"stations", "plans", "comments", "scores"}
    assert {c.code for c in CORPUS} == {0, 1, 2} and len({c.id for c in CORPUS}) == len(CORPUS)


# --- the API on both databases -----------------------------------------------------------------------------

def test_api_control_characters_and_late_refusal(fresh_county: str) -> None:
    from fastapi.testclient import TestClient

    from activity_day.api import clock, create_app

    county = fresh_county
    content = official_plan(county, MONTH)
    tokens = tokens_for(county, ["001", "002"])
    app = create_app(max_body_bytes=20000)
    now = {"at": datetime(2026, 11, 25, tzinfo=UTC)}
    app.dependency_overrides[clock] = lambda: now["at"]
    day = date.fromisoformat(content["activity_date"])
    with TestClient(app) as client:
        dirty = {"submission_id": "sub-nul-0001",
                 "activities": [activity(day), activity(day, name="理论\x00宣讲", location="广场\x07")]}
        response = client.put(f"/api/v1/stations/001/plans/{MONTH}", json=dirty,
                              headers={"Authorization": f"Bearer {tokens['001']}"})
        assert response.status_code == 422, response.json()
        problems = response.json()["problems"]
        assert [(p["row"], p["column"], p["field"]) for p in problems] == [
            (2, "活动名称", "activities.1.name"), (2, "活动地点", "activities.1.location")]
        assert response.json()["code"] == "malformed"
        assert "U+0000" in problems[0]["reason"] and problems[0]["value"] == "理论宣讲"

        with transaction() as session:
            profile = crud.load_profile_of(session=session, county=county)
            profile.intake.late_submissions = "refuse"
            crud.save_profile(session=session, profile=profile)
        now["at"] = datetime(2026, 12, 4, 12, tzinfo=UTC)
        late = client.put(f"/api/v1/stations/002/plans/{MONTH}",
                          json={"submission_id": "sub-late-0001", "activities": [activity(day)]},
                          headers={"Authorization": f"Bearer {tokens['002']}"})
        assert late.status_code == 409 and late.json()["status"] == late.json()["code"] == "refused_late"
        replay = client.put(f"/api/v1/stations/002/plans/{MONTH}",
                            json={"submission_id": "sub-late-0001", "activities": [activity(day)]},
                            headers={"Authorization": f"Bearer {tokens['002']}"})
        assert replay.status_code == 409 and replay.headers["Idempotent-Replayed"] == "true"
    with transaction() as session:
        subs = session.exec(select(Submission).where(Submission.county == county).order_by(Submission.id)).all()
        # The request with control characters was refused before it was read as a submission: nothing stored.
        assert [(s.station_code, s.status, s.http_status) for s in subs] == [("002", "refused_late", 409)]
    assert counts(county)["station_plan"] == counts(county)["planned_activity"] == 0


# --- text limits and the columns ------------------------------------------------------------------------

# Columns the imports and the API write from values that are not free input: keys, enums, digests, and
# source references (shortened to fit by `imports.source_ref`).
NOT_INPUT = {"county", "month", "digest", "source_ref", "payload_sha256", "submission_id", "channel"}
ENUM_COLUMNS = {"station.kind": StationKind, "planned_activity.task": PracticeTask,
                "planned_activity.action_kind": ActionKind, "inspection_score.mode": InspectionMode,
                "department_comment.disposition": Disposition, "department_comment.source": CommentSource,
                "submission.status": SubmissionStatus}


def test_every_text_column_the_intake_writes_has_a_limit_within_it() -> None:
    """Every VARCHAR column filled from files or the API is checked before the database, never above its length."""
    written = ["station", "station_plan", "planned_activity", "department_comment", "inspection_score",
               "submission"]
    covered = {c for columns in STORED_IN.values() for c in columns}
    for table in written:
        for column in SQLModel.metadata.tables[table].columns:
            if not isinstance(column.type, String) or column.type.length is None or column.name in NOT_INPUT:
                continue
            name = f"{table}.{column.name}"
            if name in ENUM_COLUMNS:
                assert max(len(m.value) for m in ENUM_COLUMNS[name]) <= column.type.length, name
            else:
                assert name in covered, f"{name} is written from input but no validator limits it"
    for header, columns in STORED_IN.items():
        for name in columns:
            table, column = name.split(".")
            assert LIMITS[header] <= SQLModel.metadata.tables[table].c[column].type.length, name
    # channel values and the API's source reference fit too
    assert SQLModel.metadata.tables["station_plan"].c["channel"].type.length >= len("excel")
    assert len("submission:") + SQLModel.metadata.tables["submission"].c["submission_id"].type.length <= \
        SQLModel.metadata.tables["station_plan"].c["source_ref"].type.length
