"""How long each text field may be: the length of the columns it is stored in, read from the tables.

SQLite does not enforce VARCHAR lengths and PostgreSQL does, so checking here, before the database, is
what makes both databases accept and refuse the same input.
"""

from __future__ import annotations

from activity_day.intake.headers import H
from activity_day.models import tables

# The columns each text field of a file (and of the API) ends up in. A field's limit is the shortest of them.
STORED_IN: dict[str, tuple[str, ...]] = {
    H.STATION_CODE: ("station.code", "station_plan.station_code", "planned_activity.station_code",
                     "inspection_score.station_code", "draw_assignment.station_code", "feedback_item.station_code",
                     "submission.station_code", "station_token.station_code"),
    H.STATION_NAME: ("station.name",),
    H.TOWNSHIP: ("station.township", "draw_assignment.township", "feedback_item.township"),
    H.LEADER: ("station.leader",),
    H.PHONE: ("station.phone",),
    H.ACTIVITY_NAME: ("planned_activity.name",),
    H.LOCATION: ("planned_activity.location",),
    H.CHECKLIST_CODE: ("planned_activity.checklist_code",),
    H.VOLUNTEER_TEAM: ("planned_activity.volunteer_team",),
    H.DEPARTMENT: ("department_comment.department",),
    H.SCORER: ("inspection_score.scorer",),
    H.CATEGORY: ("inspection_score.category", "feedback_item.category"),
    H.INDICATOR: ("assessed_score.indicator",),
    H.ASSESSOR: ("assessed_score.assessor",),
    H.BRAND: ("demo_application.brand",),
    H.SPEAKER_CODE: ("speaker.code",),
    H.SPEAKER_NAME: ("speaker.name",),
    H.UNIT: ("speaker.unit",),
    H.MENU_CODE: ("lecture_order.menu_code", "lecture_rating.menu_code"),
    H.RATER: ("lecture_rating.rater",),
}
# Free text kept in TEXT columns: no column limit, but a cell this long is a paste gone wrong, not a comment.
LONG_TEXT = 2000
LONG_TEXT_FIELDS = (H.CONTENT, H.REASON, H.AMENDMENT, H.PROBLEMS, H.SUGGESTIONS, H.NOTE, H.STATEMENT, H.REPORT, H.RATING_NOTE)


def column_length(qualified: str) -> int:
    """The length of a VARCHAR column named as `table.column`."""
    table, column = qualified.split(".")
    return tables.SQLModel.metadata.tables[table].c[column].type.length


LIMITS: dict[str, int] = {field: min(column_length(c) for c in columns) for field, columns in STORED_IN.items()}
LIMITS |= dict.fromkeys(LONG_TEXT_FIELDS, LONG_TEXT)
# 预计参与人数: a count of people at one activity.
PARTICIPANTS_MIN, PARTICIPANTS_MAX = 1, 100000


def too_long(limit: int, value: str) -> str:
    return f"超过{limit}个字（共{len(value)}个字）"


def too_many_activities(limit: int) -> str:
    """The one message for a plan over the profile's `intake.max_activities` (API and file alike)."""
    return f"活动不能超过{limit}项"
