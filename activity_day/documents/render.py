"""Rendering (text or bytes, no I/O) and writing (files with checksums), kept apart."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from activity_day.documents.layout import header_words, title_lines
from activity_day.documents.typeset import fit_masthead, fit_signature, typeset
from activity_day.domain.dates import cn_number
from activity_day.domain.hashing import sha256_hex
from activity_day.resources import TEMPLATES_DIR

# DOCX and XLSX are zip files: pin every entry's time so a rerun gives the same bytes.
FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


@lru_cache
def environment(markdown: bool = False) -> Environment:
    """The templates' environment: HTML autoescaped; with `markdown`, every value a template (or a prose macro it
    imports) outputs passes through `md_text`, so text from outside never stands as HTML in a Markdown document or
    artifact, as HTML's autoescape does for HTML."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        auto_reload=False,  # the templates are package files: not stat'ed again on every page a phone opens
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=md_text if markdown else None,
    )
    env.filters["md"] = md_escape
    env.filters["plain"] = plain_text
    env.filters["score"] = score_text
    env.filters["signed"] = signed_text
    env.filters["cn"] = cn_number
    env.filters["typeset"] = typeset_html
    return env


HTML_TITLE = re.compile(r"<h1>([^<]*)</h1>")
HTML_HEADER = re.compile(r"<th([^>]*)>([^<]*)</th>")


def typeset_html(html: str) -> Markup:
    """A document's HTML with its titles in lines broken at sense boundaries (layout.title_lines) and each table
    header breakable only between its words (<wbr>, with `word-break: keep-all` in the style sheet).

    The HTML base template applies it to the body of every document, as typeset.typeset does to the DOCX.
    """
    def title(m: re.Match) -> str:
        lines = title_lines(_unescape(m[1]))
        return "<h1>" + "<br>".join(f'<span class="line">{escape(line)}</span>' for line in lines) + "</h1>"

    def header(m: re.Match) -> str:
        return f"<th{m[1]}>" + "<wbr>".join(str(escape(w.text)) for w in header_words(_unescape(m[2]))) + "</th>"

    return Markup(HTML_HEADER.sub(header, HTML_TITLE.sub(title, str(html))))


def _unescape(text: str) -> str:
    return Markup(text).unescape()


def plain_text(value: Any) -> str:
    """A macro's output as plain text, so that HTML autoescape escapes it exactly once.

    The prose macros (templates/_*_prose.j2) are compiled without autoescape; called from an HTML template,
    Jinja marks their output safe, which would let the values inside them through unescaped.
    """
    return str(value)


def signed_text(value: Any) -> str:
    """A change with its sign (+1.50 / -0.25), or an em dash where there is none."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return f"{float(value):+.2f}"


def score_text(value: Any) -> str:
    """A score with two decimals, or an em dash where there is none."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return f"{float(value):.2f}"


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for templates: missing values become None, numpy scalars plain Python."""
    return [
        {k: (None if (v is None or (not isinstance(v, (list, dict, str)) and pd.isna(v))) else
             (v.item() if hasattr(v, "item") else v)) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def md_escape(value: Any) -> str:
    """Text from users inside Markdown tables: no pipes, no line breaks, no raw HTML."""
    text = str(value if value is not None else "")
    return (text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", " ").replace("\n", " "))


def md_text(value: Any) -> Any:
    """A value as Markdown text that cannot become markup: < and > as entities (no raw HTML), [ as &#91; (no link
    or image). It changes nothing twice, so a value already escaped (by `md`, or inside a prose macro) is kept."""
    if not isinstance(value, str):
        return value
    return value.replace("<", "&lt;").replace(">", "&gt;").replace("[", "&#91;")


def render_text(template: str, **context: Any) -> str:
    return environment(markdown=template.endswith(".md.j2")).get_template(template).render(**context)



def write_bytes(path: Path, data: bytes) -> tuple[str, str]:
    """Write atomically; returns (path, sha256). An identical file is left untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sha = sha256_hex(data)
    if not (path.exists() and sha256_hex(path.read_bytes()) == sha):
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return str(path), sha


def write_text(path: Path, text: str) -> tuple[str, str]:
    return write_bytes(path, text.encode("utf-8"))


