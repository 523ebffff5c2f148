"""Empty input templates (xlsx) with the exact Chinese headers and drop-down lists."""

from __future__ import annotations

import io

import xlsxwriter

from activity_day.documents.render import pin_zip
from activity_day.domain.profile import DEFAULT_RUBRIC
from activity_day.intake import KINDS, H, scores_kind
from activity_day.models.enums import ActionKind, Disposition, InspectionMode, PracticeTask, StationKind

CHOICES = {
    H.STATION_KIND: [k.value for k in StationKind],
    H.TASK: [t.value for t in PracticeTask],
    H.ACTION_KIND: [k.value for k in ActionKind],
    H.MODE: [m.label for m in InspectionMode],
    H.DISPOSITION: [d.value for d in Disposition if d is not Disposition.NO_COMMENT],
}
HINTS = {
    H.STATION_CODE: "与所站名录一致，如 001",
    H.START_TIME: "如 2026/12/5 9:00 或 2026年12月5日 9时",
    H.EXPECTED_PARTICIPANTS: "正整数",
    H.SCORE: "0 到 100；也可按评分细则分列填写，总分为各项之和",
    H.CATEGORY: "选填，如 活动组织、群众参与、宣传氛围、台账资料、志愿服务、规定动作",
    H.CHECKLIST_CODE: "选填，本月活动清单中的编号，如 LL-01",
    H.MENU_CODE: "本月正式方案宣讲菜单中的编号，如 XJ-03；活动计划中选填：填了即向县里点这场宣讲，宣讲日期取开始时间，"
                 "听众人数取预计参与人数",
    H.LONGITUDE: "选填，如 118.70",
    H.LATITUDE: "选填，如 33.72",
    H.JOINED: "选填，新设所站参加综合评价的第一天，如 2027-09-01（写 2027-09 即当月1日）；不填：新增的所站以导入当天为准，"
              "已在名录中的不变",
    H.LEFT: "选填，所站撤销的日期（不晚于导入当天）；填了即不再是在册所站，此前各月的记录仍计入综合评价",
    H.REASON: "部分采纳、不采纳时必填",
    H.AMENDMENT: "选填，采纳或部分采纳后写入正式方案“工作要求”的内容，如 增加“板凳课堂”宣讲场次；采纳且不增删编号时留空则按意见内容生成，"
                 "部分采纳且不增删编号时必填",
    H.INDICATOR: "县情配置中由实地评估填报的指标，默认：site（场所面积与功能布局）、signage（标识标牌与公示）、"
                 "roster（志愿者队伍名册与培训）、brand（一站一品牌）",
    H.ASSESS_MONTH: "实地评估的月份，如 2027-11",
    H.BRAND: "所站的特色或品牌，如 “板凳课堂”理论宣讲",
    H.ASSESSOR: "检查组成员或线上飞检人员的姓名，不得评估本人居住乡镇的所站",
}


def template_bytes(kind: str) -> bytes:
    """An xlsx whose first row is the header of `kind`; required columns bold, with notes and drop-downs."""
    spec = KINDS[kind]
    if kind == "scores":  # the default rubric's items, as optional per-item columns
        spec = scores_kind([(i["name"], i["weight"]) for i in DEFAULT_RUBRIC])
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties({"title": spec.title, "author": "activity-day"})
    required = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    optional = book.add_format({"bg_color": "#EDEDED", "border": 1})
    sheet = book.add_worksheet(spec.title)
    for col, header in enumerate(spec.headers):
        sheet.write_string(0, col, header, required if header in spec.required else optional)
        sheet.set_column(col, col, max(12, len(header) * 3))
        if header in HINTS:
            sheet.write_comment(0, col, HINTS[header])
        if header in CHOICES:
            sheet.data_validation(1, col, 2000, col, {"validate": "list", "source": CHOICES[header]})
        if header in (H.STATION_CODE, H.PHONE, H.CHECKLIST_CODE, H.MENU_CODE, H.ASSESS_MONTH):
            sheet.set_column(col, col, 16, book.add_format({"num_format": "@"}))  # keep 001 as text
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet("填表说明")
    notes.write_string(0, 0, f"{spec.title}：粗体列为必填，灰色列为选填；请勿修改表头。")
    for row, (header, choices) in enumerate(((h, CHOICES[h]) for h in spec.headers if h in CHOICES), start=2):
        notes.write_string(row, 0, f"{header}：{'、'.join(choices)}")
    book.close()
    return pin_zip(out.getvalue())
