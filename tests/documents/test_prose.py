"""The three formats of each document tell the same story: the same sections in the same order, the same figures.

The prose lives once in templates/_plan_prose.j2 and templates/_circular_prose.j2; these tests hold the rendered
Markdown, HTML and DOCX of one month against each other and against the figures the month's data gives.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from activity_day.demo import write_xlsx
from activity_day.documents import docx_build, gbt9704
from activity_day.documents.render import score_text
from activity_day.resources import TEMPLATES_DIR
from activity_day.services.imports import import_file

MONTH = "2026-12"
FORMATS = ("md", "html", "docx")
FORMAT_TEMPLATES = ("plan.md.j2", "plan.html.j2", "circular.md.j2", "circular.html.j2")
CJK = re.compile(r"[\u4e00-\u9fff]+")


# An attachment is its label line (附件, 附件1…) and its title; outlines list it as “附件1：title”.
ATTACHMENT = re.compile(r"附件\d*")


def md_outline(text: str) -> list[str]:
    """The Markdown document's sections: `## ` headings, the bold `**说明：**` that stands for one, attachments."""
    found = re.finditer(r"^(?:(附件\d*)\n\n## (.+)|## (.+)|\*\*(.+?)：\*\*)$", text, flags=re.M)
    return [f"{m.group(1)}：{m.group(2)}" if m.group(1) else m.group(3) or m.group(4) for m in found]


def html_outline(text: str) -> list[str]:
    """The HTML document's sections: h2 headings and attachments (a title's lines, spans between <br>, joined)."""
    found = re.finditer(r'<h2>(.*?)</h2>|<p class="attachment-label">(.*?)</p>\s*<h1>(.*?)</h1>', text)
    return [html.unescape(m.group(1) if m.group(1) is not None else f"{m.group(2)}：{re.sub('<[^>]+>', '', m.group(3))}")
            for m in found]


def docx_outline(doc) -> list[str]:
    paragraphs = doc.paragraphs
    return [p.text if p.style.name == "GW H1" else f"{p.text}：{paragraphs[i + 1].text}"
            for i, p in enumerate(paragraphs) if p.style.name in ("GW H1", "GW Attachment")]


