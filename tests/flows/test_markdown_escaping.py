"""Text from outside never stands as HTML in a Markdown document or artifact: a station named <script>…, a story
with <img onerror=…> and a problem written as a link reach plan-v2.md, circular.md and their Prefect artifacts as
text."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pandas as pd
import pytest

from activity_day.demo import speaker_pool, write_xlsx
from activity_day.domain.planning import load_learning_catalog
from activity_day.intake import H
from activity_day.services.imports import import_file

pytestmark = pytest.mark.flow
MONTH = "2026-12"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LINK = "[点我领奖](javascript:alert(1))"


def artifact_markdown(key: str) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async def read() -> str:
        async with get_client() as client:
            [found] = await client.read_latest_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
            return str(found.data)

    return asyncio.run(read())


def test_outside_text_is_text_in_markdown(prefect_server, settings, registry, county, tmp_path: Path) -> None:
    from activity_day.flows.monthly import compile_, draft, review, sample
    from activity_day.tasks.common import artifact_key

    stations = registry.copy()
    stations.loc[stations[H.STATION_CODE] == "001", H.STATION_NAME] = f"{SCRIPT}众兴街道新时代文明实践所"
    assert import_file("stations", write_xlsx(stations, tmp_path / "名录.xlsx", "名录"), county=county).exit_code == 0
    pool = speaker_pool(random.Random(3), list(load_learning_catalog()["category_name"].drop_duplicates()))
    pool[H.STORIES] = IMG + "、" + pool[H.STORIES]  # told by everyone: the menu lists it first
    assert import_file("speakers", write_xlsx(pool, tmp_path / "pool.xlsx", "宣讲员库"), county=county).exit_code == 0

    draft(county=county, month=MONTH)
    review(county=county, month=MONTH)
    out = Path(settings.out) / MONTH
    plan = (out / "plan-v2.md").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in plan and "<img" not in plan

    plans = pd.DataFrame([{"所站编号": "001", "活动名称": "文明实践课堂", "任务类别": "丰富活跃文化生活", "动作类型": "特色动作",
                           "开始时间": "2026/12/5 9:00", "活动地点": "广场", "预计参与人数": 80}])
    assert import_file("plans", write_xlsx(plans, tmp_path / "p.xlsx", "计划"), county=county,
                       month=MONTH).exit_code == 0
    sample(county=county, month=MONTH)
    scores = pd.DataFrame([
        {"所站编号": "001", "检查方式": "线下", "评分人": "第一检查组", "得分": 70, "存在问题": f"{IMG}{LINK}",
         "意见建议": SCRIPT},
        {"所站编号": "002", "检查方式": "线下", "评分人": "第一检查组", "得分": 95, "存在问题": "", "意见建议": ""}])
    assert import_file("scores", write_xlsx(scores, tmp_path / "s.xlsx", "评分"), county=county,
                       month=MONTH).exit_code == 0
    compile_(county=county, month=MONTH)
    circular = (out / "circular.md").read_text(encoding="utf-8")
    # (names are normalised: their brackets are full-width)
    assert "&lt;script&gt;alert（1）&lt;/script&gt;众兴街道" in circular and "&lt;img" in circular
    for text in (plan, circular, artifact_markdown(artifact_key("circular", county, MONTH)),
                 artifact_markdown(artifact_key("plan", county, MONTH, "v2"))):
        assert "<script" not in text and "<img" not in text and "[点我领奖](" not in text
