"""Line breaks and column widths (documents/layout.py), on the documents' real titles and table headers."""

from __future__ import annotations

import pytest

from activity_day.documents.contexts import circular_title, plan_title
from activity_day.documents.demonstration import notice_title
from activity_day.documents.evaluation import period_label
from activity_day.documents.layout import (
    COLOPHON_LINE_PT,
    NEVER,
    TABLE_PT,
    TEXT_WIDTH_PT,
    TITLE_PT,
    TITLE_WORDS,
    cell_lines,
    colophon_height,
    column_widths,
    header_lines,
    header_words,
    text_width,
    title_breaks,
    title_lines,
    tokens,
)
from activity_day.documents.render import environment, typeset_html


def evaluation_title(county: str, period: str) -> str:
    """As evaluation_context spells it."""
    return f"{county}{period_label(period)}新时代文明实践所站综合评价报告"


def prose(name: str):
    return environment().get_template(name).module


REAL_TITLES = [
    *(plan_title(m) for m in ("2027-01", "2027-06", "2027-12")),
    *(circular_title(m) for m in ("2026-12", "2027-01", "2027-10")),
    *(evaluation_title(c, p) for c in ("泗阳县", "如东县") for p in ("2027", "2027-Q1", "2027-H2", "2027-03")),
    *(notice_title(k, "2027", c) for k in ("publicity", "naming") for c in ("泗阳县", "某某土家族苗族自治县")),
    *(f"{m}新时代文明实践集中活动日方案部门意见处理情况表" for m in ("2027年1月", "2027年12月")),
    *prose("_circular_prose.j2").attachment_names.values(),
    *prose("_evaluation_prose.j2").attachment_titles,
    prose("_plan_prose.j2").comments_title,
]


@pytest.mark.parametrize("title", REAL_TITLES)
def test_every_real_title_breaks_only_between_words_and_fits(title: str) -> None:
    lines = title_lines(title)
    assert "".join(lines) == title
    assert all(text_width(line, TITLE_PT) <= TEXT_WIDTH_PT for line in lines), lines
    offsets = {sum(len(line) for line in lines[:n]) for n in range(1, len(lines))}
    assert offsets <= title_breaks(title), lines
    assert len(lines) == (1 if text_width(title, TITLE_PT) <= TEXT_WIDTH_PT - TITLE_PT / 2 else 2), lines
    if len(lines) > 1:  # a trapezoid, not a line and a stub
        assert min(text_width(line, TITLE_PT) for line in lines) >= 4 * TITLE_PT, lines


def test_titles_break_before_the_subject() -> None:
    assert title_lines(plan_title("2027-01")) == ["关于开展2027年1月", "新时代文明实践集中活动日活动的通知"]
    assert title_lines(circular_title("2026-12")) == ["关于2026年12月", "新时代文明实践集中活动日督查情况的通报"]
    assert title_lines(evaluation_title("泗阳县", "2027")) == ["泗阳县2027年度", "新时代文明实践所站综合评价报告"]
    assert title_lines(notice_title("naming", "2027", "泗阳县")) == ["关于命名2027年度泗阳县",
                                                                   "新时代文明实践示范所站的通知"]
    assert title_lines(notice_title("publicity", "2027", "泗阳县")) == ["关于2027年度泗阳县",
                                                                      "新时代文明实践示范所站拟命名名单的公示"]
    assert title_lines("所站得分表") == ["所站得分表"]


def test_a_title_of_unknown_words_breaks_between_characters_only_when_nothing_else_fits() -> None:
    title = "一二三四五六七八九十" * 3 + "一二三四五六"  # 36 characters: two lines of 18
    lines = title_lines(title)
    assert "".join(lines) == title and len(lines) == 2
    assert all(text_width(line, TITLE_PT) <= TEXT_WIDTH_PT for line in lines)
    assert [t.cost for t in tokens("甲乙丙", TITLE_WORDS, 2.0)] == [2.0]  # one piece: never split while words fit
    assert NEVER > 100


HEADERS = [h for name in ("_circular_prose.j2", "_plan_prose.j2", "_evaluation_prose.j2", "_demonstration_prose.j2")
           for key, value in vars(prose(name)).items() if key.endswith("headers") for h in value]


@pytest.mark.parametrize("header", sorted(set(HEADERS)))
def test_headers_break_only_between_their_words(header: str) -> None:
    words = [w.text for w in header_words(header)]
    assert "".join(words) == header
    widest = max(text_width(w, TABLE_PT) for w in words)
    for width in (widest, widest + TABLE_PT, text_width(header, TABLE_PT)):
        lines = header_lines(header, width)
        assert "".join(lines) == header
        assert all(text_width(line, TABLE_PT) <= width for line in lines)
        cuts = {sum(len(line) for line in lines[:n]) for n in range(1, len(lines))}
        assert cuts <= {sum(len(w) for w in words[:n]) for n in range(1, len(words))}, lines


def test_header_words() -> None:
    assert [w.text for w in header_words("综合得分")] == ["综合得分"]
    assert [w.text for w in header_words("乡镇（街道）")] == ["乡镇", "（街道）"]
    assert [w.text for w in header_words("检查组评分所站数")] == ["检查组", "评分", "所站数"]


