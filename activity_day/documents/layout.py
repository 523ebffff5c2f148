"""Where lines break and how wide table columns are, from the widths of the characters. Pure, no I/O.

A renderer left alone breaks Chinese text between any two characters, so a title or a table header splits
inside a word ("集中活/动日", "综合得/分"). GB/T 9704-2012 7.3.1 allows a title on several lines, broken where
the sense allows and arranged as a trapezoid or diamond. The functions here choose those breaks and the column
widths at which no header word or number wraps; render.py applies them to the DOCX, the HTML base template to
the HTML. Widths are in points; a full-width character is as wide as the font size.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

PT_PER_MM = 72 / 25.4
TEXT_WIDTH_PT = 156 * PT_PER_MM  # the type area (版心) is 156 mm wide
TITLE_PT = 22.0  # 二号
TABLE_PT = 10.5  # 五号
# ASCII is about half a character wide in 仿宋 and 小标宋, wider in the sans fallbacks of a machine without
# them; LibreOffice and Word also put a little space between Chinese and digits (autoSpaceDN).
ASCII_EM = 0.62
AUTOSPACE_EM = 0.25


def _ascii(c: str) -> bool:
    return ord(c) < 128


@lru_cache(maxsize=1 << 16)  # a county's tables repeat their names, dates and numbers in every document
def text_width(text: str, size: float) -> float:
    """The width of `text` in points at `size`: full-width characters one em, ASCII ASCII_EM, plus the
    renderer's space where ASCII meets Chinese."""
    width = sum(size * (ASCII_EM if _ascii(c) else 1.0) for c in text)
    seams = sum(1 for a, b in zip(text, text[1:], strict=False) if _ascii(a) != _ascii(b) and not a.isspace()
                and not b.isspace())
    return width + seams * AUTOSPACE_EM * size


@dataclass(frozen=True)
class Token:
    """A piece of text never broken inside, and what a line break before it costs (0 best)."""

    text: str
    cost: float


FIT = 1e-6  # a width computed to fit exactly fits
NEVER = 1000.0  # inside a piece of text no rule knows: only when nothing else fits
LINE_COST = 10.0  # a line more than needed
SHORT_LINE_COST = 6.0  # a line of fewer than SHORT_LINE_EMS characters, in a title of several lines
SHORT_LINE_EMS = 4
BALANCE = 2.0  # weight of the lines' difference from an even share
NO_LINE_START = "；、，。：！？）》」』"  # punctuation a line never starts with, when a piece must break inside


def tokens(text: str, words: Sequence[tuple[str, float]], unknown_cost: float) -> list[Token]:
    """`text` cut into the `words` (regular expressions, each with the cost of a break before it) and the runs
    of other text between them, each run one piece breaking before it at `unknown_cost`."""
    pattern = re.compile("|".join(f"(?:{w})" for w, _ in words))
    costs = [(re.compile(w), c) for w, c in words]
    out: list[Token] = []
    at = 0
    for m in pattern.finditer(text):
        if not m.group():
            continue
        if m.start() > at:
            out.append(Token(text[at:m.start()], unknown_cost))
        out.append(Token(m.group(), next(c for w, c in costs if w.fullmatch(m.group()))))
        at = m.end()
    if at < len(text):
        out.append(Token(text[at:], unknown_cost))
    return out


def break_lines(pieces: Sequence[Token], *, width: float, size: float, short_ems: float = 0) -> list[str]:
    """The lines that fit `width`, breaking between pieces at the least cost: the breaks' costs, a line
    more than needed, a line shorter than `short_ems` characters, and lines unlike an even share of the text
    (a title of two lines is a trapezoid, not a long line and a stub). A piece wider than the line is broken
    between its characters, at a cost only the lack of another way pays."""
    width += FIT
    if any(text_width(p.text, size) > width for p in pieces):
        pieces = [Token(c, p.cost if n == 0 else NEVER * (10 if c in NO_LINE_START else 1))
                  for p in pieces for n, c in enumerate(p.text)]
    n = len(pieces)
    if n == 0:
        return [""]
    total = text_width("".join(p.text for p in pieces), size)

    def line_width(i: int, j: int) -> float:
        return text_width("".join(p.text for p in pieces[i:j]), size)

    best: tuple[float, list[int]] | None = None
    for count in range(1, n + 1):
        if best is not None and LINE_COST * (count - 1) > best[0]:
            break
        share = total / count
        # cost[(j, k)]: the least cost of pieces[:j] in k lines; back[(j, k)]: where its last line starts
        cost = {(0, 0): 0.0}
        back: dict[tuple[int, int], int] = {}
        for k in range(1, count + 1):
            for j in range(1, n + 1):
                for i in range(j - 1, -1, -1):
                    w = line_width(i, j)
                    if w > width:
                        break
                    if (i, k - 1) not in cost:
                        continue
                    c = cost[(i, k - 1)] + (pieces[i].cost if i else 0.0)
                    if count > 1:
                        c += BALANCE * ((w - share) / width) ** 2 + (SHORT_LINE_COST if w < short_ems * size else 0)
                    if c < cost.get((j, k), float("inf")):
                        cost[(j, k)], back[(j, k)] = c, i
        if (n, count) in cost:
            c = cost[(n, count)] + LINE_COST * (count - 1)
            if best is None or c < best[0]:
                starts, j = [], n
                for k in range(count, 0, -1):
                    j = back[(j, k)]
                    starts.append(j)
                best = (c, sorted(starts))
    if best is None:  # a character wider than the line: nothing to choose
        return ["".join(p.text for p in pieces)]
    ends = [*best[1][1:], n]
    return ["".join(p.text for p in pieces[i:j]) for i, j in zip(best[1], ends, strict=True)]


