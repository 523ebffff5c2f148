"""Reading the files users send (xlsx and csv, rarely clean) and validating them. No database here.

Every problem becomes a `Problem` naming the file, row, column and value, in Chinese for station staff.
Validators return the accepted units and the problems; the caller writes the accepted units in one
transaction.
"""

from __future__ import annotations

import csv
import errno
import io
import math
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlmodel import SQLModel

from activity_day.domain.names import closest, control_characters, normalize_name, strip_control
from activity_day.domain.review import check_proposed_codes
from models.enums import ActionKind, Disposition, InspectionMode, PracticeTask, StationKind

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
HEADER_SCAN_ROWS = 20
ROW = "_row"
MAX_NOTICES = 20  # control-character notices listed one by one per file; the rest are counted


# --- text limits: every text field is checked here, before the database ----------------------------

# The columns each text field of a file (and of the API) ends up in. A field's limit is the shortest
# of them: SQLite does not enforce VARCHAR lengths and PostgreSQL does, so checking here is what makes
# both databases accept and refuse the same input.
STORED_IN: dict[str, tuple[str, ...]] = {
    "所站编号": ("station.code", "station_plan.station_code", "planned_activity.station_code",
                 "inspection_score.station_code", "draw_assignment.station_code", "feedback_item.station_code",
                 "submission.station_code", "station_token.station_code"),
    "所站名称": ("station.name",),
    "乡镇（街道）": ("station.township", "township.name", "draw_assignment.township", "feedback_item.township"),
    "负责人": ("station.leader",),
    "联系电话": ("station.phone",),
    "活动名称": ("planned_activity.name",),
    "活动地点": ("planned_activity.location",),
    "清单编号": ("planned_activity.checklist_code",),
    "志愿服务队伍": ("planned_activity.volunteer_team",),
    "部门": ("department_comment.department",),
    "评分人": ("inspection_score.scorer",),
    "问题类别": ("inspection_score.category", "feedback_item.category"),
}
# Free text kept in TEXT columns (意见内容, 处理理由, 存在问题, 意见建议): no column limit, but a cell this
# long is a paste gone wrong, not a comment.
LONG_TEXT = 2000
LONG_TEXT_FIELDS = ("意见内容", "处理理由", "存在问题", "意见建议")


def column_length(qualified: str) -> int:
    """The length of a VARCHAR column named as `table.column`."""
    table, column = qualified.split(".")
    return SQLModel.metadata.tables[table].c[column].type.length


LIMITS: dict[str, int] = {field: min(column_length(c) for c in columns) for field, columns in STORED_IN.items()}
LIMITS |= dict.fromkeys(LONG_TEXT_FIELDS, LONG_TEXT)


def too_many_activities(limit: int) -> str:
    """The one message for a plan over the profile's `intake.max_activities` (API and file alike)."""
    return f"活动不能超过{limit}项"


# --- headers of each kind of file (the exact Chinese headers users see) ---------------------------

@dataclass(frozen=True)
class FileKind:
    name: str
    title: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        return self.required + self.optional


STATIONS = FileKind(
    "stations", "所站名录", ("所站编号", "所站名称", "类型", "乡镇（街道）", "负责人", "联系电话"), ("经度", "纬度")
)
PLANS = FileKind(
    "plans",
    "活动计划",
    ("所站编号", "活动名称", "任务类别", "动作类型", "开始时间", "活动地点", "预计参与人数"),
    ("清单编号", "志愿服务队伍"),
)
COMMENTS = FileKind("comments", "部门意见", ("部门", "意见内容"), ("处理意见", "处理理由", "建议增加", "建议删除"))
SCORES = FileKind("scores", "检查评分", ("所站编号", "检查方式", "评分人"), ("得分", "存在问题", "问题类别", "意见建议"))


def scores_kind(rubric: list[tuple[str, float]]) -> FileKind:
    """The scores file with one optional column per rubric item (a file carries 得分, or the items, or both)."""
    return FileKind(SCORES.name, SCORES.title, SCORES.required,
                    SCORES.optional + tuple(name for name, _ in rubric if name not in SCORES.optional))
