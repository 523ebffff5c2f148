"""The demo: generate a realistic county as input files, then run the month through the normal paths.

The generator only writes files (xlsx, as a county office would receive them); importing and the
flows do not know they are fed a demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd

from activity_day.intake.headers import H
from activity_day.models.enums import ActionKind, InspectionMode, PracticeTask
from activity_day.resources import DEMO_PROFILE
from activity_day.settings import Settings, get_settings

TOWNSHIPS = [
    "众兴街道", "来安街道", "王集镇", "裴圩镇", "新袁镇", "李口镇", "临河镇", "穿城镇",
    "高渡镇", "卢集镇", "爱园镇", "张家圩镇", "庄圩乡", "里仁乡", "三庄乡", "南刘集乡",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = ["建国", "秀英", "志强", "红梅", "海燕", "立新", "国庆", "春华", "明", "静", "伟", "芳", "磊", "丽娟",
         "学军", "桂兰", "永祥", "玉兰", "德胜", "文华", "晓东", "凤英", "宏伟", "淑珍"]
VILLAGE_A = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "朱", "胡", "高", "林",
             "东", "西", "南", "北", "新", "兴", "民", "和", "丰", "安", "富", "顺", "太平", "仁和", "永兴", "大兴"]
VILLAGE_B = ["庄", "集", "圩", "湖", "河", "岗", "桥", "营", "洼", "口", "楼", "园"]
ACTIVITY = {
    PracticeTask.STUDY_THEORY: ["文明实践课堂：学习党的创新理论", "“板凳课堂”理论宣讲", "党员冬训集中学习"],
    PracticeTask.EXPLAIN_POLICY: ["惠民政策面对面宣讲", "防范电信网络诈骗宣传", "医保政策进村入户"],
    PracticeTask.CULTIVATE_VALUES: ["身边好人事迹分享会", "学雷锋志愿服务", "好家风好家训评议"],
    PracticeTask.ENRICH_CULTURE: ["群众大舞台文艺演出", "“浸润书香”主题阅读", "广场舞展演"],
    PracticeTask.REFORM_CUSTOMS: ["移风易俗宣传劝导", "人居环境整治志愿行动", "红白理事会议事"],
}
PROBLEMS = ["活动记录不完整", "群众参与人数偏少", "规定动作开展不到位", "宣传氛围不够浓厚", "志愿者签到不规范", ""]
SUGGESTIONS = ["建议增加适合老年人的文化活动", "建议加强活动前宣传发动", "建议完善活动影像资料归档",
               "建议邀请身边好人参与宣讲", "", ""]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))


def station_registry(rng: random.Random, total: int = 248) -> pd.DataFrame:
    """About `total` stations in 16 townships: one 所 per township, the rest 站, with contacts and coordinates."""
    per = [total // len(TOWNSHIPS) + (1 if i < total % len(TOWNSHIPS) else 0) for i in range(len(TOWNSHIPS))]
    rows, code = [], 1
    for t_index, (township, count) in enumerate(zip(TOWNSHIPS, per, strict=True)):
        base_lon, base_lat = 118.45 + (t_index % 4) * 0.14, 33.55 + (t_index // 4) * 0.1
        used: set[str] = set()
        for i in range(count):
            if i == 0:
                name, kind = f"{township}新时代文明实践所", "所"
            else:
                village = township[:2]
                while village in used or village.startswith(township[:2]):
                    village = rng.choice(VILLAGE_A) + rng.choice(VILLAGE_B) + rng.choice(["村", "村", "村", "社区"])
                used.add(village)
                name, kind = f"{township}{village}新时代文明实践站", "站"
            rows.append({H.STATION_CODE: f"{code:03d}", H.STATION_NAME: name, H.STATION_KIND: kind, H.TOWNSHIP: township,
                         H.LEADER: _person(rng), H.PHONE: _phone(rng),
                         H.LONGITUDE: round(base_lon + rng.uniform(0, 0.12), 5),
                         H.LATITUDE: round(base_lat + rng.uniform(0, 0.08), 5)})
            code += 1
    return pd.DataFrame(rows)


# What each section of the propaganda department looks after: the catalog categories and tasks whose items it
# proposes, and what else it writes when it has no item to propose.
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
SLOTS = [time(8, 30), time(10, 0), time(14, 30), time(16, 0), time(19, 0)]


def activity_name(title: str) -> str:
    """What a station calls an activity of a checklist item: the item's title without the leading 开展."""
    return title.removeprefix("开展")


