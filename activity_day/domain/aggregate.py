"""Results of the month: pure pandas functions, DataFrame in, DataFrame out."""

from __future__ import annotations

import pandas as pd

from activity_day.models.enums import ActionKind, InspectionMode, PracticeTask

TEAM_MODES = (InspectionMode.ONLINE.value, InspectionMode.ONSITE.value)


def station_scores(scores: pd.DataFrame, stations: pd.DataFrame, *, team_weight: float,
                   observer_weight: float) -> pd.DataFrame:
    """One row per scored station: team and observer means and the weighted final score.

    A station scored by only one side takes that side's mean. Unscored stations are absent, never 0.
    Columns: station_code, name, township, team_score, observer_score, final, scorers; sorted by final desc.
    """
    cols = ["station_code", "name", "township", "team_score", "observer_score", "final", "scorers"]
    if scores.empty:
        return pd.DataFrame(columns=cols)
    is_team = scores["mode"].isin(TEAM_MODES)
    team = scores[is_team].groupby("station_code")["score"].mean().rename("team_score")
    observer = scores[~is_team].groupby("station_code")["score"].mean().rename("observer_score")
    scorers = scores.groupby("station_code")["scorer"].count().rename("scorers")
    out = pd.concat([team, observer, scorers], axis=1).reset_index(names="station_code")
    both = out["team_score"].notna() & out["observer_score"].notna()
    out["final"] = out["team_score"].fillna(out["observer_score"])
    out.loc[both, "final"] = team_weight * out.loc[both, "team_score"] + observer_weight * out.loc[both, "observer_score"]
    out["final"] = out["final"].round(2)
    out = out.merge(stations[["code", "name", "township"]], left_on="station_code", right_on="code", how="left")
    out = out.sort_values(["final", "station_code"], ascending=[False, True], kind="stable")
    out["scorers"] = out["scorers"].astype(int)
    return out[cols].reset_index(drop=True)


def township_order(stations: pd.DataFrame) -> list[str]:
    """The county's townships in the registry's order (the order every table and list of townships follows)."""
    return list(dict.fromkeys(stations["township"]))


def _order_key(stations: pd.DataFrame):
    """A sort key mapping a township column to its place in the registry's order (unknown ones last)."""
    place = {t: i for i, t in enumerate(township_order(stations))}
    return lambda column: column.map(lambda t: place.get(t, len(place)))


def inspected(results: pd.DataFrame) -> pd.DataFrame:
    """The stations an inspection team scored (online or on site); the ranking and commendations use only these."""
    return results[results["team_score"].notna()].reset_index(drop=True)


def observed_only(results: pd.DataFrame) -> pd.DataFrame:
    """The stations only civic observers scored: reported apart, never ranked against the inspected ones."""
    return results[results["team_score"].isna()].reset_index(drop=True)


def township_ranking(results: pd.DataFrame, stations: pd.DataFrame) -> pd.DataFrame:
    """Per township: stations, scored stations, average final score and rank (ties share a rank, then the
    registry's order). Townships with nothing scored are listed last with no average and no rank.
    """
    total = stations.groupby("township", sort=False)["code"].count().rename("stations")
    scored = results.groupby("township")["final"].agg(["count", "mean"]).rename(
        columns={"count": "scored", "mean": "average"})
    out = pd.concat([total, scored], axis=1).reset_index(names="township")
    out["scored"] = out["scored"].fillna(0).astype(int)
    out["average"] = out["average"].astype(float).round(2)
    out["rank"] = out["average"].rank(method="min", ascending=False).astype("Int64")
    out = out.sort_values(["rank", "township"], na_position="last", kind="stable", key=lambda c: (
        _order_key(stations)(c) if c.name == "township" else c))
    return out[["rank", "township", "stations", "scored", "average"]].reset_index(drop=True)


def commendations(results: pd.DataFrame, threshold: float, top: int | None = None,
                  excluded: set[str] | frozenset[str] = frozenset()) -> pd.DataFrame:
    """Stations at or above the threshold and not `excluded`, best first, at most `top` of them."""
    chosen = eligible_for_commendation(results, threshold, excluded)
    return (chosen.head(top) if top else chosen).reset_index(drop=True)