def _pinned(name: str) -> zipfile.ZipInfo:
    pinned = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
    pinned.compress_type = zipfile.ZIP_DEFLATED
    pinned.external_attr = 0o600 << 16
    return pinned


def pin_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry times and order-preserving, deterministic compression."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(_pinned(info.filename), source.read(info.filename))
    return out.getvalue()


class _PinnedPackageWriter:
    """python-docx's physical package writer (`write(pack_uri, blob)`, `close()`), collecting each part once for
    `pinned_zip`: a Word document compressed once instead of saved and then rewritten."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, bytes]] = []

    def write(self, pack_uri: Any, blob: bytes) -> None:
        self.entries.append((pack_uri.membername, blob))

    def close(self) -> None:
        pass


def pinned_docx(document: Any) -> bytes:
    """A python-docx document's bytes, as pin_zip(document saved) gives them (tests/documents hold the two equal),
    for half the compression work: the saved zip is not read back and compressed again."""
    from docx.opc.pkgwriter import PackageWriter

    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    writer = _PinnedPackageWriter()
    PackageWriter._write_content_types_stream(writer, package.parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, package.parts)
    return pinned_zip(writer.entries)


# A template's own large parts (word/styles.xml, word/stylesWithEffects.xml: 800 kB of XML in every Word document,
# each rendering's the same bytes) are compressed once per process; a document's own text and pictures never are.
SHARED_PART_MIN = 64 * 1024


def _deflated(data: bytes) -> tuple[bytes, int]:
    """`data` deflated as zipfile deflates an entry (raw stream, default level), and its CRC-32."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data)


_deflated_shared = lru_cache(maxsize=32)(_deflated)


def pinned_zip(entries: Sequence[tuple[str, bytes]]) -> bytes:
    """A zip of `entries` (name, data), each deflated with its time pinned: byte for byte the zip pin_zip's
    `zipfile` writes for the same entries (tests/documents compare the two), written here so that a template's
    own parts are compressed once per process (SHARED_PART_MIN)."""
    year, month, day, hour, minute, second = FIXED_ZIP_TIME
    dosdate, dostime = (year - 1980) << 9 | month << 5 | day, hour << 11 | minute << 5 | second // 2
    local, central = io.BytesIO(), io.BytesIO()
    for name, data in entries:
        shared = len(data) >= SHARED_PART_MIN and not name.startswith(("word/document", "word/media/"))
        packed, crc = (_deflated_shared if shared else _deflated)(data)
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), 0x800  # zipfile's flag for UTF-8 names
        if max(len(data), len(packed), local.tell()) >= zipfile.ZIP64_LIMIT:
            raise ValueError(f"{name}: too large for a zip without ZIP64")
        offset = local.tell()
        local.write(struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, flags, zipfile.ZIP_DEFLATED, dostime, dosdate,
                                crc, len(packed), len(data), len(encoded), 0) + encoded)
        local.write(packed)
        central.write(struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, ZIP_SYSTEM, 20, 0, flags, zipfile.ZIP_DEFLATED,
                                  dostime, dosdate, crc, len(packed), len(data), len(encoded), 0, 0, 0, 0,
                                  0o600 << 16, offset) + encoded)
    directory = central.getvalue()
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), local.tell(), 0)
    return local.getvalue() + directory + end


ZIP_SYSTEM = zipfile.ZipInfo().create_system  # what zipfile records as the creating system (3, Unix; 0 on Windows)