def station_plans(rng: random.Random, registry: pd.DataFrame, activity_day: datetime, checklist: pd.DataFrame,
                  habits: dict[str, Habits] | None = None, skip_share: float = 0.07,
                  gap_share: float = 0.12) -> pd.DataFrame:
    """Plans for the stations of `registry`: the required actions (the practice class first), then the practice
    activities the station usually runs, a few on the day.

    With `habits`, each station plans as it always does (how many activities, how often it leaves a required action
    out) and every station of `registry` files; without, about `skip_share` submit nothing, one in eight leaves a
    required action out, and stations run zero to two activities beyond the required ones.
    """
    required = [item for _, item in checklist[checklist["required"]].iterrows()]
    optional = [item for _, item in checklist[~checklist["required"]].iterrows()]
    rows = []
    for station in registry.to_dict("records"):
        code = station[H.STATION_CODE]
        habit = habits.get(code) if habits else None
        if habit is None and rng.random() < skip_share:
            continue
        picks = list(required)
        thorough = habit.thorough if habit else 1 - gap_share
        if len(picks) > 1 and rng.random() >= thorough:
            # a required action left out: most often not the class
            for _ in range(min(len(picks) - 1, rng.choice([1, 1, 1, 2]))):
                picks.pop(rng.randrange(1, len(picks)) if rng.random() < 0.8 else 0)
        extra = habit.extra if habit else rng.choice([0, 1, 1, 2])
        if rng.random() < 0.2:  # a month a little busier or quieter than usual
            extra = max(0, extra + rng.choice([-1, 1]))
        want = max(len(required), 2) + extra - len(picks)
        picks += rng.sample(optional, min(len(optional), max(0, want)))
        picks = picks[:len(SLOTS)]
        first = rng.choice([0, 0, 1]) if len(picks) <= 3 else 0
        for n, item in enumerate(picks):
            task = PracticeTask(item["task"])
            kind = ActionKind.REQUIRED if item["required"] else rng.choice([ActionKind.SELF_SELECTED,
                                                                            ActionKind.SELF_SELECTED,
                                                                            ActionKind.SIGNATURE])
            slot = SLOTS[first + n]
            rows.append({
                H.STATION_CODE: code, H.ACTIVITY_NAME: activity_name(str(item.get("title") or "")) or
                rng.choice(ACTIVITY[task]), H.TASK: task.value,
                H.ACTION_KIND: kind.value, H.START_TIME: datetime.combine(activity_day.date(), slot),
                H.LOCATION: station[H.STATION_NAME] if rng.random() < 0.7 else f"{station[H.TOWNSHIP]}文化广场",
                H.EXPECTED_PARTICIPANTS: rng.randint(20, 120), H.CHECKLIST_CODE: item["code"],
                H.VOLUNTEER_TEAM: rng.choice(["", "党员志愿服务队", "巾帼志愿服务队", "青年志愿服务队"]),
            })
    return pd.DataFrame(rows)


def inspection_scores(rng: random.Random, drawn: pd.DataFrame, registry: pd.DataFrame,
                      bias: dict[str, float] | None = None) -> pd.DataFrame:
    """Team scores for the drawn stations (a few left unscored), observer scores for many stations.

    `bias` moves each station's scores (its habit) before the teams write problems, so that problems go with the
    scores a station really gets.
    """
    bias = bias or {}
    rows = []
    for s in drawn.itertuples():
        if rng.random() < 0.05:
            continue  # a team that did not send its score
        score = round(min(100, max(40, rng.gauss(84, 8) + bias.get(s.code, 0.0))), 1)
        # Problems go with lower scores: always below 80, sometimes up to 90, never above.
        found = rng.random() < (1.0 if score < 80 else 0.4 if score < 90 else 0.0)
        rows.append({H.STATION_CODE: s.code, H.MODE: InspectionMode(s.mode).label, H.SCORER: s.team,
                     H.SCORE: score, H.PROBLEMS: rng.choice(PROBLEMS[:-1]) if found else "",
                     H.SUGGESTIONS: rng.choice(SUGGESTIONS)})
    observed = registry.sample(frac=0.3, random_state=rng.randrange(1 << 30))
    for s in observed.to_dict("records"):
        score = rng.gauss(86, 6) + bias.get(s[H.STATION_CODE], 0.0)
        rows.append({H.STATION_CODE: s[H.STATION_CODE], H.MODE: InspectionMode.OBSERVER.label, H.SCORER: f"{s[H.TOWNSHIP]}文明观察员",
                     H.SCORE: round(min(100, max(40, score)), 1), H.PROBLEMS: "",
                     H.SUGGESTIONS: rng.choice(SUGGESTIONS)})
    return pd.DataFrame(rows)


