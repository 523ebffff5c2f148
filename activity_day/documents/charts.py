"""Charts of the circular: township averages as bars and the county trend, as SVG (HTML) or PNG (DOCX).

Output is byte-stable: fixed SVG ids, no dates in the metadata. Chinese labels need a CJK font; where
the machine has none, labels fall back to numbers (the tables carry the names) and the log says why.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from collections.abc import Sequence
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from activity_day.documents.contexts import trend_drawable  # noqa: E402

log = logging.getLogger(__name__)
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "AR PL UMing CN")
# Sizes for print: the pictures are 150 mm wide on the page, about their drawn size, so 11 pt stays 11 pt.
STYLE = {"svg.hashsalt": "activity-day", "svg.fonttype": "path", "font.size": 11, "axes.spines.top": False,
         "axes.spines.right": False, "xtick.labelsize": 11, "ytick.labelsize": 11}


@lru_cache
def cjk_font() -> str | None:
    """A font family on this machine that has Chinese glyphs, registered with matplotlib, or None.

    Fonts are found the way fontconfig finds them (`fc-list :lang=zh`), so one installed after matplotlib
    built its font cache is used at once; matplotlib's own list is the fallback where fc-list is missing.
    """
    found = fontconfig_cjk_fonts()
    choice = pick_cjk_font({f.name for f in font_manager.fontManager.ttflist}, found or [])
    if choice is None:
        log.warning(missing_font_message(fontconfig=found is not None))
        return None
    family, files = choice
    for path in files:
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError) as exc:  # a file fontconfig reads but FreeType refuses
            log.warning("cannot load CJK font file %s: %s", path, exc)
    known = {f.name for f in font_manager.fontManager.ttflist}
    if family in known:
        return family
    # the name matplotlib reads from the file can differ from fontconfig's (localised or style names)
    names = sorted({f.name for f in font_manager.fontManager.ttflist if f.fname in set(files)})
    if names:
        return names[0]
    log.warning("no CJK font usable: matplotlib could not load %s (listed by fc-list for %s); chart labels "
                "fall back to numbers", ", ".join(files), family)
    return None


FONT_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")


def fontconfig_cjk_fonts() -> list[tuple[str, str]] | None:
    """(file, family) of every font fontconfig says covers Chinese, or None where fc-list is not installed."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        done = subprocess.run([fc_list, "--format=%{file}\\t%{family}\\n", ":lang=zh"], capture_output=True,
                              text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("fc-list failed (%s); looking only at matplotlib's font list", exc)
        return None
    return parse_fc_list(done.stdout)


def parse_fc_list(output: str) -> list[tuple[str, str]]:
    """(file, family) pairs from `fc-list --format='%{file}\\t%{family}\\n'`, one per family name, sorted.

    A face lists its family names comma-separated (文泉驿正黑,WenQuanYi Zen Hei); files matplotlib cannot
    read (bitmap .pcf, Type 1) are left out.
    """
    pairs = set()
    for line in output.splitlines():
        path, _, families = line.partition("\t")
        if not path.lower().endswith(FONT_SUFFIXES):
            continue
        pairs |= {(path, family.strip()) for family in families.split(",") if family.strip()}
    return sorted(pairs)


def pick_cjk_font(known: set[str], fontconfig: list[tuple[str, str]]) -> tuple[str, tuple[str, ...]] | None:
    """The CJK family to use and the font files to register for it first (none if matplotlib knows it).

    `known`: the families matplotlib has registered; `fontconfig`: (file, family) of the fonts fontconfig
    says cover Chinese. Preferred families come first, in CJK_FAMILIES order; then any family fontconfig
    lists for Chinese; then a matplotlib family whose name looks CJK. None when there is none.
    """
    files: dict[str, set[str]] = {}
    for path, family in fontconfig:
        files.setdefault(family, set()).add(path)

    def use(family: str) -> tuple[str, tuple[str, ...]]:
        return family, () if family in known else tuple(sorted(files.get(family, ())))

    for family in CJK_FAMILIES:
        if family in known or family in files:
            return use(family)
    if files:
        return use(min(files))
    for name in sorted(known):
        if "CJK" in name or "Hei" in name or "Song" in name:
            return name, ()
    return None


def missing_font_message(*, fontconfig: bool) -> str:
    """The warning when no CJK font is found: what was searched and the exact fix."""
    searched = "`fc-list :lang=zh` lists no font" if fontconfig else "fc-list (fontconfig) is not installed"
    return (f"no CJK font found ({searched}; matplotlib's font list has none of {', '.join(CJK_FAMILIES)} "
            "nor any family named *CJK*, *Hei* or *Song*): chart labels fall back to numbers. "
            "Fix: `sudo apt-get install fonts-noto-cjk fontconfig`, then compile again "
            "(未找到中文字体，图表标签暂以数字代替；请安装中文字体：sudo apt-get install fonts-noto-cjk fontconfig，"
            "然后重新生成通报)")


