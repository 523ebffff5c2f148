"""The demo: generate a realistic county as input files, then run the month through the normal paths.

The generator only writes files (xlsx, as a county office would receive them); importing and the
flows do not know they are fed a demo.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from pathlib import Path

import pandas as pd

from activity_day.intake.headers import H
from activity_day.settings import REPO_ROOT, Settings, get_settings
from models.enums import ActionKind, InspectionMode, PracticeTask

DEMO_PROFILE = REPO_ROOT / "profiles" / "demo.yaml"
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


def department_comments(month_label: str) -> pd.DataFrame:
    """Two of the four departments answer; the others stay silent (recorded as 无意见)."""
    return pd.DataFrame([
        {H.DEPARTMENT: "理论科", H.CONTENT: f"建议{month_label}学习清单突出党的创新理论最新成果，增加“板凳课堂”宣讲场次。"},
        {H.DEPARTMENT: "网信科", H.CONTENT: "建议在清单中增加网络文明和防范电信网络诈骗内容，引导群众文明上网。"},
    ])


def station_plans(rng: random.Random, registry: pd.DataFrame, activity_day: datetime,
                  checklist: pd.DataFrame, skip_share: float = 0.07, gap_share: float = 0.12) -> pd.DataFrame:
    """Plans for most stations (about 7% submit nothing): the required items first, then 1 to 3 optional ones."""
    required = checklist[checklist["required"]]
    optional = checklist[~checklist["required"]]
    rows = []
    for station in registry.to_dict("records"):
        if rng.random() < skip_share:
            continue
        # Most stations plan every required action; about one in eight leaves out one or two of them.
        picks = [item for _, item in required.iterrows()]
        if picks and rng.random() < gap_share:
            for _ in range(min(len(picks) - 1, rng.randint(1, 2))):
                picks.pop(rng.randrange(len(picks)))
        picks += [optional.iloc[rng.randrange(len(optional))] for _ in range(rng.randint(1, 3))] if len(optional) else []
        for n, item in enumerate(picks):
            task = PracticeTask(item["task"])
            kind = ActionKind.REQUIRED if item["required"] else rng.choice([ActionKind.SELF_SELECTED,
                                                                            ActionKind.SIGNATURE])
            start = datetime.combine(activity_day.date(), time(8, 30)) + timedelta(minutes=50 * n)
            rows.append({
                H.STATION_CODE: station[H.STATION_CODE], H.ACTIVITY_NAME: rng.choice(ACTIVITY[task]), H.TASK: task.value,
                H.ACTION_KIND: kind.value, H.START_TIME: start,
                H.LOCATION: station[H.STATION_NAME] if rng.random() < 0.7 else f"{station[H.TOWNSHIP]}文化广场",
                H.EXPECTED_PARTICIPANTS: rng.randint(20, 120), H.CHECKLIST_CODE: item["code"],
                H.VOLUNTEER_TEAM: rng.choice(["", "党员志愿服务队", "巾帼志愿服务队", "青年志愿服务队"]),
            })
    return pd.DataFrame(rows)


def inspection_scores(rng: random.Random, drawn: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Team scores for the drawn stations (a few left unscored), observer scores for many stations."""
    rows = []
    for s in drawn.itertuples():
        if rng.random() < 0.05:
            continue  # a team that did not send its score
        score = round(min(100, max(40, rng.gauss(84, 8))), 1)
        # Problems go with lower scores: always below 80, sometimes up to 90, never above.
        found = rng.random() < (1.0 if score < 80 else 0.4 if score < 90 else 0.0)
        rows.append({H.STATION_CODE: s.code, H.MODE: InspectionMode(s.mode).label, H.SCORER: s.team,
                     H.SCORE: score, H.PROBLEMS: rng.choice(PROBLEMS[:-1]) if found else "",
                     H.SUGGESTIONS: rng.choice(SUGGESTIONS)})
    observed = registry.sample(frac=0.3, random_state=rng.randrange(1 << 30))
    for s in observed.to_dict("records"):
        rows.append({H.STATION_CODE: s[H.STATION_CODE], H.MODE: InspectionMode.OBSERVER.label, H.SCORER: f"{s[H.TOWNSHIP]}文明观察员",
                     H.SCORE: round(min(100, max(40, rng.gauss(86, 6))), 1), H.PROBLEMS: "",
                     H.SUGGESTIONS: rng.choice(SUGGESTIONS)})
    return pd.DataFrame(rows)


def write_xlsx(frame: pd.DataFrame, path: Path, title: str) -> Path:
    """An input file as offices make them: a merged title row above the header."""
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
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
    """Settings for a demo workspace: its own database, documents and inbox, unless the environment names them."""
    env = get_settings()
    return Settings(
        database_url=env.database_url if "database_url" in env.model_fields_set
        else f"sqlite:///{out / 'var' / 'activity_day.db'}",
        out=env.out if "out" in env.model_fields_set else out / "out",
        inbox=env.inbox if "inbox" in env.model_fields_set else out / "inbox",
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


def station_traits(rng: random.Random, registry: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """For a year of demo data: each station's diligence (the chance it files a plan in a month) and its score
    bias, so that stations differ the way real ones do, month after month."""
    traits = {}
    for code in registry[H.STATION_CODE]:
        diligence = 0.35 if rng.random() < 0.04 else min(1.0, max(0.6, rng.gauss(0.94, 0.05)))
        traits[code] = (diligence, rng.gauss(0, 4) + (diligence - 0.9) * 30)
    return traits


def filing_stations(rng: random.Random, registry: pd.DataFrame, traits: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """The stations that file a plan this month, each by its diligence."""
    return registry[[rng.random() < traits[c][0] for c in registry[H.STATION_CODE]]]


def biased_scores(scores: pd.DataFrame, traits: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Scores moved by each station's bias (kept between 40 and 100)."""
    bias = scores[H.STATION_CODE].map(lambda c: traits[c][1])
    return scores.assign(**{H.SCORE: (scores[H.SCORE] + bias).clip(40, 100).round(1)})


def assessed_scores(rng: random.Random, registry: pd.DataFrame, traits: dict[str, tuple[float, float]],
                    indicators: list[str], assessors: list[tuple[str, str]], month: str) -> pd.DataFrame:
    """Site-visit scores of the assessed indicators, each station by an assessor from another township (回避)."""
    rows = []
    for station in registry.to_dict("records"):
        allowed = [name for name, home in assessors if home != station[H.TOWNSHIP]]
        assessor = allowed[rng.randrange(len(allowed))]
        for code in indicators:
            score = min(100.0, max(30.0, rng.gauss(82, 8) + traits[station[H.STATION_CODE]][1]))
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
                    activity_date: datetime) -> list[dict]:
    """Check-ins and check-outs with photos for the stations' activities on the day, as phones would post them.

    Under half of the stations post from a phone (the others have not started using the mini program); those
    record every activity, mostly on site and on time: a few check in far from the station, late, without GPS,
    or leave early.
    """
    where = stations.set_index("code")[["longitude", "latitude"]].to_dict("index")
    on_day = activities[activities["start_time"].map(lambda t: t.date()) == activity_date.date()]
    posts = []
    for code, group in on_day.groupby("station_code", sort=True):
        if rng.random() < 0.55:
            continue  # not on the mini program yet
        home = where.get(code) or {}
        # One station in four slips once on the day: far from the station, late, no GPS, or leaving early.
        slip = rng.choice(["far", "late", "no_gps", "early"]) if rng.random() < 0.25 else None
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
                    "client_id": f"demo-{code}-{a.seq}-{kind}", "activity_seq": int(a.seq), "kind": kind,
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