def write_xlsx(frame: pd.DataFrame, path: Path, title: str) -> Path:
    """An input file as offices make them: a merged title row above the header."""
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        writer.book.set_properties({"created": datetime(2000, 1, 1)})  # not the clock: a rerun writes the same bytes
        frame.to_excel(writer, index=False, startrow=1, sheet_name="Sheet1")
        sheet = writer.sheets["Sheet1"]
        sheet.merge_range(0, 0, 0, max(0, len(frame.columns) - 1), title)
        if "开始时间" in frame.columns:
            col = list(frame.columns).index(H.START_TIME)
            sheet.set_column(col, col, 18, writer.book.add_format({"num_format": "yyyy/m/d h:mm"}))
    return path


def registry_as_filed(stations: pd.DataFrame) -> pd.DataFrame:
    """Stored stations under the registry file's Chinese headers, as the generators expect them."""
    return stations.rename(columns={"code": H.STATION_CODE, "name": H.STATION_NAME, "township": H.TOWNSHIP})


def workspace_settings(out: Path) -> Settings:
    """Settings for a demo workspace: its own database, documents, inbox and photos, unless the environment names
    them."""
    env = get_settings()
    return Settings(
        database_url=env.database_url if "database_url" in env.model_fields_set
        else f"sqlite:///{out / 'var' / 'activity_day.db'}",
        out=env.out if "out" in env.model_fields_set else out / "out",
        inbox=env.inbox if "inbox" in env.model_fields_set else out / "inbox",
        photo_store=env.photo_store if "photo_store" in env.model_fields_set else str(out / "var"),
        county=env.county,
    )


def province_profile(index: int) -> dict:
    """The demo profile for the index-th county of a generated province (fictional names and codes)."""
    import yaml

    profile = yaml.safe_load(DEMO_PROFILE.read_text(encoding="utf-8"))
    name = f"第{index}示范县"
    profile["county"] |= {"code": f"329{index:03d}", "name": name, "office_name": f"{name}精神文明建设委员会办公室",
                          "office_short": f"{name}文明办", "doc_prefix": f"示{index}文明办",
                          "printer": f"{name}精神文明建设委员会办公室"}
    return profile


@dataclass(frozen=True)
class Habits:
    """How one station behaves, month after month: drawn once from the demo's seed."""

    files: float  # the chance it files a plan in a month
    punctual: float  # the chance a plan it files arrives before the deadline
    extra: int  # practice activities it usually runs on the day beyond the required ones
    thorough: float  # the chance its plan has every required action (规定动作)
    checks_in: float  # the chance it posts check-ins on the day (0: not on the mini program)
    answers: float  # the chance it answers a 整改 finding by the deadline (and again after a returned report)
    catches_up: float  # the chance, each month, that it answers an overdue finding late
    bias: float  # added to every score it gets


