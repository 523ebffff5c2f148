"""Checking a stored draw against its recorded inputs (`activity-day sample verify`). No Prefect here."""

from __future__ import annotations

from activity_day.domain import draw
from activity_day.domain.dates import cn_month
from activity_day.store import crud
from activity_day.store.database import transaction


def verify_stored(county: str, month: str) -> tuple[bool, str]:
    """Re-derive the stored draw from its recorded inputs; (ok, explanation in Chinese)."""
    with transaction() as session:
        stored = crud.require_draw(session=session, county=county, month=month)
        assignments = crud.assignments_frame(session=session, county=county, month=month)
        record, digest = stored.record, stored.digest
    if draw.candidates_sha256(draw.candidates_of(record), record["algorithm"]) != record["candidates_sha256"]:
        return False, "候选名单与记录的 SHA-256 不符"
    if why := draw.check_parts(record):
        return False, why
    again = draw.rederive(record)
    if again != record:
        return False, "由记录的输入重新推算，结果与记录不同"
    if draw.record_digest(record) != digest:
        return False, "抽样记录与保存的摘要不符"
    stored_rows = sorted(zip(assignments["station_code"], assignments["mode"], assignments["team"], strict=True))
    derived_rows = sorted((s["code"], s["mode"], s["team"]) for s in again["selected"])
    if stored_rows != derived_rows:
        return False, "数据库中的检查分配与抽样记录不符"
    return True, f"{cn_month(month)}：重新推算出 {len(derived_rows)} 个所站，与记录一致，摘要 {digest}"