def _save(fig, fmts: Sequence[str]) -> dict[str, bytes]:
    """The figure saved in each format, cropped to one tight box computed once for all formats.

    `bbox_inches="tight"` would draw the whole figure an extra time per save just to measure it.
    """
    saved = {}
    try:
        box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.1)  # savefig's default pad_inches
        for fmt in fmts:
            out = io.BytesIO()
            metadata = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
            fig.savefig(out, format=fmt, metadata=metadata, dpi=160, bbox_inches=box)  # ~170 dpi at 150 mm
            saved[fmt] = out.getvalue()
    finally:
        plt.close(fig)
    return saved


def _labels(names: list[str], font: str | None) -> list[str]:
    return names if font else [str(i) for i in range(1, len(names) + 1)]


def township_bars(townships: list[str], averages: list[float], *, fmt: str = "svg", title: str = "",
                  font: str | None | bool = True) -> bytes:
    """Horizontal bars of the township averages, best at the top, in one format."""
    return draw_township_bars(townships, averages, fmts=(fmt,), title=title, font=font)[fmt]


def draw_township_bars(townships: list[str], averages: list[float], *, fmts: Sequence[str] = ("svg", "png"),
                       title: str = "", font: str | None | bool = True) -> dict[str, bytes]:
    """The township bars drawn once and saved in each of `fmts` (format -> bytes)."""
    family = cjk_font() if font is True else (font or None)
    with plt.rc_context(STYLE | ({"font.family": [family, "DejaVu Sans"]} if family else {})):
        fig, ax = plt.subplots(figsize=(6.4, 0.2 * max(4, len(townships)) + 0.7))
        labels = _labels(townships, family)
        ax.barh(range(len(labels)), averages, color="#c0392b")
        ax.set_yticks(range(len(labels)), labels)
        ax.invert_yaxis()
        low = score_floor(averages)
        ax.set_xlim(low, 100)  # from just below the lowest average, so that differences show
        for i, value in enumerate(averages):
            ax.text(value + (100 - low) * 0.01, i, f"{value:.2f}", va="center", fontsize=10)
        ax.set_title(title if family else "")
        return _save(fig, fmts)


def trend_line(months: list[str], averages: list[float | None], *, fmt: str = "svg", title: str = "",
               font: str | None | bool = True) -> bytes:
    """The county average over the last months (gaps where a month has no scores), in one format."""
    return draw_trend_line(months, averages, fmts=(fmt,), title=title, font=font)[fmt]


def draw_trend_line(months: list[str], averages: list[float | None], *, fmts: Sequence[str] = ("svg", "png"),
                    title: str = "", font: str | None | bool = True) -> dict[str, bytes]:
    """The trend drawn once and saved in each of `fmts` (format -> bytes)."""
    family = cjk_font() if font is True else (font or None)
    with plt.rc_context(STYLE | ({"font.family": [family, "DejaVu Sans"]} if family else {})):
        fig, ax = plt.subplots(figsize=(6.4, 2.6))
        averages = [None if v is None or v != v else float(v) for v in averages]  # NaN from pandas = no scores
        values = [float("nan") if v is None else v for v in averages]
        ax.plot(range(len(months)), values, marker="o", color="#c0392b")
        ax.set_xticks(range(len(months)), [f"{int(m[5:])}月" if family else m[2:] for m in months])
        ax.set_ylim(score_floor([v for v in averages if v is not None]), 100)
        for i, value in enumerate(averages):
            if value is not None:
                ax.annotate(f"{value:.2f}", (i, value), textcoords="offset points", xytext=(0, 6), ha="center",
                            fontsize=10)
        ax.set_title(title if family else "")
        return _save(fig, fmts)


IMAGE_WIDTH_MM = 150


def score_floor(values: Sequence[float]) -> float:
    """Where a score axis starts: 5 points below the lowest value, on a multiple of 5 (0 at the least)."""
    return max(0.0, (min(values, default=65) - 5) // 5 * 5)


def circular_charts(townships: list[str], averages: list[float], months: list[str],
                    trend: list[float | None]) -> tuple[dict[str, str], dict[str, tuple[bytes, float]]]:
    """The circular's two charts, each drawn once: inline SVG for the HTML and PNG pictures for the DOCX.

    Returns (HTML context: bars_svg, trend_svg; DOCX images: bars_image, trend_image as (PNG, width in mm));
    the trend only where it is drawable. The documents number and caption them (图1, 图2).
    """
    bars = draw_township_bars(townships, averages)
    svg, images = {"bars_svg": inline_svg(bars["svg"])}, {"bars_image": (bars["png"], IMAGE_WIDTH_MM)}
    if trend_drawable(trend):
        line = draw_trend_line(months, trend)
        svg["trend_svg"], images["trend_image"] = inline_svg(line["svg"]), (line["png"], IMAGE_WIDTH_MM)
    return svg, images


def inline_svg(svg: bytes) -> str:
    """SVG for inlining in HTML: without the XML prolog, doctype and comments (which echo label text)."""
    text = svg.decode("utf-8")
    return re.sub(r"<!--.*?-->", "", text[text.index("<svg"):], flags=re.S)
