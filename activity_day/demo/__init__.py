"""The demo: generate a realistic county as input files, then run the month through the normal paths.

The generator only writes files (xlsx, as a county office would receive them); importing and the
flows do not know they are fed a demo.
"""

from __future__ import annotations

from activity_day.demo.evidence import (
    camera_photo,
    on_day_evidence,
)
from activity_day.demo.habits import (
    AnswerRound,
    DemoCounty,
    Habits,
    answer_rounds,
    assessed_scores,
    filing_stations,
    late_filers,
    station_habits,
)
from activity_day.demo.lectures import (
    STORIES,
    UNITS,
    WEEKDAY_CN,
    lecture_orders,
    lecture_ratings,
    speaker_pool,
)
from activity_day.demo.month import (
    SLOTS,
    activity_name,
    inspection_scores,
    station_plans,
)
from activity_day.demo.registry import (
    ACTIVITY,
    GIVEN,
    PROBLEMS,
    SUGGESTIONS,
    SURNAMES,
    TOWNSHIPS,
    VILLAGE_A,
    VILLAGE_B,
    province_profile,
    registry_as_filed,
    station_registry,
    workspace_settings,
    write_xlsx,
)
from activity_day.demo.review import (
    ADD_REASONS,
    BUSY_MONTHS,
    BUSY_REASON,
    DEPARTMENT_AREAS,
    NOTES,
    REMOVE_REASONS,
    REMOVERS,
    comment_catalog,
    department_comments,
)
from activity_day.resources import DEMO_PROFILE

__all__ = [
    "ACTIVITY",
    "ADD_REASONS",
    "AnswerRound",
    "BUSY_MONTHS",
    "BUSY_REASON",
    "DEMO_PROFILE",
    "DEPARTMENT_AREAS",
    "DemoCounty",
    "GIVEN",
    "Habits",
    "NOTES",
    "PROBLEMS",
    "REMOVERS",
    "REMOVE_REASONS",
    "SLOTS",
    "STORIES",
    "SUGGESTIONS",
    "SURNAMES",
    "TOWNSHIPS",
    "UNITS",
    "VILLAGE_A",
    "VILLAGE_B",
    "WEEKDAY_CN",
    "activity_name",
    "answer_rounds",
    "assessed_scores",
    "camera_photo",
    "comment_catalog",
    "department_comments",
    "filing_stations",
    "inspection_scores",
    "late_filers",
    "lecture_orders",
    "lecture_ratings",
    "on_day_evidence",
    "province_profile",
    "registry_as_filed",
    "speaker_pool",
    "station_habits",
    "station_plans",
    "station_registry",
    "workspace_settings",
    "write_xlsx",
]
