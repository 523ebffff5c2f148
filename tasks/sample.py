"""The inspection draw: stored once per month, re-derivable, exported per team."""

from __future__ import annotations

import json

import pandas as pd
from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.logging import get_run_logger

from activity_day import crud, draw
from activity_day.calendar import cn_month, shift_month
from activity_day.render import write_bytes, write_text, xlsx_bytes
from tasks.common import artifact_key, month_dir, transaction

MODE_CN = {"online": "线上飞检", "onsite": "线下巡查"}


def months_since_drawn(history: pd.DataFrame, month: str, lookback: int = draw.LOOKBACK_MONTHS) -> dict[str, int]:
    """For each station drawn in the `lookback` months before `month`, how many months ago (1 = last month)."""
    out: dict[str, int] = {}
    for ago in range(lookback, 0, -1):
        earlier = shift_month(month, -ago)
        for code in history.loc[history["month"] == earlier, "code"]:
            out[code] = ago
    return out


@task(name="draw-sample")
def draw_sample(county: str, month: str, public_random: str | None = None) -> dict:
    """Draw the month's sample, or return the stored one: a rerun never changes a draw."""
    logger = get_run_logger()
    with transaction() as session:
        existing = crud.get_draw(session=session, county=county, month=month)
        if existing is not None:
            if public_random and public_random != existing.public_random:
                raise ValueError(
                    f"{month} was already drawn with public random value {existing.public_random!r}; "
                    "a draw is never redone")
            logger.info("%s already drawn (digest %s); keeping it", month, existing.digest)
            return {"digest": existing.digest, "drawn": len(existing.record["selected"]), "new": False}
        profile = crud.load_profile_of(session=session, county=county)
        plan = crud.official_plan(session=session, county=county, month=month)
        stations = crud.stations_frame(session=session, county=county)
        ratio = profile.sampling.fraction
        history = crud.drawn_months(session=session, county=county, before=month,
                                    after=shift_month(month, -draw.LOOKBACK_MONTHS - 1))
        candidates = draw.build_candidates(zip(stations["code"], stations["township"], strict=True),
                                           months_since_drawn(history, month))
        record = draw.build_record(
            county=county, month=month, candidates=candidates,
            public_random=public_random or draw.default_public_random(plan.sha256), ratio=ratio,
            teams=[t.model_dump() for t in profile.teams], onsite_share=profile.sampling.onsite_share,
            onsite_fixed=profile.sampling.onsite_townships, slot_minutes=profile.sampling.online_slot_minutes,
            online_start=profile.sampling.online_start, activity_date=plan.activity_date.isoformat(),
        )
        digest = draw.record_digest(record)
        crud.save_draw(session=session, county=county, month=month, record=record, digest_=digest,
                       assignments=[{k: s[k] for k in ("station_code", "township", "rank", "mode", "team", "slot")}
                                    for s in ({**s, "station_code": s["code"]} for s in record["selected"])])
    logger.info("%s drawn: %d of %d stations, digest %s", month, len(record["selected"]), len(candidates), digest)
    return {"digest": digest, "drawn": len(record["selected"]), "new": True}


@task(name="export-draw")
def export_draw(county: str, month: str) -> dict[str, str]:
    """draw.json (the verifiable record), draw.xlsx (one sheet a team plus the online schedule), artifact."""
    with transaction() as session:
        stored = crud.require_draw(session=session, county=county, month=month)
        stations = crud.stations_frame(session=session, county=county).set_index("code")
        rows = []
        for s in stored.record["selected"]:
            st = stations.loc[s["code"]] if s["code"] in stations.index else None
            rows.append({
                "序号": s["rank"], "所站编号": s["code"],
                "所站名称": st["name"] if st is not None else "", "乡镇（街道）": s["township"],
                "检查方式": MODE_CN[s["mode"]], "检查组": s["team"], "时段/顺序": s["slot"],
                "负责人": st["leader"] if st is not None else "", "联系电话": st["phone"] if st is not None else "",
            })
        table = pd.DataFrame(rows, columns=["序号", "所站编号", "所站名称", "乡镇（街道）", "检查方式", "检查组",
                                            "时段/顺序", "负责人", "联系电话"])
        sheets = [("抽查名单", table)]
        for team in [t["name"] for t in stored.record["params"]["teams"]]:
            sheets.append((team, table[table["检查组"] == team].sort_values(["检查方式", "时段/顺序"])))
        sheets.append(("线上飞检时间表", table[table["检查方式"] == "线上飞检"].sort_values(["检查组", "时段/顺序"])))
        files = {
            "json": write_text(month_dir(month) / "draw.json",
                               json.dumps(stored.record, ensure_ascii=False, indent=1, sort_keys=True) + "\n"),
            "xlsx": write_bytes(month_dir(month) / "draw.xlsx",
                                xlsx_bytes(sheets, title=f"{cn_month(month)}督查抽查名单")),
        }
        crud.record_documents(session=session, county=county, month=month, kind="draw", files=files)
    create_table_artifact(key=artifact_key("draw", county, month), table=table.to_dict("records"),
                          description=f"{cn_month(month)}督查抽查名单（抽样记录摘要 {stored.digest}）")
    return {fmt: path for fmt, (path, _) in files.items()}


def verify_stored(county: str, month: str) -> tuple[bool, str]:
    """Re-derive the stored draw from its recorded inputs; (ok, explanation). Plain function, no Prefect."""
    with transaction() as session:
        stored = crud.require_draw(session=session, county=county, month=month)
        assignments = crud.assignments_frame(session=session, county=county, month=month)
        record, digest = stored.record, stored.digest
    if draw.candidates_sha256(
        [draw.Candidate(c["code"], c["township"], c["priority"]) for c in record["candidates"]]
    ) != record["candidates_sha256"]:
        return False, "the candidate list does not match its recorded SHA-256"
    again = draw.rederive(record)
    if again != record:
        return False, "re-deriving the draw from its inputs gives a different result"
    if draw.record_digest(record) != digest:
        return False, "the record does not match its stored digest"
    stored_rows = sorted(zip(assignments["station_code"], assignments["mode"], assignments["team"], strict=True))
    derived_rows = sorted((s["code"], s["mode"], s["team"]) for s in again["selected"])
    if stored_rows != derived_rows:
        return False, "the stored assignments differ from the record"
    return True, f"{month}: {len(derived_rows)} stations re-derived, digest {digest}"
