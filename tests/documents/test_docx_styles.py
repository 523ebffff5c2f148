"""The templates' style part kept unparsed: the same bytes and style ids as python-docx's own part gives."""

import io
import zipfile

from docx import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import PartFactory
from docx.parts.styles import StylesPart

from activity_day.documents import docx_styles
from activity_day.documents.render import pin_zip, pinned_docx
from activity_day.resources import TEMPLATES_DIR

TEMPLATES = ("plan.docx", "plan-draft.docx", "circular.docx", "review-dispositions.docx", "evaluation.docx",
             "demonstration.docx")


def _open(name: str, part_class: type) -> object:
    saved = PartFactory.part_type_for[CT.WML_STYLES]
    PartFactory.part_type_for[CT.WML_STYLES] = part_class
    try:
        return Document(str(TEMPLATES_DIR / name))
    finally:
        PartFactory.part_type_for[CT.WML_STYLES] = saved


def test_an_unparsed_style_part_writes_what_python_docx_writes_and_finds_the_same_ids() -> None:
    for name in TEMPLATES:
        eager, lazy = _open(name, StylesPart), _open(name, docx_styles.LazyStylesPart)
        part = lazy.part.part_related_by(RT.STYLES)
        assert isinstance(part, docx_styles.LazyStylesPart)
        for style in ("GW Title", "GW Signature", "GW Body", "Normal"):
            if style in [s.name for s in eager.styles]:
                assert docx_styles.style_id(lazy, style) == eager.styles[style].style_id, (name, style)
        assert part._parsed is None  # the lookups above did not parse it
        assert pinned_docx(lazy) == pinned_docx(eager), name
        saved = io.BytesIO()
        eager.save(saved)
        assert pinned_docx(lazy) == pin_zip(saved.getvalue()), name


def test_a_changed_style_part_is_written_with_the_change() -> None:
    from docx.enum.style import WD_STYLE_TYPE

    lazy = _open("plan.docx", docx_styles.LazyStylesPart)
    lazy.styles.add_style("新样式", WD_STYLE_TYPE.PARAGRAPH)
    assert docx_styles.style_id(lazy, "新样式") == lazy.styles["新样式"].style_id
    with zipfile.ZipFile(io.BytesIO(pinned_docx(lazy))) as package:
        assert "新样式" in package.read("word/styles.xml").decode("utf-8")
    untouched = _open("plan.docx", docx_styles.LazyStylesPart)
    with zipfile.ZipFile(io.BytesIO(pinned_docx(untouched))) as package:
        assert "新样式" not in package.read("word/styles.xml").decode("utf-8")
