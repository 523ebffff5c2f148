"""Builds the Word templates in templates/ (GB/T 9704-2012 layout) that docxtpl renders.

The templates are committed so an office can restyle them in Word; run
`python -m activity_day.documents.docx_build` to rebuild them from this file.

The prose is not written here: it comes from the macros in templates/_plan_prose.j2, _circular_prose.j2 and
_document_prose.j2, which the Markdown and HTML templates use too. Text without fields is written into the
Word template as it is; text with fields becomes a call of the same macro, rendered by docxtpl.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor

from activity_day.documents.render import environment, pin_zip
from activity_day.settings import TEMPLATES_DIR

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
RED = RGBColor(0xFF, 0x00, 0x00)
SIZE_3 = Pt(16)  # 三号
SIZE_2 = Pt(22)  # 二号
SIZE_4 = Pt(14)  # 四号
LINE = Pt(28)  # fixed line spacing: 22 lines on a page


def _fonts(element, font: str) -> None:
    """Name the font for every script, East Asian included (python-docx sets only ascii/hAnsi)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)


@dataclass(frozen=True)
class Look:
    """How a paragraph style looks: font, size, colour, alignment, first-line indent and line spacing."""

    font: str = BODY_FONT
    size: Length = SIZE_3
    bold: bool = False
    color: RGBColor | None = None
    align: WD_ALIGN_PARAGRAPH | None = None
    indent: bool = False
    line: Length | None = LINE  # exact spacing; None is single spacing (pictures need it)


# The paragraph styles of every document, by the name the templates use.
STYLES: dict[str, Look] = {
    "Normal": Look(indent=True),
    "GW Issuer": Look(font=TITLE_FONT, size=Pt(24), color=RED, align=WD_ALIGN_PARAGRAPH.CENTER, line=None),
    "GW DocNo": Look(align=WD_ALIGN_PARAGRAPH.CENTER),
    "GW Title": Look(font=TITLE_FONT, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(36)),
    "GW Mark": Look(font=H1_FONT, align=WD_ALIGN_PARAGRAPH.CENTER),
    "GW H1": Look(font=H1_FONT, indent=True),
    "GW H2": Look(font=H2_FONT, indent=True),
    "GW Flush": Look(),
    "GW Signature": Look(align=WD_ALIGN_PARAGRAPH.RIGHT),
    "GW Note": Look(size=SIZE_4, indent=True),
    "GW Table": Look(size=Pt(12), line=Pt(18)),
    "GW Colophon": Look(size=SIZE_4, line=Pt(28)),
    "GW Page": Look(font="宋体", size=SIZE_4, line=None),
    "GW Figure": Look(align=WD_ALIGN_PARAGRAPH.CENTER, line=None),
}


def _style(doc, name: str, look: Look):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles["Normal"]
    style.font.name = look.font
    style.font.size = look.size
    style.font.bold = look.bold
    if look.color is not None:
        style.font.color.rgb = look.color
    _fonts(style.element, look.font)
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if look.line is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = look.line
    else:  # Normal is exact 28 pt; styles based on it must say single spacing or pictures get clipped
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.first_line_indent = Pt(32) if look.indent else Pt(0)
    if look.align is not None:
        fmt.alignment = look.align
    return style


def _border(paragraph, side: str, *, size: int, color: str = "000000") -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), "1")
    edge.set(qn("w:color"), color)
    borders.append(edge)


def _page_number(paragraph) -> None:
    """'— 1 —': an em dash, the PAGE field, an em dash."""
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text.strip() == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)
    paragraph.add_run(" —")