KINDS = {k.name: k for k in (STATIONS, PLANS, COMMENTS, SCORES)}


# --- problems --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def line(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"【{self.column}】")
        if self.value is not None:
            shown = self.value if len(self.value) <= 40 else self.value[:40] + "…"
            parts.append(f"“{shown}”")
        return " ".join(parts) + f"：{self.message}"


class FileUnusable(Exception):
    """The file as a whole cannot be used: missing, unreadable, or without the expected header."""

    def __init__(self, problem: Problem):
        super().__init__(problem.line())
        self.problem = problem


# --- reading -----------------------------------------------------------------------------------------

def file_label(path: Path | str, *, full: bool = False) -> str:
    """A file's name (or with `full`, its whole path) as reports show it and `source_ref` stores it:
    valid UTF-8, no control characters.

    Names unpacked from a zip made on a Chinese Windows often arrive as GBK bytes; they are decoded as
    such rather than shown as escapes.
    """
    raw = os.fsencode(str(path) if full else Path(path).name or str(path))
    for encoding in ("utf-8", "gb18030"):
        try:
            return strip_control(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    return strip_control(raw.decode("utf-8", "replace"))


def _unusable(path: Path, message: str) -> FileUnusable:
    return FileUnusable(Problem(file_label(path), None, None, None, message))


def _decode_csv(path: Path, raw: bytes) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text"), else
    GB18030 (a superset of GBK)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _unusable(path, "无法识别文件编码（支持 UTF-8 与 GBK/GB18030），请用 Excel 另存为 xlsx 或 UTF-8 的 csv")


def _why_unreadable(head: bytes, suffix: str) -> str:
    """What is wrong with a spreadsheet calamine could not open, told from its first bytes."""
    if not head:
        return "文件是空的（0 字节）"
    if head.startswith(b"\xd0\xcf\x11\xe0") and suffix != ".xls":
        return "文件设置了打开密码或是旧版 Excel 文件，请取消密码后另存为 xlsx"
    if head.startswith(b"PK"):
        return "文件已损坏或不完整（可能是下载或复制时中断），请重新导出后再试"
    if head.lstrip().lower().startswith((b"<html", b"<!doctype", b"<table", b"<?xml")):
        return "这是网页或 XML 格式的表格，请用 Excel 打开后另存为 xlsx"
    return "不是有效的表格文件（内容与扩展名不符或已损坏），请用 Excel 另存为 xlsx 或 csv"


def _read_excel(path: Path) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        return sheet.to_python(skip_empty_area=False)
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # calamine raises several error types, and a Rust panic is a BaseException
        try:
            with path.open("rb") as fh:
                head = fh.read(512)
        except OSError:
            head = b"?"
        raise _unusable(path, _why_unreadable(head, path.suffix.lower())) from exc


def _read_csv(path: Path) -> list[list[Any]]:
    text = _decode_csv(path, path.read_bytes())
    sample = text[:4096]
    if "\n" in sample:
        sample = sample[:sample.rindex("\n")]  # whole lines only: a cut line misleads the sniffer
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    # Read over-long cells (the module default stops at 128 KiB with an error); the validators refuse
    # them by name. The limit is process-wide, so it is only ever raised.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    try:
        return list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise _unusable(path, f"csv 格式有误，无法读取（{exc}）") from exc


_OS_REASONS = {errno.ENAMETOOLONG: "文件名过长", errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限",
               errno.ENOENT: "文件不存在", errno.ENOTDIR: "路径中有一段不是文件夹", errno.EIO: "读取时出错"}


def _os_reason(exc: OSError) -> str:
    return _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def _read_grid(path: Path) -> list[list[Any]]:
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as exc:  # a name too long for the file system, a path through a file…
        raise FileUnusable(Problem(file_label(path, full=True), None, None, None,
                                   f"无法打开文件（{_os_reason(exc)}）")) from exc
    if not exists:
        raise FileUnusable(Problem(file_label(path, full=True), None, None, None, "文件不存在"))
    if is_dir:
        raise FileUnusable(Problem(file_label(path, full=True), None, None, None, "这是一个文件夹，不是文件"))
    suffix = path.suffix.lower()
    if suffix not in EXCEL_SUFFIXES | {".csv", ".txt"}:
        raise _unusable(path, f"不支持的文件类型“{strip_control(path.suffix)}”，请使用 xlsx 或 csv")
    try:
        return _read_excel(path) if suffix in EXCEL_SUFFIXES else _read_csv(path)
    except OSError as exc:
        raise _unusable(path, f"无法读取文件（{_os_reason(exc)}）") from exc


# Zero-width characters and BOMs that copying from web pages and chat apps leaves in header cells.
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff]")


