"""Generate the docxtpl template of a document kind from a :class:`Profile`.

The template is code-generated (never hand-edited) so that every number of docs/format.md lives in
one place, and it is written byte-reproducibly so the checked-in file only changes when the
profile or this code does. The paragraph/style contract below is what the renderer relies on.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import os
import pathlib
import tempfile
import zipfile
from dataclasses import dataclass

import docx
from docx.document import Document as _Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement
from lxml import etree

from gwmerge.document import roles
from gwmerge.document.profile import DEFAULT, Profile

__all__ = ["EVEN_FOOTER_JC", "ODD_FOOTER_JC", "STYLE_IDS", "build_template", "template_bytes"]

# Style ids come from roles.py: the renderer and verify use the same names.
_P = roles.PARAGRAPH_STYLES
_C: dict[str, str] = {role: style for role, style in roles.CHAR_STYLES.items() if style}

# Fixed stamps: identical inputs must give identical bytes.
_FIXED_DATETIME = _dt.datetime(2025, 1, 1, 0, 0, 0)
_ZIP_DATETIME = (1980, 1, 1, 0, 0, 0)
_ZIP_FIRST = ("[Content_Types].xml", "_rels/.rels")

_THEME_ATTRS = tuple(qn(f"w:{a}") for a in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"))

# Styles of python-docx's default template we keep (the document defaults Word expects);
# all others are dropped: they carry theme fonts, list numbering and English names.
_KEPT_BUILTIN_STYLES = ("Normal", "DefaultParagraphFont", "TableNormal", "NoList")

ODD_FOOTER_JC = "right"
EVEN_FOOTER_JC = "left"

# Word falls back to altName when a font is missing: the *_GB2312 families are often absent on
# modern Windows, where 仿宋/楷体 are the same designs.
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

_ALT_NAMES = {"仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体"}


@dataclass(frozen=True)
class _StyleSpec:
    """One style of the contract; fields say only what differs between styles."""

    style_id: str
    name: str
    kind: str  # "paragraph" | "character"
    font: str
    size: int
    bold: bool = False
    jc: str | None = None
    first_line_chars: int | None = None  # None: no w:ind at all (character styles)
    keep_next: bool = False
    body_width: bool = False  # carries the character tightening
    single_line: bool = False  # page number: single spacing instead of the exact grid pitch
    off_grid: bool = False  # taller than one grid line (title): keep the exact pitch, do not snap
    measured: bool = False  # indents computed from text width (signature): no auto spacing
    next_style: str | None = None


def _style_specs(p: Profile) -> list[_StyleSpec]:
    """The contract's styles for profile ``p``."""
    specs = [
        _StyleSpec(_P[roles.TITLE], "公文标题", "paragraph", p.font_title, p.size_title,
                   jc="center", first_line_chars=0, keep_next=True, next_style=_P[roles.BODY],
                   off_grid=True),
        _StyleSpec(_P[roles.HEADING1], "一级标题", "paragraph", p.font_heading1, p.size_body,
                   jc="both", first_line_chars=200, keep_next=True, body_width=True,
                   next_style=_P[roles.BODY]),
        _StyleSpec(_P[roles.HEADING2], "二级标题", "paragraph", p.font_heading2, p.size_body,
                   jc="both", first_line_chars=200, keep_next=True, body_width=True,
                   next_style=_P[roles.BODY]),
        _StyleSpec(_P[roles.HEADING3], "三级标题", "paragraph", p.font_heading3, p.size_body,
                   bold=p.heading3_bold, jc="both", first_line_chars=200, keep_next=True,
                   body_width=True, next_style=_P[roles.BODY]),
        _StyleSpec(_P[roles.BODY], "公文正文", "paragraph", p.font_body, p.size_body,
                   jc="both", first_line_chars=200, body_width=True, next_style=_P[roles.BODY]),
        _StyleSpec(_P[roles.BODY_KEEP], "正文（与落款同页）", "paragraph", p.font_body, p.size_body,
                   jc="both", first_line_chars=200, keep_next=True, body_width=True, next_style=_P[roles.BODY]),
        # 主送 (GB/T 9704 7.3.2): 3号仿宋, flush left, no indent.
        _StyleSpec(_P[roles.ADDRESSEE], "主送", "paragraph", p.font_body, p.size_body,
                   jc="both", first_line_chars=0, body_width=True, next_style=_P[roles.BODY]),
        _StyleSpec(_P[roles.SIGNATURE], "落款", "paragraph", p.font_body, p.size_body,
                   jc="right", first_line_chars=0, keep_next=True, next_style=_P[roles.SIGNATURE],
                   measured=True),
        # Tables: 仿宋 cells, a 黑体 centred header row (the renderer builds the table itself).
        _StyleSpec(_P[roles.TABLE], "表格文字", "paragraph", p.font_body, p.size_body,
                   jc="left", first_line_chars=0),
        _StyleSpec(_P[roles.TABLE_HEADER], "表头", "paragraph", p.font_heading1, p.size_body,
                   jc="center", first_line_chars=0),
        _StyleSpec(_P[roles.PAGE_NUMBER], "页码", "paragraph", p.font_page_number,
                   p.size_page_number, first_line_chars=0, single_line=True),
        _StyleSpec(_C[roles.HEADING2], "二级标题字符", "character", p.font_heading2, p.size_body),
        _StyleSpec(_C[roles.HEADING3], "三级标题字符", "character", p.font_heading3, p.size_body,
                   bold=p.heading3_bold),
        _StyleSpec(_C[roles.LEAD], "引导句字符", "character", p.font_body, p.size_body,
                   bold=p.lead_bold),
    ]
    # Subtitle and name line: 楷体 三号, centred, no indent (docs/format.md, Type).
    specs[1:1] = [
        _StyleSpec(_P[roles.SUBTITLE], "副标题", "paragraph", p.font_name_line, p.size_body,
                   jc="center", first_line_chars=0, keep_next=True, next_style=_P[roles.BODY]),
        _StyleSpec(_P[roles.NAME_LINE], "署名行", "paragraph", p.font_name_line, p.size_body,
                   jc="center", first_line_chars=0, keep_next=True, next_style=_P[roles.BODY]),
    ]
    return specs


