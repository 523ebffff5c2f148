import io

import openpyxl
import pandas as pd

from activity_day.render import md_escape, neutralize, records, xlsx_bytes
from tasks.collect import reminder_list


def test_exports_neutralise_formulas() -> None:
    missing = pd.DataFrame([{"code": "001", "name": "=HYPERLINK(\"http://x\",\"点我\")", "township": "+镇",
                             "leader": "@王", "phone": "-1"}])
    sheet = reminder_list(missing, office="泗阳县文明办", month="2026年12月", deadline="2026年12月2日")
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([("未报送所站", sheet)])))
    row = [c.value for c in book.active[2]]
    assert row[:5] == ["001", "'=HYPERLINK(\"http://x\",\"点我\")", "'+镇", "'@王", "'-1"]
    assert row[5].startswith("【泗阳县文明办】=HYPERLINK")  # text that merely contains '=' is left alone
    assert neutralize(42) == 42 and neutralize("正常") == "正常"


def test_xlsx_is_byte_stable() -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", None]})
    assert xlsx_bytes([("s", frame)]) == xlsx_bytes([("s", frame)])


def test_markdown_escape_and_records() -> None:
    assert md_escape("a|b<script>\n") == "a\\|b&lt;script&gt; "
    assert records(pd.DataFrame({"x": [1.5, float("nan")], "y": [pd.NA, "z"]})) == [
        {"x": 1.5, "y": None}, {"x": None, "y": "z"}]
