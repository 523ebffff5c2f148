"""Every figure of the month's circular, from one aggregation: pure functions on frames, no I/O."""

from __future__ import annotations

from typing import Any

import pandas as pd

from activity_day.domain import aggregate
from activity_day.domain.dates import shift_month
from activity_day.domain.profile import Profile
from activity_day.models.enums import FeedbackStatus, InspectionMode

TREND_MONTHS = 6
FEEDBACK_COLUMNS = ["id", "month", "station_code", "township", "category", "content", "status", "answer",
                    "closed_month"]


def feedback_figures(feedback: pd.DataFrame, month: str) -> dict[str, int]:
    """The circular's feedback counts from the county's feedback items up to the month."""
    return {
        "feedback_new": int((feedback["month"] == month).sum()),
        "feedback_closed": int((feedback["closed_month"] == month).sum()),
        "feedback_total": len(feedback),
        "feedback_open": int((feedback["status"] != FeedbackStatus.CLOSED.value).sum()),
    }


def month_results(data: dict[str, pd.DataFrame], profile: Profile, month: str,
                  overdue_codes: set[str] | frozenset[str] = frozenset(),
                  unchecked_codes: set[str] | frozenset[str] | None = None) -> dict[str, Any]:
    """Every figure of the circular, from one aggregation: the tables and the text use these only.

    `data["feedback"]` holds the county's feedback items up to the month, this month's included (none when absent).
    `overdue_codes` are the stations with a rectification finding overdue on the circular's date;
    `unchecked_codes`, where the county collects on-day check-ins, the stations without any check-in.

    The ranking, the averages, the commendations and the rectify list cover only the stations an inspection team
    scored (`inspected`); stations only observers scored are counted and listed apart (`observed`).
    A station is commended when a team scored it, its final score reaches the profile's line, no problem was
    recorded for it this month, it has no overdue finding and (where check-ins are collected) it checked in; the
    best `commend_top` of those are named.
    """
    s = profile.scoring
    stations, plans, scores = data["stations"], data["plans"], data["scores"]
    weights = {"team_weight": s.team_weight, "observer_weight": s.observer_weight}
    results = aggregate.station_scores(scores, stations, **weights)
    checked = aggregate.inspected(results)
    observed = aggregate.observed_only(results)
    previous = aggregate.inspected(aggregate.station_scores(data["previous_scores"], stations, **weights))
    ranking = aggregate.with_change(aggregate.township_ranking(checked, stations),
                                    aggregate.township_ranking(previous, stations))
    problems = aggregate.problems_list(scores, stations)
    months = [shift_month(month, -k) for k in range(TREND_MONTHS - 1, -1, -1)]
    trend = aggregate.monthly_averages(data["history"], stations, months, **weights)
    assignments = data["assignments"]
    unscored = assignments[~assignments["station_code"].isin(checked["station_code"])]
    previous_average = round(float(previous["final"].mean()), 2) if len(previous) else None
    average = round(float(checked["final"].mean()), 2) if len(checked) else None
    excluded = set(overdue_codes) | set(problems["station_code"]) | set(unchecked_codes or ())
    eligible = aggregate.eligible_for_commendation(checked, s.commend_threshold, excluded)
    commended = eligible.head(s.commend_top).reset_index(drop=True)
    above = int((checked["final"] >= s.commend_threshold).sum())
    rectify = aggregate.rectifications(checked, s.rectify_threshold)
    feedback = data.get("feedback", pd.DataFrame(columns=FEEDBACK_COLUMNS))
    drawn_observed = int(observed["station_code"].isin(assignments["station_code"]).sum())
    return {
        "results": checked, "observed": observed, "ranking": ranking, "commended": commended, "rectify": rectify,
        "problems": problems, "categories": aggregate.problems_by_category(problems), "trend": trend,
        "cases": aggregate.typical_cases(problems, results, commended),
        "unscored": unscored.merge(stations, left_on="station_code", right_on="code"),
        "summary": {
            "stations": len(stations), "submitted": int(stations["code"].isin(plans["station_code"]).sum()),
            "activities": len(data["activities"]), "drawn": len(assignments),
            "online": int((assignments["mode"] == "online").sum()), "onsite": int((assignments["mode"] == "onsite").sum()),
            "scored": len(results), "inspected": len(checked), "score_rows": len(scores),
            "unscored_drawn": len(unscored), "drawn_observed": drawn_observed,
            "observed_only": len(observed),
            "observed_average": round(float(observed["final"].mean()), 2) if len(observed) else None,
            "observer_rows": int((scores["mode"] == InspectionMode.OBSERVER.value).sum()), "average": average,
            "previous_average": previous_average,
            "change": round(average - previous_average, 2) if average is not None and previous_average is not None else None,
            "above_commend": above, "commend_eligible": len(eligible),
            "commend_needs_checkin": unchecked_codes is not None,
            "commended": len(commended), "rectify": len(rectify), "problems": len(problems),
            **feedback_figures(feedback, month),
        },
    }


def feedback_rows(scores: pd.DataFrame, stations: pd.DataFrame) -> list[dict[str, Any]]:
    township_of = stations.set_index("code")["township"].to_dict()
    return [{"station_code": r.station_code, "township": township_of.get(r.station_code, ""),
             "content": r.suggestions, "category": aggregate.classify(r.suggestions)}
            for r in scores[scores["suggestions"].str.strip() != ""].itertuples()]


def standing(results: pd.DataFrame, stations: pd.DataFrame, demo_codes: set[str], watch_codes: set[str],
             watch_year: str, rectify_threshold: float) -> dict[str, Any] | None:
    """How this month's demonstration stations and last year's stations to watch scored; None when neither
    was scored this month (the circular then says nothing)."""
    demo = results[results["station_code"].isin(demo_codes)]
    watch = results[results["station_code"].isin(watch_codes)]
    if demo.empty and watch.empty:
        return None
    names = stations.set_index("code")["name"]
    return {"demo_scored": len(demo), "demo_average": round(float(demo["final"].mean()), 2) if len(demo) else None,
            "demo_low": [names.get(c, c) for c in demo.loc[demo["final"] < rectify_threshold, "station_code"]],
            "watch_year": watch_year, "watch_scored": len(watch),
            "watch_average": round(float(watch["final"].mean()), 2) if len(watch) else None,
            "watch_low": int((watch["final"] < rectify_threshold).sum())}
