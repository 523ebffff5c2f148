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


def docx_plain(data: bytes) -> str:
    """The text of a Word document: its paragraphs, then its tables' cells, then each text box's paragraphs (python-docx
    reads none of a text box: the 版记's 抄送 and 印发 lines are in one)."""
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(io.BytesIO(data))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    boxes = ["".join(t.text or "" for t in p.iter(qn("w:t")))
             for box in doc.element.body.iter(qn("w:txbxContent")) for p in box.iter(qn("w:p"))]
    return "\n".join([p.text for p in doc.paragraphs] + cells + boxes)