def _clip(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def station_habits(rng: random.Random, registry: pd.DataFrame) -> dict[str, Habits]:
    """Each station's habits, from one diligence: most stations are diligent, about one in 25 is lax.

    A diligent station files nearly every month and on time, runs the class and one to three activities, answers
    most findings in time and the rest a month or two late, and scores above the county's average; a lax one
    files about one month in three, answers half its findings and rarely catches up, and scores low. A 所
    (township institute) runs more activities than a village station. One station in five (and every lax one)
    does not use the mini program to check in.
    """
    habits = {}
    for station in registry.to_dict("records"):
        lax = rng.random() < 0.04
        d = 0.35 if lax else _clip(rng.gauss(0.94, 0.05), 0.6, 1.0)
        if station.get(H.STATION_KIND) == "所":
            extra = rng.choice([2, 2, 3])
        else:
            extra = rng.choices([0, 1, 2], weights=[3, 5, 2] if d >= 0.8 else [6, 3, 1])[0]
        habits[station[H.STATION_CODE]] = Habits(
            files=d, punctual=_clip(0.55 + 0.45 * d + rng.gauss(0, 0.04), 0.3, 1.0), extra=extra,
            thorough=_clip(d + rng.gauss(0, 0.04), 0.3, 1.0),
            checks_in=0.0 if lax or rng.random() < 0.2 else _clip(rng.gauss(0.93, 0.05), 0.6, 1.0),
            answers=_clip(0.25 + 0.65 * d + rng.gauss(0, 0.06), 0.1, 0.98),
            catches_up=_clip(0.2 + 0.55 * d * d + rng.gauss(0, 0.06), 0.1, 0.9),
            bias=rng.gauss(0, 4) + (d - 0.9) * 30)
    return habits


def filing_stations(rng: random.Random, registry: pd.DataFrame, habits: dict[str, Habits]) -> pd.DataFrame:
    """The stations that file a plan this month, each by its habit."""
    return registry[[rng.random() < habits[c].files for c in registry[H.STATION_CODE]]]


def late_filers(rng: random.Random, filing: pd.DataFrame, habits: dict[str, Habits]) -> set[str]:
    """Of the filing stations, those whose plan arrives after the deadline, each by its habit."""
    return {c for c in filing[H.STATION_CODE] if rng.random() >= habits[c].punctual}


@dataclass(frozen=True)
class AnswerRound:
    """One round of a station's 整改报告 on a finding: when it reports, when the office reviews, and the outcome."""

    reported: datetime
    photos: int
    reviewed: datetime
    accepted: bool


def _working(day: datetime) -> datetime:
    """The next working day (Monday to Friday) at the same time, or the day itself."""
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


def _at(day: date, rng: random.Random, first: int = 9, last: int = 17) -> datetime:
    return datetime.combine(day, time(rng.randint(first, last - 1), rng.choice([0, 10, 20, 30, 40, 50])))


def answer_rounds(rng: random.Random, habits: Habits, issued: date, deadline: date,
                  horizon: int = 24) -> list[AnswerRound]:
    """How a station answers one finding: its reports and the office's reviews, in time order.

    The station reports by the deadline (from two days after the notice was issued) by its `answers` habit;
    otherwise late: in the first month after the deadline it catches up by its `catches_up` habit, each later
    month a little more likely (the township presses), up to `horizon` months, after which it never answers. The office reviews a report one to five days later on a working day:
    a report with photos is mostly accepted, one without is returned; after a return the station reports again
    within ten days by its `answers` habit, or falls behind as before. The last round is accepted, or the
    finding stays open (returned, or never answered: an empty list).
    """
    rounds: list[AnswerRound] = []
    earliest = issued + timedelta(days=2)
    on_time = rng.random() < habits.answers and earliest <= deadline
    while True:
        if on_time:
            when = _at(earliest + timedelta(days=rng.randint(0, max(0, (deadline - earliest).days))), rng)
        else:
            months, chance = 0, habits.catches_up
            while rng.random() >= chance:
                months += 1
                if months >= horizon:
                    return rounds
                chance = 1 - (1 - chance) * 0.75  # the longer it is overdue, the harder the township presses
            start = max(deadline, earliest) + timedelta(days=1 + 30 * months)
            when = _at(start + timedelta(days=rng.randint(0, 29)), rng)
        if rounds and when <= rounds[-1].reviewed:
            when = rounds[-1].reviewed + timedelta(days=rng.randint(2, 10))
        photos = rng.choice([1, 2, 2, 3]) if rng.random() < 0.5 + 0.45 * habits.thorough else 0
        reviewed = _working(_at((when + timedelta(days=rng.randint(1, 5))).date(), rng))
        accepted = rng.random() < (0.9 if photos else 0.25)
        rounds.append(AnswerRound(when, photos, reviewed, accepted))
        if accepted or len(rounds) >= 4:
            return rounds
        # returned: again within ten days, or later
        on_time = rng.random() < habits.answers
        earliest = reviewed.date() + timedelta(days=2)
        deadline = earliest + timedelta(days=8)


def assessed_scores(rng: random.Random, registry: pd.DataFrame, habits: dict[str, Habits],
                    indicators: list[str], assessors: list[tuple[str, str]], month: str) -> pd.DataFrame:
    """Site-visit scores of the assessed indicators, each station by an assessor from another township (回避)."""
    rows = []
    for station in registry.to_dict("records"):
        allowed = [name for name, home in assessors if home != station[H.TOWNSHIP]]
        assessor = allowed[rng.randrange(len(allowed))]
        for code in indicators:
            score = min(100.0, max(30.0, rng.gauss(82, 8) + habits[station[H.STATION_CODE]].bias))
            rows.append({H.STATION_CODE: station[H.STATION_CODE], H.INDICATOR: code, H.ASSESS_MONTH: month,
                         H.SCORE: round(score, 1), H.ASSESSOR: assessor, H.NOTE: ""})
    return pd.DataFrame(rows)


def _dms(value: float) -> tuple:
    from PIL.TiffImagePlugin import IFDRational

    degrees, minutes = int(value), int((value - int(value)) * 60)
    return IFDRational(degrees), IFDRational(minutes), IFDRational(round(((value - degrees) * 60 - minutes) * 600000), 10000)


def camera_photo(rng: random.Random, when: datetime | None, at: tuple[float, float] | None,
                 size: tuple[int, int] = (16, 12), quality: int = 85) -> bytes:
    """A small JPEG of random pixels with EXIF DateTimeOriginal and GPS (longitude, latitude) as a phone camera
    writes them."""
    from io import BytesIO

    from PIL import Image

    image = Image.frombytes("RGB", size, bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 3)))
    exif = Image.Exif()
    if when is not None:
        exif.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
    if at is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2], gps[3], gps[4] = "N", _dms(at[1]), "E", _dms(at[0])
    out = BytesIO()
    image.save(out, "JPEG", exif=exif, quality=quality)
    return out.getvalue()


