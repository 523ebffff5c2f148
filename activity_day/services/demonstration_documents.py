"""A demonstration-station round's documents: the review with the site visits (xlsx), and the notices (公示, 命名)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from activity_day.context import current
from activity_day.documents.demonstration import RoundList, notice_context
from activity_day.documents.render import docx_bytes, render_text, write_bytes, write_text, xlsx_bytes
from activity_day.services import demonstration as service
from activity_day.services import documents
from activity_day.store import crud, numbers
from activity_day.store import demonstration as store
from activity_day.store.database import transaction


@dataclass(frozen=True)
class ReviewSheet:
    """资料审核 and the site-visit draw done: the applications reviewed, the sheet written, the draw's seed, and the
    operator's warnings (a weak random value)."""

    reviewed: pd.DataFrame
    sheet: pd.DataFrame
    seed: str
    path: str
    warnings: list[str] = field(default_factory=list)


def review_and_assign(county: str, round_: str, period: str, folder: Path, public_random: str | None = None,
                      public_random_source: str = "") -> ReviewSheet:
    """资料审核 and the site-visit draw (services.demonstration; `public_random`: a value published after the
    shortlist, with its source), then the assessors' arrangement written into `folder` (review-and-site-visits.xlsx)."""
    reviewed = service.document_review(county, round_, period)
    drawn = service.site_visits(county, round_, public_random, public_random_source)
    visits = drawn.visits
    with transaction(read_only=True) as session:
        stations = crud.stations_frame(session=session, county=county).set_index("code")
    table = reviewed.assign(name=reviewed["code"].map(stations["name"]),
                            assessors=reviewed["code"].map(visits.groupby("code")["assessor"].agg("、".join)).fillna(""))
    sheet = table.rename(columns={"code": "所站编号", "name": "所站名称", "township": "乡镇（街道）", "total": "综合得分",
                                  "stars": "星级", "eligible": "审核通过", "reasons": "未通过原因", "assessors": "实地评估人员"})
    sheet = sheet[["所站编号", "所站名称", "乡镇（街道）", "综合得分", "星级", "审核通过", "未通过原因", "实地评估人员"]]
    sheet["审核通过"] = sheet["审核通过"].map({True: "是", False: "否"})
    path, _ = write_bytes(folder / "review-and-site-visits.xlsx",
                          xlsx_bytes([("资料审核与实地评估", sheet)], title=f"{round_}年度示范所站资料审核与实地评估安排"))
    return ReviewSheet(reviewed, sheet, drawn.seed, path, drawn.warnings)


@dataclass(frozen=True)
class RenderedNotice:
    """A notice written: its Markdown, the artifact's description and its files."""

    markdown: str
    description: str
    files: documents.Files


def render_notice(county: str, round_: str, kind: str, folder: Path) -> RenderedNotice:
    """The 公示 notice (kind "publicity": the panel's approved list) or the 命名 notice ("naming": the final list,
    issued with a number from the office's register, which a rerun keeps), written into `folder`."""
    with transaction(read_only=True) as session:
        profile = crud.load_profile_of(session=session, county=county)
        found = store.get_round(session=session, county=county, round_=round_)
        apps = store.applications(session=session, county=county, round_=round_)
        stations = crud.stations_frame(session=session, county=county).set_index("code")
        objections = store.objections(session=session, county=county, round_=round_)
    place = {t: i for i, t in enumerate(dict.fromkeys(stations["township"]))}  # the registry's order of townships
    listed = [a for a in apps if a.eligible and (a.named if kind == "naming" else a.decision == "approved")]
    upheld = {o.station_code for o in objections if o.upheld}
    rows = [{"township": stations.loc[a.station_code, "township"], "name": stations.loc[a.station_code, "name"],
             "brand": a.brand} for a in sorted(listed, key=lambda a: (place[stations.loc[a.station_code, "township"]],
                                                                      a.station_code))]
    signed = found.named_on if kind == "naming" and found.named_on else found.publicity_start
    doc_number = None
    if kind == "naming":
        with transaction() as session:
            doc_number = numbers.assign(session=session, now=current().now(), issue=numbers.Issue(
                issuer=profile.county.doc_prefix, year=signed.year, county=county, month=f"{signed:%Y-%m}",
                document=f"naming-{round_}"))
    round_list = RoundList(round_, rows, [stations.loc[c, "name"] for c in sorted(upheld)],
                           (found.publicity_start, found.publicity_end))
    context = notice_context(kind, round_list, county=profile.county, signed=signed, doc_number=doc_number)
    prose = "公示" if kind == "publicity" else "命名"
    title = context["title"]
    markdown = render_text("demonstration.md.j2", **context)
    files = {
        "md": write_text(folder / f"{kind}.md", markdown),
        "html": write_text(folder / f"{kind}.html", render_text("demonstration.html.j2", **context)),
        "docx": write_bytes(folder / f"{kind}.docx", docx_bytes("demonstration.docx", context,
                                                                dated=datetime.combine(signed, datetime.min.time()),
                                                                title=title)),
    }
    return RenderedNotice(markdown, f"{round_}年度示范所站{prose}", files)