def norm_header(value: Any) -> str:
    """Header text compared loosely: NFKC (full-width brackets, spaces), no whitespace or invisible characters."""
    return _INVISIBLE.sub("", re.sub(r"\s+", "", strip_control(unicodedata.normalize("NFKC", str(value or "")))))


def read_table(path: Path, kind: FileKind) -> pd.DataFrame:
    """The data rows of the file as raw objects, one column per known header, plus `_row` (1-based).

    The header may sit below title rows; blank rows and unknown columns are dropped. Control characters
    (NUL and the like) are removed from text cells; each removal is a notice in `attrs["notices"]`.
    Raises FileUnusable for a file that cannot be used as a whole.
    """
    path = Path(path)
    label = file_label(path)
    grid = _read_grid(path)
    if not any(not is_blank(c) for row in grid for c in row):
        where = "第一个工作表" if path.suffix.lower() in EXCEL_SUFFIXES else "文件"
        raise FileUnusable(Problem(label, None, None, None, f"{where}是空的，没有任何内容"))
    wanted = {norm_header(h): h for h in kind.headers}
    required = {norm_header(h) for h in kind.required}
    best: tuple[int, set[str]] = (-1, set())
    header_index = None
    for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        present = {norm_header(c) for c in row} & set(wanted)
        if required <= present:
            header_index = index
            break
        if len(present) > len(best[1]):
            best = (index, present)
    if header_index is None:
        if best[0] < 0:
            raise FileUnusable(
                Problem(label, None, None, None, f"找不到{kind.title}表头（应包含：{'、'.join(kind.required)}）")
            )
        missing = [h for h in kind.required if norm_header(h) not in best[1]]
        raise FileUnusable(
            Problem(label, best[0] + 1, None, None, f"表头缺少列：{'、'.join(missing)}")
        )
    header = grid[header_index]
    positions: dict[str, int] = {}
    for col, cell in enumerate(header):
        key = norm_header(cell)
        if key in wanted:
            if wanted[key] in positions:
                raise FileUnusable(Problem(label, header_index + 1, wanted[key], None,
                                           "表头中这一列出现了两次，请删除多余的一列"))
            positions[wanted[key]] = col
    records = []
    notices: list[Problem] = []
    stripped = 0
    for index in range(header_index + 1, len(grid)):
        row = grid[index]
        values = {h: (row[c] if c < len(row) else None) for h, c in positions.items()}
        if all(is_blank(v) for v in values.values()):
            continue
        for h, value in values.items():
            # isprintable() is a fast pre-check: every control character makes it False.
            if isinstance(value, str) and not value.isprintable() and (found := control_characters(value)):
                values[h] = strip_control(value)
                stripped += 1
                if len(notices) < MAX_NOTICES:
                    notices.append(Problem(label, index + 1, h, values[h],
                                           f"含有不可见的控制字符（{'、'.join(found)}），已删除"))
        values[ROW] = index + 1
        records.append(values)
    if stripped > len(notices):
        notices.append(Problem(label, None, None, None, f"另有{stripped - len(notices)}处控制字符已删除"))
    if not records:
        raise FileUnusable(Problem(label, header_index + 1, None, None, "文件中只有表头，没有数据"))
    frame = pd.DataFrame.from_records(records, columns=[*positions, ROW])
    for h in kind.optional:
        if h not in frame.columns:
            frame[h] = None
    frame = frame.astype(object).where(frame.notna(), None)
    frame.attrs["found"] = list(positions)
    frame.attrs["header_row"] = header_index + 1
    frame.attrs["notices"] = notices
    return frame


