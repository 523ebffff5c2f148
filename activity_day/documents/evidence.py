"""The month's on-day evidence (活动纪实) as a workbook: coverage by township, by station, and the online checks."""

from __future__ import annotations

import pandas as pd

from activity_day.intake.headers import H

TOWNSHIP = {"township": H.TOWNSHIP, "stations": "有计划活动的所站", "complete": "完整", "doubtful": "存疑",
            "missing": "缺失", "complete_pct": "完整率（%）", "recorded_pct": "有纪实（%）"}
STATION = {"station_code": H.STATION_CODE, "name": H.STATION_NAME, "township": H.TOWNSHIP, "activities": "当日活动",
           "recorded": "有纪实的活动", "complete": "纪实完整的活动", "state": "状态", "note": "说明"}
PRIORITY = {"station_code": H.STATION_CODE, "township": H.TOWNSHIP, "rank": "抽取序号", "team": "检查组",
            "slot": "时间", "state": "纪实状态", "reason": "原因"}


def evidence_sheets(by_township: pd.DataFrame, by_station: pd.DataFrame,
                    priority: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    return [("按乡镇（街道）", by_township[list(TOWNSHIP)].rename(columns=TOWNSHIP)),
            ("按所站", by_station[list(STATION)].rename(columns=STATION)),
            ("线上飞检顺序", priority[list(PRIORITY)].rename(columns=PRIORITY))]
