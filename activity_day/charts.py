"""Charts of the circular: township averages as bars and the county trend, as SVG (HTML) or PNG (DOCX).

Output is byte-stable: fixed SVG ids, no dates in the metadata. Chinese labels need a CJK font; where
the machine has none, labels fall back to numbers (the tables carry the names) and the log says why.
"""

from __future__ import annotations

import io
import logging
import re
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

log = logging.getLogger(__name__)
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "AR PL UMing CN")
STYLE = {"svg.hashsalt": "activity-day", "svg.fonttype": "path", "font.size": 10, "axes.spines.top": False,
         "axes.spines.right": False}


@lru_cache
def cjk_font() -> str | None:
    """A font family on this machine that has Chinese glyphs, or None."""
    return pick_cjk_font({f.name for f in font_manager.fontManager.ttflist})


def pick_cjk_font(installed: set[str]) -> str | None:
    """The preferred CJK family among `installed`, or None (with a warning saying what to install)."""
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    for name in sorted(installed):
        if "CJK" in name or "Hei" in name or "Song" in name:
            return name
    log.warning("no CJK font found (looked for %s); chart labels fall back to numbers. "
                "Install one, e.g. `apt-get install fonts-noto-cjk`.", ", ".join(CJK_FAMILIES[:3]))
    return None


def _save(fig, fmt: str) -> bytes:
    out = io.BytesIO()
    metadata = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
    fig.savefig(out, format=fmt, metadata=metadata, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return out.getvalue()


def _labels(names: list[str], font: str | None) -> list[str]:
    return names if font else [str(i) for i in range(1, len(names) + 1)]


def township_bars(townships: list[str], averages: list[float], *, fmt: str = "svg", title: str = "",
                  font: str | None | bool = True) -> bytes:
    """Horizontal bars of the township averages, best at the top."""
    family = cjk_font() if font is True else (font or None)
    with plt.rc_context(STYLE | ({"font.family": [family, "DejaVu Sans"]} if family else {})):
        fig, ax = plt.subplots(figsize=(6.4, 0.32 * max(4, len(townships)) + 0.8))
        labels = _labels(townships, family)
        ax.barh(range(len(labels)), averages, color="#c0392b")
        ax.set_yticks(range(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        for i, value in enumerate(averages):
            ax.text(value + 0.8, i, f"{value:.2f}", va="center", fontsize=8)
        ax.set_title(title if family else "")
        return _save(fig, fmt)


def trend_line(months: list[str], averages: list[float | None], *, fmt: str = "svg", title: str = "",
               font: str | None | bool = True) -> bytes:
    """The county average over the last months (gaps where a month has no scores)."""
    family = cjk_font() if font is True else (font or None)
    with plt.rc_context(STYLE | ({"font.family": [family, "DejaVu Sans"]} if family else {})):
        fig, ax = plt.subplots(figsize=(6.4, 2.6))
        averages = [None if v is None or v != v else float(v) for v in averages]  # NaN from pandas = no scores
        values = [float("nan") if v is None else v for v in averages]
        ax.plot(range(len(months)), values, marker="o", color="#c0392b")
        ax.set_xticks(range(len(months)), [f"{int(m[5:])}月" if family else m[2:] for m in months])
        known = [v for v in averages if v is not None]
        low = min(known, default=60)
        ax.set_ylim(max(0, low - 10), 100)
        for i, value in enumerate(averages):
            if value is not None:
                ax.annotate(f"{value:.1f}", (i, value), textcoords="offset points", xytext=(0, 6), ha="center",
                            fontsize=8)
        ax.set_title(title if family else "")
        return _save(fig, fmt)


def inline_svg(svg: bytes) -> str:
    """SVG for inlining in HTML: without the XML prolog, doctype and comments (which echo label text)."""
    text = svg.decode("utf-8")
    return re.sub(r"<!--.*?-->", "", text[text.index("<svg"):], flags=re.S)
