"""Every text limit is checked before the database, within the columns' lengths."""

from __future__ import annotations

from sqlalchemy import String
from sqlmodel import SQLModel

from activity_day.intake import LIMITS, STORED_IN
from activity_day.models import (
    ActionKind,
    CommentSource,
    Disposition,
    InspectionMode,
    PracticeTask,
    StationKind,
)
from activity_day.models.enums import SubmissionStatus

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
