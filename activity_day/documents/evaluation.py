"""The evaluation report's context and the station cards (pure: frames in, dicts and sheets out)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from activity_day.domain.dates import cn_month
from activity_day.domain.indicators import DIMENSIONS, METRICS, EvaluationRules
from activity_day.domain.profile import CountyInfo

CN_QUARTERS = {"1": "第一季度", "2": "第二季度", "3": "第三季度", "4": "第四季度"}


def period_label(period: str) -> str:
    """2027 → 2027年度; 2027-Q1 → 2027年第一季度; 2027-H1 → 2027年上半年; 2027-03 → 2027年3月."""
    if re.fullmatch(r"\d{4}", period):
        return f"{period}年度"
    year, _, part = period.partition("-")
    if part.startswith("Q"):
        return f"{year}年{CN_QUARTERS[part[1]]}"
    if part.startswith("H"):
        return f"{year}年{'上' if part[1] == '1' else '下'}半年"
    return cn_month(period)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.items()}
            for row in frame.to_dict("records")]


@dataclass(frozen=True)
class PeriodScores:
    """A period's evaluation as the report shows it: the months it covers, the stations scored (best first),
    the townships and the stations to watch."""

    period: str
    months: list[str]
    scored: pd.DataFrame
    townships: pd.DataFrame
    watch: pd.DataFrame


def evaluation_context(scores: PeriodScores, *, county: CountyInfo, rules: EvaluationRules,
                       signed_cn: str) -> dict[str, Any]:
    """What the report shows (md, html, docx)."""
    period, months, scored, townships, watch = scores.period, scores.months, scores.scored, scores.townships, scores.watch
    county_name, office_name = county.name, county.office_name
    label = period_label(period)
    stars = {n: int((scored["stars"].fillna(0) == n).sum()) for n in range(6)}  # 0: no stars (无记录)
    ranked = townships.dropna(subset=["total"])
    totals = scored["total"].dropna()
    dims = [{"name": d.name, "weight": d.weight,
             "average": None if scored[d.name].dropna().empty else round(float(scored[d.name].dropna().mean()), 2),
             "indicators": "、".join(i.name for i in d.indicators)} for d in rules.dimensions]
    town_rows = [{"township": t["township"], "stations": int(t["stations"]), "total": t["total"],
                  **{f"d{n}": t[d] for n, d in enumerate(DIMENSIONS, start=1)}} for t in _records(townships)]
    return {
        "title": f"{county_name}{label}新时代文明实践所站综合评价报告", "office_name": office_name,
        "signed_cn": signed_cn, "issuer": None,  # a report: no masthead
        "e": {"stations": len(scored), "period_label": label, "months": months, "stars": stars,
              "average": round(float(totals.mean()), 2) if len(totals) else None,
              "best_township": ranked.iloc[0]["township"] if len(ranked) else "—",
              "worst_township": ranked.iloc[-1]["township"] if len(ranked) else "—"},
        "dimensions": dims, "townships": town_rows, "watch": _records(watch),
        "stations": _records(scored[["code", "name", "township", "total", "stars"]].astype({"stars": object})),
        "chart": (list(ranked["township"]), [float(v) for v in ranked["total"]]),
    }


def station_cards(scored: pd.DataFrame, evidence: dict[str, dict[str, dict]], watch: pd.DataFrame,
                  townships: pd.DataFrame, rules: EvaluationRules) -> list[tuple[str, pd.DataFrame]]:
    """The station cards workbook: the results, every indicator of every station with its evidence, the
    townships and the stations to watch."""
    reasons = dict(zip(watch["code"], watch["reasons"], strict=True))
    results = pd.DataFrame({"所站编号": scored["code"], "所站名称": scored["name"], "乡镇（街道）": scored["township"],
                            **{d: scored[d] for d in DIMENSIONS}, "综合得分": scored["total"],
                            "星级": scored["stars"].astype(object).where(scored["stars"].notna(), None),
                            "重点关注": scored["code"].map(reasons).fillna("")})
    rows = []
    names = dict(zip(scored["code"], scored["name"], strict=True))
    for dim in rules.dimensions:
        for ind in dim.indicators:
            for code in scored["code"]:
                ev = evidence[ind.code][code]
                rows.append({"所站编号": code, "所站名称": names[code], "维度": dim.name, "指标": ind.name,
                             "来源": METRICS[ind.metric][0] if ind.metric else "实地评估",
                             "得分": ev["value"], "依据月份": "、".join(ev["months"]),
                             "缺少": "、".join(ev["missing"]) or ev.get("note", ""), "记录数": len(ev["records"])})
    detail = pd.DataFrame(rows, columns=["所站编号", "所站名称", "维度", "指标", "来源", "得分", "依据月份", "缺少", "记录数"])
    detail = detail.sort_values(["所站编号"], kind="stable")
    towns = townships.rename(columns={"township": "乡镇（街道）", "stations": "所站", "total": "综合"}
                             | {f"stars_{n}": f"{n}星" for n in range(6)}).rename(columns={"0星": "无记录"})
    watch_sheet = watch.rename(columns={"code": "所站编号", "name": "所站名称", "township": "乡镇（街道）",
                                        "total": "综合得分", "reasons": "原因"})
    return [("综合评价", results), ("指标明细", detail), ("乡镇概况", towns), ("重点关注", watch_sheet)]