STYLE_IDS: tuple[str, ...] = tuple(s.style_id for s in _style_specs(DEFAULT))

# Body paragraphs of the template: (style id, the single run's text). "" = empty paragraph.
# {%p %} paragraphs vanish when rendered, so a document without subtitle or name line has the
# same body as one from a template without them.
_BODY_HEAD: tuple[tuple[str, str], ...] = (
    (_P[roles.TITLE], "{{r title }}"),
    (_P[roles.BODY], "{%p if subtitle %}"),
    (_P[roles.SUBTITLE], "{{ subtitle }}"),
    (_P[roles.BODY], "{%p endif %}"),
    (_P[roles.BODY], "{%p if name_line %}"),
    (_P[roles.NAME_LINE], "{{ name_line }}"),
    (_P[roles.BODY], "{%p endif %}"),
)
_BODY_LOOP: tuple[tuple[str, str], ...] = (
    (_P[roles.BODY], ""),  # the one blank grid line after the title (or name line)
    (_P[roles.BODY], "{%p for p in paragraphs %}"),
    (_P[roles.BODY], f'{{%p if p.kind == "{roles.HEADING1}" %}}'),
    (_P[roles.HEADING1], "{{r p.rich }}"),
    (_P[roles.BODY], f'{{%p elif p.kind == "{roles.HEADING2}" %}}'),
    (_P[roles.HEADING2], "{{r p.rich }}"),
    (_P[roles.BODY], f'{{%p elif p.kind == "{roles.HEADING3}" %}}'),
    (_P[roles.HEADING3], "{{r p.rich }}"),
    (_P[roles.BODY], f'{{%p elif p.kind == "{roles.BLANK}" %}}'),
    (_P[roles.BODY], ""),
    (_P[roles.BODY], f'{{%p elif p.kind == "{roles.ADDRESSEE}" %}}'),
    (_P[roles.ADDRESSEE], "{{r p.rich }}"),
    (_P[roles.BODY], f'{{%p elif p.kind == "{roles.TABLE}" %}}'),
    (_P[roles.BODY], "{{p p.table }}"),
    (_P[roles.BODY], f'{{%p elif p.kind == "{roles.BODY_KEEP}" %}}'),
    (_P[roles.BODY_KEEP], "{{r p.rich }}"),
    (_P[roles.BODY], "{%p else %}"),
    (_P[roles.BODY], "{{r p.rich }}"),
    (_P[roles.BODY], "{%p endif %}"),
    (_P[roles.BODY], "{%p endfor %}"),
    # Signature without a seal: one blank line, then name and date lines whose right indents
    # depend on their lengths, so the renderer supplies both paragraphs whole.
    (_P[roles.BODY], "{%p if signature %}"),
    (_P[roles.SIGNATURE], ""),
    (_P[roles.SIGNATURE], "{{p signature }}"),
    (_P[roles.BODY], "{%p endif %}"),
)


