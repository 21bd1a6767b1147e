"""Read back the *effective* formatting of any .docx, resolved through the style chain.

Direct formatting alone says little: most of a document's look comes from styles, their
``basedOn`` ancestors and ``docDefaults``, and theme font attributes silently win over font
names. Tests and the ``verify`` command need the value Word would use, so this module resolves
properties the way ECMA-376 §17.7.2 describes, for any document (not only gwmerge's):

* run properties: docDefaults → paragraph style chain → character style chain → direct ``rPr``
  (the paragraph mark's ``pPr/rPr`` is *not* inherited by runs);
* paragraph properties: docDefaults → paragraph style chain → direct ``pPr``;
* attributes of ``rFonts``, ``lang``, ``ind`` and ``spacing`` merge one by one (a derived
  style that sets only ``eastAsia`` keeps the inherited ``ascii``);
* toggle properties (``b``, ``i`` …) in styles toggle: set in both the paragraph style chain and
  the character style chain they cancel; direct formatting is absolute.

Not modelled: table styles, numbering-level properties, conditional formatting.

Large, but one job: the style-resolution rules of one standard.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from lxml import etree

from gwmerge.core.xmlsafe import DocxLimits, SafeZip, parse

__all__ = ["EffectiveDoc", "Footer", "Paragraph", "Run", "Section"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

FONT_SLOTS = ("ascii", "hAnsi", "eastAsia", "cs")
_THEME_ATTR = {"ascii": "asciiTheme", "hAnsi": "hAnsiTheme", "eastAsia": "eastAsiaTheme",
               "cs": "cstheme"}
# Elements whose attributes inherit one by one rather than as a whole.
_MERGED = frozenset({"rFonts", "lang", "ind", "spacing", "numPr"})
_TOGGLES = frozenset({"b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
                      "outline", "shadow", "emboss", "imprint", "vanish"})
# Inline containers whose runs belong to the enclosing paragraph.
_SKIPPED_CONTAINERS = frozenset({f"{{{W}}}del", f"{{{W}}}moveFrom", f"{{{MC}}}Fallback"})
_FALSE = frozenset({"0", "false", "off"})


def w(tag: str) -> str:
    """Clark name of a WordprocessingML tag."""
    return f"{{{W}}}{tag}"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attrs(el: etree._Element) -> dict[str, str]:
    """Attributes keyed by local name (``w:val`` → ``val``)."""
    return {_local(k): v for k, v in el.attrib.items()}


def _on(el: etree._Element | None) -> bool | None:
    """An on/off element's value: absent element None, no ``val`` True."""
    if el is None:
        return None
    val = el.get(w("val"))
    return val is None or val.lower() not in _FALSE


Props = dict[str, dict[str, str]]  # element local name -> attributes


def _props(container: etree._Element | None) -> Props:
    """The property elements of a ``pPr``/``rPr`` as {name: attributes}."""
    if container is None:
        return {}
    out: Props = {}
    for child in container:
        if not isinstance(child.tag, str) or not child.tag.startswith(f"{{{W}}}"):
            continue
        name = _local(child.tag)
        if name in ("rPr", "sectPr", "pPrChange", "rPrChange"):
            continue
        out[name] = _attrs(child)
    return out


def _merge(base: Props, top: Props) -> Props:
    """Lay ``top`` over ``base``: whole elements replace, merged elements combine attributes."""
    out = {k: dict(v) for k, v in base.items()}
    for name, attrs in top.items():
        if name in _MERGED and name in out:
            out[name].update(attrs)
        else:
            out[name] = dict(attrs)
    return out


# --------------------------------------------------------------------------- styles


@dataclass
class _Style:
    style_id: str
    kind: str
    name: str | None
    based_on: str | None
    ppr: Props
    rpr: Props
    is_default: bool


