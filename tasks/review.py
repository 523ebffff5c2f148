"""Close the department review: record silence as 无意见, settle dispositions, issue the official plan (v2)."""

from __future__ import annotations

from prefect import task
from prefect.logging import get_run_logger

from activity_day import crud
from activity_day.planning import doc_number, key_dates
from activity_day.render import sha256_bytes
from models import CommentSource, Disposition, PlanStatus
from tasks.common import canonical, transaction

SILENCE_TEXT = "无意见"


@task(name="close-review")
def close_review(county: str, month: str, default_disposition: str = Disposition.ADOPTED.value) -> dict:
    """Record silence, apply the default disposition to undecided comments and store plan v2.

    Unattended runs have no one to decide: an undecided comment takes `default_disposition`
    (only 采纳 needs no reason, so only 采纳 is allowed here).
    """
    if default_disposition != Disposition.ADOPTED.value:
        raise ValueError("the default disposition for undecided comments can only be 采纳 (it needs no reason)")
    logger = get_run_logger()
    with transaction() as session:
        profile = crud.load_profile_of(session=session, county=county)
        draft = crud.get_plan(session=session, county=county, month=month, version=1)
        if draft is None:
            raise crud.MissingPrerequisite(
                f"{county} {month}: no draft plan; run `activity-day run draft --month {month}` first")
        comments = crud.comments_frame(session=session, county=county, month=month)
        spoken = comments[comments["source"] != CommentSource.SILENCE.value]
        answered = set(spoken["department"])
        silent = [d for d in profile.departments if d not in answered]
        # A comment that arrived after an earlier close replaces that department's 无意见.
        crud.drop_silence(session=session, county=county, month=month, departments=sorted(answered))
        crud.save_comments(session=session, county=county, month=month, rows=[
            dict(department=d, content=SILENCE_TEXT, source=CommentSource.SILENCE.value,
                 source_ref=f"截至{draft.content['dates_cn']['review']}未反馈", disposition=Disposition.NO_COMMENT.value)
            for d in silent
        ])
        undecided = comments[comments["disposition"].isna()]
        crud.set_dispositions(session=session, decisions=[
            dict(id=int(i), disposition=default_disposition, reason="") for i in undecided["id"]
        ])
        session.flush()
        comments = crud.comments_frame(session=session, county=county, month=month)
        order = {d: i for i, d in enumerate(profile.departments)}
        comments = comments.assign(_o=comments["department"].map(order)).sort_values(["_o", "id"])
        table = comments[["department", "content", "disposition", "reason"]].to_dict("records")
        content = dict(draft.content, comments=table, status="official")
        crud.save_plan(session=session, county=county, month=month, version=2, status=PlanStatus.OFFICIAL,
                       activity_date=draft.activity_date,
                       doc_number=doc_number(profile.county.doc_prefix,
                                             key_dates(profile, draft.activity_date)["review"], "plan"),
                       content=content, sha256=sha256_bytes(canonical(content).encode()))
    logger.info("review of %s closed: %d comments, %d departments silent", month, len(table) - len(silent), len(silent))
    return {"comments": len(table), "silent": silent, "defaulted": len(undecided)}