def eligible_for_commendation(results: pd.DataFrame, threshold: float,
                              excluded: set[str] | frozenset[str] = frozenset()) -> pd.DataFrame:
    """Every station that meets the commendation rule: at or above the threshold and not excluded, best first."""
    chosen = results[(results["final"] >= threshold) & ~results["station_code"].isin(excluded)]
    return chosen.reset_index(drop=True)


def rectifications(results: pd.DataFrame, threshold: float) -> pd.DataFrame:
    return results[results["final"] < threshold].sort_values(["final", "station_code"]).reset_index(drop=True)


def problems_list(scores: pd.DataFrame, stations: pd.DataFrame) -> pd.DataFrame:
    """Problems recorded by scorers, one row each, with station, township and category."""
    found = scores[scores["problems"].fillna("").str.strip() != ""]
    out = found.merge(stations[["code", "name", "township"]], left_on="station_code", right_on="code")
    given = out["category"].fillna("") if "category" in out else [""] * len(out)
    out["category"] = [classify(text, g) for text, g in zip(out["problems"], given, strict=True)]
    out = out.assign(_mode=out["mode"].map(lambda m: InspectionMode(m).rank),
                     _town=_order_key(stations)(out["township"]))
    return out.sort_values(["_town", "station_code", "_mode"])[
        ["station_code", "name", "township", "mode", "problems", "category"]].reset_index(drop=True)