# The words of the titles, with the cost of a line break before each. The best break is before the
# subject (新时代文明实践…), after 关于 + what is done + the period; the compound 新时代文明实践集中活动日 and
# 新时代文明实践(示范)所站 hold together more than the words around them. Text between known words (the
# county's name) is one piece.
TITLE_WORDS: tuple[tuple[str, float], ...] = (
    ("关于", 5.0),
    ("开展|命名|印发|表彰", 5.0),
    (r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?|度|第[一二三四]季度|[上下]半年)?", 2.0),
    ("新时代文明实践", 0.0),
    ("集中活动日", 3.0),
    ("示范所站|所站", 3.0),
    ("拟命名名单", 2.0),
    ("督查情况|活动|综合评价|征求意见|意见处理情况", 2.0),
    ("方案", 4.0),  # 集中活动日方案
    ("部门", 1.5),
    ("的(?:通知|通报|公示|报告|决定|意见)", 1.0),
    ("报告", 1.5),
)


def title_lines(title: str, *, width: float = TEXT_WIDTH_PT, size: float = TITLE_PT) -> list[str]:
    """A title's lines (GB/T 9704 7.3.1): as few as fit the type area, broken only between words, at the
    sense boundaries TITLE_WORDS ranks, and balanced. Half a character is kept spare: fonts differ."""
    width -= size / 2
    return break_lines(tokens(title, TITLE_WORDS, 2.0), width=width, size=size, short_ems=SHORT_LINE_EMS)


def title_breaks(title: str) -> set[int]:
    """Where a title may break (character offsets): between the pieces TITLE_WORDS cuts it into."""
    offsets, at = set(), 0
    for piece in tokens(title, TITLE_WORDS, 2.0)[:-1]:
        at += len(piece.text)
        offsets.add(at)
    return offsets


# The words of table headers: a header breaks only between these (乡镇｜（街道）, 检查组｜评分｜所站数); a header
# made of other words is one word (综合得分).
HEADER_WORDS: tuple[tuple[str, float], ...] = tuple((w, 1.0) for w in (
    "（[^）]*）", "检查组", "观察员", "评分", "所站数", "编号", "名称", "逾期", "未整改", "问题数", "问题",
    "最早", "下发", "派出", "宣讲队", "已宣讲", "未能派单", "未签到打卡", "的所站", "平均", "全县",
))


def header_words(header: str) -> list[Token]:
    return tokens(header, HEADER_WORDS, NEVER)


def header_lines(header: str, width: float, *, size: float = TABLE_PT) -> list[str]:
    """A table header in lines no wider than `width`, broken only between its words (one line if it fits)."""
    if text_width(header, size) <= width + FIT:
        return [header]
    return break_lines(header_words(header), width=width, size=size)


CELL_RUN_COST = 1.0
# The words of body cells: a station's name breaks before 新时代文明实践所/站 (林桥村｜新时代文明实践站), a list after
# its separators, never before one (a line does not start with ；); other text breaks where the renderer would.
CELL_WORDS: tuple[tuple[str, float], ...] = (("新时代文明实践(?:所|站|中心)", 0.0), ("[^；、，。：]+[；、，。：]", CELL_RUN_COST))
CELL_PADDING_PT = 7.0  # what a column loses to its cell margins (1 mm a side) and borders


def cell_words(text: str) -> list[Token]:
    return tokens(text, CELL_WORDS, CELL_RUN_COST)


def cell_lines(text: str, width: float, *, size: float = TABLE_PT) -> list[str]:
    """A body cell's text in lines no wider than `width` less half a character (fonts differ), broken at its
    words' boundaries where it can be (one line if it fits)."""
    if text_width(text, size) <= width + FIT:
        return [text]
    return break_lines(cell_words(text), width=width - size / 2, size=size)


NUMBER = re.compile(r"[\x21-\x7e—%．]+")  # digits, codes, signs and the em dash of a missing value
SHORT_TEXT_EMS = 10  # a cell this short (a township, a date, a type) is kept on one line