def on_day_evidence(rng: random.Random, activities: pd.DataFrame, stations: pd.DataFrame,
                    activity_date: datetime, habits: dict[str, Habits] | None = None) -> list[dict]:
    """Check-ins and check-outs with photos for the stations' activities on the day, as phones would post them.

    Without `habits`, under half of the stations post from a phone (the others have not started using the mini
    program); with them, each station posts by its habit. Those that post record every activity, mostly on site
    and on time: a few check in far from the station, late, without GPS, or leave early (the less thorough more
    often).
    """
    where = stations.set_index("code")[["longitude", "latitude"]].to_dict("index")
    on_day = activities[activities["start_time"].map(lambda t: t.date()) == activity_date.date()]
    posts = []
    for code, group in on_day.groupby("station_code", sort=True):
        habit = habits.get(code) if habits else None
        if rng.random() >= (habit.checks_in if habit else 0.45):
            continue  # not on the mini program (yet), or not this month
        home = where.get(code) or {}
        # About one station in four slips once on the day: far from the station, late, no GPS, or leaving early.
        slips = 0.1 + 0.6 * (1 - habit.thorough) if habit else 0.25
        slip = rng.choice(["far", "late", "no_gps", "early"]) if rng.random() < slips else None
        slip_seq = rng.choice(list(group["seq"]))
        for a in group.itertuples():
            kind_of_slip = slip if a.seq == slip_seq else None
            lon, lat = home.get("longitude"), home.get("latitude")
            located = lon is not None and lat is not None and not pd.isna(lon)
            drift = 0.012 if kind_of_slip == "far" else 0.0008  # about 1.3 km, or within 100 m
            place = (lon + rng.uniform(-drift, drift), lat + rng.uniform(-drift, drift)) if located else None
            start = a.start_time + timedelta(minutes=rng.choice([-15, -10, -5, 0, 5]) + (90 if kind_of_slip == "late" else 0))
            end = start + timedelta(minutes=30 if kind_of_slip == "early" else rng.choice([70, 80, 90, 100]))
            gps = None if kind_of_slip == "no_gps" else place
            for kind, when in (("checkin", start), ("checkout", end)):
                posts.append({"station_code": code, "photo": camera_photo(rng, when, gps), "body": {
                    "client_id": f"demo-{activity_date:%Y%m}-{code}-{a.seq}-{kind}", "activity_seq": int(a.seq), "kind": kind,
                    "taken_at": when, "longitude": place[0] if place else None,
                    "latitude": place[1] if place else None}})
    return posts


