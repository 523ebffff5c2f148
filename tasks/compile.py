"""Compile the circular (通报): results, rankings, problems and feedback, as documents and an artifact."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact

from activity_day import aggregate, crud
from activity_day.calendar import cn_month
from activity_day.planning import doc_number, key_dates
from activity_day.render import records, render_text, write_text
from activity_day.settings import get_settings
from tasks.common import artifact_key, month_dir, transaction


def circular_title(month: str) -> str:
    return f"关于{cn_month(month)}新时代文明实践集中活动日督查情况的通报"


class InjectedFault(RuntimeError):
    """Raised by the documented fault switch ACTIVITY_DAY_FAULT=<step> (retry tests)."""


@task(name="compile-circular")
def compile_circular(county: str, month: str) -> dict:
    """Aggregate the month's scores and write the circular as Markdown and HTML; returns the summary."""
    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
        plan = crud.official_plan(session=session, county=county, month=month)
        stored_draw = crud.require_draw(session=session, county=county, month=month)
        stations = crud.stations_frame(session=session, county=county)
        plans = crud.station_plans_frame(session=session, county=county, month=month)
        activities = crud.activities_frame(session=session, county=county, month=month)
        scores = crud.scores_frame(session=session, county=county, month=month)
        assignments = crud.assignments_frame(session=session, county=county, month=month)
        scoring = profile.scoring
        results = aggregate.station_scores(scores, stations, team_weight=scoring.team_weight,
                                           observer_weight=scoring.observer_weight)
        ranking = aggregate.township_ranking(results, stations)
        commended = aggregate.commendations(results, scoring.commend_threshold)
        rectify = aggregate.rectifications(results, scoring.rectify_threshold)
        problems = aggregate.problems_list(scores, stations)
        township_of = stations.set_index("code")["township"].to_dict()
        suggestions = scores[scores["suggestions"].str.strip() != ""]
        crud.save_feedback(session=session, county=county, month=month, rows=[
            dict(station_code=r.station_code, township=township_of.get(r.station_code, ""), content=r.suggestions)
            for r in suggestions.itertuples()
        ])
        session.flush()
        feedback = crud.feedback_frame(session=session, county=county, up_to=month)
        unscored_drawn = assignments[~assignments["station_code"].isin(results["station_code"])]
        summary = {
            "stations": len(stations),
            "submitted": int(stations["code"].isin(plans["station_code"]).sum()),
            "activities": len(activities),
            "drawn": len(assignments),
            "online": int((assignments["mode"] == "online").sum()),
            "onsite": int((assignments["mode"] == "onsite").sum()),
            "scored": len(results),
            "score_rows": len(scores),
            "unscored_drawn": len(unscored_drawn),
            "average": round(float(results["final"].mean()), 2) if len(results) else None,
            "commended": len(commended),
            "rectify": len(rectify),
            "feedback_new": int((feedback["month"] == month).sum()),
            "feedback_total": len(feedback),
            "feedback_open": int((feedback["status"] != "closed").sum()),
        }
        dates = key_dates(profile, plan.activity_date)
        number = doc_number(profile.county.doc_prefix, dates["compile"], "circular")
        context = dict(
            title=circular_title(month), month_label=cn_month(month), issuer=f"{profile.county.office_name}文件",
            doc_number=number, addressees=profile.county.addressees, office_name=profile.county.office_name,
            signed_cn=plan.content["dates_cn"]["compile"], activity_date_cn=plan.content["activity_date_cn"],
            s=summary, results=records(results), ranking=records(ranking), commended=records(commended),
            rectify=records(rectify), problems=records(problems),
            unscored=records(unscored_drawn.merge(stations, left_on="station_code", right_on="code")),
            thresholds=scoring, draw_digest=stored_draw.digest, cc=profile.county.cc,
            printer=profile.county.printer or profile.county.office_name,
        )
        markdown = render_text("circular.md.j2", **context)
        files = {
            "md": write_text(month_dir(month) / "circular.md", markdown),
            "html": write_text(month_dir(month) / "circular.html", render_text("circular.html.j2", **context)),
        }
        crud.save_circular(session=session, county=county, month=month, doc_number=number, scored=len(results),
                           draw_digest=stored_draw.digest, summary=summary)
        crud.record_documents(session=session, county=county, month=month, kind="circular", files=files)
        if get_settings().fault == "compile":
            raise InjectedFault(f"ACTIVITY_DAY_FAULT=compile: failing compile of {month} on purpose")
    create_markdown_artifact(key=artifact_key("circular", county, month), markdown=markdown,
                             description=circular_title(month))
    return summary | {"files": {fmt: path for fmt, (path, _) in files.items()}}
