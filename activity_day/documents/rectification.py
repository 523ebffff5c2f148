"""The 整改通知 as a workbook: one row per finding, by township and station, with the 整改情况 and 照片校验码
columns to fill in. The file goes back as it is (`activity-day import reports`); `findings export --township`
writes one township's rows alone, for sending to that township."""

from __future__ import annotations

import pandas as pd

from activity_day.domain.dates import cn_date
from activity_day.intake.headers import H

STATUS_CN = {"open": "待整改", "answered": "待审核", "accepted": "已销号", "overdue": "已逾期"}
COLUMNS = [H.FINDING_ID, H.TOWNSHIP, H.STATION_CODE, H.STATION_NAME, H.LEADER, H.PHONE, "问题来源", H.CATEGORY, "整改问题",
           "整改期限", "状态", H.REPORT, H.PHOTOS]


def notices_sheet(findings: pd.DataFrame, stations: pd.DataFrame) -> pd.DataFrame:
    """The rows in township and station order; each station's findings together, as its notice lists them.

    `findings` has the columns of `store.findings.findings_frame` (ids included); the report columns carry what
    the station already reported, so a sheet sent out again shows it.
    """
    info = stations.set_index("code")
    rows = []
    for f in findings.itertuples():
        st = info.loc[f.station_code] if f.station_code in info.index else None
        rows.append({H.TOWNSHIP: f.township, H.FINDING_ID: int(f.id), H.STATION_CODE: f.station_code,
                     H.STATION_NAME: st["name"] if st is not None else "", H.LEADER: st["leader"] if st is not None else "",
                     H.PHONE: st["phone"] if st is not None else "", "问题来源": f.source, H.CATEGORY: f.category,
                     "整改问题": f.text, "整改期限": cn_date(f.deadline), "状态": STATUS_CN.get(f.status, f.status),
                     H.REPORT: f.report, H.PHOTOS: "、".join(f.photos or [])})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values([H.TOWNSHIP, H.STATION_CODE, H.FINDING_ID], kind="stable").reset_index(drop=True)