@lru_cache(maxsize=1 << 14)
def _longest_piece(text: str, size: float) -> float:
    """The widest part of a body cell that must not break: the whole of a short or numeric text, else the
    widest ASCII run or character."""
    if not text:
        return 0.0
    if NUMBER.fullmatch(text) or text_width(text, size) <= SHORT_TEXT_EMS * size:
        return text_width(text, size)
    words = [w.text for w in cell_words(text) if w.cost == 0.0]  # 新时代文明实践站 on one line, half a char spare
    return max([text_width(piece, size) for piece in re.findall(r"[\x21-\x7e]+|.", text)] +
               [text_width(w, size) + size / 2 for w in words])


TIE = 0.01  # the weight of a cell's own lines against the rows' heights


@dataclass(frozen=True)
class Columns:
    """Column widths (points, summing to the table's width) and each header's lines at those widths."""

    widths: list[float]
    headers: list[list[str]]


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], *, width: float = TEXT_WIDTH_PT,
                  size: float = TABLE_PT, padding: float = CELL_PADDING_PT) -> Columns:
    """Widths that keep every header word, number and short text on one line; then, a half character at a time,
    the width goes where it saves the most lines of the table body (a name column before a column of long
    problems that wraps anyway); then to the headers, whole on one line where they fit; what remains widens
    every column alike, so that the table spans the type area.

    `padding` is what each column loses to its cell margins and borders.
    """
    import numpy as np

    ncols = len(headers)
    body = [[row[c] if c < len(row) else "" for c in range(ncols)] for row in rows]
    column = [[r[c] for r in body] for c in range(ncols)]
    widths = np.array([max([max(text_width(t.text, size) for t in header_words(h))] +
                           [_longest_piece(t, size) for t in column[c]]) + padding for c, h in enumerate(headers)])
    if widths.sum() > width:  # even the words do not fit: shrink all alike, the renderer wraps
        widths = widths * width / widths.sum()
    elif body:  # a half character at a time where it saves the most lines
        text = np.array([[text_width(t, size) for t in column[c]] for c in range(ncols)])  # columns × rows

        def lines(c: int, w: np.ndarray) -> np.ndarray:  # rows × candidate widths
            return np.maximum(1, np.ceil(text[c][:, None] / (w[None, :] - padding) - 1e-9))

        step = size / 2
        while (rest := width - widths.sum()) >= step:
            now = np.stack([lines(c, widths[c:c + 1])[:, 0] for c in range(ncols)])  # columns × rows
            best = (0.0, -1, 0.0)
            for c in range(ncols):
                others = np.delete(now, c, axis=0).max(axis=0) if ncols > 1 else np.ones(len(body))
                extra = step * np.arange(1, int(rest // step) + 1)
                wider = lines(c, widths[c] + extra)
                saved = now.max(axis=0).sum() - np.maximum(others[:, None], wider).sum(axis=0)
                # lines saved in the column's own cells break ties: a row as high as two wrapping columns
                # gets lower only when both narrow, one step at a time
                saved = saved + TIE * (now[c].sum() - wider.sum(axis=0))
                ratio = saved / extra
                k = int(ratio.argmax())
                if ratio[k] > best[0]:
                    best = (float(ratio[k]), c, float(extra[k]))
            if best[1] < 0:
                break
            widths[best[1]] += best[2]
    if widths.sum() < width:
        need = np.maximum(0.0, np.array([text_width(h, size) + padding for h in headers]) - widths)
        if need.sum():
            widths += need * min(1.0, (width - widths.sum()) / need.sum())
    widths = widths + (width - widths.sum()) * widths / widths.sum()
    return Columns(widths=[float(w) for w in widths],
                   headers=[header_lines(h, w - padding, size=size) for h, w in zip(headers, widths, strict=True)])

COLOPHON_BOX = "colophon"  # the id of the 版记's text box (gbt9704.colophon), which typeset.fit_colophon sizes
COLOPHON_PT, COLOPHON_LINE_PT = 14.0, 28.0  # 四号 on 28 pt lines
COLOPHON_TEXT_PT = TEXT_WIDTH_PT - 2 * COLOPHON_PT  # one character in from each end of the rules
COLOPHON_RULES_PT = 4.0  # the rules' own height and the point-high paragraph under the table


def colophon_height(rows: Sequence[str]) -> float:
    """The 版记 box's height in points for its rows' text: 28 pt a line, a 抄送 line wrapping under the
    first character after its colon."""
    lines = 0
    for text in rows:
        over = text_width(text, COLOPHON_PT) - COLOPHON_TEXT_PT
        lead = text_width(text.split("：")[0] + "：", COLOPHON_PT) if "：" in text else 0.0
        lines += 1 + (max(0, int(-(-over // (COLOPHON_TEXT_PT - lead)))) if over > 0 else 0)
    return lines * COLOPHON_LINE_PT + COLOPHON_RULES_PT