STORIES = ["“中国好人”周建平义务巡河", "八旬老党员捐资助学", "最美家庭三代孝老", "退役军人带头修路", "乡村医生守护一方",
           "道德模范张桂英救火", "好媳妇照顾瘫痪婆婆", "返乡青年带富乡亲", "义务消防队的故事", "“泗大姐”调解邻里纠纷",
           "老书记的扶贫账本", "移风易俗新婚事", "文明家风代代传", "护林员坚守二十年", "志愿者寒冬送暖"]
UNITS = ["县委党校", "县委宣传部", "县融媒体中心", "县教育局", "县妇联", "团县委", "县退役军人事务局", "县文化馆",
         "乡镇宣传办", "村（社区）党组织"]
WEEKDAY_CN = "一二三四五六日"


def speaker_pool(rng: random.Random, topics: list[str], size: int = 40) -> pd.DataFrame:
    """A county's lecture pool: about 40 speakers from every township, each on two to four topics, with stories."""
    rows = []
    for n in range(1, size + 1):
        chosen = rng.sample(topics, rng.randint(2, min(4, len(topics))))
        days = rng.choice(["每天", "每天", "每天", "工作日", "周末、周一、周三", "周二、周四、周五、周六"])
        rows.append({H.SPEAKER_CODE: f"JS{n:03d}", H.SPEAKER_NAME: _person(rng), H.UNIT: rng.choice(UNITS),
                     H.TOWNSHIP: TOWNSHIPS[(n - 1) % len(TOWNSHIPS)], H.TOPICS: "、".join(chosen),
                     H.STORIES: "、".join(rng.sample(STORIES, rng.randint(1, 3))), H.AVAILABLE: days,
                     H.CAP: rng.choice([6, 8, 8, 10])})
    return pd.DataFrame(rows)


def lecture_orders(rng: random.Random, registry: pd.DataFrame, menu_codes: list[str], activity_day: datetime,
                   share: float = 1 / 3) -> pd.DataFrame:
    """About a third of the stations order one lecture: some for the activity day, most on a day of the three
    weeks after it (a team gives one lecture a day, so a pool of 40 cannot serve every station on one day)."""
    rows = []
    for station in registry.to_dict("records"):
        if rng.random() >= share:
            continue
        day = activity_day + timedelta(days=rng.randint(1, 20)) if rng.random() < 0.85 else None
        rows.append({H.STATION_CODE: station[H.STATION_CODE], H.MENU_CODE: rng.choice(menu_codes),
                     H.LECTURE_DATE: day.date() if day else None, H.AUDIENCE: rng.randint(30, 150)})
    return pd.DataFrame(rows, columns=[H.STATION_CODE, H.MENU_CODE, H.LECTURE_DATE, H.AUDIENCE])


def lecture_ratings(rng: random.Random, formed: list[tuple[str, str]]) -> pd.DataFrame:
    """After the lectures: most stations rate theirs, and an observer now and then, mostly 4 or 5 out of 5."""
    rows = []
    for station, menu_code in formed:
        if rng.random() < 0.85:
            rows.append({H.STATION_CODE: station, H.MENU_CODE: menu_code, H.RATER: "所站",
                         H.RATING: rng.choice([3, 4, 4, 5, 5, 5]), H.RATING_NOTE: rng.choice(["", "群众反响好", "故事感人"])})
        if rng.random() < 0.3:
            rows.append({H.STATION_CODE: station, H.MENU_CODE: menu_code, H.RATER: _person(rng),
                         H.RATING: rng.choice([3, 4, 5, 5]), H.RATING_NOTE: ""})
    return pd.DataFrame(rows, columns=[H.STATION_CODE, H.MENU_CODE, H.RATER, H.RATING, H.RATING_NOTE])
