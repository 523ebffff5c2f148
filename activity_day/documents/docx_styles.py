"""A Word document's style part (word/styles.xml) parsed only where something reads or changes it.

Every document rendered from a template carries the template's style part, 350 kB of XML: python-docx parses it
when it opens the template and serialises it again when it saves, 6 ms of a document's rendering, for a part
that nothing changes. Here the part keeps the template's bytes; what it writes back, while unparsed, is what
serialising the parse gives (worked out once per process per template), so a document's bytes stay the same.
Style ids by style name, which the typesetting needs, come from the same once-per-template parse.

Importing this module registers the part class with python-docx for every document opened afterwards.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.opc.part import Part, PartFactory
from docx.oxml.parser import parse_xml
from docx.parts.styles import StylesPart
from docx.styles import BabelFish

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@lru_cache(maxsize=16)
def _template_styles(source: bytes) -> tuple[bytes, dict[str, str]]:
    """A style part's bytes as python-docx writes them back unchanged, and each style's id by its name (the first
    style of a name, as python-docx's lookup by name finds it)."""
    element = parse_xml(source)
    ids: dict[str, str] = {}
    for style in element.iterchildren(W + "style"):
        name = style.find(W + "name")
        if name is not None and name.get(W + "val") is not None:
            ids.setdefault(name.get(W + "val"), style.get(W + "styleId"))
    return serialize_part_xml(element), ids


class LazyStylesPart(StylesPart):
    """A StylesPart that parses its XML on first use of its element; unparsed, it is written back as python-docx
    would write the parse of its bytes."""

    def __init__(self, partname: Any, content_type: str, source: bytes, package: Any) -> None:
        Part.__init__(self, partname, content_type, package=package)
        self._source = source
        self._parsed: Any = None

    @classmethod
    def load(cls, partname: Any, content_type: str, blob: bytes, package: Any) -> LazyStylesPart:
        return cls(partname, content_type, blob, package)

    @property  # type: ignore[override]
    def _element(self) -> Any:
        if self._parsed is None:
            self._parsed = parse_xml(self._source)
        return self._parsed

    @_element.setter
    def _element(self, element: Any) -> None:
        self._parsed = element

    @property
    def blob(self) -> bytes:
        return _template_styles(self._source)[0] if self._parsed is None else serialize_part_xml(self._parsed)

    def style_id(self, name: str) -> str | None:
        """The id of the style named `name` (None where no style has that name), without parsing this part when
        it is still the template's."""
        if self._parsed is None:
            return _template_styles(self._source)[1].get(name)
        return next((s.get(W + "styleId") for s in self._parsed.iterchildren(W + "style")
                     if s.find(W + "name") is not None and s.find(W + "name").get(W + "val") == name), None)


PartFactory.part_type_for[CT.WML_STYLES] = LazyStylesPart


def style_id(document: Any, name: str) -> str:
    """The id of a paragraph style by its name, as `document.styles[name].style_id` gives it."""
    try:
        part = document.part.part_related_by(RT.STYLES)
    except KeyError:
        part = None
    if isinstance(part, LazyStylesPart):
        found = part.style_id(BabelFish.ui2internal(name))
        if found is not None:
            return found
    return document.styles[name].style_id  # python-docx's own lookup (and its KeyError) for anything else
