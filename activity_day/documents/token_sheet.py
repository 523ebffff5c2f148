"""The printable token sheet (DOCX): one card per station, team, observer or speaker with the QR code of its phone-page
link, the link itself, and how to use it. Cut along the lines and hand each card to its holder."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from activity_day.documents.render import pin_zip

ROLE_PATHS = {"station": "/m/station", "team": "/m/team", "observer": "/m/observer", "speaker": "/m/speaker"}
HOW_TO = {
    "station": "用微信扫一扫打开：查看本月活动清单，报送活动计划，活动日签到、签退，报送整改报告。",
    "team": "用微信扫一扫打开：今日走访所站（按路线顺序）和评分表；没有信号时也可评分，恢复网络后自动发送。",
    "observer": "用微信扫一扫打开：本乡镇（街道）所站的评分表和本人的评分记录。",
    "speaker": "用微信扫一扫打开：本人本月的宣讲安排（所站、日期、宣讲队成员），接单或谢绝。",
}
KEEP = "此二维码即登录凭证，请妥善保管，不要转发他人；遗失请联系县文明办作废重发。"
COLUMNS = 2
QR_MM = 45


@dataclass(frozen=True)
class Card:
    """One holder's card: who (a title and a line under it) and the link with its token."""

    title: str
    subtitle: str
    link: str


def page_link(base_url: str, role: str, token: str) -> str:
    """The phone page's first-visit link: the page sets a cookie from `t` and drops it from the address."""
    return f"{base_url.rstrip('/')}{ROLE_PATHS[role]}?t={token}"


def qr_png(text: str) -> bytes:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=2)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out, format="PNG")
    return out.getvalue()


def _font(run, size_pt: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size, run.font.bold = Pt(size_pt), bold
    run.font.name = "黑体" if bold else "仿宋_GB2312"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), run.font.name)


def sheet_bytes(title: str, role: str, cards: list[Card], *, dated: datetime) -> bytes:
    """The sheet as DOCX bytes (the same cards give the same bytes: properties and zip times are pinned)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Mm

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(15)
    section.left_margin = section.right_margin = Mm(15)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(heading.add_run(title), 18, bold=True)
    _font(doc.add_paragraph().add_run(KEEP), 10.5)
    table = doc.add_table(rows=0, cols=COLUMNS)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for start in range(0, len(cards), COLUMNS):
        row = table.add_row()
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a card is never cut by a page break
        cells = row.cells
        for cell, card in zip(cells, cards[start:start + COLUMNS], strict=False):
            cell.width = Mm(90)
            name = cell.paragraphs[0]
            name.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(name.add_run(card.title), 13, bold=True)
            under = cell.add_paragraph()
            under.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(under.add_run(card.subtitle), 10.5)
            picture = cell.add_paragraph()
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            picture.add_run().add_picture(io.BytesIO(qr_png(card.link)), width=Mm(QR_MM))
            _font(cell.add_paragraph().add_run(HOW_TO[role]), 9)
            _font(cell.add_paragraph().add_run(card.link), 7.5)
    props = doc.core_properties
    props.created = props.modified = props.last_printed = dated
    props.title, props.author, props.last_modified_by, props.revision = title, "activity-day", "activity-day", 1
    out = io.BytesIO()
    doc.save(out)
    return pin_zip(out.getvalue())