def missing_stations(stations: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    """Stations with no plan for the month, with their contacts, by township and code."""
    missing = stations[~stations["code"].isin(plans["station_code"])]
    return _by_township(missing[["code", "name", "township", "leader", "phone"]], stations)


def _by_township(frame: pd.DataFrame, stations: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered by township (the registry's order), then station code."""
    key = _order_key(stations)
    return frame.assign(_town=key(frame["township"])).sort_values(["_town", "code"], kind="stable").drop(
        columns="_town").reset_index(drop=True)


def count_by(activities: pd.DataFrame, column: str, order: list[str] | None = None) -> pd.DataFrame:
    """Activities counted by one column; with `order`, every listed value appears, zeros included."""
    counts = activities.groupby(column)["seq"].count() if len(activities) else pd.Series(dtype=int)
    if order is not None:
        counts = counts.reindex(order, fill_value=0)
    return counts.rename("activities").rename_axis(column).reset_index().astype({"activities": int})


def activities_by_task(activities: pd.DataFrame) -> pd.DataFrame:
    return count_by(activities, "task", [t.value for t in PracticeTask])


def activities_by_kind(activities: pd.DataFrame) -> pd.DataFrame:
    return count_by(activities, "action_kind", [k.value for k in ActionKind])


def activities_by_township(activities: pd.DataFrame, stations: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    """Per township: stations, stations that submitted, activities."""
    merged = activities.merge(stations[["code", "township"]], left_on="station_code", right_on="code")
    acts = merged.groupby("township")["seq"].count().rename("activities")
    total = stations.groupby("township")["code"].count().rename("stations")
    submitted = stations[stations["code"].isin(plans["station_code"])].groupby("township")["code"].count()
    out = pd.concat([total, submitted.rename("submitted"), acts], axis=1).fillna(0).astype(int)
    out = out.reset_index(names="township")
    return out.sort_values("township", key=_order_key(stations), kind="stable").reset_index(drop=True)


def uncovered_required(activities: pd.DataFrame, plans: pd.DataFrame, stations: pd.DataFrame,
                       required_codes: list[str]) -> pd.DataFrame:
    """Stations that submitted but left out required checklist items (规定动作), with the missing codes."""
    cols = ["code", "name", "township", "leader", "phone", "missing_codes"]
    if not required_codes or plans.empty:
        return pd.DataFrame(columns=cols)
    covered = set(zip(activities["station_code"], activities["checklist_code"], strict=True))  # (station, item)
    rows = []
    for station in stations[stations["code"].isin(plans["station_code"])].itertuples():
        missing = [c for c in required_codes if (station.code, c) not in covered]
        if missing:
            rows.append({"code": station.code, "name": station.name, "township": station.township,
                         "leader": station.leader, "phone": station.phone, "missing_codes": "、".join(missing)})
    return _by_township(pd.DataFrame(rows, columns=cols), stations)


def late_submissions(plans: pd.DataFrame, stations: pd.DataFrame) -> pd.DataFrame:
    late = plans[plans["late"].astype(bool)]
    out = late.merge(stations[["code", "name", "township"]], left_on="station_code", right_on="code")
    return _by_township(out[["code", "name", "township", "channel"]], stations)


# Keywords that place a problem or a suggestion in a category (first match wins).
CATEGORIES: list[tuple[str, tuple[str, ...]]] = [
    ("规定动作", ("规定动作", "不到位", "走样", "变形", "漏项")),
    ("群众参与", ("参与", "人数", "群众", "老年", "青年")),
    ("宣传氛围", ("宣传", "氛围", "发动", "横幅")),
    ("台账资料", ("记录", "台账", "资料", "影像", "签到", "归档")),
    ("志愿服务", ("志愿",)),
    ("活动组织", ("组织", "安排", "时间", "场地", "内容", "活动")),
]
OTHER = "其他"


def classify(text: str, given: str = "") -> str:
    """The category of a problem or suggestion: the one given in the file, else by keyword, else 其他."""
    if given:
        return given
    for category, words in CATEGORIES:
        if any(w in text for w in words):
            return category
    return OTHER


def problems_by_category(problems: pd.DataFrame) -> pd.DataFrame:
    """How many problems fall in each category, most first (ties by the category order)."""
    order = [c for c, _ in CATEGORIES] + [OTHER]
    if problems.empty:
        return pd.DataFrame(columns=["category", "count"])
    counts = problems.groupby("category").size()
    out = counts.rename("count").rename_axis("category").reset_index()
    out["_o"] = out["category"].map(lambda c: order.index(c) if c in order else len(order))
    return out.sort_values(["count", "_o"], ascending=[False, True])[["category", "count"]].reset_index(drop=True)


def monthly_averages(history: pd.DataFrame, stations: pd.DataFrame, months: list[str], *, team_weight: float,
                     observer_weight: float) -> pd.DataFrame:
    """County average final score of the inspected stations and their number, for each month listed (missing
    months: no average)."""
    rows = []
    for month in months:
        scores = history[history["month"] == month]
        results = inspected(station_scores(scores, stations, team_weight=team_weight, observer_weight=observer_weight))
        rows.append({"month": month, "scored": len(results),
                     "average": round(float(results["final"].mean()), 2) if len(results) else None})
    return pd.DataFrame(rows, columns=["month", "scored", "average"])


def with_change(ranking: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """The township ranking with the change of average against the previous month (None where unknown)."""
    before = previous.set_index("township")["average"].to_dict() if len(previous) else {}
    out = ranking.copy()
    out["change"] = [
        round(a - before[t], 2) if pd.notna(a) and pd.notna(before.get(t)) else None
        for t, a in zip(out["township"], out["average"], strict=True)
    ]
    return out


def typical_cases(problems: pd.DataFrame, results: pd.DataFrame, commended: pd.DataFrame,
                  per_category: int = 2) -> dict[str, list[dict]]:
    """A few cases of each problem category for the circular's body: the lowest-scored stations first, one
    case per station, and never a station the same circular commends (the full list is an attachment)."""
    if problems.empty:
        return {}
    praised = set(commended["station_code"]) if len(commended) else set()
    final = results.set_index("station_code")["final"] if len(results) else pd.Series(dtype=float)
    shown = problems[~problems["station_code"].isin(praised)].assign(
        _final=lambda f: f["station_code"].map(final).fillna(float("inf")))
    shown = shown.sort_values(["_final", "township", "station_code"], kind="stable")
    cases: dict[str, list[dict]] = {}
    for category, rows in shown.groupby("category", sort=False):
        firsts = rows.drop_duplicates("station_code").head(per_category)
        cases[category] = firsts[["station_code", "name", "township", "problems"]].to_dict("records")
    return cases
