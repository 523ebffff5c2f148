"""Compile the circular (通报): results, rankings, problems, feedback and charts, as DOCX, HTML and Markdown."""

from __future__ import annotations

from datetime import datetime, time

from prefect import task
from prefect.artifacts import create_markdown_artifact

from activity_day.documents import charts
from activity_day.documents.render import docx_bytes, records, render_text, write_bytes, write_text
from activity_day.domain.dates import cn_month, shift_month
from activity_day.domain.planning import doc_number, key_dates
from activity_day.domain.results import TREND_MONTHS, feedback_rows, month_results
from activity_day.store import crud
from tasks.common import STEP, artifact_key, month_dir, transaction


def circular_title(month: str) -> str:
    return f"关于{cn_month(month)}新时代文明实践集中活动日督查情况的通报"


def no_scores_message(month: str) -> str:
    return (f"{cn_month(month)}还没有任何检查评分，不能印发通报：请先导入评分"
            f"（activity-day import scores 检查评分.xlsx --month {month}），再运行 activity-day run compile --month {month}；"
            "确未开展督查时，可加 --allow-empty 印发，通报将写明本月未开展督查评分")


@task(name="compile-circular", **STEP)
def compile_circular(county: str, month: str, allow_empty: bool = False, county_folder: bool = False) -> dict:
    """Aggregate the month's scores and write the circular as DOCX, HTML and Markdown; returns the summary.

    A month without a single score gets no circular unless `allow_empty`: an unattended run then
    fails with the message, and its retry succeeds once the scores are in.
    """
    with transaction() as session:
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
        crud.save_feedback(session=session, county=county, month=month,
                           rows=feedback_rows(data["scores"], stations))
        session.flush()
        data["feedback"] = crud.feedback_frame(session=session, county=county, up_to=month)
        figures = month_results(data, profile, month)
        summary = figures["summary"]
        number = doc_number(profile.county.doc_prefix, key_dates(profile, plan.activity_date)["compile"], "circular")
        highlights = data["activities"].groupby("station_code")["name"].agg(lambda n: "、".join(dict.fromkeys(n)))
        commended = figures["commended"].assign(
            activities=figures["commended"]["station_code"].map(highlights).fillna(""))
        ranked = figures["ranking"][figures["ranking"]["average"].notna()]
        trend = figures["trend"]
        title = circular_title(month)
        bars = (list(ranked["township"]), list(ranked["average"]))
        context = {
            "title": title, "month_label": cn_month(month), "issuer": f"{profile.county.office_name}文件",
            "doc_number": number, "addressees": profile.county.addressees, "office_name": profile.county.office_name,
            "signed_cn": content.dates_cn.compile, "activity_date_cn": content.activity_date_cn,
            "s": summary, "results": records(figures["results"]), "ranking": records(figures["ranking"]),
            "commended": records(commended), "rectify": records(figures["rectify"]),
            "problems": records(figures["problems"]), "categories": records(figures["categories"]),
            "trend": records(trend), "unscored": records(figures["unscored"]), "thresholds": profile.scoring,
            "draw_digest": stored_draw.digest, "cc": profile.county.cc,
            "printer": profile.county.printer or profile.county.office_name,
            "has_charts": bool(len(ranked)),
        }
        svg = {}
        if len(ranked):
            svg = {"bars_svg": charts.inline_svg(charts.township_bars(*bars, title="各乡镇（街道）平均得分")),
                   "trend_svg": charts.inline_svg(charts.trend_line(list(trend["month"]), list(trend["average"]),
                                                                    title="全县平均得分（近6个月）"))}
        images = {}
        if len(ranked):
            images = {"bars_image": (charts.township_bars(*bars, fmt="png", title="各乡镇（街道）平均得分"), 150),
                      "trend_image": (charts.trend_line(list(trend["month"]), list(trend["average"]), fmt="png",
                                                        title="全县平均得分（近6个月）"), 150)}
        markdown = render_text("circular.md.j2", **context)
        signed_on = datetime.combine(content.dates.compile, time())
        folder = month_dir(county, month, county_folder)
        files = {
            "md": write_text(folder / "circular.md", markdown),
            "html": write_text(folder / "circular.html", render_text("circular.html.j2", **context, **svg)),
            "docx": write_bytes(folder / "circular.docx", docx_bytes(
                "circular.docx", context | dict.fromkeys(("bars_image", "trend_image"), ""), dated=signed_on,
                title=title, images=images)),
        }
        crud.save_circular(session=session, county=county, month=month, doc_number=number,
                           scored=summary["scored"], draw_digest=stored_draw.digest, summary=summary)
        crud.record_documents(session=session, county=county, month=month, kind="circular", files=files)
    create_markdown_artifact(key=artifact_key("circular", county, month), markdown=markdown, description=title)
    return summary | {"files": {fmt: path for fmt, (path, _) in files.items()}}
