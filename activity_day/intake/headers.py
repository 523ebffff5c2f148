"""The exact Chinese headers users see, and the kinds of file built from them.

Every header is spelled once, here: readers, validators, templates and messages refer to `H`.
"""

from __future__ import annotations

from dataclasses import dataclass


class H:
    """One constant per column header of the input files (and per field the API shares with them)."""

    # 所站名录 (stations)
    STATION_CODE = "所站编号"
    STATION_NAME = "所站名称"
    STATION_KIND = "类型"
    TOWNSHIP = "乡镇（街道）"
    LEADER = "负责人"
    PHONE = "联系电话"
    LONGITUDE = "经度"
    LATITUDE = "纬度"
    JOINED = "设立日期"  # the first day it counts in the evaluation (a date, or a month for its first day)
    LEFT = "撤销日期"  # the day it closed: listed with one, the station is out of the registry from that day
    # 活动计划 (station plans)
    ACTIVITY_NAME = "活动名称"
    TASK = "任务类别"
    ACTION_KIND = "动作类型"
    START_TIME = "开始时间"
    LOCATION = "活动地点"
    EXPECTED_PARTICIPANTS = "预计参与人数"
    CHECKLIST_CODE = "清单编号"
    VOLUNTEER_TEAM = "志愿服务队伍"
    # 部门意见 (department comments)
    DEPARTMENT = "部门"
    CONTENT = "意见内容"
    DISPOSITION = "处理意见"
    REASON = "处理理由"
    PROPOSES_ADD = "建议增加"
    PROPOSES_REMOVE = "建议删除"
    AMENDMENT = "修改内容"  # what the official plan states for an adopted comment
    # 检查评分 (inspection scores)
    MODE = "检查方式"
    SCORER = "评分人"
    SCORE = "得分"
    PROBLEMS = "存在问题"
    CATEGORY = "问题类别"
    SUGGESTIONS = "意见建议"
    # 实地评估 (assessed indicators of the year-round evaluation)
    INDICATOR = "指标代码"
    ASSESS_MONTH = "评估月份"
    ASSESSOR = "评估人"
    NOTE = "说明"
    # 示范所站申报 (demonstration-station applications)
    BRAND = "特色品牌"
    STATEMENT = "申报理由"
    # 宣讲员库 (the lecture pool) and 宣讲点单 (lecture orders)
    SPEAKER_CODE = "讲师编号"
    SPEAKER_NAME = "姓名"
    UNIT = "单位"
    TOPICS = "宣讲主题"
    STORIES = "宣讲故事"
    AVAILABLE = "可宣讲时间"
    CAP = "每月上限"
    MENU_CODE = "菜单编号"
    LECTURE_DATE = "宣讲日期"
    AUDIENCE = "预计听众"
    ANSWER = "答复"
    RATER = "评价人"
    RATING = "评分（1-5）"
    RATING_NOTE = "评价意见"
    # 整改报告 (rectification reports)
    FINDING_ID = "整改编号"
    REPORT = "整改情况"
    PHOTOS = "照片校验码"


# The frame column holding each data row's 1-based row number in the file.
ROW = "_row"


@dataclass(frozen=True)
class FileKind:
    name: str
    title: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # Columns whose control characters are kept for the validator to refuse, instead of removed with a notice: a
    # station's own statement (整改情况) is refused the same way by the file, the API and the phone page.
    keeps_control: tuple[str, ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        return self.required + self.optional


STATIONS = FileKind(
    "stations", "所站名录",
    (H.STATION_CODE, H.STATION_NAME, H.STATION_KIND, H.TOWNSHIP, H.LEADER, H.PHONE),
    (H.LONGITUDE, H.LATITUDE, H.JOINED, H.LEFT),
)
PLANS = FileKind(
    "plans",
    "活动计划",
    (H.STATION_CODE, H.ACTIVITY_NAME, H.TASK, H.ACTION_KIND, H.START_TIME, H.LOCATION, H.EXPECTED_PARTICIPANTS),
    (H.CHECKLIST_CODE, H.VOLUNTEER_TEAM, H.MENU_CODE),
)
COMMENTS = FileKind(
    "comments", "部门意见", (H.DEPARTMENT, H.CONTENT),
    (H.DISPOSITION, H.REASON, H.PROPOSES_ADD, H.PROPOSES_REMOVE, H.AMENDMENT),
)
SCORES = FileKind(
    "scores", "检查评分", (H.STATION_CODE, H.MODE, H.SCORER), (H.SCORE, H.PROBLEMS, H.CATEGORY, H.SUGGESTIONS)
)

EVALUATION = FileKind(
    "evaluation", "实地评估", (H.STATION_CODE, H.INDICATOR, H.ASSESS_MONTH, H.SCORE, H.ASSESSOR), (H.NOTE,)
)

APPLICATIONS = FileKind("applications", "示范所站申报", (H.STATION_CODE, H.BRAND), (H.STATEMENT,))

REPORTS = FileKind("reports", "整改报告", (H.FINDING_ID, H.STATION_CODE, H.REPORT), (H.PHOTOS,),
                   keeps_control=(H.REPORT,))

SPEAKERS = FileKind("speakers", "宣讲员库", (H.SPEAKER_CODE, H.SPEAKER_NAME, H.TOWNSHIP, H.TOPICS),
                    (H.UNIT, H.STORIES, H.AVAILABLE, H.CAP))

ORDERS = FileKind("orders", "宣讲点单", (H.STATION_CODE, H.MENU_CODE), (H.LECTURE_DATE, H.AUDIENCE))

ANSWERS = FileKind("answers", "讲师接单", (H.STATION_CODE, H.MENU_CODE, H.SPEAKER_CODE, H.ANSWER))

RATINGS = FileKind("ratings", "宣讲评价", (H.STATION_CODE, H.MENU_CODE, H.RATER, H.RATING), (H.RATING_NOTE,),
                   keeps_control=(H.RATING_NOTE,))


def scores_kind(rubric: list[tuple[str, float]]) -> FileKind:
    """The scores file with one optional column per rubric item (a file carries 得分, or the items, or both)."""
    return FileKind(SCORES.name, SCORES.title, SCORES.required,
                    SCORES.optional + tuple(name for name, _ in rubric if name not in SCORES.optional))


KINDS = {k.name: k for k in (STATIONS, PLANS, COMMENTS, SCORES, EVALUATION, APPLICATIONS, REPORTS, SPEAKERS,
                                ORDERS, RATINGS, ANSWERS)}