# --- cell parsers: value -> (parsed, error message or None) ---------------------------------------

def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def text(value: Any) -> str:
    """Free text as given, minus surrounding whitespace; numbers as Excel shows them."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    try:
        return str(value).strip()
    except ValueError:  # an integer of more than 4300 digits does not print
        return "（超长数字）"


def compact(value: Any) -> str:
    """Codes and numbers: NFKC (full-width digits), no whitespace, integral floats without '.0'."""
    if is_blank(value):
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def numeric_key(code: str) -> str | None:
    """'#<int>' for a code of ASCII digits ('001' and '1' share '#1'), else None."""
    if code.isascii() and code.isdigit() and len(code) <= LIMITS["所站编号"]:
        return f"#{int(code)}"
    return None


def resolve_code(value: Any, known: dict[str, str]) -> str | None:
    """The registered station code a cell means: exact, or the same number ('001' read back as 1)."""
    code = compact(value)
    if code in known:
        return code
    key = numeric_key(code)
    return known.get(key) if key else None


def code_index(codes: Iterable[str]) -> dict[str, str]:
    """Lookup for `resolve_code`: each code, plus '#<int>' for numeric codes."""
    index: dict[str, str] = {}
    for code in codes:
        index[code] = code
        if key := numeric_key(code):
            index.setdefault(key, code)
    return index


def phone(value: Any) -> tuple[str, str | None]:
    number = compact(value).replace("－", "-")
    if not number:
        return "", "联系电话为空"
    if not re.fullmatch(r"\+?[0-9][0-9-]{5,19}", number):
        return number, "不是有效的电话号码"
    return number, None


_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*(?:T\s*)?(\d{1,2})\s*(?:[:：时点]\s*(?:(\d{1,2})\s*分?)?)?(?:\s*[:：]\s*(\d{1,2}))?\s*(?:秒)?)?$"
)
EXCEL_EPOCH = datetime(1899, 12, 30)


def excel_serial(serial: float) -> datetime:
    return EXCEL_EPOCH + timedelta(days=float(serial))


def parse_datetime(value: Any) -> tuple[datetime | None, str | None]:
    """A start time from an Excel date, an Excel serial number, or text like 2026/12/5 9:00 or 2026年12月5日 9时."""
    if is_blank(value):
        return None, "开始时间为空"
    if isinstance(value, datetime):
        return value.replace(microsecond=0, tzinfo=None), None
    if isinstance(value, date):
        return datetime.combine(value, time()), None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:  # 1954..2119 as Excel serials
            return excel_serial(float(value)).replace(microsecond=0), None
        return None, "不是有效的日期时间"
    if not isinstance(value, str):
        return None, "不是有效的日期时间"
    raw = unicodedata.normalize("NFKC", value).strip()
    if len(raw) > 40:
        return None, "不是有效的日期时间（示例：2026/12/5 9:00 或 2026年12月5日 9时）"
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):
        return parse_datetime(float(raw))
    match = _DATE_RE.match(raw)
    if not match:
        return None, "不是有效的日期时间（示例：2026/12/5 9:00 或 2026年12月5日 9时）"
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
    try:
        return datetime(y, mo, d, h, mi, s), None
    except ValueError:
        return None, "日期不存在"


def parse_count(value: Any, *, low: int, high: int) -> tuple[int | None, str | None]:
    if is_blank(value):
        return None, "不能为空"
    if isinstance(value, bool):  # an Excel TRUE/FALSE cell is not a count
        return None, "应为整数"
    raw = value
    if isinstance(value, str):
        raw = compact(value).removesuffix("人").removesuffix("名")
    try:
        number = float(raw)
    except (TypeError, ValueError, OverflowError):
        return None, "应为整数" if not isinstance(value, int) else f"应在{low}到{high}之间"
    if not number.is_integer():
        return None, "应为整数"
    if not low <= number <= high:
        return None, f"应在{low}到{high}之间"
    return int(number), None


def parse_score(value: Any) -> tuple[float | None, str | None]:
    if is_blank(value):
        return None, "得分为空"
    if isinstance(value, bool):
        return None, "得分应为0到100之间的数字"
    raw = compact(value).removesuffix("分") if isinstance(value, str) else value
    try:
        number = float(raw)
    except (TypeError, ValueError, OverflowError):
        return None, "得分应为0到100之间的数字"
    if math.isnan(number) or not 0 <= number <= 100:
        return None, "得分应为0到100之间的数字"
    return round(number, 2), None


def parse_enum(value: Any, enum: type, label: str) -> tuple[Any, str | None]:
    raw = compact(value)
    for member in enum:
        if raw == member.value:
            return member, None
    return None, f"{label}应为：{'、'.join(m.value for m in enum)}"


def parse_kind(value: Any) -> tuple[StationKind | None, str | None]:
    raw = compact(value)
    if raw.endswith("所") or raw.endswith("站"):
        return StationKind(raw[-1]), None
    return None, "类型应为：所、站"


def _float_or_none(value: Any, low: float, high: float) -> tuple[float | None, str | None]:
    if is_blank(value):
        return None, None
    try:
        number = float(compact(value))
    except (ValueError, OverflowError):
        return None, "应为数字"
    if not low <= number <= high:
        return None, f"应在{low}到{high}之间"
    return number, None


# --- validation ------------------------------------------------------------------------------------

@dataclass
class Validated:
    """Accepted units (each a list of row dicts) and problems; units are keyed for the report."""

    kind: str
    file: str
    units: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    refused: dict[str, list[Problem]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.refused else 0


class _RowCheck:
    """Collects a row's parsed fields and problems."""

    def __init__(self, file: str, row: dict[str, Any]):
        self.file, self.row, self.problems = file, row, []
        self.values: dict[str, Any] = {}

    def check(self, column: str, key: str, parsed: tuple[Any, str | None]) -> Any:
        value, error = parsed
        if error:
            self.problems.append(Problem(self.file, self.row[ROW], column, text(self.row.get(column)), error))
        self.values[key] = value
        return value

    def require_text(self, column: str, key: str, limit: int, *, name: bool = False) -> str:
        """Text that must be present and at most `limit` characters; a name (`name`) is normalised first."""
        return self.optional_text(column, key, limit, name=name, required=True)

    def optional_text(self, column: str, key: str, limit: int, *, name: bool = False,
                      required: bool = False) -> str:
        value = text(self.row.get(column))
        if name:
            value = normalize_name(value)
        if not value and required:
            return self.check(column, key, (value, f"{column}不能为空"))
        if len(value) > limit:
            return self.check(column, key, (value, too_long(limit, value)))
        return self.check(column, key, (value, None))

    def fail(self, column: str | None, message: str) -> None:
        value = text(self.row.get(column)) if column else None
        self.problems.append(Problem(self.file, self.row[ROW], column, value, message))


