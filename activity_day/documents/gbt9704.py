"""GB/T 9704-2012 page furniture for the Word templates: the page, paragraph styles, 版头, 版记, tables,
attachments and figures. `docx_build` composes the two documents from these.
"""

from __future__ import annotations

from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor

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
    before: Length | None = None  # space above the paragraph


# The paragraph styles of every document, by the name the templates use.
STYLES: dict[str, Look] = {
    "Normal": Look(indent=True),
    # The issuer mark's top edge 35 mm below the text area's (GB/T 9704 7.2.1); its size is fitted to the
    # issuer's name when the document is rendered (render.fit_masthead).
    "GW Issuer": Look(font=TITLE_FONT, size=Pt(42), color=RED, align=WD_ALIGN_PARAGRAPH.CENTER, line=None,
                      before=Mm(35) - Pt(8)),
    "GW DocNo": Look(align=WD_ALIGN_PARAGRAPH.CENTER),
    "GW Title": Look(font=TITLE_FONT, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(36)),
    "GW Mark": Look(font=H1_FONT, align=WD_ALIGN_PARAGRAPH.CENTER),
    "GW H1": Look(font=H1_FONT, indent=True),
    "GW H2": Look(font=H2_FONT, indent=True),
    "GW Flush": Look(),
    "GW Signature": Look(align=WD_ALIGN_PARAGRAPH.RIGHT),
    "GW Note": Look(size=SIZE_4, indent=True),
    "GW Table": Look(size=Pt(10.5), line=Pt(16)),  # size 5 (10.5 pt) in tables
    "GW Colophon": Look(size=SIZE_4, line=Pt(28)),
    "GW Attachment": Look(font=H1_FONT),  # the attachment label, top left of its first page
    "GW Page": Look(font="宋体", size=SIZE_4, line=None),
    "GW Figure": Look(align=WD_ALIGN_PARAGRAPH.CENTER, line=None),
    "GW Caption": Look(font=H2_FONT, size=SIZE_4, align=WD_ALIGN_PARAGRAPH.CENTER),
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
    fmt.space_before = look.before or Pt(0)
    fmt.space_after = Pt(0)
    if look.line is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = look.line
    else:  # Normal is exact 28 pt; styles based on it must say single spacing or pictures get clipped
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.first_line_indent = Pt(32) if look.indent else Pt(0)
    fmt.keep_with_next = name.startswith("GW H")  # a heading never ends a page alone
    if look.align is not None:
        fmt.alignment = look.align
    return style


def _border(paragraph, side: str, *, size: int, color: str = "000000", space: int = 1) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), str(space))
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


def p(container, text: str, style: str = "Normal"):
    """A paragraph at the end of the document body, or of a footer."""
    return container.add_paragraph(text, style=style)


LETTER = '{% import "_document_prose.j2" as letter %}'  # the colophon's prose, which both documents share


def letterhead(doc) -> None:
    """版头 (issued documents only): the issuer mark in red, two lines down the number, 4 mm under it the red
    separator as wide as the text, then two empty lines before the title. A draft for comments has none."""
    p(doc, "{%p if issuer %}", "GW Flush")
    p(doc, "{{ issuer }}", "GW Issuer")
    p(doc, "", "GW Flush")
    p(doc, "", "GW Flush")
    _border(p(doc, "{{ doc_number }}", "GW DocNo"), "bottom", size=12, color="FF0000", space=11)
    p(doc, "", "GW Flush")
    p(doc, "", "GW Flush")
    p(doc, "{%p endif %}", "GW Flush")


# 版记 rules (GB/T 9704 7.4.1): the first and the last thick (0.35 mm), the ones between thin (0.25 mm);
# sizes in eighths of a point.
THICK, THIN = 8, 6
COLOPHON_INDENT = Pt(14)  # one character (14 pt) on each side


def _colophon_line(container, text: str, *, top: int | None, bottom: int | None):
    line = p(container, text, "GW Colophon")
    line.paragraph_format.left_indent = line.paragraph_format.right_indent = COLOPHON_INDENT
    if top:
        _border(line, "top", size=top)
    if bottom:
        _border(line, "bottom", size=bottom)
    return line


def _issued_line(container, *, top: int):
    """The printing office on the left, the date of printing flush right (a right tab at the right indent)."""
    line = _colophon_line(container, "{{ printer }}", top=top, bottom=THICK)
    line.paragraph_format.tab_stops.add_tab_stop(Mm(156) - COLOPHON_INDENT, WD_TAB_ALIGNMENT.RIGHT)
    line.add_run("\t")
    line.add_run("{{ letter.issued_on(signed_cn) }}")
    return line