@dataclass
class _Theme:
    """Major/minor fonts of theme1.xml: what ``*Theme`` font attributes point at."""

    fonts: dict[str, dict[str, str]] = field(default_factory=dict)  # "minor" -> {"latin": ..}
    scripts: dict[str, dict[str, str]] = field(default_factory=dict)  # "minor" -> {"Hans": ..}

    @classmethod
    def parse(cls, root: etree._Element | None) -> _Theme:
        theme = cls()
        if root is None:
            return theme
        for which in ("major", "minor"):
            el = root.find(f".//{{{A}}}{which}Font")
            if el is None:
                continue
            theme.fonts[which] = {
                slot: (el.find(f"{{{A}}}{slot}").get("typeface") or "")
                for slot in ("latin", "ea", "cs") if el.find(f"{{{A}}}{slot}") is not None
            }
            theme.scripts[which] = {f.get("script"): f.get("typeface", "")
                                    for f in el.findall(f"{{{A}}}font")}
        return theme

    def resolve(self, value: str, ea_lang: str | None) -> str | None:
        """Typeface for a theme value such as ``minorEastAsia``."""
        which = "major" if value.startswith("major") else "minor"
        slot = {"EastAsia": "ea", "Bidi": "cs"}.get(value[5:], "latin")
        face = self.fonts.get(which, {}).get(slot, "")
        if face or slot != "ea":
            return face or None
        # Empty <a:ea>: Word picks the script font for the theme's East Asian language.
        script = {"zh-CN": "Hans", "zh-SG": "Hans", "zh-TW": "Hant", "zh-HK": "Hant",
                  "ja-JP": "Jpan", "ko-KR": "Hang"}.get(ea_lang or "", "")
        return self.scripts.get(which, {}).get(script) or None


# --------------------------------------------------------------------------- public objects


@dataclass
class Run:
    """A text run with its resolved run properties."""

    text: str
    style_id: str | None
    props: Props
    _chain_fonts: list[dict[str, str]] = field(repr=False)
    _doc: EffectiveDoc = field(repr=False)

    def rpr(self, name: str) -> dict[str, str] | None:
        """Effective attributes of run property element ``name`` (None: set nowhere)."""
        return self.props.get(name)

    def flag(self, name: str) -> bool:
        """Effective on/off property (toggle semantics already applied)."""
        return _truthy(self.props.get(name))

    @property
    def rfonts(self) -> dict[str, str]:
        """Font names per slot, plus every ``*Theme`` attribute found anywhere in the chain.

        The names are the per-attribute merge; the theme keys are reported wherever they occur
        (highest level wins), because a theme attribute next to a name overrides it.
        """
        out = {k: v for k, v in (self.props.get("rFonts") or {}).items()
               if not k.endswith("Theme") and k != "cstheme"}
        for level in self._chain_fonts:  # lowest priority first
            for key, value in level.items():
                if key.endswith("Theme") or key == "cstheme":
                    out[key] = value
        return out

    def font(self, slot: str = "eastAsia") -> str | None:
        """The typeface Word uses for ``slot``: the highest level that names the slot decides,
        and a theme attribute on that level beats the name beside it."""
        theme_key = _THEME_ATTR[slot]
        for level in reversed(self._chain_fonts):
            if theme_key in level:
                return self._doc.theme.resolve(level[theme_key], self._doc.theme_ea_lang)
            if slot in level:
                return level[slot]
        return None

    @property
    def sz(self) -> int | None:
        return measure((self.props.get("sz") or {}).get("val"), EMU_PER_HALF_POINT)

    @property
    def sz_cs(self) -> int | None:
        return measure((self.props.get("szCs") or {}).get("val"), EMU_PER_HALF_POINT)

    szCs = sz_cs  # OOXML spelling

    @property
    def bold(self) -> bool:
        return self.flag("b")

    @property
    def spacing(self) -> int | None:
        """Character spacing in twips (``w:spacing`` in rPr)."""
        return measure((self.props.get("spacing") or {}).get("val"))

    @property
    def lang(self) -> dict[str, str]:
        return dict(self.props.get("lang") or {})


@dataclass
class Paragraph:
    """A paragraph with its resolved paragraph properties and runs."""

    element: etree._Element = field(repr=False)
    style_id: str | None
    props: Props
    runs: list[Run]
    br_count: int
    has_numpr: bool

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    def ppr(self, name: str) -> dict[str, str] | None:
        """Effective attributes of paragraph property ``name`` (e.g. "ind", "spacing", "jc")."""
        attrs = self.props.get(name)
        return dict(attrs) if attrs is not None else None

    def flag(self, name: str) -> bool:
        """Effective on/off paragraph property (keepNext, widowControl …); unset is False."""
        return _truthy(self.props.get(name))

    @property
    def jc(self) -> str | None:
        return (self.props.get("jc") or {}).get("val")


