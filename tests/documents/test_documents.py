"""The plan as an official document: DOCX in GB/T 9704 layout, HTML and Markdown, byte-stable."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from activity_day.demo import write_xlsx
from activity_day.services.imports import import_file

pytestmark = pytest.mark.flow
MONTH = "2027-02"


def east_asian_font(style) -> str:
    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


@pytest.fixture
def reviewed(prefect_server, settings, registry, county, tmp_path: Path) -> Path:
    from activity_day.flows.monthly import draft, review

    draft(county=county, month=MONTH)
    comments = pd.DataFrame([
        {"部门": "理论科", "意见内容": "建议增加<b>理论</b>宣讲 & 互动", "处理意见": "部分采纳", "处理理由": "场次按实际安排",
         "修改内容": "增加<b>理论</b>宣讲场次"},
        {"部门": "网信科", "意见内容": "建议强化网络文明内容"},
        {"部门": "宣教科", "意见内容": "无异议"},
    ])
    assert import_file("comments", write_xlsx(comments, tmp_path / "c.xlsx", "意见"), county=county,
                       month=MONTH).exit_code == 0
    review(county=county, month=MONTH)
    return Path(settings.out) / MONTH


def test_plan_docx_layout_and_content(reviewed: Path) -> None:
    doc = Document(reviewed / "plan-v2.docx")
    texts = [p.text.replace("\n", "") for p in doc.paragraphs]  # a title may be set in lines
    assert texts[0] == "泗阳县精神文明建设委员会办公室文件"
    assert "泗文明办〔2027〕1号" in texts  # issued 2027-01-18, the review date
    assert "关于开展2027年2月新时代文明实践集中活动日活动的通知" in texts
    headings = [p.text for p in doc.paragraphs if p.style.name == "GW H1"]
    assert headings[:4] == ["一、活动时间", "二、节日和纪念日", "三、学习清单（5大类20项）", "四、五项任务月度活动清单"]
    # the disposition table is the office's record, not an attachment of the plan sent to every station
    assert not any("部门意见处理情况表" in t for t in texts) and "附件" not in texts
    assert not any(p.style.name == "GW Attachment" for p in doc.paragraphs)
    # what the office adopted is in the plan, under 工作要求
    assert texts[texts.index("（四）落实部门意见") + 1:][:2] == [
        "1. 根据理论科意见，增加<b>理论</b>宣讲场次。", "2. 根据网信科意见，强化网络文明内容。"]
    assert [p.text for p in doc.paragraphs if p.style.name == "GW H2"][0] == "（一）理论武装"
    assert any(t.startswith("1. ") for t in texts)
    assert "2027年2月5日（星期五），各新时代文明实践所（站）同步开展集中活动。" in texts
    assert texts.count("2027年1月18日") == 1  # the signature date, as official documents write it

    section = doc.sections[0]
    assert abs(section.top_margin - Mm(37)) < Mm(0.1) and abs(section.left_margin - Mm(28)) < Mm(0.1)
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.page_height - Mm(297)) < Mm(0.1)
    assert east_asian_font(doc.styles["Normal"]) == "仿宋_GB2312"
    assert doc.styles["Normal"].font.size.pt == 16 and doc.styles["Normal"].paragraph_format.line_spacing.pt == 28
    assert east_asian_font(doc.styles["GW Title"]) == "方正小标宋简体" and doc.styles["GW Title"].font.size.pt == 22
    assert east_asian_font(doc.styles["GW H1"]) == "黑体" and east_asian_font(doc.styles["GW H2"]) == "楷体_GB2312"
    assert str(doc.styles["GW Issuer"].font.color.rgb) == "FF0000"

    festivals = doc.tables[0]
    kinds = {row.cells[1].text: row.cells[2].text for row in festivals.rows[1:]}
    assert (kinds["春节"], kinds["元宵节"], kinds["除夕"]) == ("我们的节日", "我们的节日", "传统节日")
    assert not any("可选" in name for name in kinds)
    record = Document(reviewed / "review-dispositions.docx")
    assert record.paragraphs[0].text.replace("\n", "") == "2027年2月新时代文明实践集中活动日方案部门意见处理情况表"
    rows = [[c.text for c in row.cells] for row in record.tables[0].rows[1:]]
    assert [r[1] for r in rows] == ["理论科", "宣教科", "版权科", "网信科"]
    assert rows[0][2:] == ["建议增加<b>理论</b>宣讲 & 互动", "部分采纳", "场次按实际安排", "工作要求（四）第1条"]
    assert rows[1][2:4] == ["无意见", "无意见"] and rows[2][2:4] == ["无意见", "无意见"]  # 无异议 is silence
    assert rows[3][3:] == ["采纳", "", "工作要求（四）第2条"]
    assert not any(p.style.name == "GW Issuer" for p in record.paragraphs)  # an internal record: no masthead
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("— ") and "PAGE" in footer._p.xml
    # 版记: after the text, a text box at the foot of the type area (no section of its own, so no page of its own);
    # its rows the lines, its table's borders the rules as wide as the type area: thick, thin between, thick
    assert len(doc.sections) == 1
    [box] = [s for s in doc.element.body.iter("{urn:schemas-microsoft-com:vml}shape") if s.get("id") == "colophon"]
    assert "mso-position-vertical:bottom;mso-position-vertical-relative:margin" in box.get("style")
    assert "height:60pt" in box.get("style")  # two lines of 28 pt and the rules
    rows = ["".join("\t" if e.tag == qn("w:tab") else e.text or "" for run in row.iter(qn("w:r"))
                    for e in run.iterchildren(qn("w:t"), qn("w:tab"))) for row in box.iter(qn("w:tr"))]
    assert rows == ["抄送：县委宣传部，县新时代文明实践中心。", "泗阳县精神文明建设委员会办公室\t2027年1月18日印发"]
    borders = box.find(".//" + qn("w:tblBorders"))
    rules = [(e.tag.split("}")[1], e.get(qn("w:sz"))) for e in borders if e.get(qn("w:val")) == "single"]
    assert rules == [("top", "8"), ("bottom", "8"), ("insideH", "6")]
    assert box.find(".//" + qn("w:tblW")).get(qn("w:w")) == "8844"  # 156 mm


def test_plan_html_escapes_comment_text(reviewed: Path) -> None:
    html = (reviewed / "plan-v2.html").read_text(encoding="utf-8")
    assert "根据理论科意见，增加&lt;b&gt;理论&lt;/b&gt;宣讲场次。" in html and "<b>理论</b>" not in html
    record = (reviewed / "review-dispositions.html").read_text(encoding="utf-8")
    assert "建议增加&lt;b&gt;理论&lt;/b&gt;宣讲 &amp; 互动" in record and "<b>理论</b>" not in record
    for name in ("plan-v2.md", "review-dispositions.md"):
        assert "<b>" not in (reviewed / name).read_text(encoding="utf-8")


def test_rerender_is_byte_identical(reviewed: Path, county) -> None:
    from activity_day.flows.monthly import draft, review

    before = {p.name: p.read_bytes() for p in [*reviewed.glob("plan-*"), *reviewed.glob("review-*")]}
    draft(county=county, month=MONTH)
    review(county=county, month=MONTH)
    after = {p.name: p.read_bytes() for p in [*reviewed.glob("plan-*"), *reviewed.glob("review-*")]}
    assert set(before) == {f"{stem}.{f}" for stem in ("plan-v1", "plan-v2", "review-dispositions")
                           for f in ("md", "html", "docx")}
    assert before == after


def test_the_plan_states_the_profiles_sampling_ratio_in_every_format(prefect_server, settings, tmp_path: Path) -> None:
    import yaml

    from activity_day.flows.monthly import draft
    from activity_day.services.counties import init_county
    from tests.conftest import profile_with_holiday_file

    profile = profile_with_holiday_file(tmp_path / "profile")
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    data["sampling"]["ratio"] = "1/4"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    county = init_county(profile).county.code
    files = draft(county=county, month=MONTH)["files"]
    docx_text = "\n".join(p.text for p in Document(files["docx"]).paragraphs)
    for text in (Path(files["md"]).read_text(encoding="utf-8"), Path(files["html"]).read_text(encoding="utf-8"),
                 docx_text):
        assert "随机抽取四分之一实践所站" in text and "三分之一" not in text


def test_the_plan_says_the_same_in_every_format_amendments_included(reviewed: Path, county) -> None:
    from activity_day.domain.plan_rules import plan_rule_violations, software_words
    from activity_day.store import crud
    from activity_day.store.database import transaction
    from tests.documents.test_prose import disagreements, read_formats

    with transaction() as session:
        plan = crud.plan_content(crud.get_plan(session=session, county=county, month=MONTH, version=2))
    assert plan_rule_violations(plan) == []
    sections, texts = read_formats(reviewed, "plan-v2")
    texts["md"] = html.unescape(texts["md"])  # the Markdown writes a comment's < and > as entities
    amendments = [f"{n}. 根据{c.department}意见，{c.amendment}" for n, c in enumerate(plan.amendments(), start=1)]
    assert len(amendments) == 2
    figures = [*amendments, "（四）落实部门意见",
               *(f"{i.title}：{i.description}" for b in plan.checklist for i in b.items if i.description),
               *(i.title for cat in plan.learning for i in cat.items), *(m.name for m in plan.marks)]
    assert disagreements(sections, texts, figures) == []
    assert disagreements(sections, texts | {"md": texts["md"].replace(amendments[1], "")}, figures) == [
        f"md lacks {amendments[1]}"]
    assert {fmt: software_words(text) for fmt, text in texts.items()} == {"md": [], "html": [], "docx": []}