def docx_bytes(template: str, context: dict[str, Any], *, dated: datetime, title: str,
               images: dict[str, tuple[bytes, float]] | None = None) -> bytes:
    """Render a Word template with docxtpl (text escaped), with properties and zip times pinned.

    `images` maps a context name to (PNG bytes, width in mm); each becomes an inline picture.
    """
    from docx.shared import Mm
    from docxtpl import InlineImage

    doc = _template_class()(str(TEMPLATES_DIR / template))
    pictures = {name: InlineImage(doc, io.BytesIO(data), width=Mm(width))
                for name, (data, width) in (images or {}).items()}
    doc.render(context | pictures, jinja_env=_docx_environment(), autoescape=True)
    if context.get("mark"):
        fit_masthead(doc.docx, context["mark"])
    if context.get("signature"):
        fit_signature(doc.docx, context["signature"])
    typeset(doc.docx)
    props = doc.docx.core_properties
    props.created = props.modified = dated
    props.last_printed = dated
    # Who wrote it is the office that issues it (no software name in what leaves the office)
    author = context.get("office_name") or ""
    props.title, props.author, props.last_modified_by, props.revision = title, author, author, 1
    props.comments = props.subject = props.keywords = props.category = ""
    # What docxtpl's save adds to python-docx's: pictures of the template replaced, media swapped after saving.
    assert not (doc.pics_to_replace or doc.crc_to_new_media or doc.crc_to_new_embedded or doc.zipname_to_replace)
    return pinned_docx(doc.docx)


@lru_cache
def _template_class() -> type:
    """docxtpl's DocxTemplate, cleaning each part's XML for Jinja once per process.

    Before compiling, docxtpl rewrites each part of the Word template with a dozen regular expressions
    (`patch_xml`, a pure function of the part's XML); for one template the parts never change.
    """
    from docxtpl import DocxTemplate

    import activity_day.documents.docx_styles  # noqa: F401  (the template's style part parsed only where used)

    @lru_cache(maxsize=64)
    def patched(src_xml: str) -> str:
        return DocxTemplate.patch_xml(None, src_xml)  # type: ignore[arg-type]  (it does not use self)

    class PatchedOnce(DocxTemplate):
        def patch_xml(self, src_xml: str) -> str:
            return patched(src_xml)

    return PatchedOnce


class CompiledOnce(Environment):
    """A Jinja environment that compiles each source once.

    docxtpl turns every part of a Word template into Jinja source and compiles it on each render; for one
    template that source is the same every time, and compiling it was half the rendering time. The
    compiled templates are kept per source text (a handful: the parts of the two Word templates).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compiled: dict[str, Any] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:  # noqa: A002
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        if source not in self._compiled:
            self._compiled[source] = super().from_string(source)
        return self._compiled[source]


@lru_cache
def _docx_environment() -> Environment:
    # Everything is escaped for the XML (docxtpl's autoescape), the prose macros the templates import included.
    env = CompiledOnce(loader=FileSystemLoader(str(TEMPLATES_DIR)), undefined=StrictUndefined, autoescape=True)
    env.filters["score"] = score_text
    env.filters["signed"] = signed_text
    env.filters["cn"] = cn_number
    return env


# What a spreadsheet would read as the start of a formula (tab and carriage return, as OWASP lists, too).
FORMULA_LIKE = ("=", "+", "-", "@", "\t", "\r")


def xlsx_bytes(sheets: Sequence[tuple[str, pd.DataFrame]], *, title: str = "") -> bytes:
    """An xlsx with one sheet per frame, bold headers and sized columns, byte-stable across runs.

    Text goes in as string cells (`write_string`), which a spreadsheet shows as typed and never evaluates; text
    that starts like a formula (= + - @) also carries Excel's quotePrefix style, so "=1+1" from a station stays
    text when a clerk edits the cell or saves the sheet as CSV.
    """
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": title, "author": "activity-day", "created": datetime(2000, 1, 1)})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    quoted = book.add_format({"quote_prefix": True})
    for name, frame in sheets:
        sheet = book.add_worksheet(name[:31])
        for col, header in enumerate(frame.columns):
            sheet.write_string(0, col, str(header), bold)
            width = max([len(str(header)) * 2] + [len(str(v)) * 2 for v in frame.iloc[:, col].head(200)])
            sheet.set_column(col, col, min(60, max(8, width)))
        for row, values in enumerate(frame.itertuples(index=False), start=1):
            for col, value in enumerate(values):
                if value is None or (isinstance(value, float) and pd.isna(value)):
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(row, col, value)
                elif isinstance(value, (int, float)):
                    sheet.write_number(row, col, value)
                else:
                    text = str(value)
                    sheet.write_string(row, col, text, quoted if text.startswith(FORMULA_LIKE) else None)
        sheet.freeze_panes(1, 0)
    book.close()
    return pin_zip(out.getvalue())
