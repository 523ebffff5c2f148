"""The departments' comments on a demo draft plan, with the reasons an office would give."""

from __future__ import annotations

import random

import pandas as pd

from activity_day.intake.headers import H
from activity_day.models.enums import PracticeTask

DEPARTMENT_AREAS = {
    "理论科": ("THEORY", "POLICY", PracticeTask.STUDY_THEORY.value),
    "宣教科": ("VALUES", "CUSTOMS", PracticeTask.CULTIVATE_VALUES.value, PracticeTask.REFORM_CUSTOMS.value,
             PracticeTask.EXPLAIN_POLICY.value),
    "版权科": ("CULTURE", PracticeTask.ENRICH_CULTURE.value),
    "网信科": ("网络", "诈骗", "网民"),
}
ADD_REASONS = {
    "理论科": ["结合县里{label}理论学习安排，推动党的创新理论进村入户", "便于基层书记结合工作实际开展宣讲",
             "与县委理论学习中心组{label}学习内容相衔接"],
    "宣教科": ["进一步营造崇德向善的浓厚氛围", "推动移风易俗走深走实", "引导群众在身边事中受教育"],
    "版权科": ["丰富群众精神文化生活", "结合全民阅读推广正版读物", "用好农家书屋和文化广场"],
    "网信科": ["引导群众文明上网、防范网络诈骗", "营造清朗网络空间"],
}
REMOVE_REASONS = ["该项与本月其他清单项目内容相近，建议本月不再单列", "与县里本月统一组织的专题活动内容重复，建议本月暂不安排"]
BUSY_REASON = "本月正值农忙，建议精简清单，该项可调整到以后月份"
BUSY_MONTHS = {5, 6, 9, 10}  # 三夏 and 三秋 in northern Jiangsu
# The sections that may ask to drop an item of their area (网信科 only ever asks for more).
REMOVERS = {"理论科", "宣教科", "版权科"}
NOTES = {
    "理论科": ["建议{label}文明实践课堂突出党的创新理论最新成果，多用群众身边事例讲理论。",
             "建议各所站用好“板凳课堂”，理论宣讲做到小而精、接地气。"],
    "宣教科": ["建议活动结束后及时报送信息和照片，县融媒体中心择优宣传。",
             "建议各所站在活动中邀请身边好人、道德模范参与，讲好身边故事。"],
    "版权科": ["建议主题阅读和公益电影放映选用正版出版物和影片，不得放映盗版作品。",
             "建议农家书屋与文明实践站联动开展阅读活动，图书资料使用正版。"],
    "网信科": ["建议各所站通过微信群、短视频做好活动网上宣传，发布前做好信息审核。",
             "建议在活动中增加网络文明和防范电信网络诈骗内容，引导群众文明上网。"],
}


def _in_area(department: str, item: dict) -> bool:
    area = DEPARTMENT_AREAS.get(department, ())
    if department == "网信科":
        return any(word in item["title"] for word in area)
    return item.get("category") in area or item.get("task") in area


def comment_catalog() -> pd.DataFrame:
    """The learning and checklist catalogs in one frame, as the sections read them to propose items."""
    from activity_day.domain.planning import load_checklist_catalog, load_learning_catalog

    learning = load_learning_catalog()[["code", "title", "festival", "category", "task"]].assign(required=False)
    checklist = load_checklist_catalog()[["code", "title", "festival", "task", "required"]].assign(category="")
    return pd.concat([learning, checklist], ignore_index=True)


def _quoted(title: str) -> str:
    """A title in “”, its own quotation marks turned into ‘’ as Chinese nests them."""
    return "“" + title.replace("“", "‘").replace("”", "’") + "”"


def department_comments(rng: random.Random, month: str, departments: list[str], *,
                        in_plan: set[str] | None = None, festivals: set[str] | frozenset[str] = frozenset(),
                        catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """The sections' answers to the month's draft, as the office collects them in one sheet.

    One to four sections answer (silence is recorded as 无意见 when the review closes); each writes one of: an
    item of its area to add (建议增加: a catalog code that is not in the draft and has no festival, or one of the
    month's `festivals`), an optional item of its area to remove (建议删除), a written suggestion, or a plain
    无意见. Without the draft's codes (`in_plan` None) nobody proposes items. `catalog` has the learning and
    checklist catalogs' rows (code, title, festival, category, task, required).
    """
    from activity_day.domain.dates import parse_month

    label = f"{parse_month(month)[1]}月"
    rows, taken = [], set()
    items = [] if catalog is None or in_plan is None else catalog.to_dict("records")
    # one to all of the sections answer by the deadline, most often two or three; the others stay silent
    answering = set(rng.sample(departments, min(len(departments), rng.choices([1, 2, 3, 4], [2, 4, 3, 1])[0])))
    for department in departments:
        if department not in answering:
            continue
        roll = rng.random()
        mine = [i for i in items if _in_area(department, i) and i["code"] not in taken]
        addable = [i for i in mine if i["code"] not in in_plan and (not i["festival"] or i["festival"] in festivals)]
        # a festival of the month is what a section thinks of first
        addable.sort(key=lambda i: (not i["festival"], rng.random()))
        removable = [i for i in mine if department in REMOVERS and in_plan and i["code"] in in_plan
                     and not i["required"] and not i["festival"]]
        row = {H.DEPARTMENT: department, H.CONTENT: "", H.PROPOSES_ADD: "", H.PROPOSES_REMOVE: ""}
        if roll < 0.5 and addable:
            picked = addable[:rng.choice([1, 1, 2])] if addable[0]["festival"] else [rng.choice(addable)]
            reason = rng.choice(ADD_REASONS.get(department, ["丰富本月活动内容"])).format(label=label)
            named = "、".join(f"{i['code']}{_quoted(i['title'])}" for i in picked)
            festival = next((i["festival"] for i in picked if i["festival"]), "")
            lead = f"{label}有{festival}，" if festival else ""
            row |= {H.CONTENT: f"{lead}建议增加{named}，{reason}。", H.PROPOSES_ADD: "、".join(i["code"] for i in picked)}
            taken |= {i["code"] for i in picked}
        elif roll < 0.6 and removable:
            item = rng.choice(removable)
            reason = rng.choice(REMOVE_REASONS + ([BUSY_REASON] * 2 if parse_month(month)[1] in BUSY_MONTHS else []))
            row |= {H.CONTENT: f"建议删除{item['code']}{_quoted(item['title'])}，{reason}。",
                    H.PROPOSES_REMOVE: item["code"]}
            taken.add(item["code"])
        elif roll < 0.85:
            row[H.CONTENT] = rng.choice(NOTES.get(department, ["建议进一步做好活动宣传。"])).format(label=label)
        else:
            row[H.CONTENT] = "无意见"
        rows.append(row)
    return pd.DataFrame(rows, columns=[H.DEPARTMENT, H.CONTENT, H.PROPOSES_ADD, H.PROPOSES_REMOVE])


# A station's day: the practice class in the morning, the activities after it; a fifth one in the evening.
