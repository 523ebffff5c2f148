"""What the documents show: the contexts handed to the templates and the report sheets. Pure, no I/O.

Each function takes plain data (frames, the plan content, the profile, summary dicts) and returns the
context a template, an xlsx sheet or a Prefect artifact gets; the Chinese wording of the documents lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from activity_day.documents.render import records
from activity_day.domain import aggregate
from activity_day.domain.circular import CircularFacts
from activity_day.domain.dates import cn_date, cn_fraction, cn_month
from activity_day.domain.plan import PlanContent
from activity_day.domain.profile import Profile
from activity_day.intake.headers import H
from activity_day.models.enums import ActionKind

REMINDER = "【{office}】{name}负责同志：{month}新时代文明实践集中活动日活动计划请于{deadline}前通过微信小程序报送，如已报送请忽略。"
REQUIRED_REMINDER = "【{office}】{name}负责同志：贵所（站）{month}活动计划尚未安排规定动作{codes}，请补充后重新报送。"
MESSAGE = "提醒短信"
UNCOVERED_CODES = "未安排的规定动作"
PLANNED = "计划活动数"

# Report columns: a station's identity and contacts, as the registry spells them.
STATION_COLUMNS = {"code": H.STATION_CODE, "name": H.STATION_NAME, "township": H.TOWNSHIP}
CONTACT_COLUMNS = {"leader": H.LEADER, "phone": H.PHONE}
CN_NUMBERS = "一二三四五六七八九十"


def reminder_list(missing: pd.DataFrame, *, office: str, month: str, deadline: str) -> pd.DataFrame:
    """The missing stations with a ready-to-send message each (Chinese column names for the xlsx)."""
    out = missing.rename(columns=STATION_COLUMNS | CONTACT_COLUMNS)
    out[MESSAGE] = [REMINDER.format(office=office, name=n, month=month, deadline=deadline) for n in missing["name"]]
    return out


def required_reminder_list(uncovered: pd.DataFrame, *, office: str, month: str) -> pd.DataFrame:
    """Stations that left out required items, with the codes and a ready-to-send message each."""
    out = uncovered.rename(columns=STATION_COLUMNS | CONTACT_COLUMNS | {"missing_codes": UNCOVERED_CODES})
    out[MESSAGE] = [REQUIRED_REMINDER.format(office=office, name=r.name, month=month, codes=r.missing_codes)
                    for r in uncovered.itertuples()]
    return out


@dataclass(frozen=True)
class CollectReport:
    """The collect step's figures and what its documents and artifacts show."""

    summary: dict[str, int]
    title: str
    markdown: dict[str, Any]  # the context of collect.md.j2
    sheets: list[tuple[str, pd.DataFrame]]  # collect-report.xlsx
    tables: list[tuple[str, list[dict[str, Any]], str]]  # Prefect table artifacts: (key suffix, rows, description)
    progress: tuple[float, str] | None  # the progress artifact: (percent submitted, description)


def collect_report(stations: pd.DataFrame, plans: pd.DataFrame, activities: pd.DataFrame, *, plan: PlanContent,
                   profile: Profile, month: str) -> CollectReport:
    """Who is missing, who left out required items, who was late, and activities by task, kind and township."""
    label, office, deadline = cn_month(month), profile.county.office_short, plan.dates_cn.station_plans
    missing = aggregate.missing_stations(stations, plans)
    by_task = aggregate.activities_by_task(activities)
    by_kind = aggregate.activities_by_kind(activities)
    by_township = aggregate.activities_by_township(activities, stations, plans)
    uncovered = aggregate.uncovered_required(activities, plans, stations, plan.required_codes)
    late = aggregate.late_submissions(plans, stations)
    summary = {
        "stations": len(stations), "submitted": int(stations["code"].isin(plans["station_code"]).sum()),
        "missing": len(missing), "activities": len(activities), "late": len(late),
        "uncovered_required": len(uncovered),
    }
    reminders = reminder_list(missing, office=office, month=label, deadline=deadline)
    uncovered_cn = required_reminder_list(uncovered, office=office, month=label)
    by_township_cn = by_township.rename(columns={"township": H.TOWNSHIP, "stations": "所站数", "submitted": "已报送",
                                                 "activities": PLANNED})
    sheets = [
        ("未报送所站", reminders),
        ("规定动作未覆盖", uncovered_cn),
        ("逾期报送", late.rename(columns=STATION_COLUMNS | {"channel": "报送渠道"})),
        ("按乡镇", by_township_cn),
        ("按任务", by_task.rename(columns={"task": "工作任务", "activities": PLANNED})),
        ("按动作类型", by_kind.rename(columns={"action_kind": H.ACTION_KIND, "activities": PLANNED})),
    ]
    markdown = dict(month_label=label, s=summary, missing=records(missing), uncovered=records(uncovered),
                    late=records(late), by_task=records(by_task), by_kind=records(by_kind),
                    by_township=records(by_township), deadline=deadline)
    station_headers = [*STATION_COLUMNS.values()]
    tables = [
        ("missing", reminders[[*station_headers, *CONTACT_COLUMNS.values()]].to_dict("records"),
         f"{label}未报送活动计划的所站（{len(missing)}个）"),
        ("required", uncovered_cn[[*station_headers, UNCOVERED_CODES]].to_dict("records"),
         f"{label}未安排全部规定动作的所站（{len(uncovered)}个）"),
        ("townships", by_township_cn.to_dict("records"), f"{label}各乡镇（街道）报送情况"),
    ]
    progress = ((100.0 * summary["submitted"] / summary["stations"], f"{label}活动计划报送进度（已报送/所站总数）")
                if summary["stations"] else None)
    return CollectReport(summary=summary, title=f"{label}活动计划报送情况", markdown=markdown, sheets=sheets,
                         tables=tables, progress=progress)


