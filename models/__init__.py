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
    DemoApplication,
    DemoObjection,
    DemoRound,
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
    Station,
    StationEvaluation,
    StationPlan,
    StationToken,
    Submission,
)

__all__ = [
    "ActionKind", "AssessedScore", "Channel", "ChecklistItem", "Circular", "CommentSource", "County",
    "DemoApplication", "DemoObjection", "DemoRound", "DepartmentComment",
    "Disposition", "Document", "Draw", "DrawAssignment", "FeedbackItem", "FeedbackStatus", "InspectionMode",
    "InspectionScore", "IssuedNumber", "LearningItem", "MonthPlan", "NumberSeries", "PlanStatus", "PlannedActivity", "PracticeTask", "Station",
    "StationEvaluation", "StationKind", "StationPlan", "StationToken", "Submission", "SubmissionStatus", "get_engine", "upsert",
]
