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
from docx.oxml import OxmlElement, parse_xml
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
    # issuer's name when the document is rendered (typeset.fit_masthead).
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


# 版记 rules (GB/T 9704 7.4.1): as wide as the type area, the first and the last thick (0.35 mm), the ones
# between thin (0.25 mm); sizes in eighths of a point.
THICK, THIN = 8, 6
COLOPHON_INDENT = Pt(14)  # the text one character (四号, 14 pt) in from each end of the rules
COLOPHON_LEAD = Pt(14 * 3)  # 抄送： a wrapped 抄送 line aligns after the colon
COLOPHON_BOX = "colophon"  # the id of the text box typeset.fit_colophon sizes

VML = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
       'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
       'xmlns:w10="urn:schemas-microsoft-com:office:word"')


def _rules(table) -> None:
    """The 版记's rules as the table's borders: thick above and below, thin between its rows, none at the sides;
    a row the context leaves out ({%tr if %}) takes its rule with it."""
    borders = OxmlElement("w:tblBorders")
    for side, size in (("top", THICK), ("left", None), ("bottom", THICK), ("right", None), ("insideH", THIN),
                       ("insideV", None)):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single" if size else "nil")
        if size:
            edge.set(qn("w:sz"), str(size))
            edge.set(qn("w:space"), "0")
            edge.set(qn("w:color"), "000000")
        borders.append(edge)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(COLOPHON_INDENT.twips))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    pr = table._tbl.tblPr
    width = pr.find(qn("w:tblW"))
    width.set(qn("w:w"), str(Mm(156).twips))
    width.set(qn("w:type"), "dxa")
    for element in (borders, margins):
        pr.append(element)


def colophon(doc, when: str | None = None) -> None:
    """版记 (GB/T 9704 7.4): at the foot of the last page, its last rule on the last line of the type area.

    It is a text box anchored to the end of the text, at the bottom of the type area, with the text kept
    above it: it shares the last page when the text leaves room and moves to a page of its own when not. A
    Word file cannot make that page even (a section break starting on an even page always breaks the page,
    which put the 版记 alone after a page with room); the document ends where its text ends. Inside, a table
    of one column: 抄送 (if any) and the printing office with the date, its borders the rules. `when` is the
    context's condition for a 版记 at all. typeset.fit_colophon sets the box's height to the rows rendered.
    """
    if when:
        p(doc, "{%p if " + when + " %}", "GW Flush")
    table = doc.add_table(rows=4, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _rules(table)
    table.columns[0].width = Mm(156)
    for row in table.rows:
        row.cells[0].width = Mm(156)
        row.cells[0].paragraphs[0].style = doc.styles["GW Colophon"]
    rows = [row.cells[0].paragraphs[0] for row in table.rows]
    rows[0].text, rows[2].text = "{%tr if cc %}", "{%tr endif %}"
    rows[1].text = "{{ letter.copied(cc) }}"
    rows[1].paragraph_format.left_indent = COLOPHON_LEAD
    rows[1].paragraph_format.first_line_indent = -COLOPHON_LEAD
    issued = rows[3]
    issued.add_run("{{ printer }}")
    issued.add_run("\t")
    issued.add_run("{{ letter.issued_on(signed_cn) }}")
    issued.paragraph_format.tab_stops.add_tab_stop(Mm(156) - 2 * COLOPHON_INDENT, WD_TAB_ALIGNMENT.RIGHT)
    table._tbl.getparent().remove(table._tbl)
    # Text in a table needs a paragraph after it; a point high, so that the last rule ends the box.
    after = f'<w:p {VML}><w:pPr><w:spacing w:line="20" w:lineRule="exact"/></w:pPr></w:p>'
    anchor = parse_xml(
        f'<w:p {VML}><w:pPr><w:pStyle w:val="GWFlush"/><w:spacing w:line="20" w:lineRule="exact"/></w:pPr>'
        '<w:r><w:pict>'
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        f'<v:shape id="{COLOPHON_BOX}" o:spid="_x0000_s1025" type="#_x0000_t202" filled="f" stroked="f" '
        'style="position:absolute;margin-left:0;margin-top:0;width:156mm;height:57pt;z-index:1;'
        'mso-position-horizontal:center;mso-position-horizontal-relative:margin;'
        'mso-position-vertical:bottom;mso-position-vertical-relative:margin">'
        '<v:textbox inset="0,0,0,0" style="mso-fit-shape-to-text:t"><w:txbxContent/></v:textbox>'
        '<w10:wrap type="topAndBottom" anchorx="margin" anchory="margin"/></v:shape></w:pict></w:r></w:p>')
    content = anchor.find(".//" + qn("w:txbxContent"))
    content.append(table._tbl)
    content.append(parse_xml(after))
    doc.element.body.find(qn("w:sectPr")).addprevious(anchor)
    if when:
        p(doc, "{%p endif %}", "GW Flush")


def table(doc, headers: list[str], loop: str, cells: list[str], widths_mm: list[int] | None = None):
    """A bordered table whose body row repeats over `loop` (docxtpl {%tr %} rows).

    Its column widths come from the rendered content (typeset.fit_tables); `widths_mm` only shapes the template
    as Word shows it before rendering, the columns equal by default.
    """
    widths_mm = widths_mm or [156 / len(headers)] * len(headers)
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


def attachments_list(doc, loop: str, item: str, lead: str) -> None:
    """附件说明 for attachments the context numbers (`loop` over them, `item` the field of one): the first line
    says `lead` (附件：), the others indented to align under the first name; each line kept with the signature
    below, so the 附件说明 never ends a page alone."""
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
    """A chart and its caption below it, kept on one page."""
    p(doc, "{{ " + image + " }}", "GW Figure").paragraph_format.keep_with_next = True
    p(doc, caption, "GW Caption")


