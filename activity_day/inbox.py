"""The inbox: plan files dropped in a folder are imported, then moved to processed/ beside a result report."""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

from activity_day.imports import ImportReport, import_file
from activity_day.intake import EXCEL_SUFFIXES

ACCEPTED = EXCEL_SUFFIXES | {".csv", ".txt"}


def pending_files(inbox: Path) -> list[Path]:
    """Files waiting in the inbox, oldest name first; Excel's lock files (~$…) and hidden files are skipped."""
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.iterdir()
                  if p.is_file() and not p.name.startswith(("~$", ".")) and not p.name.endswith(".tmp"))


def process_inbox(inbox: Path, *, county: str, month: str, now: datetime | None = None) -> list[ImportReport]:
    """Import every pending file as station plans for the month; each goes to processed/ with its report.

    A processed file keeps its name plus the first 8 hex digits of its SHA-256, so two files of the same
    name never overwrite each other, and the report sits next to it as `<that name>.result.txt`.
    """
    done = inbox / "processed"
    reports = []
    for path in pending_files(inbox):
        if path.suffix.lower() not in ACCEPTED:
            report = ImportReport("plans", path.name, unusable=True)
            report.problems = []
            lines = [f"{path.name}：不支持的文件类型“{path.suffix}”，请使用 xlsx 或 csv"]
        else:
            # A file counts as received when it was dropped (its modification time), not when collect ran.
            dropped = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            report = import_file("plans", path, county=county, month=month, received_at=now or dropped)
            lines = report.lines()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
        done.mkdir(parents=True, exist_ok=True)
        target = done / f"{path.stem}.{digest}{path.suffix}"
        (done / f"{target.name}.result.txt").write_text(
            f"{month} 活动计划导入结果（退出码 {report.exit_code}）\n" + "\n".join(lines) + "\n", encoding="utf-8")
        shutil.move(str(path), target)
        reports.append(report)
    return reports
