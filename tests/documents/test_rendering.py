"""The demo month's Word documents as an office prints them: rendered by LibreOffice, checked page by page.

LibreOffice (soffice) and poppler (pdftotext) come from Debian's packages; `.ci/run` installs them and sets
ACTIVITY_DAY_REQUIRE_RENDER=1, so that in CI a missing renderer fails instead of skipping. Blank pages that
a section starting on an even page inserts are exported (IsSkipEmptyPages=false), as a duplex printer prints
them.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.flow
MONTH = "2026-12"
EXPORT = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'
OPERATOR_TEXT = ("activity-day", "sample verify", "SHA-256", "verify_draw", "docs/", "（可选）")


def renderer() -> tuple[str, str]:
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if soffice and pdftotext:
        return soffice, pdftotext
    if os.environ.get("ACTIVITY_DAY_REQUIRE_RENDER"):
        pytest.fail("LibreOffice (soffice) and poppler-utils (pdftotext) are required here: "
                    "apt-get install libreoffice-writer-nogui poppler-utils")
    pytest.skip("LibreOffice or poppler-utils is not installed")


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Page:
    width: float
    height: float
    words: list[Word]

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words)


def pages(pdf: Path, pdftotext: str) -> list[Page]:
    """Each page's words with their boxes (pdftotext -bbox)."""
    out = subprocess.run([pdftotext, "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        words = [Word(html.unescape(m[5]), *(float(m[i]) for i in range(1, 5))) for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page[3])]
        found.append(Page(float(page[1]), float(page[2]), words))
    return found


@pytest.fixture(scope="module")
def rendered(prefect_server, tmp_path_factory) -> dict[str, list[Page]]:
    from activity_day.settings import Settings, settings_in_force
    from cli.demo import run_demo

    soffice, pdftotext = renderer()
    root = tmp_path_factory.mktemp("render")
    with settings_in_force(Settings(database_url=f"sqlite:///{root / 'var' / 'db.sqlite'}", out=root / "out",
                                    inbox=root / "inbox")):
        run_demo(MONTH, root / "ws", echo=lambda _line: None)
    folder = root / "out" / MONTH
    names = ["circular", "plan-v1", "plan-v2"]
    subprocess.run([soffice, f"-env:UserInstallation=file://{root / 'lo'}", "--headless", "--convert-to", EXPORT,
                    "--outdir", str(root / "pdf"), *(str(folder / f"{n}.docx") for n in names)],
                   check=True, capture_output=True, timeout=600)
    return {n: pages(root / "pdf" / f"{n}.pdf", pdftotext) for n in names}


def test_the_circular_is_a_document_an_office_can_issue(rendered) -> None:
    doc = rendered["circular"]
    first = doc[0].text
    assert first.startswith("泗阳县精神文明建设委员会办公室文件") and "泗文明办〔2026〕2号" in first
    body = next(i for i, page in enumerate(doc) if page.text.startswith("附件1"))  # attachments: a new page
    assert body <= 6, f"the body runs to page {body}"
    # 附件说明 and the signature stay together on the body's last page
    assert all(t in doc[body - 1].text for t in ("附件：1．", "2．所站得分表", "3．存在问题清单", "2026年12月10日"))
    # The lecture table follows its paragraph in the body, a county total last; no heading ends a page alone.
    text = "".join(page.text for page in doc[:body])
    assert re.search(r"表1本月微型宣讲点单、派单和评单情况乡镇（街道）点单派出宣讲队已宣讲评价平均评分未能派单", text)
    assert re.search(r"合计\d+\d+", text.split("派单和评单情况")[1].split("四、下步要求")[0])
    for page in doc[:body]:
        assert not re.search(r"[一二三四五六]、[\u4e00-\u9fa5]{2,8}(—\d+—)?$", page.text), page.text[-40:]
    # 版记: on the last page, an even one, at its foot; the page before may be a blank inserted for it.
    last = doc[-1]
    assert len(doc) % 2 == 0 and "抄送：" in last.text and last.text.endswith("印发")
    assert min(w.y0 for w in last.words) > last.height * 0.6
    # Every page of the complete problem list (attachment 3) starts with the repeated header row.
    third = next(i for i, page in enumerate(doc) if page.text.startswith("附件3"))
    continued = [page for page in doc[third + 1:-1] if page.words]
    assert continued, "the demo's problem list should run over more than one page"
    assert all(page.words[0].text == "序号" for page in continued), [p.text[:20] for p in continued]


def test_no_operator_text_and_nothing_past_the_page_edge(rendered) -> None:
    for name, doc in rendered.items():
        for number, page in enumerate(doc, start=1):
            for text in OPERATOR_TEXT:
                assert text not in page.text, (name, number, text)
            for w in page.words:
                assert 0 <= w.x0 and w.x1 <= page.width and 0 <= w.y0 and w.y1 <= page.height, (name, number, w)
            # nothing inside the 20 mm edge strip where printers clip (GB/T 9704 margins are 26 mm and more)
            edge = 20 * 72 / 25.4
            inside = [w for w in page.words if edge <= w.x0 and w.x1 <= page.width - edge]
            assert inside == page.words, (name, number)


def test_the_draft_has_no_masthead_and_the_official_plan_has(rendered) -> None:
    draft, official = rendered["plan-v1"], rendered["plan-v2"]
    assert "（征求意见稿）" in draft[0].text and "〔" not in draft[0].text and "文件" not in draft[0].text[:20]
    assert not any("印发" in page.text for page in draft)  # circulated for comments, not issued
    assert official[0].text.startswith("泗阳县精神文明建设委员会办公室文件") and "泗文明办〔2026〕1号" in official[0].text
    assert len(official) % 2 == 0 and official[-1].text.endswith("印发")
