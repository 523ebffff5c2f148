import logging

from activity_day import charts


def test_cjk_font_choice_and_fallback_warning(caplog) -> None:
    assert charts.pick_cjk_font({"DejaVu Sans", "WenQuanYi Zen Hei", "Noto Sans CJK SC"}) == "Noto Sans CJK SC"
    with caplog.at_level(logging.WARNING, logger="activity_day.charts"):
        assert charts.pick_cjk_font({"DejaVu Sans"}) is None
    assert "no CJK font found" in caplog.text and "fonts-noto-cjk" in caplog.text


def test_charts_render_with_and_without_a_cjk_font() -> None:
    names, values = ["众兴街道", "王集镇"], [91.5, 80.25]
    fallback = charts.township_bars(names, values, fmt="svg", title="平均得分", font=False)
    assert fallback.startswith(b"<?xml") and b"<svg" in fallback
    assert charts.township_bars(names, values, fmt="svg", font=False) == fallback  # byte-stable
    png = charts.trend_line(["2026-11", "2026-12"], [None, 85.0], fmt="png", font=False)
    assert png.startswith(b"\x89PNG")
    if charts.cjk_font():
        labelled = charts.township_bars(names, values, fmt="svg", title="平均得分")
        assert labelled != fallback and "众兴街道" in labelled.decode()  # the label text rides in a comment
        assert "众兴街道" not in charts.inline_svg(labelled)  # which inlining strips; glyphs are paths
