"""Selecting demonstration stations (示范所站): pure rules for each stage, frames in, frames out.

自主申报 → 资料审核 (eligibility against the stored evaluation) → 实地评估 (assessors drawn with 回避, from a
public random value the office cannot choose: docs/draw.md) → 集中会审 (the panel decides) → 媒体公示 (N working days, objections) → 命名.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from activity_day.domain.hashing import sha256_hex


class DemonstrationRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)  # part of the shared, frozen profile

    min_total: float = Field(default=85, ge=0, le=100, description="lowest evaluation total to be eligible")
    min_stars: int = Field(default=4, ge=1, le=5)
    max_open_feedback: int = Field(default=0, ge=0, description="open suggestions (意见建议) a candidate may have")
    quota: int = Field(default=10, ge=1, le=500, description="at most this many stations named in a round")
    assessors_per_station: int = Field(default=2, ge=1, le=5)
    publicity_days: int = Field(default=5, ge=1, le=30, description="公示 period, in working days")


def review_applications(applications: pd.DataFrame, evaluation: pd.DataFrame, open_feedback: dict[str, int],
                        rules: DemonstrationRules) -> pd.DataFrame:
    """资料审核: each application eligible or not, with every reason it is not.

    applications: code, brand, statement; evaluation: code, township, total, stars, watch.
    Returns code, township, eligible, reasons (Chinese, joined with ；), total, stars.
    """
    info = evaluation.set_index("code")
    rows = []
    for app in applications.itertuples():
        reasons = []
        known = app.code in info.index
        total = float(info.loc[app.code, "total"]) if known and pd.notna(info.loc[app.code, "total"]) else None
        stars = int(info.loc[app.code, "stars"]) if total is not None and pd.notna(info.loc[app.code, "stars"]) else None
        if not str(app.brand).strip():
            reasons.append("未填写特色或品牌")
        if not known or total is None:
            reasons.append("没有本期综合评价结果")
        else:
            if total < rules.min_total:
                reasons.append(f"综合得分 {total:.2f} 低于 {rules.min_total:g} 分")
            if stars is None or stars < rules.min_stars:
                reasons.append(f"星级为{stars}星，低于{rules.min_stars}星")
            if str(info.loc[app.code, "watch"]).strip():
                reasons.append(f"列为重点关注（{info.loc[app.code, 'watch']}）")
        if open_feedback.get(app.code, 0) > rules.max_open_feedback:
            reasons.append(f"有 {open_feedback[app.code]} 条意见建议尚未办结")
        rows.append({"code": app.code, "township": info.loc[app.code, "township"] if known else "",
                     "eligible": not reasons, "reasons": "；".join(reasons), "total": total, "stars": stars})
    return pd.DataFrame(rows, columns=["code", "township", "eligible", "reasons", "total", "stars"])


class AssignmentError(ValueError):
    pass


SITE_VISITS = "ad-visits/1"  # the site-visit draw's algorithm (docs/draw.md), written into every record


def _lines(rows: list[tuple[str, str]]) -> str:
    return "".join(f"{a}\t{b}\n" for a, b in rows)


def site_visit_inputs(county: str, round_: str, shortlist: pd.DataFrame, assessors: list[tuple[str, str]],
                      per_station: int) -> dict[str, Any]:
    """What the document review publishes before the random value is taken: the shortlist (code, township, by
    code) and the assessors (name, home township, in the profile's order) with their SHA-256, and how many
    assessors visit each station."""
    stations = sorted(zip(shortlist["code"], shortlist["township"], strict=True))
    return {"algorithm": SITE_VISITS, "county": county, "round": round_,
            "shortlist": [{"code": c, "township": t} for c, t in stations], "shortlist_sha256": sha256_hex(_lines(stations)),
            "assessors": [{"name": n, "home_township": h} for n, h in assessors],
            "assessors_sha256": sha256_hex(_lines(assessors)), "per_station": per_station}


INPUT_KEYS = ("algorithm", "county", "round", "shortlist", "shortlist_sha256", "assessors", "assessors_sha256",
              "per_station")


def inputs_of(record: dict[str, Any]) -> dict[str, Any]:
    """The published inputs of a site-visit record (without the random value and the result)."""
    return {k: record[k] for k in INPUT_KEYS if k in record}


def site_visit_seed(inputs: dict[str, Any], public_random: str) -> str:
    """The seed: SHA-256 of `ad-visits/1|county|round|shortlist_sha256|assessors_sha256|per_station|public random`."""
    return sha256_hex("|".join([inputs["algorithm"], inputs["county"], inputs["round"], inputs["shortlist_sha256"],
                                inputs["assessors_sha256"], str(inputs["per_station"]), public_random]))


def weak_public_random(inputs: dict[str, Any]) -> str:
    """The value of a round without commitments: the shortlist's own checksum, which the office knows in advance."""
    return f"shortlist-sha256:{inputs['shortlist_sha256']}"


def site_visit_record(inputs: dict[str, Any], public_random: str, public_random_source: str,
                      public_random_parts: dict[str, Any] | None = None) -> dict[str, Any]:
    """The site-visit draw's record: the published inputs, the public random value and where it came from, the
    seed and the visits ({code, assessor}, by station code); anyone holding it can re-derive the visits."""
    seed = site_visit_seed(inputs, public_random)
    shortlist = pd.DataFrame(inputs["shortlist"], columns=["code", "township"])
    assessors = [(a["name"], a["home_township"]) for a in inputs["assessors"]]
    visits = assign_site_visits(shortlist, assessors, inputs["per_station"], seed)
    record = {**inputs_of(inputs), "public_random": public_random, "public_random_source": public_random_source,
              "seed": seed, "visits": visits.to_dict("records")}
    if public_random_parts is not None:
        record["public_random_parts"] = public_random_parts
    return record


def assign_site_visits(shortlist: pd.DataFrame, assessors: list[tuple[str, str]], per_station: int,
                       seed: str) -> pd.DataFrame:
    """实地评估: `per_station` assessors for each shortlisted station (code, township), none living in the
    station's township (回避), the load spread evenly. Stations in code order; each takes the allowed assessors
    with the fewest visits so far, ties by `sha256(seed|code|assessor)`. Returns code, assessor."""
    load = {name: 0 for name, _ in assessors}
    rows = []
    for station in shortlist.sort_values("code").itertuples():
        allowed = list(dict.fromkeys(name for name, home in assessors if home != station.township))
        if len(allowed) < per_station:
            raise AssignmentError(f"所站{station.code}（{station.township}）可回避的评估人员不足 {per_station} 人："
                                  "请在县情配置的检查组中增加其他乡镇的成员")
        ranked = sorted(allowed, key=lambda n: (load[n], sha256_hex(f"{seed}|{station.code}|{n}")))
        for name in ranked[:per_station]:
            load[name] += 1
            rows.append({"code": station.code, "assessor": name})
    return pd.DataFrame(rows, columns=["code", "assessor"])


def publicity_end(start: date, working_days: int, is_workday: Callable[[date], bool]) -> date:
    """The last day of a 公示 period of `working_days` working days starting on `start` (counted if a workday)."""
    day, counted = start, 0
    while True:
        if is_workday(day):
            counted += 1
            if counted == working_days:
                return day
        day += timedelta(days=1)


def final_list(decisions: pd.DataFrame, upheld: set[str], quota: int) -> pd.DataFrame:
    """命名: the stations the panel approved, less those with an upheld objection, best site score first,
    at most `quota`. decisions: code, name, township, approved, site_score."""
    named = decisions[decisions["approved"] & ~decisions["code"].isin(upheld)]
    named = named.sort_values(["site_score", "code"], ascending=[False, True], na_position="last", kind="stable")
    return named.head(quota).reset_index(drop=True)