def circular_title(month: str) -> str:
    return f"关于{cn_month(month)}新时代文明实践集中活动日督查情况的通报"


def chart_series(figures: dict[str, Any]) -> dict[str, list]:
    """The charts' data: townships with an average (ranked) and the trend; empty when no township has one."""
    ranked = figures["ranking"][figures["ranking"]["average"].notna()]
    if not len(ranked):
        return {}
    return {"townships": list(ranked["township"]), "averages": list(ranked["average"]),
            "months": list(figures["trend"]["month"]), "trend": list(figures["trend"]["average"])}


HIGHLIGHTS = 2  # activities named for a commended station


def station_highlights(activities: pd.DataFrame) -> pd.Series:
    """What a station did beyond the required actions, for the circular's commendations: its signature actions
    (特色动作) first, then self-selected ones (自选动作), at most two names, once each, joined with 、 (station code ->
    text). The required actions every station runs are not highlights."""
    if activities.empty or "action_kind" not in activities:
        return pd.Series(dtype=str)
    order = {ActionKind.SIGNATURE.value: 0, ActionKind.SELF_SELECTED.value: 1}
    own = activities[activities["action_kind"].isin(order)]
    own = own.assign(_kind=own["action_kind"].map(order)).sort_values(["station_code", "_kind", "seq"], kind="stable")
    return own.groupby("station_code")["name"].agg(lambda n: "、".join(list(dict.fromkeys(n))[:HIGHLIGHTS]))


ATTACHMENTS = ("ranking", "results", "lectures", "problems", "overdue", "checkins")  # keys of the prose's attachment_names


def circular_context(facts: CircularFacts, activities: pd.DataFrame, *, profile: Profile, plan: PlanContent,
                     doc_number: str) -> dict[str, Any]:
    """The circular's context (Markdown, HTML and DOCX): its facts, labelled and numbered for the templates.

    The sections and attachments a circular carries, and the requirements of 下步要求, follow from the facts:
    a weakness the body states (findings, overdue findings, missing check-ins, unserved lectures) gets its
    requirement, and a list too long for the body (overdue findings, missing check-ins) its attachment.
    """
    county, figures, s = profile.county, facts.figures, facts.summary
    commended = figures["commended"].assign(
        activities=figures["commended"]["station_code"].map(station_highlights(activities)).fillna(""))
    rc = facts.rectification | {"overdue_worst": labelled(facts.rectification["overdue_worst"]),
                                "overdue_rows": labelled(facts.rectification["overdue_rows"])}
    evidence = facts.evidence
    attachments = ["ranking", "results", *(["lectures"] if facts.lectures else []), "problems"]
    if rc["overdue_rows"]:
        attachments.append("overdue")
    if evidence and facts.missing_checkins:
        attachments.append("checkins")
    number = dict.fromkeys(ATTACHMENTS) | {key: i for i, key in enumerate(attachments, start=1)}
    requirements = [key for key, due in (
        ("general", True), ("rectify", rc["stations"] > 0), ("overdue", rc["overdue_stations"] > 0),
        ("checkins", number["checkins"] is not None), ("lectures", bool(facts.lectures and facts.lectures["unserved"])),
        ("feedback", s["feedback_total"] > 0)) if due]
    sections = {"lectures": 3 if facts.lectures else None}
    sections["problems"] = 4 if facts.lectures else 3
    sections["next"] = sections["problems"] + 1
    return {
        "title": circular_title(facts.month), "month_label": cn_month(facts.month),
        "issuer": f"{county.office_name}文件", "mark": masthead(f"{county.office_name}文件"),
        "signature": signature_indents(county.office_name, plan.dates_cn.compile),
        "doc_number": doc_number, "addressees": county.addressees, "office_name": county.office_name,
        "signed_cn": cn_date(facts.signed), "deadline_cn": cn_date(facts.deadline),
        "activity_date_cn": plan.activity_date_cn,
        "s": s, "results": records(figures["results"]), "observed": records(figures["observed"]),
        "ranking": records(figures["ranking"]),
        "commended": labelled(records(commended)), "rectify": records(figures["rectify"]),
        "problems": records(figures["problems"]),
        "categories": [c | {"cases": labelled(figures["cases"].get(c["category"], []))}
                       for c in records(figures["categories"])],
        "publish_at": profile.sampling.publish_at, "record_number": facts.record_number,
        "trend": records(figures["trend"]), "unscored": records(figures["unscored"]), "thresholds": profile.scoring,
        "cc": county.cc, "printer": county.printer or county.office_name,
        "has_charts": bool(chart_series(figures)),
        "has_trend": trend_drawable(list(figures["trend"]["average"])),
        "rectification": rc, "evidence": evidence, "checkins": facts.missing_checkins,
        "lectures": facts.lectures, "standing": facts.standing,
        "attachments": [{"key": key, "number": number[key]} for key in attachments], "number": number,
        "requirements": requirements, "sections": sections,
    }