# --------------------------------------------------------------------------- XML helpers


def _el(tag: str, **attrs: str | int) -> etree._Element:
    """A ``w:`` element with ``w:`` attributes, written in the order given."""
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), str(value))
    return el


def _sub(parent: etree._Element, tag: str, **attrs: str | int) -> etree._Element:
    child = _el(tag, **attrs)
    parent.append(child)
    return child


def _rpr(p: Profile, font: str, size: int, *, bold: bool | None,
         char_spacing: bool) -> etree._Element:
    """Run properties in schema order: all four font slots, so CJK text really uses ``font``."""
    rpr = _el("w:rPr")
    latin = p.latin_font or font
    _sub(rpr, "w:rFonts", ascii=latin, hAnsi=latin, eastAsia=font, cs=font, hint="eastAsia")
    if bold is not None:
        _sub(rpr, "w:b", val=int(bold))
        _sub(rpr, "w:bCs", val=int(bold))
    if char_spacing:
        _sub(rpr, "w:spacing", val=p.char_spacing)
    _sub(rpr, "w:sz", val=size)
    _sub(rpr, "w:szCs", val=size)
    _sub(rpr, "w:lang", val="en-US", eastAsia="zh-CN")
    return rpr


def _ppr(p: Profile, *, keep_next: bool = False, single_line: bool = False, off_grid: bool = False,
         first_line_chars: int | None = None, size: int = 32,
         jc: str | None = None, measured: bool = False) -> etree._Element:
    """Paragraph properties in schema order; the exact grid pitch unless ``single_line``.

    ``measured``: a paragraph whose position is computed from character widths (signature), so
    no automatic space between Chinese and digits may widen it.
    """
    ppr = _el("w:pPr")
    if keep_next:
        _sub(ppr, "w:keepNext")
    _sub(ppr, "w:widowControl", val=0)
    # Word's default (punctuation may hang past the right edge), stated explicitly: without it
    # LibreOffice drops a comma that falls just past the edge from the printed page.
    _sub(ppr, "w:overflowPunct", val=1)
    if measured:
        _sub(ppr, "w:autoSpaceDE", val=0)
        _sub(ppr, "w:autoSpaceDN", val=0)
    if off_grid:
        # A 22 pt title on a lines grid takes two grid lines in LibreOffice unless unsnapped.
        _sub(ppr, "w:snapToGrid", val=0)
    if single_line:
        # Do not let the lines grid stretch the footer line to the body pitch.
        _sub(ppr, "w:snapToGrid", val=0)
        _sub(ppr, "w:spacing", before=0, after=0, line=240, lineRule="auto")
    else:
        _sub(ppr, "w:spacing", before=0, after=0, line=p.line_pitch, lineRule="exact")
    if first_line_chars is not None:
        # One character = the font size: sz half-points * 10 = twips.
        _sub(ppr, "w:ind", firstLineChars=first_line_chars,
             firstLine=first_line_chars * size // 10)
    if jc is not None:
        _sub(ppr, "w:jc", val=jc)
    return ppr


def _style_element(p: Profile, spec: _StyleSpec) -> etree._Element:
    style = _el("w:style", type=spec.kind, customStyle=1, styleId=spec.style_id)
    _sub(style, "w:name", val=spec.name)
    _sub(style, "w:basedOn", val="Normal" if spec.kind == "paragraph" else "DefaultParagraphFont")
    if spec.next_style:
        _sub(style, "w:next", val=spec.next_style)
    _sub(style, "w:qFormat")
    if spec.kind == "paragraph":
        style.append(_ppr(p, keep_next=spec.keep_next, single_line=spec.single_line, off_grid=spec.off_grid,
                          measured=spec.measured,
                          first_line_chars=spec.first_line_chars, size=spec.size, jc=spec.jc))
    style.append(_rpr(p, spec.font, spec.size, bold=spec.bold, char_spacing=spec.body_width))
    return style


def _strip_theme_fonts(root: etree._Element) -> None:
    """Remove theme font attributes: they win over the font names set next to them."""
    for rfonts in list(root.iter(qn("w:rFonts"))):
        for attr in _THEME_ATTRS:
            rfonts.attrib.pop(attr, None)
        if not rfonts.attrib:
            rfonts.getparent().remove(rfonts)


# --------------------------------------------------------------------------- document parts


def _build_styles(doc: _Document, p: Profile) -> None:
    root = doc.styles.element
    for child in list(root):
        if child.tag == qn("w:style") and child.get(qn("w:styleId")) in _KEPT_BUILTIN_STYLES:
            continue
        if child.tag == qn("w:latentStyles"):
            continue
        root.remove(child)

    defaults = _el("w:docDefaults")
    _sub(defaults, "w:rPrDefault").append(_rpr(p, p.font_body, p.size_body, bold=None,
                                               char_spacing=False))
    _sub(defaults, "w:pPrDefault").append(_ppr(p))
    root.insert(0, defaults)

    normal = next(s for s in root.iter(qn("w:style")) if s.get(qn("w:styleId")) == "Normal")
    for child in list(normal):
        if child.tag in (qn("w:pPr"), qn("w:rPr"), qn("w:rsid")):
            normal.remove(child)
    normal.append(_ppr(p))
    normal.append(_rpr(p, p.font_body, p.size_body, bold=None, char_spacing=False))

    for spec in _style_specs(p):
        root.append(_style_element(p, spec))
    _strip_theme_fonts(root)


def _build_body(doc: _Document) -> None:
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    rows = _BODY_HEAD + _BODY_LOOP
    for style_id, text in rows:
        para = doc.add_paragraph()
        para._p.style = style_id
        if text:
            # One run per tag: docxtpl only recognises a tag that is not split across runs.
            para.add_run(text)


def _build_section(doc: _Document, p: Profile) -> None:
    sect = doc.sections[0]
    sect_pr = sect._sectPr
    for attr in list(sect_pr.attrib):
        if attr.startswith(f"{{{sect_pr.nsmap['w']}}}rsid"):
            del sect_pr.attrib[attr]
    pg_sz = sect_pr.find(qn("w:pgSz"))
    pg_sz.attrib.clear()
    pg_sz.set(qn("w:w"), str(p.page_width))
    pg_sz.set(qn("w:h"), str(p.page_height))
    pg_mar = sect_pr.find(qn("w:pgMar"))
    pg_mar.attrib.clear()
    for key, value in (("top", p.margin_top), ("right", p.margin_right),
                       ("bottom", p.margin_bottom), ("left", p.margin_left),
                       ("header", p.margin_header), ("footer", p.margin_footer),
                       ("gutter", p.margin_gutter)):
        pg_mar.set(qn(f"w:{key}"), str(value))
    grid = sect_pr.find(qn("w:docGrid"))
    grid.attrib.clear()
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(p.line_pitch))

    doc.settings.odd_and_even_pages_header_footer = True
    sect.footer.is_linked_to_previous = False
    sect.even_page_footer.is_linked_to_previous = False
    _page_number_footer(sect.footer._element, p, ODD_FOOTER_JC, "right")
    _page_number_footer(sect.even_page_footer._element, p, EVEN_FOOTER_JC, "left")


