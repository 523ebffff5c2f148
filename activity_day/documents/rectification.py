"""The month's 整改通知 as a workbook: one sheet per township, one row per finding, for the township to pass on."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from activity_day.domain.dates import cn_date
from activity_day.intake.headers import H

COLUMNS = [H.STATION_CODE, H.STATION_NAME, H.LEADER, H.PHONE, "问题来源", H.CATEGORY, "整改问题", "整改期限"]


def notices_sheets(findings: list[dict[str, Any]], stations: pd.DataFrame, deadline: date) -> list[tuple[str, pd.DataFrame]]:
    """(township, rows) in township order; each station's findings together, as the notice lists them."""
    info = stations.set_index("code")
    rows = []
    for f in findings:
        st = info.loc[f["station_code"]] if f["station_code"] in info.index else None
        rows.append({"township": f["township"], H.STATION_CODE: f["station_code"],
                     H.STATION_NAME: st["name"] if st is not None else "", H.LEADER: st["leader"] if st is not None else "",
                     H.PHONE: st["phone"] if st is not None else "", "问题来源": f["source"], H.CATEGORY: f["category"],
                     "整改问题": f["text"], "整改期限": cn_date(deadline)})
    frame = pd.DataFrame(rows, columns=["township", *COLUMNS])
    return [(str(t)[:31], g[COLUMNS].reset_index(drop=True)) for t, g in frame.groupby("township", sort=True)]
