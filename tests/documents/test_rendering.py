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


def lines(page: Page) -> list[str]:
    """The page's lines of text, top to bottom (words on one baseline joined without spaces)."""
    rows: dict[int, list[Word]] = {}
    for w in page.words:
        rows.setdefault(round(w.y1), []).append(w)
    return ["".join(w.text for w in sorted(row, key=lambda w: w.x0)) for _, row in sorted(rows.items())]


PT_PER_MM = 72 / 25.4
STATIONS = [{"township": t, "name": f"{t}{n}新时代文明实践站", "brand": b} for t, n, b in [
    ("众兴街道", "南集社区", "板凳课堂"), ("王集镇", "丰岗村", "孝善食堂"), ("爱园镇", "太平岗村", "文化广场"),
    ("卢集镇", "东河村", "“一村一品”乡村文化节"), ("新袁镇", "永兴湖社区", "邻里守望志愿服务")]]


def notices(workspace: Path, folder: Path) -> dict[str, dict]:
    """The two demonstration notices for the demo county, rendered as the task renders them."""
    from datetime import date, datetime

    import yaml

    from activity_day.documents.demonstration import RoundList, notice_context
    from activity_day.documents.render import docx_bytes
    from activity_day.domain.profile import CountyInfo
    from activity_day.store.numbers import format_number

    county = CountyInfo.model_validate(yaml.safe_load((workspace / "profile.yaml").read_text("utf-8"))["county"])
    contexts = {}
    for kind, signed in (("publicity", date(2026, 10, 8)), ("naming", date(2026, 10, 20))):
        contexts[kind] = notice_context(kind, RoundList("2027", STATIONS, [], (date(2026, 10, 8), date(2026, 10, 13))),
                                        county=county, signed=signed,
                                        doc_number=format_number(county.doc_prefix, 2026, 3) if kind == "naming" else None)
        (folder / f"{kind}.docx").write_bytes(docx_bytes("demonstration.docx", contexts[kind],
                                                         dated=datetime(2026, 10, 20), title=contexts[kind]["title"]))
    return contexts


@pytest.fixture(scope="module")
def rendered(prefect_server, tmp_path_factory) -> dict[str, list[Page]]:
    from activity_day.cli.demo import run_demo
    from activity_day.context import bound
    from activity_day.settings import Settings

    soffice, pdftotext = renderer()
    root = tmp_path_factory.mktemp("render")
    with bound(Settings(database_url=f"sqlite:///{root / 'var' / 'db.sqlite'}", out=root / "out",
                                    inbox=root / "inbox")):
        run_demo(MONTH, root / "ws", echo=lambda _line: None)
    folder = root / "out" / MONTH
    notices(root / "ws", folder)
    names = ["circular", "plan-v1", "plan-v2", "publicity", "naming"]
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
    assert all(t in doc[body - 1].text for t in ("附件：1．", "2．所站得分表", "3．各乡镇（街道）宣讲点单派单情况",
                                                 "4．存在问题清单", "2026年12月10日"))
    # The lecture paragraph points to its table, an attachment of its own with a county total last; no heading ends
    # a page alone.
    text = "".join(page.text for page in doc[:body])
    assert "各乡镇（街道）情况见附件3。" in text and "派出宣讲队已宣讲" not in text
    lectures = next(page.text for page in doc if page.text.startswith("附件3"))
    assert re.search(r"附件3各乡镇（街道）宣讲点单派单情况乡镇（街道）点单派出宣讲队已宣讲评价平均评分未能派单", lectures)
    assert re.search(r"合计\d+\d+", lectures)
    for page in doc[:body]:
        assert not re.search(r"[一二三四五六]、[\u4e00-\u9fa5]{2,8}(—\d+—)?$", page.text), page.text[-40:]
    # 版记: on the last page, at its foot (test_the_colophon_shares_the_last_page_when_it_has_room)
    assert "抄送：" in doc[-1].text and re.sub(r"—\d+—$", "", doc[-1].text).endswith("印发")
    # Every page of the complete problem list (attachment 4) starts with the repeated header row.
    third = next(i for i, page in enumerate(doc) if page.text.startswith("附件4"))
    fourth = next((i for i, page in enumerate(doc) if page.text.startswith("附件5")), len(doc) - 1)
    continued = [page for page in doc[third + 1:fourth] if page.words]
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
    assert official[-1].text.endswith("印发")