def _page_number_footer(ftr: etree._Element, p: Profile, jc: str, side: str) -> None:
    """``— N —`` in a GwPageNumber paragraph, kept ``page_number_indent`` off the outer edge."""
    for child in list(ftr):
        ftr.remove(child)
    para = _sub(ftr, "w:p")
    ppr = _sub(para, "w:pPr")
    _sub(ppr, "w:pStyle", val=_P[roles.PAGE_NUMBER])
    _sub(ppr, "w:ind", **{side: p.page_number_indent})
    _sub(ppr, "w:jc", val=jc)

    def run(*children: etree._Element) -> None:
        r = _sub(para, "w:r")
        for child in children:
            r.append(child)

    def text(value: str) -> etree._Element:
        t = _el("w:t")
        t.text = value
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return t

    def instr(value: str) -> etree._Element:
        t = _el("w:instrText")
        t.text = value
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return t

    run(text("— "))
    run(_el("w:fldChar", fldCharType="begin"))
    run(instr(" PAGE "))
    run(_el("w:fldChar", fldCharType="separate"))
    run(text("1"))
    run(_el("w:fldChar", fldCharType="end"))
    run(text(" —"))


def _clean_package(doc: _Document, p: Profile) -> None:
    """Drop default parts that carry theme fonts, list numbering or machine-specific data."""
    part = doc.part
    for r_id, rel in list(part.rels.items()):
        if rel.reltype in (_STYLES_WITH_EFFECTS, RT.CUSTOM_XML, RT.NUMBERING):
            part.drop_rel(r_id)
    pkg_rels = part.package.rels
    for r_id, rel in list(pkg_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            pkg_rels.pop(r_id)

    settings = doc.settings.element
    for child in list(settings):
        if child.tag == qn("w:savePreviewPicture"):
            settings.remove(child)
        elif child.tag == qn("w:themeFontLang"):
            child.set(qn("w:eastAsia"), "zh-CN")

    core = doc.core_properties
    core.author = "gwmerge"
    core.last_modified_by = "gwmerge"
    # Rendered documents inherit these: keep them free of template wording.
    core.title = ""
    core.comments = ""
    core.revision = 1
    core.created = _FIXED_DATETIME
    core.modified = _FIXED_DATETIME
    core.last_printed = _FIXED_DATETIME

    for r_id in list(part.rels):
        rel = part.rels[r_id]
        if rel.reltype == RT.FONT_TABLE:
            _add_fonts(rel.target_part, p)


def _add_fonts(font_part: object, p: Profile) -> None:
    """Declare the Chinese fonts (GB2312 charset, fallback name) in fontTable.xml."""
    blob: bytes = font_part.blob  # type: ignore[attr-defined]
    root = etree.fromstring(blob)
    declared = {f.get(qn("w:name")) for f in root.iter(qn("w:font"))}
    names = [p.font_title, p.font_name_line, p.font_heading1, p.font_heading2,
             p.font_heading3, p.font_body, p.font_page_number]
    for name in dict.fromkeys(names):
        if name in declared:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        if name in _ALT_NAMES:
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), _ALT_NAMES[name])
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), "modern")
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "fixed")
    font_part._blob = etree.tostring(  # type: ignore[attr-defined]
        root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --------------------------------------------------------------------------- writing


def _normalised_zip(raw: bytes) -> bytes:
    """Rewrite a package with fixed timestamps and a stable member order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src:
        names = src.namelist()
        order = [n for n in _ZIP_FIRST if n in names] + sorted(
            n for n in names if n not in _ZIP_FIRST)
        with zipfile.ZipFile(out, "w") as dst:
            for name in order:
                info = zipfile.ZipInfo(name, date_time=_ZIP_DATETIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 0  # not the building OS: same bytes on every platform
                info.external_attr = 0
                dst.writestr(info, src.read(name), compresslevel=9)
    return out.getvalue()


def template_bytes(profile: Profile = DEFAULT) -> bytes:
    """The template package as bytes (pure: same inputs, same bytes)."""
    doc = docx.Document()
    _clean_package(doc, profile)
    _build_styles(doc, profile)
    _build_body(doc)
    _build_section(doc, profile)
    for ftr_part in (doc.sections[0].footer.part, doc.sections[0].even_page_footer.part):
        _strip_theme_fonts(ftr_part.element)
    _strip_theme_fonts(doc.element)
    raw = io.BytesIO()
    doc.save(raw)
    return _normalised_zip(raw.getvalue())


def _atomic_write(dest: pathlib.Path, data: bytes) -> None:
    """Write via a temp file in the same folder, so ``dest`` is never half-written."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    mode = dest.stat().st_mode & 0o777 if dest.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def build_template(dest: pathlib.Path, profile: Profile = DEFAULT) -> None:
    """Generate the docxtpl template for ``profile`` at ``dest``, byte-reproducibly."""
    _atomic_write(pathlib.Path(dest), template_bytes(profile))
