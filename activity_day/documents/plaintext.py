"""A rendered document as the plain text a reader sees, for the rules that hold the words to the facts.

Word: every paragraph, then every table cell, then the text boxes (the 版记 is one); HTML: the text without tags, styles and inline charts; Markdown
is plain text already.
"""

from __future__ import annotations

import html
import io
import re


def html_plain(page: str) -> str:
    """The visible text of an HTML document."""
    page = re.sub(r"<(style|svg|script)\b.*?</\1>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# A run's text as python-docx gives it: w:t its text, w:tab and w:ptab a tab, w:cr and a line break (w:br with no
# type or textWrapping) a newline, w:noBreakHyphen a hyphen; page and column breaks nothing.
_RUN_PARTS = {W + "tab": "\t", W + "ptab": "\t", W + "cr": "\n", W + "noBreakHyphen": "-"}


def docx_plain(data: bytes) -> str:
    """The text of a Word document: its paragraphs, then its tables' cells, then each text box's paragraphs.

    The same text as python-docx's `paragraphs`, `tables[…].rows[…].cells[…].text` (a cell spanning columns once
    per column, a vertically merged cell's top for each of its rows) and the text boxes' `w:t`, read straight from
    the XML with lxml: python-docx's element lookups made it a fifth of a circular's compile step.
    """
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        body = etree.fromstring(package.read("word/document.xml")).find(W + "body")
    paragraphs = [_paragraph(p) for p in body.iterchildren(W + "p")]
    cells = [text for table in body.iterchildren(W + "tbl") for text in _table_cells(table)]
    boxes = ["".join(t.text or "" for t in p.iter(W + "t"))
             for box in body.iter(W + "txbxContent") for p in box.iter(W + "p")]
    return "\n".join(paragraphs + cells + boxes)


def _run(run) -> str:
    parts = []
    for e in run.iterchildren():
        if e.tag == W + "t":
            parts.append(e.text or "")
        elif e.tag == W + "br":
            parts.append("\n" if e.get(W + "type", "textWrapping") == "textWrapping" else "")
        else:
            parts.append(_RUN_PARTS.get(e.tag, ""))
    return "".join(parts)


def _paragraph(p) -> str:
    return "".join(_run(e) if e.tag == W + "r" else "".join(_run(r) for r in e.iterchildren(W + "r"))
                   for e in p.iterchildren(W + "r", W + "hyperlink"))


def _table_cells(table) -> list[str]:
    """Each row's cells, in grid order, as python-docx's `_Row.cells` gives them."""
    out: list[str] = []
    above: dict[int, tuple[str, int]] = {}  # grid column -> (the text of the cell there, its span) in the last row
    for row in table.iterchildren(W + "tr"):
        column, current = 0, {}
        for tc in row.iterchildren(W + "tc"):
            pr = tc.find(W + "tcPr")
            span_el = pr.find(W + "gridSpan") if pr is not None else None
            merge_el = pr.find(W + "vMerge") if pr is not None else None
            span = int(span_el.get(W + "val")) if span_el is not None else 1
            if merge_el is not None and merge_el.get(W + "val", "continue") == "continue" and column in above:
                text, span = above[column]  # the vertical span's top cell, as wide as this one
            else:
                text = "\n".join(_paragraph(p) for p in tc.iterchildren(W + "p"))
            out.extend([text] * span)
            current[column] = (text, span)
            column += span
        above = current
    return out
