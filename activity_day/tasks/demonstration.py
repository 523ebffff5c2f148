"""The tasks of a demonstration-station round: review and site visits, and the notices (公示, 命名)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from activity_day.documents.demonstration import notice_context
from activity_day.documents.render import docx_bytes, render_text, write_bytes, write_text, xlsx_bytes
from activity_day.services import demonstration as service
from activity_day.settings import get_settings
from activity_day.store import crud, numbers
from activity_day.store import demonstration as store
from activity_day.tasks.common import STEP, artifact, artifact_key, run_logger, transaction


def round_dir(county: str, round_: str) -> Path:
    folder = Path(get_settings().out) / "demonstration" / round_
    return folder / county if get_settings().county_folders else folder


@task(name="review-and-assign", **STEP)
def review_and_assign(county: str, round_: str, period: str) -> dict:
    """资料审核 and the site-visit draw; writes the review and the assessors' arrangement (xlsx)."""
    reviewed = service.document_review(county, round_, period)
    visits, seed = service.site_visits(county, round_)
    with transaction(read_only=True) as session:
        stations = crud.stations_frame(session=session, county=county).set_index("code")
    table = reviewed.assign(name=reviewed["code"].map(stations["name"]),
                            assessors=reviewed["code"].map(visits.groupby("code")["assessor"].agg("、".join)).fillna(""))
    sheet = table.rename(columns={"code": "所站编号", "name": "所站名称", "township": "乡镇（街道）", "total": "综合得分",
                                  "stars": "星级", "eligible": "审核通过", "reasons": "未通过原因", "assessors": "实地评估人员"})
    sheet = sheet[["所站编号", "所站名称", "乡镇（街道）", "综合得分", "星级", "审核通过", "未通过原因", "实地评估人员"]]
    sheet["审核通过"] = sheet["审核通过"].map({True: "是", False: "否"})
    path, _ = write_bytes(round_dir(county, round_) / "review-and-site-visits.xlsx",
                          xlsx_bytes([("资料审核与实地评估", sheet)], title=f"{round_}年度示范所站资料审核与实地评估安排"))
    artifact(create_table_artifact, key=artifact_key("demonstration", county, round_, "review"),
             table=sheet.fillna("").to_dict("records"),
             description=f"{round_}年度示范所站资料审核与实地评估安排（抽取种子 {seed[:16]}）")
    run_logger().info("%s 年度示范所站：申报 %d 个，资料审核通过 %d 个", round_, len(reviewed), int(reviewed["eligible"].sum()))
    return {"applications": len(reviewed), "eligible": int(reviewed["eligible"].sum()), "file": path, "seed": seed}


def candidates(county: str, round_: str) -> list[dict]:
    """The shortlisted candidates, as the panel form shows them."""
    with transaction(read_only=True) as session:
        apps = [a for a in store.applications(session=session, county=county, round_=round_) if a.eligible]
        stations = crud.stations_frame(session=session, county=county).set_index("code")
        evaluation = store.evaluation_frame(session=session, county=county,
                                            period=store.get_round(session=session, county=county, round_=round_).period)
    info = evaluation.set_index("code")
    return [{"code": a.station_code, "name": stations.loc[a.station_code, "name"],
             "township": stations.loc[a.station_code, "township"], "brand": a.brand,
             "total": f"{info.loc[a.station_code, 'total']:.2f}", "stars": int(info.loc[a.station_code, "stars"]),
             "assessors": "、".join(a.assessors or [])} for a in apps]


def objections_state(county: str, round_: str) -> list[dict]:
    """The objections not yet decided, as the publicity form shows them."""
    with transaction(read_only=True) as session:
        return [{"id": o.id, "station": o.station_code, "content": o.content}
                for o in store.objections(session=session, county=county, round_=round_) if o.upheld is None]


@task(name="open-publicity", **STEP)
def open_publicity(county: str, round_: str, start: str) -> str:
    """媒体公示 opens on `start` (YYYY-MM-DD); returns its last day. Cached per run: a run that waited suspended and
    starts over keeps the dates it opened with."""
    return service.open_publicity(county, round_, date.fromisoformat(start)).isoformat()


@task(name="render-notice")
def render_notice(county: str, round_: str, kind: str) -> dict[str, str]:
    """The 公示 notice (kind "publicity": the panel's approved list) or the 命名 notice ("naming": the final list,
    issued with a number from the office's register, which a rerun keeps)."""
    with transaction(read_only=True) as session:
        profile = crud.load_profile_of(session=session, county=county)
        found = store.get_round(session=session, county=county, round_=round_)
        apps = store.applications(session=session, county=county, round_=round_)
        stations = crud.stations_frame(session=session, county=county).set_index("code")
        objections = store.objections(session=session, county=county, round_=round_)
    listed = [a for a in apps if a.eligible and (a.named if kind == "naming" else a.decision == "approved")]
    upheld = {o.station_code for o in objections if o.upheld}
    rows = [{"township": stations.loc[a.station_code, "township"], "name": stations.loc[a.station_code, "name"],
             "brand": a.brand} for a in sorted(listed, key=lambda a: (stations.loc[a.station_code, "township"], a.station_code))]
    signed = found.named_on if kind == "naming" and found.named_on else found.publicity_start
    doc_number = None
    if kind == "naming":
        with transaction() as session:
            doc_number = numbers.assign(session=session, now=datetime.now(UTC), issue=numbers.Issue(
                issuer=profile.county.doc_prefix, year=signed.year, county=county, month=f"{signed:%Y-%m}",
                document=f"naming-{round_}"))
    context = notice_context(kind, round_=round_, county=profile.county, stations=rows,
                             withdrawn=[stations.loc[c, "name"] for c in sorted(upheld)],
                             publicity=(found.publicity_start, found.publicity_end), signed=signed,
                             doc_number=doc_number)
    prose = "公示" if kind == "publicity" else "命名"
    title = context["title"]
    folder = round_dir(county, round_)
    markdown = render_text("demonstration.md.j2", **context)
    files = {
        "md": write_text(folder / f"{kind}.md", markdown),
        "html": write_text(folder / f"{kind}.html", render_text("demonstration.html.j2", **context)),
        "docx": write_bytes(folder / f"{kind}.docx", docx_bytes("demonstration.docx", context,
                                                                dated=datetime.combine(signed, datetime.min.time()),
                                                                title=title)),
    }
    artifact(create_markdown_artifact, key=artifact_key("demonstration", county, round_, kind), markdown=markdown,
             description=f"{round_}年度示范所站{prose}")
    return {f"{kind}_{fmt}": path for fmt, (path, _) in files.items()}