def too_long(limit: int, value: str) -> str:
    return f"超过{limit}个字（共{len(value)}个字）"


def validate_stations(frame: pd.DataFrame, file: str, existing: dict[str, str] | None = None) -> Validated:
    """The registry is one unit: any problem refuses the whole file.

    A code typed as a number (1 for 001) keeps the registered code it means, so re-importing a
    registry never re-keys its stations.
    """
    result = Validated("stations", file)
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for raw in frame.to_dict("records"):
        c = _RowCheck(file, raw)
        code = resolve_code(raw["所站编号"], existing or {}) or compact(raw["所站编号"])
        same = numeric_key(code) or code
        if same in seen:
            c.fail("所站编号", f"与第{seen[same]}行的所站编号重复")
        seen.setdefault(same, raw[ROW])
        c.check("所站编号", "code", (code, None if code else "所站编号不能为空"))
        if len(code) > LIMITS["所站编号"]:
            c.fail("所站编号", f"所站编号超过{LIMITS['所站编号']}个字符")
        c.require_text("所站名称", "name", LIMITS["所站名称"], name=True)
        c.check("类型", "kind", parse_kind(raw["类型"]))
        c.require_text("乡镇（街道）", "township", LIMITS["乡镇（街道）"], name=True)
        c.optional_text("负责人", "leader", LIMITS["负责人"], name=True)
        number, error = phone(raw["联系电话"])
        if error is None and len(number) > LIMITS["联系电话"]:  # the pattern allows 21; the column decides
            error = f"超过{LIMITS['联系电话']}个字符"
        c.check("联系电话", "phone", (number, error))
        c.check("经度", "longitude", _float_or_none(raw.get("经度"), 73, 136))
        c.check("纬度", "latitude", _float_or_none(raw.get("纬度"), 3, 54))
        result.problems += c.problems
        if c.values["kind"] is not None:
            c.values["kind"] = c.values["kind"].value
        rows.append(c.values)
    if not rows:
        result.problems.append(Problem(file, None, None, None, "名录中没有任何所站"))
    if result.problems:
        result.refused["名录"] = list(result.problems)
    else:
        result.units["名录"] = rows
    return result


