"""Tables, enums and the engine factory."""

from models.db import get_engine, upsert
from models.enums import (
    ActionKind,
    Channel,
    CommentSource,
    Disposition,
    FeedbackStatus,
    InspectionMode,
    PlanStatus,
    PracticeTask,
    StationKind,
    SubmissionStatus,
)
from models.tables import (
    AssessedScore,
    ChecklistItem,
    Circular,
    County,
    DepartmentComment,
    Document,
    Draw,
    DrawAssignment,
    FeedbackItem,
    InspectionScore,
    IssuedNumber,
    LearningItem,
    MonthPlan,
    NumberSeries,
    PlannedActivity,
    StationEvaluation,
    Station,
    StationPlan,
    StationToken,
    Submission,
)

__all__ = [
    "ActionKind", "Channel", "ChecklistItem", "Circular", "CommentSource", "County", "DepartmentComment",
    "Disposition", "Document", "Draw", "DrawAssignment", "FeedbackItem", "FeedbackStatus", "InspectionMode",
    "InspectionScore", "IssuedNumber", "LearningItem", "MonthPlan", "NumberSeries", "PlanStatus", "PlannedActivity", "PracticeTask", "Station",
    "StationKind", "StationPlan", "StationToken", "Submission", "SubmissionStatus", "get_engine", "upsert",
]
