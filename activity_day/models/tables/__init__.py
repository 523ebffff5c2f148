"""SQLModel tables. Every table carries the county, so one database serves many counties.

Each table has a surrogate `id` and a UNIQUE natural key; writes are upserts on that key
(see `models.db.upsert`). The tables live in one module per capability; importing this package
registers all of them on `SQLModel.metadata`.
"""

from sqlmodel import SQLModel

from activity_day.models.columns import COUNTY, MONTH
from activity_day.models.tables.county import County, Station, StationToken
from activity_day.models.tables.demonstration import DemoApplication, DemoCommitment, DemoObjection, DemoRound
from activity_day.models.tables.documents import Circular, Document, IssuedNumber, NumberSeries
from activity_day.models.tables.evaluation import AssessedScore, StationEvaluation
from activity_day.models.tables.evidence import EvidenceRecord, Photo, PhotoHolder
from activity_day.models.tables.findings import Finding, FindingEvent
from activity_day.models.tables.inspection import (
    Draw,
    DrawAssignment,
    DrawCommitment,
    FeedbackItem,
    InspectionScore,
    ScoreReceipt,
    ScoreRevision,
    ScorerToken,
)
from activity_day.models.tables.lectures import LectureOrder, LectureRating, Speaker
from activity_day.models.tables.notices import Notice
from activity_day.models.tables.plans import (
    ChecklistItem,
    DepartmentComment,
    LearningItem,
    MonthPlan,
    PlannedActivity,
    StationPlan,
    Submission,
)

__all__ = [
    "COUNTY", "MONTH", "AssessedScore", "ChecklistItem", "Circular", "County", "DemoApplication",
    "DemoCommitment", "DemoObjection", "DemoRound", "DepartmentComment", "Document", "Draw", "DrawAssignment",
    "DrawCommitment", "EvidenceRecord", "FeedbackItem", "Finding", "FindingEvent", "InspectionScore",
    "IssuedNumber", "LearningItem", "LectureOrder", "LectureRating", "MonthPlan", "Notice", "NumberSeries",
    "Photo", "PhotoHolder", "PlannedActivity", "SQLModel", "ScoreReceipt", "ScoreRevision", "ScorerToken", "Speaker",
    "Station", "StationEvaluation", "StationPlan", "StationToken", "Submission",
]
