"""What a typesetter does to a Word document after the text is in: titles broken at sense boundaries, table
columns as wide as their content needs, the 版记 box as high as its rows, the signature kept with the text, the
issuer mark and the signature placed (GB/T 9704). documents.render calls these on every document it renders."""

from __future__ import annotations

import copy
import re
from typing import Any

from activity_day.documents.layout import (
    CELL_PADDING_PT,
    COLOPHON_BOX,
    TEXT_WIDTH_PT,
    cell_lines,
    colophon_height,
    column_widths,
    title_lines,
)


def styled_paragraphs(document: Any, style_name: str) -> list[Any]:
    """The body paragraphs in one paragraph style, found by style id in the XML.

    `paragraph.style` resolves every paragraph through the style table (python-docx scans it each time),
    which was a third of a document's rendering time.
    """
    from activity_day.documents.docx_styles import style_id

    wanted = style_id(document, style_name)
    return [p for p in document.paragraphs if p._p.style == wanted]


def fit_signature(document: Any, indents: dict[str, float]) -> None:
    """Place the issuing office and the date (the two GW Signature paragraphs) as `signature_indents` says."""
    from docx.shared import Pt

    lines = styled_paragraphs(document, "GW Signature")
    for line, key in zip(lines, ("name_pt", "date_pt"), strict=False):
        line.paragraph_format.right_indent = Pt(indents[key])


def fit_masthead(document: Any, mark: dict[str, float]) -> None:
    """Size the issuer mark (发文机关标志) to its text: the size and horizontal scale `masthead()` chose."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for paragraph in styled_paragraphs(document, "GW Issuer"):
        for run in paragraph.runs:
            run.font.size = Pt(mark["size_pt"])
            rpr = run._r.get_or_add_rPr()
            scale = rpr.find(qn("w:w"))
            if scale is None:
                scale = OxmlElement("w:w")
                rpr.append(scale)
            scale.set(qn("w:val"), str(mark["scale_pct"]))


def typeset(document: Any) -> None:
    """What a typesetter does after the text is in: titles broken at sense boundaries, table columns as wide as
    their content needs, the 版记 box as high as its rows."""
    break_titles(document)
    fit_tables(document)
    fit_colophon(document)
    keep_signature_with_text(document)


ATTACHMENT_NOTE_LINE = re.compile(r"^(附件：)?\d+．")


def keep_signature_with_text(document: Any) -> None:
    """The signature, and the 附件说明 above it, never stand on a page without text of the body (GB/T 9704
    7.3.5): the body's last paragraph and every line between it and the signature are kept with the next, so
    where the signature would open a page, that paragraph goes over with it."""
    from docx.text.paragraph import Paragraph

    from activity_day.documents.docx_styles import style_id

    signature = style_id(document, "GW Signature")  # by id: `paragraph.style` scans the style table each time
    paragraphs = document.paragraphs
    first = next((i for i, p in enumerate(paragraphs) if p._p.style == signature), None)
    for p in reversed([p._p for p in paragraphs[:first or 0]]):
        Paragraph(p, document).paragraph_format.keep_with_next = True
        text = _text(p).strip()
        if text and not ATTACHMENT_NOTE_LINE.match(text):
            return  # the body's last paragraph


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _set_cell_width(cell: Any, twips: str) -> None:
    """A cell's w:tcW as `twips` dxa. Found with lxml where the template has it (python-docx's property lookups
    were a third of fitting the tables); python-docx adds it, in its place in w:tcPr, where it is missing."""
    pr = cell.find(W + "tcPr")
    width = pr.find(W + "tcW") if pr is not None else None
    if width is None:
        width = cell.get_or_add_tcPr().get_or_add_tcW()
    width.set(W + "w", twips)
    width.set(W + "type", "dxa")


def _text(element: Any) -> str:
    from docx.oxml.ns import qn

    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def _set_lines(paragraph: Any, lines: list[str]) -> None:
    """Replace a paragraph's runs by one run of `lines` with line breaks between, formatted as its first run."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    runs = paragraph.findall(qn("w:r"))
    props = runs[0].find(qn("w:rPr")) if runs else None
    for old in runs:
        paragraph.remove(old)
    run = OxmlElement("w:r")
    if props is not None:
        run.append(copy.deepcopy(props))
    for n, line in enumerate(lines):
        if n:
            run.append(OxmlElement("w:br"))
        text = OxmlElement("w:t")
        text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        text.text = line
        run.append(text)
    paragraph.append(run)


def break_titles(document: Any) -> None:
    """Every title (GW Title: the document's and its attachments') in the lines layout.title_lines chooses."""
    for paragraph in styled_paragraphs(document, "GW Title"):
        lines = title_lines(paragraph.text.replace("\n", ""))  # idempotent: a broken title again
        if len(lines) > 1:
            _set_lines(paragraph._p, lines)


STATION_SUFFIX = re.compile("新时代文明实践(?:所|站|中心)$")


def fit_tables(document: Any) -> None:
    """Each table's column widths from its rendered content (layout.column_widths), the table as wide as the
    type area; a header that does not fit its column on one line is broken between its words."""
    from docx.oxml.ns import qn

    total = round(TEXT_WIDTH_PT * 20)  # twips
    for table in document.element.body.iterchildren(qn("w:tbl")):
        grid = table.find(qn("w:tblGrid")).findall(qn("w:gridCol"))
        rows = [(row, row.findall(qn("w:tc"))) for row in table.findall(qn("w:tr"))]
        if not rows or any(len(cells) != len(grid) for _, cells in rows):
            continue  # merged cells: left as the template has them
        header = next((n for n, (row, _) in enumerate(rows) if row.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}")
                       is not None), 0)
        texts = [[_text(cell) for cell in cells] for _, cells in rows]
        columns = column_widths(texts[header], [t for n, t in enumerate(texts) if n != header])
        twips = [round(w * 20) for w in columns.widths]
        twips[-1] += total - sum(twips)
        for col, width in zip(grid, twips, strict=True):
            col.set(qn("w:w"), str(width))
        for _, cells in rows:
            for cell, width in zip(cells, twips, strict=True):
                _set_cell_width(cell, str(width))
        table_width = table.tblPr.find(qn("w:tblW"))
        if table_width is not None:
            table_width.set(qn("w:w"), str(total))
            table_width.set(qn("w:type"), "dxa")
        for cell, lines in zip(rows[header][1], columns.headers, strict=True):
            if len(lines) > 1:
                _set_lines(cell.find(qn("w:p")), lines)
        for n, (_, cells) in enumerate(rows):  # a station's name too long for its cell: broken before 新时代…站
            for cell, text, width in zip(cells, texts[n], twips, strict=True):
                paragraphs = cell.findall(qn("w:p"))
                if n != header and STATION_SUFFIX.search(text) and len(paragraphs) == 1 \
                        and cell.find(f".//{qn('w:br')}") is None:
                    lines = cell_lines(text, width / 20 - CELL_PADDING_PT)
                    if len(lines) == 2 and STATION_SUFFIX.fullmatch(lines[1]):
                        _set_lines(paragraphs[0], lines)


def fit_colophon(document: Any) -> None:
    """The 版记 box (gbt9704.colophon) as high as the rows the context left in it."""
    from docx.oxml.ns import qn

    for shape in document.element.body.iter("{urn:schemas-microsoft-com:vml}shape"):
        if shape.get("id") == COLOPHON_BOX:
            height = colophon_height([_text(row) for row in shape.iter(qn("w:tr"))])
            shape.set("style", re.sub(r"height:[^;]*", f"height:{height:g}pt", shape.get("style")))