def test_titles_break_only_between_words(rendered) -> None:
    """Every title in the PDF, the documents' and their attachments', on the lines layout.title_lines chose,
    each break where a word ends (GB/T 9704 7.3.1), never inside one as in 集中活/动日."""
    from activity_day.documents.contexts import circular_title, plan_title
    from activity_day.documents.demonstration import notice_title
    from activity_day.documents.layout import title_breaks, title_lines
    from activity_day.documents.render import environment

    titles = {"plan-v1": plan_title(MONTH), "plan-v2": plan_title(MONTH), "circular": circular_title(MONTH),
              "publicity": notice_title("publicity", "2027", "泗阳县"), "naming": notice_title("naming", "2027", "泗阳县")}
    attachments = [*environment().get_template("_circular_prose.j2").module.attachment_names.values()]
    checked = 0
    for name, doc in rendered.items():
        found = {titles[name]: False} | dict.fromkeys(attachments if name == "circular" else [], False)
        for page in doc:
            text = lines(page)
            for at in range(len(text)):
                for count in (1, 2, 3):
                    title = "".join(text[at:at + count])
                    if title not in found or found[title] or (count == 1 and len(title_lines(title)) > 1):
                        continue
                    found[title] = True
                    breaks = {sum(len(line) for line in text[at:at + n]) for n in range(1, count)}
                    assert count == len(title_lines(title)) and breaks <= title_breaks(title), (name, text[at:at + count])
                    checked += 1
        assert found[titles[name]], (name, titles[name], lines(doc[0])[:12])
    assert checked >= len(rendered) + 3  # the circular's attachments' titles too


def header_cells(page: Page) -> list[list[Word]]:
    """Runs of words stacked in one column, each line 20 pt or less below the one before: a table cell's
    lines, continued into the cells below it."""
    out = []
    for top in page.words:
        run = [top]
        while below := [w for w in page.words if 0 < w.y0 - run[-1].y0 <= 20 and w.x0 < run[-1].x1 and run[-1].x0 < w.x1]:
            run.append(min(below, key=lambda w: w.y0))
        out.append(run)
    return out


def test_no_table_header_breaks_inside_a_word(rendered) -> None:
    """A header cell of two lines (乡镇／（街道）, 检查组／评分) breaks between the words of layout.header_words, never
    inside one (综合得／分)."""
    from activity_day.documents.layout import header_words
    from activity_day.documents.render import environment

    headers = {h for name in ("_circular_prose.j2", "_plan_prose.j2", "_demonstration_prose.j2")
               for key, value in vars(environment().get_template(name).module).items() if key.endswith("headers")
               for h in value}
    seen = set()
    for name, doc in rendered.items():
        for number, page in enumerate(doc, start=1):
            for run in header_cells(page):
                for count in range(1, len(run) + 1):
                    header = "".join(w.text for w in run[:count])
                    if header in headers:
                        seen.add(header)
                        words = [w.text for w in header_words(header)]
                        allowed = {sum(len(w) for w in words[:n]) for n in range(1, len(words))}
                        cuts = {sum(len(w.text) for w in run[:n]) for n in range(1, count)}
                        assert cuts <= allowed, (name, number, [w.text for w in run[:count]])
    assert {"综合得分", "乡镇（街道）", "所站编号", "检查组评分"} <= seen


def test_the_colophon_shares_the_last_page_when_it_has_room(rendered) -> None:
    """The 版记 at the foot of the last page, its last line on the type area's last line; on a page of its own only
    when the text filled the page before, never after a blank page."""
    for name in ("plan-v2", "circular", "naming"):
        doc = rendered[name]
        last = doc[-1]
        bottom = last.height - 35 * PT_PER_MM
        cc = min(w.y0 for w in last.words if w.text.startswith("抄送"))
        colophon = [w for w in last.words if cc - 1 <= w.y0 and w.y1 <= bottom + 2]
        assert colophon and bottom - 8 <= max(w.y1 for w in colophon) <= bottom + 2, (name, lines(last)[-3:])
        text = [w for w in last.words if w.y1 < cc - 1]
        if not text:
            before = [w for w in doc[-2].words if w.y1 <= bottom + 2]
            assert before and max(w.y1 for w in before) > bottom - 2 * 28, (name, "the 版记 alone after a page with room")
        assert all(page.words for page in doc), (name, "a blank page")


def test_the_naming_notice_is_issued_like_the_circular(rendered) -> None:
    naming, publicity = rendered["naming"], rendered["publicity"]
    first = lines(naming[0])
    assert first[0] == "泗阳县精神文明建设委员会办公室文件" and "泗文明办〔2026〕3号" in first
    at = first.index("新时代文明实践示范所站的通知")
    assert first[at + 1].startswith("各乡镇（街道）党（工）委、办事处")  # 主送
    assert "抄送：县委宣传部，县新时代文明实践中心。" in naming[-1].text and naming[-1].text.endswith("2026年10月20日印发")
    # the list put up for public comment stays a simple notice
    assert lines(publicity[0])[0] == "关于2027年度泗阳县" and "〔" not in publicity[0].text
    assert not any("印发" in page.text for page in publicity)