def validate_plans(
    frame: pd.DataFrame,
    file: str,
    *,
    month: str,
    stations: dict[str, str],
    checklist_codes: set[str] | None,
    max_text: int = 200,
    max_activities: int | None = None,
) -> Validated:
    """Plans: the unit is one station's plan for the month; one bad row refuses that station's plan.

    Text fields hold at most `max_text` characters (and never more than their columns); a station
    with more than `max_activities` rows is refused as the API refuses it.
    """
    result = Validated("plans", file)
    year, mon = (int(p) for p in month.split("-"))
    by_unit: dict[str, list[dict[str, Any]]] = {}
    problems_by_unit: dict[str, list[Problem]] = {}
    for raw in frame.to_dict("records"):
        c = _RowCheck(file, raw)
        code = resolve_code(raw["所站编号"], stations)
        unit = code or f"未知编号 {_shown(compact(raw['所站编号'])) or '（空）'}"
        if code is None:
            if is_blank(raw["所站编号"]):
                c.fail("所站编号", "所站编号不能为空")
            else:
                c.fail("所站编号", "所站名录中没有这个编号")
        c.values["station_code"] = code
        c.require_text("活动名称", "name", min(max_text, LIMITS["活动名称"]))
        task = c.check("任务类别", "task", parse_enum(raw["任务类别"], PracticeTask, "任务类别"))
        kind = c.check("动作类型", "action_kind", parse_enum(raw["动作类型"], ActionKind, "动作类型"))
        start = c.check("开始时间", "start_time", parse_datetime(raw["开始时间"]))
        if start is not None and (start.year, start.month) != (year, mon):
            c.fail("开始时间", f"不在{year}年{mon}月内")
        c.require_text("活动地点", "location", min(max_text, LIMITS["活动地点"]))
        c.check("预计参与人数", "expected_participants", parse_count(raw["预计参与人数"], low=1, high=100000))
        item = compact(raw.get("清单编号")) or None
        if item is not None:
            item = item.upper()
            if len(item) > LIMITS["清单编号"]:
                c.fail("清单编号", f"超过{LIMITS['清单编号']}个字符")
            elif checklist_codes is None:
                c.fail("清单编号", f"{year}年{mon}月方案尚未起草，无法核对清单编号")
            elif item not in checklist_codes:
                c.fail("清单编号", f"不是{year}年{mon}月活动清单中的编号")
        c.values["checklist_code"] = item
        c.values["volunteer_team"] = c.optional_text("志愿服务队伍", "volunteer_team",
                                                     min(max_text, LIMITS["志愿服务队伍"])) or None
        if task is not None:
            c.values["task"] = task.value
        if kind is not None:
            c.values["action_kind"] = kind.value
        c.values["_row"] = raw[ROW]
        by_unit.setdefault(unit, []).append(c.values)
        problems_by_unit.setdefault(unit, []).extend(c.problems)
        result.problems += c.problems
    if max_activities is not None:
        for unit, rows in by_unit.items():
            if len(rows) > max_activities:
                problem = Problem(file, rows[max_activities]["_row"], "所站编号", unit,
                                  f"{too_many_activities(max_activities)}（本所站共{len(rows)}项）")
                problems_by_unit[unit].append(problem)
                result.problems.append(problem)
    for unit, rows in by_unit.items():
        if problems_by_unit[unit]:
            result.refused[unit] = problems_by_unit[unit]
        else:
            result.units[unit] = rows
    return result


