"""Compile the circular (通报): results, rankings, problems, feedback and charts, as DOCX, HTML and Markdown."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact

from activity_day.domain.outcomes import CompileResult
from activity_day.services import circular, documents
from activity_day.services.circular import (  # their home is services.circular
    CircularContradiction,
    check_circular,
    lecture_figures,
    no_scores_message,
)
from activity_day.tasks.common import STEP, artifact, artifact_key, month_dir

__all__ = ["CircularContradiction", "check_circular", "compile_circular", "lecture_figures", "no_scores_message"]


@task(name="compile-circular", **STEP)
def compile_circular(county: str, month: str, allow_empty: bool = False,
                     county_folder: bool = False) -> CompileResult:
    """Aggregate the month's scores and write the circular as DOCX, HTML and Markdown; returns the summary.

    A month without a single score gets no circular unless `allow_empty`: an unattended run then
    fails with the message, and its retry succeeds once the scores are in.
    """
    issued = circular.compile_circular(county, month, month_dir(county, month, county_folder), allow_empty)
    artifact(create_markdown_artifact, key=artifact_key("circular", county, month), markdown=issued.markdown,
                             description=issued.title)
    return issued.summary | {"files": documents.paths(issued.files)}
