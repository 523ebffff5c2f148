"""The demo's lecture side: a speaker pool, the stations' orders from the menu, their ratings."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pandas as pd

from activity_day.demo.registry import TOWNSHIPS, person
from activity_day.intake.headers import H

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
        rows.append({H.SPEAKER_CODE: f"JS{n:03d}", H.SPEAKER_NAME: person(rng), H.UNIT: rng.choice(UNITS),
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
            rows.append({H.STATION_CODE: station, H.MENU_CODE: menu_code, H.RATER: person(rng),
                         H.RATING: rng.choice([3, 4, 5, 5]), H.RATING_NOTE: ""})
    return pd.DataFrame(rows, columns=[H.STATION_CODE, H.MENU_CODE, H.RATER, H.RATING, H.RATING_NOTE])