RESULTS = prose("_circular_prose.j2").results_headers
ROWS = [["1", "065", "新袁镇永兴湖社区新时代文明实践站", "新袁镇", "100.00", "—", "100.00"],
        ["12", "176", "张家圩镇黄岗村新时代文明实践站", "张家圩镇", "96.30", "89.00", "96.70"],
        ["127", "228", "三庄乡富口村新时代文明实践站", "三庄乡", "87.00", "95.90", "89.67"]]


def test_columns_keep_numbers_and_header_words_whole_and_give_the_rest_to_names() -> None:
    columns = column_widths(RESULTS, ROWS, padding=7.0)
    assert sum(columns.widths) == pytest.approx(TEXT_WIDTH_PT)
    inner = [w - 7.0 for w in columns.widths]
    for row in ROWS:
        for c in (0, 1, 3, 4, 5, 6):  # numbers and townships on one line
            assert text_width(row[c], TABLE_PT) <= inner[c], (RESULTS[c], row[c])
    assert all(text_width(name, TABLE_PT) <= inner[2] for name in [r[2] for r in ROWS])  # the names fit too
    for header, lines, width in zip(RESULTS, columns.headers, inner, strict=True):
        assert "".join(lines) == header and all(text_width(line, TABLE_PT) <= width for line in lines)
    assert columns.headers[RESULTS.index("综合得分")] == ["综合得分"]


def test_long_text_columns_share_what_is_left_and_wrap() -> None:
    headers = ["序号", "乡镇（街道）", "所站名称", "问题类别", "存在问题"]
    rows = [[str(n), "众兴街道", "众兴街道南集社区新时代文明实践站" * 2, "台账资料", "活动记录不完整；志愿者签到不规范；" * 3]
            for n in range(1, 40)]
    columns = column_widths(headers, rows)
    inner = [w - 7.0 for w in columns.widths]
    assert text_width("39", TABLE_PT) <= inner[0] and text_width("众兴街道", TABLE_PT) <= inner[1]
    assert text_width("台账资料", TABLE_PT) <= inner[3]
    assert inner[2] > 5 * TABLE_PT and inner[4] > 5 * TABLE_PT  # the long columns get the most
    assert sum(columns.widths) == pytest.approx(TEXT_WIDTH_PT)


def test_body_cells_break_between_words() -> None:
    """A station's name breaks before 新时代文明实践站, never inside it; a list after its separators, never before
    one; a cell that fits stays whole; a name column always holds the suffix on one line."""
    name = "新袁镇林桥村新时代文明实践站"
    assert cell_lines(name, text_width(name, TABLE_PT)) == [name]
    assert cell_lines(name, 10 * TABLE_PT) == ["新袁镇林桥村", "新时代文明实践站"]
    problems = "台账不全；签到不规范；氛围不浓"
    assert cell_lines(problems, 7 * TABLE_PT) == ["台账不全；", "签到不规范；", "氛围不浓"]
    lines = cell_lines(problems, 6 * TABLE_PT)  # a clause wider than the line: broken inside, not before its ；
    assert "".join(lines) == problems and not any(line.startswith("；") for line in lines) and len(lines) == 4
    headers = ["序号", "乡镇（街道）", "所站名称", "逾期问题数", "最早下发", "逾期未整改问题"]
    rows = [[str(n), "新袁镇", name, "3", "2027年4月", "活动记录不完整；志愿者签到不规范；宣传氛围不够浓厚" * 2]
            for n in range(1, 30)]
    inner = [w - 7.0 for w in column_widths(headers, rows).widths]
    assert inner[2] >= text_width("新时代文明实践站", TABLE_PT)
    assert cell_lines(name, inner[2])[-1].endswith("新时代文明实践站")


def test_colophon_height_follows_its_rows() -> None:
    assert colophon_height(["泗阳县精神文明建设委员会办公室2027年1月10日印发"]) == COLOPHON_LINE_PT + 4
    two = colophon_height(["抄送：县委宣传部，县新时代文明实践中心。", "泗阳县精神文明建设委员会办公室2027年1月10日印发"])
    assert two == 2 * COLOPHON_LINE_PT + 4
    long_cc = "抄送：" + "县委宣传部，" * 12
    assert colophon_height([long_cc, "x"]) == 4 * COLOPHON_LINE_PT + 4  # 75 characters: three lines


def test_html_titles_in_lines_and_headers_breakable_only_between_words() -> None:
    html = str(typeset_html("<h1>关于2026年12月新时代文明实践集中活动日督查情况的通报</h1><table><tr><th>综合得分</th>"
                            '<th class="num">检查组评分</th><th>乡镇（街道）</th></tr></table><h1>A &amp; B</h1>'))
    assert ('<h1><span class="line">关于2026年12月</span><br><span class="line">新时代文明实践集中活动日督查情况的通报'
            '</span></h1>') in html
    assert "<th>综合得分</th>" in html and '<th class="num">检查组<wbr>评分</th>' in html
    assert "<th>乡镇<wbr>（街道）</th>" in html and '<h1><span class="line">A &amp; B</span></h1>' in html