def validate_comments(frame: pd.DataFrame, file: str, *, departments: list[str],
                      catalog_codes: set[str] | None = None, in_plan: set[str] | None = None) -> Validated:
    """Department comments: each row is its own unit. Proposed codes are checked when the plan is known."""
    result = Validated("comments", file)
    known = {normalize_name(d): d for d in departments}
    seen: dict[tuple[str, str], int] = {}
    for raw in frame.to_dict("records"):
        c = _RowCheck(file, raw)
        given = normalize_name(text(raw["部门"]))
        dept = known.get(given) or known.get(compact(given))
        if dept is None:
            guess = closest(given, known) if given else None
            hint = f"（是否为“{known[guess]}”？）" if guess else ""
            c.fail("部门", f"部门应为：{'、'.join(departments)}{hint}")
        elif len(dept) > LIMITS["部门"]:
            c.fail("部门", f"部门名称超过{LIMITS['部门']}个字，请在县级配置中缩短")
        c.values["department"] = dept or given
        content = c.require_text("意见内容", "content", LIMITS["意见内容"])
        if dept and content:
            key = (dept, content)
            if key in seen:
                c.fail("意见内容", f"与第{seen[key]}行的意见重复（同一部门、同一内容），只保存第{seen[key]}行")
            seen.setdefault(key, raw[ROW])
        disposition = None
        if not is_blank(raw.get("处理意见")):
            disposition = c.check("处理意见", "disposition", parse_enum(raw["处理意见"], Disposition, "处理意见"))
            if disposition is Disposition.NO_COMMENT:
                c.fail("处理意见", "“无意见”只用于未反馈的部门")
        reason = c.optional_text("处理理由", "reason", LIMITS["处理理由"])
        if disposition in (Disposition.PARTLY, Disposition.NOT_ADOPTED) and not reason:
            c.fail("处理理由", f"处理意见为“{disposition.value}”时必须填写理由")
        c.values["disposition"] = disposition.value if disposition else None
        c.values["reason"] = reason
        c.values["proposes_add"] = _code_list(raw.get("建议增加"))
        c.values["proposes_remove"] = _code_list(raw.get("建议删除"))
        if c.values["proposes_add"] or c.values["proposes_remove"]:
            if catalog_codes is None or in_plan is None:
                c.fail("建议增加" if c.values["proposes_add"] else "建议删除", "本月方案尚未起草，无法核对清单编号")
            else:
                for code in c.values["proposes_add"]:
                    for error in check_proposed_codes([code], [], catalog_codes=catalog_codes, in_plan=in_plan):
                        c.fail("建议增加", error)
                for code in c.values["proposes_remove"]:
                    for error in check_proposed_codes([], [code], catalog_codes=catalog_codes, in_plan=in_plan):
                        c.fail("建议删除", error)
        _finish_row_unit(result, c, f"第{raw[ROW]}行")
    return result


