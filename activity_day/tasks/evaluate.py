"""Evaluate the stations over a period and write the report (DOCX, HTML, Markdown) and the station cards (xlsx)."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact

from activity_day.documents import charts
from activity_day.documents.evaluation import PeriodScores, evaluation_context, period_label, station_cards
from activity_day.documents.render import docx_bytes, render_text, write_bytes, write_text, xlsx_bytes
from activity_day.domain.dates import cn_date
from activity_day.domain.evaluation import report_date
from activity_day.services.evaluation import Evaluation, evaluate_period
from activity_day.tasks.common import artifact, artifact_key, output_dir, run_logger


def evaluation_dir(county: str, period: str, county_folder: bool) -> Path:
    """A period's evaluation: OUT/evaluation/<period>/ (output_dir)."""
    return output_dir(county, "evaluation", period, county_folder=county_folder)


def write_report(result: Evaluation, county_folder: bool = False) -> dict[str, str]:
    """The report and the station cards; returns format -> path."""
    county = result.profile.county
    signed = report_date(result.period, result.profile.evaluation.report_days)  # the office's rule, not today
    scores = PeriodScores(result.period, result.months, result.scored, result.townships, result.watch)
    context = evaluation_context(scores, county=county, rules=result.profile.evaluation, signed_cn=cn_date(signed))
    names, totals = context.pop("chart")
    images, svg = {}, ""
    if names:
        drawn = charts.draw_township_bars(names, totals, title="各乡镇（街道）综合得分")
        images["bars_image"] = (drawn["png"], charts.IMAGE_WIDTH_MM)
        svg = charts.inline_svg(drawn["svg"])
    context["has_chart"] = bool(images)
    folder = evaluation_dir(result.county, result.period, county_folder)
    markdown = render_text("evaluation.md.j2", **context)
    files = {
        "md": write_text(folder / "evaluation-report.md", markdown),
        "html": write_text(folder / "evaluation-report.html", render_text("evaluation.html.j2", **context, bars_svg=svg)),
        "docx": write_bytes(folder / "evaluation-report.docx",
                            docx_bytes("evaluation.docx", context, dated=datetime.combine(signed, time()), title=context["title"],
                                       images=images)),
        "xlsx": write_bytes(folder / "station-cards.xlsx", xlsx_bytes(
            station_cards(result.scored, result.evidence, result.watch, result.townships, result.profile.evaluation),
            title=f"{county.name}{period_label(result.period)}所站评价卡")),
    }
    artifact(create_markdown_artifact, key=artifact_key("evaluation", result.county, result.period),
             markdown=markdown, description=context["title"])
    return {fmt: path for fmt, (path, _) in files.items()}


@task(name="evaluate-stations")
def evaluate_stations(county: str, period: str, county_folder: bool = False) -> dict:
    """Evaluate, store and write the documents; returns {period, months, stations, stars, watch, files, rows}."""
    result = evaluate_period(county, period)
    files = write_report(result, county_folder)
    stars = {str(n): int((result.scored["stars"].fillna(0) == n).sum()) for n in range(5, -1, -1)}  # "0": 无记录
    run_logger().info("%s 所站综合评价：%d 个所站，%d 个月，重点关注 %d 个", period_label(result.period),
                      len(result.scored), len(result.months), len(result.watch))
    return {"period": result.period, "months": result.months, "stations": len(result.scored), "stars": stars,
            "watch": len(result.watch), "files": files, "rows": result.station_rows()}