def new_document():
    """An empty A4 document with the GB/T 9704 page, styles and page numbers."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)  # page number 7 mm below the text area
    section.start_type = WD_SECTION.NEW_PAGE
    for name, look in STYLES.items():
        _style(doc, name, look)
    doc.settings.odd_and_even_pages_header_footer = True
    odd = section.footer.paragraphs[0]
    odd.style = doc.styles["GW Page"]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _page_number(odd)
    odd.add_run("\u3000")
    even = section.even_page_footer.paragraphs[0]
    even.style = doc.styles["GW Page"]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.add_run("\u3000")
    _page_number(even)
    return doc


def _prose(name: str):
    """The prose macros of templates/`name`: text without fields is written into the Word template as it is."""
    return environment().get_template(name).module


def p(doc, text: str, style: str = "Normal"):
    return doc.add_paragraph(text, style=style)


LETTER = '{% import "_document_prose.j2" as letter %}'  # the colophon's prose, which both documents share


def letterhead(doc, *, imports: str = "") -> None:
    """版头: the issuer mark in red, the document number, a red separator line.

    `imports` (the template's `{% import %}` of its prose macros) goes before the first field, where it renders
    to nothing and adds no paragraph.
    """
    p(doc, imports + "{{ issuer }}", "GW Issuer")
    p(doc, "", "GW Flush")
    _border(p(doc, "{{ doc_number }}", "GW DocNo"), "bottom", size=18, color="FF0000")
    p(doc, "", "GW Flush")


def colophon(doc) -> None:
    """版记: 抄送 and 印发 lines between rules, at the end of the document."""
    p(doc, "", "GW Flush")
    p(doc, "{%p if cc %}", "GW Colophon")
    cc = p(doc, "{{ letter.copied(cc) }}", "GW Colophon")
    _border(cc, "top", size=8)
    p(doc, "{%p endif %}", "GW Colophon")
    issued = p(doc, "{{ letter.issued(printer, signed_cn) }}", "GW Colophon")
    _border(issued, "top", size=4)
    _border(issued, "bottom", size=8)


def table(doc, headers: list[str], loop: str, cells: list[str], widths_mm: list[int]):
    """A bordered table whose body row repeats over `loop` (docxtpl {%tr %} rows)."""
    t = doc.add_table(rows=4, cols=len(headers))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for column, width in zip(t.columns, widths_mm, strict=True):
        column.width = Mm(width)  # the grid widths, which LibreOffice and WPS follow
    for row in t.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
            cell.paragraphs[0].style = doc.styles["GW Table"]
    for cell, header in zip(t.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].text = header
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.paragraphs[0].runs[0].bold = True
    t.rows[1].cells[0].paragraphs[0].text = "{%tr for " + loop + " %}"
    for cell, text in zip(t.rows[2].cells, cells, strict=True):
        cell.paragraphs[0].text = text
    t.rows[3].cells[0].paragraphs[0].text = "{%tr endfor %}"
    return t


def plan_template():
    prose = _prose("_plan_prose.j2")
    doc = new_document()
    letterhead(doc, imports='{% import "_plan_prose.j2" as prose %}' + LETTER)
    p(doc, "{%p if draft %}", "GW Mark")
    p(doc, prose.draft_mark(), "GW Mark")
    p(doc, "{%p endif %}", "GW Mark")
    p(doc, "{{ title }}", "GW Title")
    p(doc, "", "GW Flush")
    p(doc, "{{ addressees }}", "GW Flush")
    p(doc, "{{ prose.intro(p) }}")
    p(doc, prose.time_heading(), "GW H1")
    p(doc, "{{ prose.activity_time(p) }}")
    p(doc, prose.marks_heading(), "GW H1")
    p(doc, "{%p if p.marks %}")
    p(doc, prose.marks_lead())
    table(doc, prose.marks_headers, "m in p.marks",
          ["{{ m.date_cn }}", "{{ prose.mark_name(m) }}", "{{ prose.mark_kind(m) }}"], [35, 80, 41])
    p(doc, "{%p else %}")
    p(doc, prose.no_marks())
    p(doc, "{%p endif %}")
    p(doc, "{{ prose.learning_heading(p) }}", "GW H1")
    p(doc, "{%p for cat in p.learning %}")
    p(doc, "{{ prose.category_heading(cn_numbers[loop.index0], cat) }}", "GW H2")
    p(doc, "{%p for item in cat['items'] %}")
    p(doc, "{{ prose.learning_item(item) }}")
    p(doc, "{%p endfor %}")
    p(doc, "{%p endfor %}")
    p(doc, prose.checklist_heading(), "GW H1")
    p(doc, prose.checklist_lead())
    table(doc, prose.checklist_headers, "item in checklist_rows",
          ["{{ item.code }}", "{{ item.task }}", "{{ item.title }}", "{{ prose.item_kind(item) }}"],
          [22, 42, 70, 22])
    p(doc, "{%p if p.programs %}")
    p(doc, prose.programs_heading(), "GW H1")
    p(doc, "{%p for prog in p.programs %}")
    p(doc, "{{ prose.program(loop.index, prog) }}")
    p(doc, "{%p endfor %}")
    p(doc, "{%p endif %}")
    p(doc, "{{ prose.requirements_heading(p) }}", "GW H1")
    p(doc, prose.plans_heading(), "GW H2")
    p(doc, "{{ prose.plans_due(p) }}")
    p(doc, prose.required_heading(), "GW H2")
    p(doc, prose.required_actions())
    p(doc, prose.inspection_heading(), "GW H2")
    p(doc, "{{ prose.inspection(p, sample_share_cn) }}")
    p(doc, "{%p if p.notes %}")
    p(doc, prose.notes_heading(), "GW H1")
    p(doc, "{%p for note in p.notes %}")
    p(doc, "{{ note }}", "GW Note")
    p(doc, "{%p endfor %}")
    p(doc, "{%p endif %}")
    p(doc, "", "GW Flush")
    p(doc, "{{ office_name }}", "GW Signature")
    p(doc, "{{ signed_cn }}", "GW Signature")
    p(doc, "{%p if comments %}")
    p(doc, prose.comments_heading(), "GW H1").paragraph_format.page_break_before = True
    table(doc, prose.comments_headers, "c in comments",
          ["{{ loop.index }}", "{{ c.department }}", "{{ c.content }}", "{{ c.disposition }}", "{{ c.reason }}"],
          [12, 20, 70, 22, 32])
    p(doc, "{%p endif %}")
    colophon(doc)
    return doc


def circular_template():
    prose = _prose("_circular_prose.j2")
    doc = new_document()
    letterhead(doc, imports='{% import "_circular_prose.j2" as prose %}' + LETTER)
    p(doc, "{{ title }}", "GW Title")
    p(doc, "", "GW Flush")
    p(doc, "{{ addressees }}", "GW Flush")
    p(doc, "{{ prose.opening(month_label, activity_date_cn) }}")
    p(doc, prose.basics_heading(), "GW H1")
    p(doc, "{{ prose.basics(s) }}")
    p(doc, "{%p if not s.scored %}")
    p(doc, prose.no_scores())
    p(doc, "{%p endif %}")
    p(doc, "{%p if s.unscored_drawn %}")
    p(doc, "{{ prose.unscored_drawn(s) }}")
    p(doc, "{%p endif %}")
    p(doc, "{%p if has_charts %}")
    p(doc, "{{ bars_image }}", "GW Figure")
    p(doc, "{{ trend_image }}", "GW Figure")
    p(doc, "{%p endif %}")
    p(doc, prose.practices_heading(), "GW H1")
    p(doc, "{%p if commended %}")
    p(doc, "{{ prose.commended_lead(commended|length, thresholds) }}")
    p(doc, "{%p for r in commended %}")
    p(doc, "{{ prose.commended_item(loop.index, r.township, r.name, r.final, r.activities) }}")
    p(doc, "{%p endfor %}")
    p(doc, "{%p else %}")
    p(doc, "{{ prose.no_commended(thresholds) }}")
    p(doc, "{%p endif %}")
    p(doc, prose.problems_heading(), "GW H1")
    p(doc, "{%p if categories %}")
    p(doc, "{{ prose.problems_lead(s, categories) }}")
    p(doc, "{%p for r in problems %}")
    p(doc, "{{ prose.problem_item(loop.index, r.township, r.name, r.category, r.problems) }}")
    p(doc, "{%p endfor %}")
    p(doc, "{%p else %}")
    p(doc, prose.no_problems())
    p(doc, "{%p endif %}")
    p(doc, "{%p if rectify %}")
    p(doc, "{{ prose.rectify_lead(rectify|length, thresholds) }}"
           "{% for r in rectify %}{{ prose.station_score(r.name, r.final) }}{{ '、' if not loop.last else '。' }}{% endfor %}")
    p(doc, "{%p endif %}")
    p(doc, prose.next_heading(), "GW H1")
    p(doc, "{{ prose.next_steps(s) }}")
    p(doc, "", "GW Flush")
    p(doc, "{{ office_name }}", "GW Signature")
    p(doc, "{{ signed_cn }}", "GW Signature")
    p(doc, prose.ranking_heading(), "GW H1").paragraph_format.page_break_before = True
    table(doc, prose.ranking_headers, "r in ranking",
          ["{{ r.rank or '—' }}", "{{ r.township }}", "{{ r.stations }}", "{{ r.scored }}",
           "{{ r.average|score if r.average is not none else prose.unscored_label }}", "{{ r.change|signed }}"],
          [16, 40, 22, 26, 26, 26])
    p(doc, prose.results_heading(), "GW H1")
    p(doc, "{%p if results %}")
    table(doc, prose.results_headers, "r in results",
          ["{{ loop.index }}", "{{ r.station_code }}", "{{ r.name }}", "{{ r.township }}", "{{ r.team_score|score }}",
           "{{ r.observer_score|score }}", "{{ r.final|score }}"], [12, 18, 48, 24, 18, 18, 18])
    p(doc, "{%p else %}")
    p(doc, prose.no_results())
    p(doc, "{%p endif %}")
    p(doc, "{%p if unscored %}")
    p(doc, prose.unscored_lead() + "{% for r in unscored %}{{ r.name }}{{ '、' if not loop.last else '。' }}{% endfor %}",
      "GW Note")
    p(doc, "{%p endif %}")
    p(doc, prose.digest_lead() + "{{ draw_digest }}" + prose.digest_tail(), "GW Note")
    colophon(doc)
    return doc


TEMPLATES = {"plan.docx": plan_template, "circular.docx": circular_template}


def template_bytes(name: str) -> bytes:
    out = io.BytesIO()
    doc = TEMPLATES[name]()
    doc.core_properties.author = "activity-day"
    out_doc = doc
    out_doc.save(out)
    return pin_zip(out.getvalue())


def build(target: Path = TEMPLATES_DIR) -> list[Path]:
    written = []
    for name in TEMPLATES:
        path = target / name
        path.write_bytes(template_bytes(name))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build():
        print(f"wrote {path}")  # noqa: T201