def colophon(doc) -> None:
    """版记 (GB/T 9704 7.4): on the last page, which is even, with its last line on the last line of the text area.

    It is the footer of a last section that starts on an even page: when the text ends on an odd page the
    版记 page follows it; when the text ends on an even page, Word and LibreOffice insert a blank page first.
    The 版记 page has no page number. The footer sits 35 mm from the
    page's bottom edge, the bottom of the text area. Footers are rendered on their own, so the first line
    imports the macros again.
    """
    section = doc.add_section(WD_SECTION.EVEN_PAGE)
    section.footer_distance = Mm(35)
    for footer in (section.footer, section.even_page_footer):
        footer.is_linked_to_previous = False
        first = footer.paragraphs[0]
        first.text = LETTER
        first.style = doc.styles["GW Colophon"]
        p(footer, "{%p if cc %}", "GW Colophon")
        _colophon_line(footer, "{{ letter.copied(cc) }}", top=THICK, bottom=None)
        _issued_line(footer, top=THIN)
        p(footer, "{%p else %}", "GW Colophon")
        _issued_line(footer, top=THICK)
        p(footer, "{%p endif %}", "GW Colophon")


def table(doc, headers: list[str], loop: str, cells: list[str], widths_mm: list[int]):
    """A bordered table whose body row repeats over `loop` (docxtpl {%tr %} rows)."""
    t = doc.add_table(rows=4, cols=len(headers))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    margins = OxmlElement("w:tblCellMar")  # 1 mm inside each cell, so that names and numbers fit on one line
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), "57")
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    t._tbl.tblPr.append(margins)
    for column, width in zip(t.columns, widths_mm, strict=True):
        column.width = Mm(width)  # the grid widths, which LibreOffice and WPS follow
    for row in t.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
            cell.paragraphs[0].style = doc.styles["GW Table"]
    header_row = t.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row repeats at the top of every page
    repeat.set(qn("w:val"), "true")
    header_row.append(repeat)
    for row in t.rows:
        cant_split = OxmlElement("w:cantSplit")  # a row never breaks across pages
        row._tr.get_or_add_trPr().append(cant_split)
    for cell, header in zip(t.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].text = header
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.paragraphs[0].runs[0].bold = True
    t.rows[1].cells[0].paragraphs[0].text = "{%tr for " + loop + " %}"
    for cell, text in zip(t.rows[2].cells, cells, strict=True):
        cell.paragraphs[0].text = text
    t.rows[3].cells[0].paragraphs[0].text = "{%tr endfor %}"
    return t


def attachments_note(doc, prose) -> None:
    """附件说明: one empty line after the body, then 附件：1．… indented two characters, the others aligned under
    the first name."""
    p(doc, "", "GW Flush").paragraph_format.keep_with_next = True
    for number, title in enumerate(prose.attachment_titles, start=1):
        line = p(doc, (prose.attachments_lead() if number == 1 else "") + prose.attachment_item(number, title))
        line.paragraph_format.keep_with_next = True  # with the signature below: never a page of its own
        if number > 1:
            line.paragraph_format.first_line_indent = Pt(0)
            line.paragraph_format.left_indent = Pt(16 * 5)  # two characters and 附件：


def attachments_list(doc, loop: str, item: str, lead: str) -> None:
    """附件说明 for attachments the context numbers (`loop` over them, `item` the field of one): the first line
    says `lead` (附件：), the others align under the first name, as attachments_note does."""
    p(doc, "", "GW Flush").paragraph_format.keep_with_next = True
    p(doc, "{%p for " + loop + " %}")
    p(doc, "{%p if loop.first %}")
    p(doc, lead + item).paragraph_format.keep_with_next = True
    p(doc, "{%p else %}")
    line = p(doc, item)
    line.paragraph_format.keep_with_next = True
    line.paragraph_format.first_line_indent = Pt(0)
    line.paragraph_format.left_indent = Pt(16 * 5)
    p(doc, "{%p endif %}")
    p(doc, "{%p endfor %}")


def signature(doc) -> None:
    """Two empty lines, the issuing office and the date, kept together (and with the 附件说明 above)."""
    for text, style in (("", "GW Flush"), ("", "GW Flush"), ("{{ office_name }}", "GW Signature"),
                        ("{{ signed_cn }}", "GW Signature")):
        line = p(doc, text, style)
        line.paragraph_format.keep_with_next = text != "{{ signed_cn }}"


def attachment(doc, prose, number: int) -> None:
    """An attachment's first lines, on a new page: its label top left in 黑体, its title centred."""
    label = p(doc, prose.attachment_label(number), "GW Attachment")
    label.paragraph_format.page_break_before = True
    p(doc, prose.attachment_titles[number - 1], "GW Title")
    p(doc, "", "GW Flush")


def numbered_attachment(doc, number: str, title: str) -> None:
    """An attachment whose number and title are fields of the context (`number`, `title`: expressions)."""
    label = p(doc, "{{ prose.attachment_label(" + number + ") }}", "GW Attachment")
    label.paragraph_format.page_break_before = True
    p(doc, "{{ " + title + " }}", "GW Title")
    p(doc, "", "GW Flush")


def figure(doc, image: str, caption: str) -> None:
    p(doc, "{{ " + image + " }}", "GW Figure")
    p(doc, caption, "GW Caption")


