"""The circular (通报): the month's scores aggregated into facts, the facts held to the office's rules, the documents
rendered and checked against the facts, then written, and the circular issued with its findings and notices."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

from activity_day.context import current
from activity_day.documents import charts
from activity_day.documents.contexts import chart_series, circular_context
from activity_day.documents.evidence import evidence_sheets
from activity_day.documents.plaintext import docx_plain, html_plain
from activity_day.documents.rectification import notices_sheet
from activity_day.documents.render import docx_bytes, render_text, write_bytes, xlsx_bytes
from activity_day.domain.aggregate import township_order
from activity_day.domain.circular import CircularFacts, CircularInputs, build_circular_facts
from activity_day.domain.circular_rules import circular_rule_violations, circular_text_violations
from activity_day.domain.dates import cn_month, shift_month
from activity_day.domain.draw import seeded_by_office
from activity_day.domain.notices import Occasion
from activity_day.domain.results import TREND_MONTHS, feedback_rows
from activity_day.domain.timing import recorded_at
from activity_day.models import Circular
from activity_day.services import documents, notices
from activity_day.services.evidence import coverage
from activity_day.store import closing, crud, numbers
from activity_day.store import demonstration as demo_store
from activity_day.store import findings as findings_store
from activity_day.store import lectures as lecture_store
from activity_day.store.database import transaction


def no_scores_message(month: str) -> str:
    return (f"{cn_month(month)}还没有任何检查评分，不能印发通报：请先导入评分"
            f"（activity-day import scores 检查评分.xlsx --month {month}），再运行 activity-day run compile --month {month}；"
            "确未开展督查时，可加 --allow-empty 印发，通报将写明本月未开展督查评分")


@dataclass(frozen=True)
class Compiled:
    """The circular issued: its summary (CompileResult without the files), its Markdown and title, its files."""

    summary: dict
    markdown: str
    title: str
    files: documents.Files


def compile_circular(county: str, month: str, folder: Path, allow_empty: bool = False) -> Compiled:
    """Aggregate the month's scores and write the circular as DOCX, HTML and Markdown into `folder`, with the
    rectification and evidence sheets; the findings, the circular and its notices stored.

    A month without a single score gets no circular unless `allow_empty` (MissingPrerequisite). Three
    transactions: the reads with the feedback items and the document number; the findings, once the documents
    are checked and written (the rectification sheet carries their numbers); the circular issued.
    """
    with transaction() as session:  # short: reads, the feedback items and the document number
        closing.begin_closing(session, county, month)  # no score or rating lands between this read and the issue
        profile = crud.load_profile_of(session=session, county=county)
        plan = crud.official_plan(session=session, county=county, month=month)
        content = crud.plan_content(plan)
        stored_draw = crud.require_draw(session=session, county=county, month=month)
        scores = crud.scores_frame(session=session, county=county, month=month)
        if scores.empty and not allow_empty:
            raise crud.MissingPrerequisite(no_scores_message(month))
        stations = crud.stations_frame(session=session, county=county)
        data = {
            "stations": stations,
            "plans": crud.station_plans_frame(session=session, county=county, month=month),
            "activities": crud.activities_frame(session=session, county=county, month=month),
            "scores": scores,
            "previous_scores": crud.scores_frame(session=session, county=county, month=shift_month(month, -1)),
            "history": crud.scores_between(session=session, county=county, first=shift_month(month, -TREND_MONTHS + 1),
                                           last=month),
            "assignments": crud.assignments_frame(session=session, county=county, month=month),
        }
        last_year = str(int(month[:4]) - 1)
        demo_codes = demo_store.named_codes(session=session, county=county, up_to_round=month[:4])
        watch_codes = demo_store.watch_codes(session=session, county=county, period=last_year)
        crud.save_feedback(session=session, county=county, month=month,
                           rows=feedback_rows(data["scores"], stations))
        session.flush()
        data["feedback"] = crud.feedback_frame(session=session, county=county, up_to=month)
        earlier = findings_store.findings_frame(session=session, county=county, up_to=shift_month(month, -1))
        evidence = coverage(session, county, month)
        lecture_orders = lecture_store.orders(session=session, county=county, month=month)
        lecture_ratings = lecture_store.ratings_frame(session=session, county=county, month=month)
        issue = numbers.Issue(issuer=profile.county.doc_prefix, year=content.dates.compile.year, county=county,
                              month=month, document="circular")
        number = numbers.assign(session=session, now=current().now(), issue=issue)
    read = _Read(data, profile, content, stored_draw, earlier, evidence, lecture_orders, lecture_ratings,
                 demo_codes, watch_codes, number)
    with _given_back_unless_issued(issue):
        return _issue(county, month, folder, read)


@contextmanager
def _given_back_unless_issued(issue: numbers.Issue) -> Iterator[None]:
    """A compile that fails after it took the circular's number (and closed the month's scores) gives the number
    back unless the circular was issued, so the month is open again and a rerun takes the same number. A compile
    killed outside Python leaves the month closed as 正在汇编 until the step is rerun."""
    try:
        yield
    except BaseException:
        with transaction() as session:
            if not crud.count(session=session, model=Circular, county=issue.county, month=issue.month):
                numbers.release(session=session, issue=issue)
        raise


@dataclass(frozen=True)
class _Read:
    """What the circular's first transaction read, and the number it took."""

    data: dict
    profile: Any
    content: Any
    stored_draw: Any
    earlier: Any
    evidence: Any
    lecture_orders: list
    lecture_ratings: Any
    demo_codes: set
    watch_codes: set
    number: str