def station_label(township: str, name: str) -> str:
    """How the circular names a station: its name, led by its township unless the name already starts with it."""
    return name if name.startswith(township) else f"{township}{name}"


def labelled(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r | {"label": station_label(r["township"], r["name"])} for r in rows]


def trend_drawable(trend: list[float | None]) -> bool:
    """A trend needs two months with scores; with fewer the text says so and no chart is drawn."""
    return sum(1 for v in trend if v is not None and v == v) >= 2


# GB/T 9704: the issuer mark is centred in the 156 mm text width; a character at most 15 mm wide (the older
# standard's 22 mm × 15 mm, which offices still follow), narrowed down to 60 % before the size shrinks.
MARK_WIDTH_MM, MARK_CHAR_MM, MARK_MIN_SCALE = 150.0, 15.0, 0.6
PT_PER_MM = 72 / 25.4


def masthead(issuer: str) -> dict[str, float]:
    """The issuer mark's size (pt), horizontal scale (%) and, for HTML, the unscaled size that fits."""
    per_char = min(MARK_CHAR_MM, MARK_WIDTH_MM / max(len(issuer), 1))
    size_mm = min(MARK_CHAR_MM, per_char / MARK_MIN_SCALE)
    return {"size_pt": round(size_mm * PT_PER_MM * 2) / 2,  # Word sizes are in half points
            "scale_pct": int(per_char / size_mm * 100),
            "html_pt": round(per_char * PT_PER_MM, 1)}


BODY_PT, DATE_INDENT_CHARS = 16, 4  # 三号 characters; the date sits four characters in from the right


def text_width_pt(text: str) -> float:
    """Width in 三号: full-width characters 16 pt, ASCII (the date's digits) half of that."""
    return sum(BODY_PT / 2 if ord(c) < 128 else BODY_PT for c in text)


def signature_indents(office_name: str, signed_cn: str) -> dict[str, float]:
    """GB/T 9704 7.3.5: the date four characters in from the right, the issuing office centred over it; an
    office name wider than that stays flush right and the date is centred under it instead."""
    name, date_ = text_width_pt(office_name), text_width_pt(signed_cn)
    centre = DATE_INDENT_CHARS * BODY_PT + date_ / 2  # from the right edge of the text
    name_indent = centre - name / 2
    if name_indent >= 0:
        return {"name_pt": name_indent, "date_pt": DATE_INDENT_CHARS * BODY_PT}
    return {"name_pt": 0.0, "date_pt": (name - date_) / 2}


def plan_title(month: str) -> str:
    return f"关于开展{cn_month(month)}新时代文明实践集中活动日活动的通知"


def plan_context(content: PlanContent, *, profile: Profile, version: int, draft: bool, doc_number: str,
                 month: str) -> dict[str, Any]:
    """The plan's context (Markdown, HTML and DOCX): v1 the draft for comments, v2 the official plan.

    The same context renders the disposition table (review-dispositions.*): `comments`, each with the number of
    its sentence under 工作要求（四） where it has one; the plan itself shows only `amendments`.
    """
    county = profile.county
    amended = content.amendments()
    numbers = {id(c): n for n, c in enumerate(amended, start=1)}
    comments = None if content.comments is None else [
        c.model_dump() | {"edits": [e.model_dump() for e in c.edits or []], "amendment": c.amendment or "",
                          "amendment_no": numbers.get(id(c))}
        for c in content.comments]
    return dict(
        p=content.stored(), draft=draft, title=plan_title(month),
        # The draft for comments is circulated without the red masthead and without a number.
        issuer=None if draft else f"{county.office_name}文件", doc_number=None if draft else doc_number,
        mark=None if draft else masthead(f"{county.office_name}文件"),
        signature=signature_indents(county.office_name,
                                    content.dates_cn.draft if version == 1 else content.dates_cn.review), addressees=county.addressees, office_name=county.office_name,
        signed_cn=content.dates_cn.draft if version == 1 else content.dates_cn.review, cn_numbers=CN_NUMBERS,
        comments=comments, amendments=[c for c in comments or [] if c["amendment_no"]],
        changed=bool(content.edits or amended), cc=county.cc,
        printer=county.printer or county.office_name,
        checklist_rows=[i.model_dump() | {"task": b.task} for b in content.checklist for i in b.items],
        sample_share_cn=cn_fraction(profile.sampling.fraction),
    )
