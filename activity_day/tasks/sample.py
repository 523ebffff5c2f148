"""The inspection draw: publish the candidate list, draw once, export per team, verify."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_table_artifact

from activity_day.domain.dates import cn_month
from activity_day.domain.outcomes import SampleResult
from activity_day.intake.headers import H
from activity_day.services import commitments, documents, sampling
from activity_day.services.sampling import (  # their home is services.sampling; tests and scripts find them here
    MODE_CN,
    RANK,
    TEAM,
    by_team,
    draw_table,
    months_since_drawn,
    team_order,
    weak_random_warning,
)
from activity_day.tasks.common import STEP, artifact, artifact_key, month_dir, run_logger

__all__ = ["MODE_CN", "RANK", "TEAM", "by_team", "draw_sample", "draw_table", "export_draw", "months_since_drawn",
           "publish_candidates", "team_order", "weak_random_warning"]


@task(name="publish-candidates", **STEP)
def publish_candidates(county: str, month: str) -> dict:
    """The eligible list with rotation priorities and its SHA-256, published before the random value is known."""
    found = sampling.candidate_list(county, month)
    if found.drawn:
        return {"sha256": found.sha256, "count": found.count, "drawn": True}
    sha, candidates, names = found.sha256, found.candidates, found.names
    key = artifact_key("candidates", county, month)
    artifact(create_table_artifact, key=key, table=[{H.STATION_CODE: c.code, H.STATION_NAME: names.get(c.code, ""),
                                                     H.TOWNSHIP: c.township, "轮换优先级": c.priority,
                                                     "风险分": c.risk, "风险来源": "、".join(c.risk_from)}
                                                    for c in candidates],
                          description=f"{cn_month(month)}抽查候选名单（{len(candidates)}个所站，SHA-256 {sha}）")
    return {"sha256": sha, "count": len(candidates), "drawn": False,
            "committed": bool(commitments.status(county, month))}


@task(name="draw-sample", **STEP)
def draw_sample(county: str, month: str, public_random: str | None = None, published_sha256: str | None = None,
                public_random_source: str = "") -> SampleResult:
    """Draw the month's sample, or return the stored one: a rerun never changes a draw."""
    logger = run_logger()
    drawn = sampling.draw_month(county, month, public_random, published_sha256, public_random_source)
    if not drawn.new:
        logger.info("%s已完成抽样（抽样记录摘要 %s），沿用原结果，不再重抽", cn_month(month), drawn.digest)
        return {"digest": drawn.digest, "drawn": drawn.drawn, "new": False}
    logger.info("%s抽样完成：从 %d 个候选所站中抽取 %d 个，抽样记录摘要 %s", cn_month(month), drawn.candidates,
                drawn.drawn, drawn.digest)
    for warning in drawn.warnings:  # for the operator: never in a document
        logger.warning("%s", warning)
    return {"digest": drawn.digest, "drawn": drawn.drawn, "new": True, "warnings": drawn.warnings}


@task(name="export-draw", **STEP)
def export_draw(county: str, month: str, county_folder: bool = False) -> dict[str, str]:
    """draw.json (the verifiable record), draw.xlsx, one xlsx per team, the online schedule, an artifact."""
    exported = sampling.export_draw(county, month, month_dir(county, month, county_folder))
    artifact(create_table_artifact, key=artifact_key("draw", county, month), table=exported.table.to_dict("records"),
                          description=f"{cn_month(month)}督查抽查名单（抽样记录摘要 {exported.digest}）")
    return documents.paths(exported.files)