def _issue(county: str, month: str, folder: Path, read: _Read) -> Compiled:
    """The circular from what compile_circular read: facts, documents checked and written, findings, issued."""
    data, profile, content, number = read.data, read.profile, read.content, read.number
    evidence, stations = read.evidence, data["stations"]
    # Facts, charts and documents outside any transaction: parallel counties do not wait for each other.
    on_day = evidence.summary | {"complete_pct": round(100 * evidence.summary["complete"] / evidence.summary["stations"])}\
        if evidence.summary["records"] and evidence.summary["stations"] else None
    inputs = CircularInputs(signed=content.dates.compile, earlier=read.earlier, evidence=on_day,
                            evidence_by_station=evidence.by_station,
                            lectures=lecture_figures(read.lecture_orders, read.lecture_ratings, stations),
                            demo_codes=read.demo_codes, watch_codes=read.watch_codes,
                            random_draw=not seeded_by_office(read.stored_draw.record))
    facts = build_circular_facts(data, profile, month, inputs)
    figures, new_findings = facts.figures, facts.new_findings
    context = circular_context(facts, data["activities"], profile=profile, plan=content, doc_number=number)
    series = chart_series(figures)
    svg, images = charts.circular_charts(**series) if series else ({}, {})
    markdown = render_text("circular.md.j2", **context)
    rendered = {
        "md": markdown.encode("utf-8"),
        "html": render_text("circular.html.j2", **context, **svg).encode("utf-8"),
        "docx": docx_bytes("circular.docx", context | dict.fromkeys(("bars_image", "trend_image"), ""),
                           dated=datetime.combine(content.dates.compile, time()), title=context["title"],
                           images=images),
    }
    check_circular(facts, profile, context, rendered)  # before anything is written or issued
    files = {fmt: write_bytes(folder / f"circular.{fmt}", data) for fmt, data in rendered.items()}
    summary = figures["summary"] | {"evidence": facts.evidence, "findings": len(new_findings),
                                    "overdue": facts.rectification["overdue_total"]}
    with transaction() as session:
        raised = recorded_at(current().now(), content.dates.compile)  # the circular's day, or later
        findings_store.save_findings(session=session, county=county, month=month, rows=new_findings, now=raised)
        findings_store.mark_overdue(session=session, county=county, today=content.dates.compile, now=raised)
        month_findings = findings_store.findings_frame(session=session, county=county, month=month)
    if len(month_findings):  # after the findings are stored: the sheets carry their numbers (整改编号)
        files["rectify"] = write_bytes(folder / "rectification.xlsx", xlsx_bytes(
            [("整改通知", notices_sheet(month_findings, stations))], title=f"{cn_month(month)}整改通知"))
    if facts.evidence:
        files["evidence"] = write_bytes(folder / "evidence.xlsx", xlsx_bytes(
            evidence_sheets(evidence.by_township, evidence.by_station, evidence.priority),
            title=f"{cn_month(month)}活动纪实覆盖情况"))
    with transaction() as session:
        crud.save_circular(session=session, circular=Circular(
            county=county, month=month, doc_number=number, scored_stations=summary["scored"],
            draw_digest=read.stored_draw.digest, summary=summary))
        crud.record_documents(session=session, county=county, month=month, kind="circular", files=files)
        # Issued: the circular's notices, and those of stations whose earlier findings are now overdue.
        issued = [files[f][0] for f in ("docx", "rectify") if f in files]
        notices.enqueue_issued(session, county, month,
                               notices.IssuedDocument(Occasion.CIRCULAR_ISSUED, context["title"], number, issued))
        notices.enqueue_rectification(session, county, content.dates.compile)
    return Compiled(summary, markdown, context["title"], files)


class CircularContradiction(RuntimeError):
    """A circular that would say what its facts do not: a defect of the software, never issued."""


def check_circular(facts: CircularFacts, profile, context: dict, rendered: dict[str, bytes]) -> None:
    """Hold the facts to the office's rules and every rendered format to the facts, before anything is issued."""
    labels = {r["station_code"]: r["label"] for key in ("commended",) for r in context[key]}
    labels |= {r["station_code"]: r["label"] for r in context["rectification"]["overdue_rows"]}
    texts = {"md": rendered["md"].decode(), "html": html_plain(rendered["html"].decode()),
             "docx": docx_plain(rendered["docx"])}
    found = circular_rule_violations(facts, profile)
    found += [f"{fmt}: {v}" for fmt, text in texts.items() for v in circular_text_violations(facts, text, labels=labels)]
    if found:
        raise CircularContradiction(f"circular {facts.month} contradicts its facts: " + "; ".join(found))


def _lecture_counts(orders: list, ratings) -> dict:
    statuses = [o.status for o in orders]
    return {"orders": len(orders), "formed": sum(s in ("dispatched", "confirmed", "delivered") for s in statuses),
            "delivered": statuses.count("delivered"), "unserved": statuses.count("unserved"), "ratings": len(ratings),
            "average": f"{ratings['score'].mean():.1f}" if len(ratings) else None}


def lecture_figures(orders: list, ratings, stations) -> dict | None:
    """The circular's lecture paragraph and table: orders, teams formed, delivered (rated), unserved, ratings and
    their average, for the county and for each township with orders (in the registry's order); None without
    orders."""
    if not orders:
        return None
    township = dict(zip(stations["code"], stations["township"], strict=True))
    towns = list(dict.fromkeys(township[o.station_code] for o in orders if o.station_code in township))
    towns.sort(key=township_order(stations).index)
    rows = []
    for town in towns:
        codes = {c for c, t in township.items() if t == town}
        rows.append({"township": town, **_lecture_counts([o for o in orders if o.station_code in codes],
                                                         ratings[ratings["station_code"].isin(codes)])})
    return _lecture_counts(orders, ratings) | {"townships": rows}
