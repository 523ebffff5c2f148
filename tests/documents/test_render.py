import io
import zipfile

import openpyxl
import pandas as pd

from activity_day.documents.render import md_escape, records, xlsx_bytes
from activity_day.tasks.collect import reminder_list


def test_exports_write_formula_like_text_as_plain_strings() -> None:
    missing = pd.DataFrame([{"code": "001", "name": "=HYPERLINK(\"http://x\",\"点我\")", "township": "+镇",
                             "leader": "@王", "phone": "-1"}])
    sheet = reminder_list(missing, office="泗阳县文明办", month="2026年12月", deadline="2026年12月2日")
    data = xlsx_bytes([("未报送所站", sheet)])
    cells = list(openpyxl.load_workbook(io.BytesIO(data)).active[2])
    assert [c.value for c in cells[:5]] == ["001", "=HYPERLINK(\"http://x\",\"点我\")", "+镇", "@王", "-1"]
    assert all(c.data_type == "s" for c in cells)  # text, never a formula ("f")
    assert cells[5].value.startswith("【泗阳县文明办】=HYPERLINK")
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()


def test_a_cell_reading_equals_one_plus_one_reads_back_as_that_text() -> None:
    data = xlsx_bytes([("s", pd.DataFrame({"a": ["=1+1"]}))])
    cell = openpyxl.load_workbook(io.BytesIO(data)).active["A2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")
    from python_calamine import CalamineWorkbook

    assert CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python() == [["a"], ["=1+1"]]


def test_formula_like_text_carries_the_quote_prefix_so_it_stays_text_when_edited() -> None:
    frame = pd.DataFrame({"a": ["=1+1", "+镇", "-1", "@王", "普通", "1=1"]})
    cells = [row[0] for row in openpyxl.load_workbook(io.BytesIO(xlsx_bytes([("s", frame)]))).active.iter_rows(min_row=2)]
    assert [bool(c.quotePrefix) for c in cells] == [True, True, True, True, False, False]
    assert [c.value for c in cells] == ["=1+1", "+镇", "-1", "@王", "普通", "1=1"]


def test_markdown_templates_never_let_text_stand_as_html_or_a_link() -> None:
    from activity_day.documents.render import environment, md_text

    assert md_text("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert md_text("[点我](javascript:x)") == "&#91;点我](javascript:x)"
    assert md_text(md_text("<b>[x]")) == md_text("<b>[x]") and md_text(3) == 3
    template = environment(markdown=True).from_string("# {{ t }}\n\n| {{ c|md }} |\n")
    assert template.render(t="<img src=x onerror=alert(1)>", c="a|<b>") == (
        "# &lt;img src=x onerror=alert(1)&gt;\n\n| a\\|&lt;b&gt; |\n")
    assert "<b>" in environment().from_string("{{ t }}").render(t="<b>")  # plain text templates as before


def test_xlsx_is_byte_stable() -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", None]})
    assert xlsx_bytes([("s", frame)]) == xlsx_bytes([("s", frame)])


def test_markdown_escape_and_records() -> None:
    assert md_escape("a|b<script>\n") == "a\\|b&lt;script&gt; "
    assert records(pd.DataFrame({"x": [1.5, float("nan")], "y": [pd.NA, "z"]})) == [
        {"x": 1.5, "y": None}, {"x": None, "y": "z"}]


def test_a_word_document_is_compressed_once_into_the_bytes_saving_and_pinning_give() -> None:
    from docx import Document
    from docx.shared import Mm
    from PIL import Image

    from activity_day.documents.render import FIXED_ZIP_TIME, pin_zip, pinned_docx
    from activity_day.resources import TEMPLATES_DIR

    png = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(png, format="PNG")
    for name in ("plan.docx", "circular.docx", "evaluation.docx"):
        doc = Document(str(TEMPLATES_DIR / name))
        doc.add_paragraph("附件：各所站得分")
        doc.add_picture(io.BytesIO(png.getvalue()), width=Mm(20))
        saved = io.BytesIO()
        doc.save(saved)
        pinned = pinned_docx(doc)
        assert pinned == pin_zip(saved.getvalue()), name
        with zipfile.ZipFile(io.BytesIO(pinned)) as package:
            assert {"[Content_Types].xml", "word/document.xml", "word/media/image1.png"} <= set(package.namelist())
            assert {i.date_time for i in package.infolist()} == {FIXED_ZIP_TIME}
