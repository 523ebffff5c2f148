"""The inbox: plan files dropped in a folder are imported, then moved to processed/ beside a result report."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from activity_day.domain.hashing import sha256_hex
from activity_day.intake import READABLE_SUFFIXES, Problem, file_label, unsupported_type
from activity_day.services.imports import ImportClock, ImportReport, import_file

RESULT = ".result.txt"
NAME_MAX = 255  # bytes in one file name on the usual file systems


def pending_files(inbox: Path) -> list[Path]:
    """Files waiting in the inbox, oldest name first; Excel's lock files (~$…) and hidden files are skipped."""
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.iterdir()
                  if p.is_file() and not p.name.startswith(("~$", ".")) and not p.name.endswith(".tmp"))


def processed_name(path: Path, digest: str) -> str:
    """`<stem>.<digest><suffix>`, the stem shortened so that the name and its report both fit NAME_MAX."""
    suffix = path.suffix if len(os.fsencode(path.suffix)) <= 16 else ""
    tail = os.fsencode(f".{digest}{suffix}")
    room = NAME_MAX - len(RESULT) - len(tail)
    stem = path.stem if suffix else path.name
    while len(os.fsencode(stem)) > room:
        stem = stem[:-1]
    return stem + os.fsdecode(tail)


def process_inbox(inbox: Path, *, county: str, month: str, now: datetime | None = None) -> list[ImportReport]:
    """Import every pending file as station plans for the month; each goes to processed/ with its report.

    A processed file keeps its name plus the first 8 hex digits of its SHA-256, so two files of the same
    name never overwrite each other (a very long name is shortened), and the report sits next to it as
    `<that name>.result.txt`.
    """
    done = inbox / "processed"
    reports = []
    for path in pending_files(inbox):
        if path.suffix.lower() not in READABLE_SUFFIXES:
            label = file_label(path)
            report = ImportReport("plans", label, unusable=True, problems=[Problem(
                label, None, None, None, unsupported_type(file_label(path.suffix)))])
        else:
            try:
                # A file counts as received when it was dropped (its modification time), not when collect ran.
                dropped = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            except OSError:
                continue  # gone since it was listed
            report = import_file("plans", path, county=county, month=month, clock=ImportClock(received_at=now or dropped))
        try:
            digest = sha256_hex(path.read_bytes())[:8]
        except OSError:
            reports.append(report)
            continue  # gone or unreadable: nothing to move; the report says why
        done.mkdir(parents=True, exist_ok=True)
        target = done / processed_name(path, digest)
        (done / f"{target.name}{RESULT}").write_text(
            f"{month} 活动计划导入结果（退出码 {report.exit_code}）\n" + "\n".join(report.lines()) + "\n",
            encoding="utf-8")
        shutil.move(str(path), target)
        reports.append(report)
    return reports