def _code_list(value: Any) -> list[str]:
    return [p.upper() for p in re.split(r"[,，、;；\s]+", compact(value) if not is_blank(value) else "") if p]


def check_score_columns(frame: pd.DataFrame, file: str, rubric: list[tuple[str, float]]) -> Problem | None:
    """A scores file needs 得分 or every rubric item as a column; partial rubric columns are refused."""
    found = set(frame.attrs.get("found", frame.columns))
    items = [name for name, _ in rubric]
    present = [n for n in items if n in found]
    row = frame.attrs.get("header_row")
    if present and len(present) < len(items):
        missing = "、".join(n for n in items if n not in found)
        return Problem(file, row, None, None, f"评分细则列不全，缺少：{missing}（细则：{'、'.join(items)}）")
    if not present and "得分" not in found:
        return Problem(file, row, None, None, f"表头缺少列：得分（或按评分细则分列：{'、'.join(items)}）")
    return None


def validate_scores(frame: pd.DataFrame, file: str, *, stations: dict[str, str],
                    rubric: list[tuple[str, float]] | None = None) -> Validated:
    """Scores: each row is its own unit; a repeated (station, mode, scorer) is refused.

    A row carries a total (得分), or one score per rubric item (each 0 to the item's weight) whose sum
    is the total; with both, they must agree.
    """
    rubric = rubric or []
    found = set(frame.attrs.get("found", frame.columns))
    per_item = bool(rubric) and all(name in found for name, _ in rubric)
    result = Validated("scores", file)
    seen: dict[tuple, int] = {}
    for raw in frame.to_dict("records"):
        c = _RowCheck(file, raw)
        code = resolve_code(raw["所站编号"], stations)
        if code is None:
            c.fail("所站编号", "所站编号不能为空" if is_blank(raw["所站编号"]) else "所站名录中没有这个编号")
        c.values["station_code"] = code
        mode = c.check("检查方式", "mode", parse_enum(raw["检查方式"], InspectionMode, "检查方式"))
        scorer = c.require_text("评分人", "scorer", LIMITS["评分人"], name=True)
        items: dict[str, float] = {}
        if per_item:
            for name, weight in rubric:
                value, error = parse_score(raw.get(name))
                if error is None and value is not None and value > weight:
                    error = f"该项满分{weight:g}分"
                if error:
                    c.fail(name, error.replace("得分", "该项得分"))
                else:
                    items[name] = value
        total = None
        if "得分" in found and not (per_item and is_blank(raw.get("得分"))):
            total = c.check("得分", "score", parse_score(raw.get("得分")))
        if per_item and len(items) == len(rubric):
            summed = round(sum(items.values()), 2)
            if total is not None and abs(total - summed) > 0.05:
                c.fail("得分", f"与各项得分之和{summed:g}不一致")
            total = summed
        c.values["score"] = total
        c.values["items"] = items
        c.optional_text("存在问题", "problems", LIMITS["存在问题"])
        c.optional_text("问题类别", "category", LIMITS["问题类别"])
        c.optional_text("意见建议", "suggestions", LIMITS["意见建议"])
        key = (code, mode, scorer)
        if code and mode and scorer and key in seen:
            c.fail("评分人", f"与第{seen[key]}行重复（同一所站、检查方式和评分人）")
        seen.setdefault(key, raw[ROW])
        if mode is not None:
            c.values["mode"] = mode.value
        _finish_row_unit(result, c, f"第{raw[ROW]}行")
    return result


def _shown(value: str, limit: int = 20) -> str:
    """A value short enough to name a unit in a summary line."""
    return value if len(value) <= limit else value[:limit] + "…"


def _finish_row_unit(result: Validated, check: _RowCheck, unit: str) -> None:
    check.values["_row"] = check.row[ROW]
    result.problems += check.problems
    if check.problems:
        result.refused[unit] = check.problems
    else:
        result.units[unit] = [check.values]

