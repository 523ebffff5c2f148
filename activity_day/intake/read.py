"""Reading the files users send (xlsx and csv, rarely clean) into a frame of raw cells, one column per header."""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd

from activity_day.domain.names import control_characters, strip_control
from activity_day.intake.cells import is_blank
from activity_day.intake.headers import ROW, FileKind
from activity_day.intake.problems import FileUnusable, Problem

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
READABLE_SUFFIXES = EXCEL_SUFFIXES | {".csv", ".txt"}
HEADER_SCAN_ROWS = 20
MAX_NOTICES = 20  # control-character notices listed one by one per file; the rest are counted


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


def unsupported_type(suffix: str) -> str:
    """The one message for a file of a type not read here (imports and the inbox alike)."""
    return f"不支持的文件类型“{suffix}”，请使用 xlsx 或 csv"


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
    if suffix not in READABLE_SUFFIXES:
        raise _unusable(path, unsupported_type(strip_control(path.suffix)))
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
            if (isinstance(value, str) and not value.isprintable() and h not in kind.keeps_control
                    and (found := control_characters(value))):
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
