"""What a circular may say: rules over its facts (domain.circular.CircularFacts) and over its rendered text, each
violation named. Pure.

The facts decide who is commended, who must rectify and what is overdue; these functions check that the facts
keep the office's rules, and that a rendered circular (any format, as plain text) says what the facts say and
nothing of the machine.
"""

from __future__ import annotations

import re

from activity_day.domain.circular import CircularFacts
from activity_day.domain.dates import cn_date
from activity_day.domain.plan_rules import software_words
from activity_day.domain.profile import Profile

# Claims the software cannot back: the inspection teams are assigned by rule, not drawn.
UNBACKED = ("双随机",)


def circular_rule_violations(facts: CircularFacts, profile: Profile) -> list[str]:
    """Every fact of the circular that breaks a rule of the office (empty when it may be issued).

    - A commended station was scored by an inspection team, reaches the commendation line, had no problem
      recorded this month, has no overdue finding and did not miss its check-in; at most `commend_top` are named,
      the best of those eligible.
    - Stations only observers scored are never ranked, commended or listed for rectification by score.
    - A typical case in the body never names a commended station.
    - The overdue figures add up, and the worst cases named are among them.
    - The rectification deadline falls after the circular's date.
    """
    found: list[str] = []
    f, s = facts.figures, profile.scoring
    results = f["results"]
    if results["team_score"].isna().any():
        found.append("a station without a team score is among the ranked results")
    if f["observed"]["team_score"].notna().any():
        found.append("a station with a team score is listed as scored by observers only")
    ranked = set(results["station_code"])
    problem_codes = set(f["problems"]["station_code"])
    overdue = {r["station_code"] for r in facts.rectification["overdue_rows"]}
    unchecked = {code for row in facts.missing_checkins for code in row["codes"]}
    commended = f["commended"]
    for r in commended.itertuples():
        if r.station_code not in ranked:
            found.append(f"commended {r.station_code} was not scored by an inspection team")
        if r.final < s.commend_threshold:
            found.append(f"commended {r.station_code} scored {r.final}, below {s.commend_threshold}")
        if r.station_code in problem_codes:
            found.append(f"commended {r.station_code} has a problem recorded this month")
        if r.station_code in overdue:
            found.append(f"commended {r.station_code} has overdue findings")
        if r.station_code in unchecked:
            found.append(f"commended {r.station_code} did not check in")
    if len(commended) > s.commend_top:
        found.append(f"{len(commended)} stations commended, more than commend_top {s.commend_top}")
    excluded = problem_codes | overdue | unchecked
    eligible = results[(results["final"] >= s.commend_threshold) & ~results["station_code"].isin(excluded)]
    if list(commended["station_code"]) != list(eligible["station_code"].head(s.commend_top)):
        found.append("the commended stations are not the best of those the rule admits")
    if facts.summary.get("commend_eligible", len(eligible)) != len(eligible):
        found.append(f"commend_eligible {facts.summary.get('commend_eligible')} != {len(eligible)} eligible")
    for r in f["rectify"].itertuples():
        if r.station_code not in ranked or r.final >= s.rectify_threshold:
            found.append(f"{r.station_code} listed for rectification without a team score below the line")
    named = {c["station_code"] for cases in f["cases"].values() for c in cases}
    found += [f"case of commended {code} in the body" for code in sorted(named & set(commended["station_code"]))]
    rc = facts.rectification
    if rc["overdue_total"] != sum(r["count"] for r in rc["overdue_rows"]):
        found.append("overdue total does not add up over the stations")
    if rc["overdue_stations"] != len(rc["overdue_rows"]):
        found.append("overdue stations do not match the rows")
    found += [f"worst overdue {w['station_code']} not among the overdue rows"
              for w in rc["overdue_worst"] if w["station_code"] not in overdue]
    if facts.deadline <= facts.signed:
        found.append(f"deadline {facts.deadline} is not after the circular's date {facts.signed}")
    return found


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def circular_text_violations(facts: CircularFacts, text: str, *, labels: dict[str, str]) -> list[str]:
    """What a rendered circular (its plain text, any format) says against its facts: missing figures and names,
    a weakness stated without its requirement, lectures under 存在问题, software words and unbacked claims.

    `labels` maps a station code to the name the circular gives it (documents.contexts.station_label).
    """
    found = [f"software word {w!r}" for w in software_words(text)]
    flat = _flat(text)
    found += [f"unbacked claim {w}" for w in UNBACKED if w in flat]
    s, rc = facts.summary, facts.rectification
    body_end = flat.find("附件：")
    body = flat[:body_end] if body_end >= 0 else flat

    def says(phrase: str, where: str = body, what: str = "") -> None:
        if _flat(phrase) not in where:
            found.append(f"does not say {what or phrase}")

    if s.get("commended"):
        says(f"所站共{s['commend_eligible']}个")
        if s["commend_eligible"] > s["commended"]:
            says(f"得分前{s['commended']}名")
        for code in facts.commended_codes:
            says(labels[code], what=f"commended {code} ({labels[code]})")
    commended = set(facts.commended_codes)
    found += [f"commended {r['station_code']} is listed as overdue" for r in rc["overdue_rows"]
              if r["station_code"] in commended]
    found += [f"commended {code} is listed without a check-in" for row in facts.missing_checkins
              for code in row["codes"] if code in commended]
    if rc["overdue_stations"]:
        says(f"{rc['overdue_stations']}个所站的{rc['overdue_total']}条问题逾期未整改")
        for w in rc["overdue_worst"]:
            says(labels.get(w["station_code"], w["name"]), what=f"worst overdue {w['station_code']}")
        says(f"所列{rc['overdue_stations']}个所站要于{cn_date(facts.deadline)}前", what="the requirement for overdue findings")
    if rc["stations"]:
        says(f"收到整改通知的{rc['stations']}个所站", what="the requirement for this month's findings")
    if facts.evidence and facts.evidence.get("missing"):
        says(f"{facts.evidence['missing']}个未签到打卡")
        says(f"本月未签到打卡的{facts.evidence['missing']}个所站", what="the requirement for missing check-ins")
    if facts.lectures:
        lectures_at, problems_at = body.find("宣讲点单"), body.find("存在问题")
        if lectures_at < 0 or 0 <= problems_at < lectures_at:
            found.append("the lecture figures are not in their own part before 存在问题")
        if facts.lectures.get("unserved"):
            says(f"本月{facts.lectures['unserved']}场未能派单", what="the requirement for unserved lectures")
    if s.get("observed_only"):
        says(f"其中{s['observed_only']}个所站未经检查组评分", what="why observers' stations are not ranked")
    says(facts.record_number, what="the draw record's number")
    if not facts.random_draw and "随机抽取" in flat:
        found.append("a draw on the office's own value (the plan's checksum) is called random")
    return found