def html_text(text: str) -> str:
    text = re.sub(r"<(style|svg)\b.*?</\1>", "", text, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def docx_text(doc) -> str:
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def read_formats(folder: Path, stem: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """(sections, text) of `stem`.md/.html/.docx, keyed by format."""
    md = (folder / f"{stem}.md").read_text(encoding="utf-8")
    page = (folder / f"{stem}.html").read_text(encoding="utf-8")
    doc = Document(folder / f"{stem}.docx")
    return ({"md": md_outline(md), "html": html_outline(page), "docx": docx_outline(doc)},
            {"md": md, "html": html_text(page), "docx": docx_text(doc)})


def disagreements(sections: dict[str, list[str]], texts: dict[str, str], figures: list[str]) -> list[str]:
    """What one format says and another does not: sections that differ from the Word document's, missing figures.

    The Markdown circular sets figures apart with spaces (“全县 248 个”), so texts are compared without them.
    """
    found = []
    for fmt in FORMATS:
        if sections[fmt] != sections["docx"]:
            found.append(f"{fmt} sections {sections[fmt]} != docx {sections['docx']}")
        flat = texts[fmt].replace(" ", "")
        found += [f"{fmt} lacks {figure}" for figure in figures if figure.replace(" ", "") not in flat]
    return found


def without_section(sections: dict[str, list[str]], fmt: str, index: int) -> dict[str, list[str]]:
    return sections | {fmt: sections[fmt][:index] + sections[fmt][index + 1:]}


def test_the_format_templates_hold_no_prose_of_their_own() -> None:
    for name in FORMAT_TEMPLATES:
        assert CJK.findall((TEMPLATES_DIR / name).read_text(encoding="utf-8")) == [], name
    # docx_build names fonts and sizes in Chinese, and writes no sentence of its own
    words = {w for module in (docx_build, gbt9704) for w in CJK.findall(Path(module.__file__).read_text(encoding="utf-8"))}
    assert words <= {"仿宋", "方正小标宋简体", "黑体", "楷体", "宋体", "三号", "二号", "四号", "版头", "版记", "抄送", "印发",
                     "附件", "附件说明"}


def test_html_templates_escape_what_the_prose_macros_give() -> None:
    """Macros from a template without autoescape come back marked safe; |plain has HTML escape them once."""
    for name in FORMAT_TEMPLATES:
        if name.endswith(".html.j2"):
            calls = re.findall(r"\{\{ *((?:prose|letter)\.\w+\(.*?) *\}\}", (TEMPLATES_DIR / name).read_text(encoding="utf-8"))
            assert calls and all(call.endswith("|plain") for call in calls), name


@pytest.fixture
def month(prefect_server, settings, registry, county, tmp_path: Path) -> dict:
    """A month run through every step, with scores for four stations; returns the summary and the folder."""
    from activity_day.flows.monthly import compile_, draft, review, sample

    draft(county=county, month=MONTH)
    review(county=county, month=MONTH)
    sample(county=county, month=MONTH)
    scores = pd.DataFrame([
        {"所站编号": "001", "检查方式": "线下", "评分人": "第一检查组", "得分": 95, "存在问题": "", "意见建议": ""},
        {"所站编号": "002", "检查方式": "线上", "评分人": "第二检查组", "得分": 75, "存在问题": "群众参与人数偏少",
         "意见建议": "建议提前发动群众"},
        {"所站编号": "020", "检查方式": "线下", "评分人": "第一检查组", "得分": 60, "存在问题": "活动记录不完整",
         "意见建议": ""},
    ])
    assert import_file("scores", write_xlsx(scores, tmp_path / "s.xlsx", "评分"), county=county,
                       month=MONTH).exit_code == 0
    summary = compile_(county=county, month=MONTH)
    return {"summary": summary, "out": Path(settings.out) / MONTH, "county": county}


@pytest.mark.flow
def test_the_plans_three_formats_have_the_same_sections_and_figures(month: dict) -> None:
    from activity_day.store import crud
    from activity_day.store.database import transaction

    with transaction() as session:
        plan = crud.plan_content(crud.get_plan(session=session, county=month["county"], month=MONTH, version=2))
    sections, texts = read_formats(month["out"], "plan-v2")
    assert sections["docx"][:4] == ["一、活动时间", "二、节日和纪念日",
                                    f"三、学习清单（{len(plan.learning)}大类{plan.learning_count}项）", "四、五项任务月度活动清单"]
    # the disposition table is the office's own document (review-dispositions.*), not an attachment of the plan
    assert sections["docx"][-1] == "六、工作要求" and not any("附件" in s for s in sections["docx"])
    figures = [
        f"{plan.activity_date_cn}（星期{plan.weekday_cn}）",
        f"{plan.dates_cn.station_plans}前", f"{plan.dates_cn.scores}前汇总", "随机抽取三分之一实践所站",
        *(m.name for m in plan.marks), *(item.code for block in plan.checklist for item in block.items),
        *(item.title for cat in plan.learning for item in cat.items), *(prog.name for prog in plan.programs),
        # what each checklist item asks of the stations, in every format (once only in the HTML)
        *(f"{item.title}：{item.description}" for block in plan.checklist for item in block.items if item.description),
    ]
    assert plan.marks and plan.programs and len(figures) > 30
    assert disagreements(sections, texts, figures) == []

    # the check itself: a format that loses a section or a figure is caught
    assert disagreements(without_section(sections, "html", 2), texts, figures)
    lost_date = texts | {"md": texts["md"].replace(plan.dates_cn.scores, "")}
    assert disagreements(sections, lost_date, figures) == [f"md lacks {plan.dates_cn.scores}前汇总"]


@pytest.mark.flow
def test_the_circulars_three_formats_have_the_same_sections_and_figures(month: dict) -> None:
    s = month["summary"]
    sections, texts = read_formats(month["out"], "circular")
    assert sections["docx"] == ["一、基本情况", "二、主要做法和亮点", "三、存在问题", "四、下步要求",
                                "附件1：乡镇（街道）得分排名", "附件2：所站得分表", "附件3：存在问题清单"]
    assert s["scored"] == 3 and s["commended"] == 1 and s["rectify"] == 1
    figures = [
        f"全县{s['stations']}个", f"{s['submitted']}个报送了活动计划", f"共计划开展活动{s['activities']}场",
        f"抽取{s['drawn']}个所站", f"线上飞检{s['online']}个", f"线下巡查{s['onsite']}个",
        f"检查组共对{s['inspected']}个所站完成打分评定", f"平均综合得分{score_text(s['average'])}分",
        f"检查发现问题{s['problems']}个", "群众参与人数偏少", "活动记录不完整",
        f"无逾期未整改问题的所站共{s['commend_eligible']}个", f"以下{s['rectify']}个所站综合得分低于",
        "收到整改通知的2个所站",  # 002 (a problem) and 020 (a problem and a score below 70)
        f"本月新收集意见建议{s['feedback_new']}条", f"办结{s['feedback_closed']}条", f"累计{s['feedback_total']}条",
        f"尚未办结{s['feedback_open']}条", "95.00", "75.00", "60.00",
    ]
    assert disagreements(sections, texts, figures) == []

    # the check itself: a format that loses a section or a figure is caught
    assert disagreements(without_section(sections, "md", 2), texts, figures)
    average = score_text(s["average"])
    lost_average = texts | {"docx": texts["docx"].replace(average, "")}
    assert disagreements(sections, lost_average, figures) == [f"docx lacks 平均综合得分{average}分"]
