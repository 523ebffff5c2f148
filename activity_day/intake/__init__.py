"""Reading the files users send (xlsx and csv, rarely clean) and validating them. No database here.

Every problem becomes a `Problem` naming the file, row, column and value, in Chinese for station staff.
The parts, bottom up:

- `headers`: the exact Chinese headers (`H`) and the kinds of file built from them;
- `limits`: how long each text field may be, read from the table columns it is stored in;
- `problems`: `Problem`, `FileUnusable` and `Validated`;
- `cells`: pure cell parsers (text, codes, dates, counts, scores, phone numbers, enums);
- `read`: a file into a frame of raw cells (encodings, title rows above the header, control characters);
- `rows`: the row check every validator shares;
- `validate`: a frame into accepted and refused units, one validator per kind of file (the score files'
  in `scores`, the applications' in `applications`, the rectification reports' in `reports`).
"""

from activity_day.intake.cells import (
    code_index,
    compact,
    is_blank,
    numeric_key,
    parse_count,
    parse_datetime,
    parse_enum,
    parse_kind,
    parse_score,
    phone,
    resolve_code,
    text,
)
from activity_day.intake.headers import (
    COMMENTS,
    KINDS,
    PLANS,
    ROW,
    SCORES,
    STATIONS,
    FileKind,
    H,
    scores_kind,
)
from activity_day.intake.limits import LIMITS, STORED_IN, column_length, too_long, too_many_activities
from activity_day.intake.problems import FileUnusable, Problem, Validated
from activity_day.intake.read import (
    EXCEL_SUFFIXES,
    READABLE_SUFFIXES,
    file_label,
    read_table,
    unsupported_type,
)
from activity_day.intake.validate import (
    REGISTRY,
    PlanChecks,
    check_score_columns,
    validate_applications,
    validate_assessed,
    validate_comments,
    validate_plans,
    validate_reports,
    validate_scores,
    validate_stations,
)

__all__ = [
    "COMMENTS", "EXCEL_SUFFIXES", "KINDS", "LIMITS", "PLANS", "PlanChecks", "READABLE_SUFFIXES", "REGISTRY", "ROW", "SCORES",
    "STATIONS", "STORED_IN", "FileKind", "FileUnusable", "H", "Problem", "Validated", "check_score_columns",
    "code_index", "column_length", "compact", "file_label", "is_blank", "numeric_key", "parse_count",
    "parse_datetime", "parse_enum", "parse_kind", "parse_score", "phone", "read_table", "resolve_code",
    "scores_kind", "text", "too_long", "too_many_activities", "unsupported_type", "validate_applications", "validate_assessed", "validate_comments",
    "validate_plans", "validate_reports", "validate_scores", "validate_stations",
]
