from activity_day.documents import charts

NOTO = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
# What `fc-list --format='%{file}\t%{family}\n' :lang=zh` prints on a Debian machine with fonts-noto-cjk
# and fonts-wqy-zenhei (families comma-separated, localised names included).
FC_LIST = (f"{NOTO}\tNoto Sans CJK JP\n{NOTO}\tNoto Sans CJK SC\n"
           "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc\tNoto Sans CJK SC\n"
           "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc\t文泉驿正黑,WenQuanYi Zen Hei,文泉驛正黑\n"
           "/usr/share/fonts/X11/misc/wenquanyi.pcf.gz\tWenQuanYi Bitmap Song\n")


def test_fc_list_output_gives_a_file_per_family_and_skips_bitmap_fonts() -> None:
    found = charts.parse_fc_list(FC_LIST)
    assert ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei") in found
    assert ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "文泉驿正黑") in found
    assert not any(path.endswith(".pcf.gz") for path, _ in found)
    assert found == sorted(found) and charts.parse_fc_list("") == []


def test_a_font_only_fontconfig_knows_is_registered_from_its_files() -> None:
    found = charts.parse_fc_list(FC_LIST)
    # matplotlib's cache predates the install: the preferred family comes with every file to register
    assert charts.pick_cjk_font({"DejaVu Sans"}, found) == (
        "Noto Sans CJK SC", ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", NOTO))
    # a family matplotlib already has needs no registering
    assert charts.pick_cjk_font({"DejaVu Sans", "Noto Sans CJK SC"}, found) == ("Noto Sans CJK SC", ())
    # preference order holds across both sources
    assert charts.pick_cjk_font({"WenQuanYi Zen Hei"}, found) == ("Noto Sans CJK SC", (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", NOTO))
    # a family fontconfig lists for Chinese but not on the preferred list still beats guessing by name
    other = [("/fonts/ukai.ttc", "AR PL UKai CN")]
    assert charts.pick_cjk_font({"Some Hei"}, other) == ("AR PL UKai CN", ("/fonts/ukai.ttc",))


def test_without_fontconfig_matplotlibs_list_is_used() -> None:
    assert charts.pick_cjk_font({"DejaVu Sans", "WenQuanYi Zen Hei", "Noto Sans CJK SC"}, []) == (
        "Noto Sans CJK SC", ())
    assert charts.pick_cjk_font({"DejaVu Sans", "Noto Sans CJK JP"}, []) == ("Noto Sans CJK JP", ())
    assert charts.pick_cjk_font({"DejaVu Sans"}, []) is None


def test_the_missing_font_warning_names_the_exact_fix() -> None:
    for fontconfig in (True, False):
        message = charts.missing_font_message(fontconfig=fontconfig)
        assert "sudo apt-get install fonts-noto-cjk fontconfig" in message and "未找到中文字体" in message
        assert "cache" not in message.lower() and "缓存" not in message
    assert "fc-list (fontconfig) is not installed" in charts.missing_font_message(fontconfig=False)
    assert "`fc-list :lang=zh` lists no font" in charts.missing_font_message(fontconfig=True)


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