@dataclass
class Footer:
    """A header or footer part of one section (``kind``: default, even or first)."""

    kind: str
    paragraphs: list[Paragraph]

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def instructions(self) -> list[str]:
        """Field codes in the footer (fldSimple and complex fields), stripped."""
        out: list[str] = []
        for p in self.paragraphs:
            out += [f.get(w("instr"), "").strip() for f in p.element.iter(w("fldSimple"))]
            # A complex field's code may be split over several instrText runs.
            code = "".join(i.text or "" for i in p.element.iter(w("instrText"))).strip()
            if code:
                out.append(code)
        return out


@dataclass
class Section:
    pg_sz: dict[str, str]
    pg_mar: dict[str, str]
    doc_grid: dict[str, str]
    footers: dict[str, Footer]
    headers: dict[str, Footer]
    title_pg: bool


# --------------------------------------------------------------------------- the document


class EffectiveDoc:
    """A parsed .docx whose paragraphs and runs report effective formatting."""

    def __init__(self, source: str | Path | IO[bytes]) -> None:
        # Hostile files are expected (verify takes any .docx): sizes are checked before anything is
        # decompressed, only XML parts are read, each within a budget, and parsed without entities.
        with SafeZip(source, DocxLimits) as zf:
            self._files = {n: zf.read(n, DocxLimits.max_xml) for n in zf.names()
                           if n.lower().endswith((".xml", ".rels"))}
        main = self._main_part()
        self._main = main
        self.document = self._xml(main)
        rels = self._rels(main)
        self.styles_root = self._related_xml(rels, "styles")
        self.settings_root = self._related_xml(rels, "settings")
        self.theme = _Theme.parse(self._related_xml(rels, "theme"))
        self._styles: dict[str, _Style] = {}
        self._defaults_rpr: Props = {}
        self._defaults_ppr: Props = {}
        self._parse_styles()
        self._doc_rels = rels

    # ---- package plumbing

    def _xml(self, name: str) -> etree._Element:
        return parse(self._files[name], name)

    def _main_part(self) -> str:
        rels = parse(self._files["_rels/.rels"], "_rels/.rels")
        for rel in rels.iter(f"{{{PKG_REL}}}Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                return rel.get("Target", "").lstrip("/")
        return "word/document.xml"

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """rId -> (type suffix, package path) for ``part``."""
        folder, name = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", f"{name}.rels")
        if rels_name not in self._files:
            return {}
        out = {}
        for rel in parse(self._files[rels_name], rels_name).iter(f"{{{PKG_REL}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            path = (target.lstrip("/") if target.startswith("/")
                    else posixpath.normpath(posixpath.join(folder, target)))
            out[rel.get("Id", "")] = (rel.get("Type", "").rpartition("/")[2], path)
        return out

    def _related_xml(self, rels: dict[str, tuple[str, str]],
                     kind: str) -> etree._Element | None:
        for rel_kind, path in rels.values():
            if rel_kind == kind and path in self._files:
                return self._xml(path)
        return None

    # ---- styles

    def _parse_styles(self) -> None:
        root = self.styles_root
        if root is None:
            return
        defaults = root.find(w("docDefaults"))
        if defaults is not None:
            self._defaults_rpr = _props(defaults.find(f"{w('rPrDefault')}/{w('rPr')}"))
            self._defaults_ppr = _props(defaults.find(f"{w('pPrDefault')}/{w('pPr')}"))
        for el in root.iter(w("style")):
            sid = el.get(w("styleId"))
            if sid is None:
                continue
            name = el.find(w("name"))
            based = el.find(w("basedOn"))
            self._styles[sid] = _Style(
                style_id=sid,
                kind=el.get(w("type"), "paragraph"),
                name=name.get(w("val")) if name is not None else None,
                based_on=based.get(w("val")) if based is not None else None,
                ppr=_props(el.find(w("pPr"))),
                rpr=_props(el.find(w("rPr"))),
                is_default=el.get(w("default")) in ("1", "true", "on"),
            )

    def style_ids(self, kind: str | None = None) -> list[str]:
        """Style ids defined in styles.xml (optionally only one type)."""
        return [s.style_id for s in self._styles.values() if kind in (None, s.kind)]

    def style_name(self, style_id: str) -> str | None:
        style = self._styles.get(style_id)
        return style.name if style else None

    def _default_style(self, kind: str) -> str | None:
        for s in self._styles.values():
            if s.kind == kind and s.is_default:
                return s.style_id
        return None

    def _chain(self, style_id: str | None) -> list[_Style]:
        """The style and its basedOn ancestors, base first (cycles cut)."""
        chain: list[_Style] = []
        seen: set[str] = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            style = self._styles[style_id]
            chain.append(style)
            style_id = style.based_on
        return chain[::-1]

    # ---- resolution

    def style_ppr(self, style_id: str) -> Props:
        """A paragraph style's effective paragraph properties (with docDefaults)."""
        props = self._defaults_ppr
        for s in self._chain(style_id):
            props = _merge(props, s.ppr)
        return props

    def style_rpr(self, style_id: str) -> Props:
        """A style's effective run properties on its own (docDefaults + its chain)."""
        props = self._defaults_rpr
        for s in self._chain(style_id):
            props = _merge(props, s.rpr)
        return props

    def _paragraph(self, p: etree._Element) -> Paragraph:
        ppr_el = p.find(w("pPr"))
        pstyle = ppr_el.find(w("pStyle")) if ppr_el is not None else None
        style_id = pstyle.get(w("val")) if pstyle is not None else self._default_style("paragraph")
        pchain = self._chain(style_id)
        direct_ppr = _props(ppr_el)
        direct_ppr.pop("pStyle", None)
        props = self._defaults_ppr
        for s in pchain:
            props = _merge(props, s.ppr)
        props = _merge(props, direct_ppr)
        runs = [self._run(r, pchain) for r in _own(p, w("r"))]
        return Paragraph(
            element=p,
            style_id=style_id,
            props=props,
            runs=runs,
            br_count=sum(1 for _ in _own(p, w("br"))),
            has_numpr="numPr" in props,
        )

    def _run(self, r: etree._Element, pchain: list[_Style]) -> Run:
        rpr_el = r.find(w("rPr"))
        rstyle = rpr_el.find(w("rStyle")) if rpr_el is not None else None
        style_id = (rstyle.get(w("val")) if rstyle is not None
                    else self._default_style("character"))
        rchain = self._chain(style_id)
        direct = _props(rpr_el)
        direct.pop("rStyle", None)

        props = self._defaults_rpr
        fonts: list[dict[str, str]] = [dict(self._defaults_rpr.get("rFonts", {}))]
        para_level: Props = {}
        for s in pchain:
            para_level = _merge(para_level, s.rpr)
            fonts.append(dict(s.rpr.get("rFonts", {})))
        char_level: Props = {}
        for s in rchain:
            char_level = _merge(char_level, s.rpr)
            fonts.append(dict(s.rpr.get("rFonts", {})))
        fonts.append(dict(direct.get("rFonts", {})))

        props = _merge(_merge(props, para_level), char_level)
        for name in _TOGGLES:  # styles toggle; docDefaults is the starting state
            in_p, in_c = para_level.get(name), char_level.get(name)
            if in_p is None and in_c is None:
                continue
            state = _truthy(self._defaults_rpr.get(name))
            for level in (in_p, in_c):
                if _truthy(level):
                    state = not state
            props[name] = {"val": "1" if state else "0"}
        props = _merge(props, direct)
        return Run(text=_run_text(r), style_id=style_id, props=props,
                   _chain_fonts=[f for f in fonts if f], _doc=self)

    # ---- public API

    @property
    def theme_ea_lang(self) -> str | None:
        if self.settings_root is None:
            return None
        el = self.settings_root.find(w("themeFontLang"))
        return el.get(w("eastAsia")) if el is not None else None

    def paragraphs(self) -> Iterator[Paragraph]:
        """Body paragraphs in document order (table cells included, text boxes not)."""
        body = self.document.find(w("body"))
        if body is None:
            return
        for p in body.iter(w("p")):
            if not _in_skipped(p, body) and not _in(p, body, w("txbxContent")):
                yield self._paragraph(p)

    def setting(self, name: str) -> bool:
        """On/off flag in settings.xml, e.g. ``evenAndOddHeaders``."""
        if self.settings_root is None:
            return False
        return bool(_on(self.settings_root.find(w(name))))

    @property
    def even_and_odd_headers(self) -> bool:
        return self.setting("evenAndOddHeaders")

    def sections(self) -> list[Section]:
        """Every section, the body's final one last."""
        body = self.document.find(w("body"))
        sect_prs = [] if body is None else [
            *body.iterfind(f".//{w('pPr')}/{w('sectPr')}"), *body.iterfind(w("sectPr"))]
        return [self._section(s) for s in sect_prs]

    @property
    def section(self) -> Section:
        """The last (document-level) section."""
        return self.sections()[-1]

    def _section(self, sect: etree._Element) -> Section:
        def attrs(tag: str) -> dict[str, str]:
            el = sect.find(w(tag))
            return _attrs(el) if el is not None else {}

        def parts(ref_tag: str) -> dict[str, Footer]:
            found: dict[str, Footer] = {}
            for ref in sect.iterfind(w(ref_tag)):
                rel = self._doc_rels.get(ref.get(f"{{{R}}}id", ""))
                if rel is None or rel[1] not in self._files:
                    continue
                root = self._xml(rel[1])
                kind = ref.get(w("type"), "default")
                found[kind] = Footer(kind, [self._paragraph(p) for p in root.iter(w("p"))
                                            if not _in_skipped(p, root)])
            return found

        return Section(pg_sz=attrs("pgSz"), pg_mar=attrs("pgMar"), doc_grid=attrs("docGrid"),
                       footers=parts("footerReference"), headers=parts("headerReference"),
                       title_pg=bool(_on(sect.find(w("titlePg")))))

    def raw_parts(self) -> dict[str, bytes]:
        """Every XML package member, for raw-XML checks."""
        return dict(self._files)


# --------------------------------------------------------------------------- helpers


def _int(attrs: dict[str, str] | None, key: str) -> int | None:
    if not attrs or key not in attrs:
        return None
    try:
        return int(attrs[key])
    except ValueError:
        return None


# OOXML universal measures (ST_UniversalMeasure: "37mm", "1.5in", "-2pt"), in EMU per unit, as
# python-docx's simpletypes reads them. Twips and half-point measures may be written this way.
_UNIVERSAL = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*(mm|cm|in|pt|pc|pi)\s*")
_EMU = {"mm": 36000, "cm": 360000, "in": 914400, "pt": 12700, "pc": 152400, "pi": 152400}
EMU_PER_TWIP = 635
EMU_PER_HALF_POINT = 6350


def measure(value: str | None, emu_per_unit: int = EMU_PER_TWIP) -> int | None:
    """A twips (ST_TwipsMeasure/ST_SignedTwipsMeasure) or, with ``EMU_PER_HALF_POINT``, a
    half-point (ST_HpsMeasure) value: a plain integer in that unit or a universal measure."""
    if value is None:
        return None
    value = value.strip()
    try:
        return int(value)
    except ValueError:
        pass
    m = _UNIVERSAL.fullmatch(value)
    if m is None:
        try:
            return round(float(value))  # some writers put "1440.0"
        except (ValueError, OverflowError):  # not a number; "inf", "1e999" (NaN is a ValueError)
            return None
    try:
        return round(float(m.group(1)) * _EMU[m.group(2)] / emu_per_unit)
    except OverflowError:  # hundreds of digits: no page is that size
        return None


def _truthy(attrs: dict[str, str] | None) -> bool:
    return attrs is not None and attrs.get("val", "1").lower() not in _FALSE


def _in(el: etree._Element, stop: etree._Element, tag: str) -> bool:
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == tag:
            return True
        parent = parent.getparent()
    return False


def _in_skipped(el: etree._Element, stop: etree._Element) -> bool:
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag in _SKIPPED_CONTAINERS:
            return True
        parent = parent.getparent()
    return False


def _own(p: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Descendants ``tag`` of paragraph ``p`` that belong to it (not deleted, not nested)."""
    for el in p.iter(tag):
        parent = el.getparent()
        owned = True
        while parent is not None and parent is not p:
            if parent.tag in _SKIPPED_CONTAINERS or parent.tag == w("p"):
                owned = False
                break
            parent = parent.getparent()
        if owned:
            yield el


def _run_text(r: etree._Element) -> str:
    """Visible text of a run: ``w:t``, tabs, line breaks; field codes and deletions excluded."""
    parts: list[str] = []
    for child in r:
        tag = child.tag
        if tag == w("t"):
            parts.append(child.text or "")
        elif tag == w("tab"):
            parts.append("\t")
        elif tag in (w("br"), w("cr")):
            if child.get(w("type")) in (None, "textWrapping"):
                parts.append("\n")
        elif tag == w("noBreakHyphen"):
            parts.append("\u2011")
    return "".join(parts)
