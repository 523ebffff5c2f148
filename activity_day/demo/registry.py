"""The demo county's stations and people: the registry as a county office files it, the workspace settings,
the profiles of a demo province."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import pandas as pd

from activity_day.intake.headers import H
from activity_day.models.enums import PracticeTask
from activity_day.resources import DEMO_PROFILE
from activity_day.settings import Settings

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


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def phone(rng: random.Random) -> str:
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
                         H.LEADER: person(rng), H.PHONE: phone(rng),
                         H.LONGITUDE: round(base_lon + rng.uniform(0, 0.12), 5),
                         H.LATITUDE: round(base_lat + rng.uniform(0, 0.08), 5)})
            code += 1
    return pd.DataFrame(rows)


# What each section of the propaganda department looks after: the catalog categories and tasks whose items it
# proposes, and what else it writes when it has no item to propose.


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


def workspace_settings(out: Path, env: Settings) -> Settings:
    """Settings for a demo workspace: its own database, documents, inbox and photos, unless the environment's
    settings `env` name them."""
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
