"""Check any .docx (ours or typed by hand in Word/WPS) against a format profile (docs/format.md).

This is the one source of truth for "official format": the ``verify`` command and the tests both
call :func:`verify`. Everything is read back as *effective* formatting (style chain, docDefaults,
theme fonts) through :mod:`gwmerge.docx.effective`, so a document passes only if Word would really
show it in the official format, whatever way the formatting was applied.

Paragraph roles are recognised by their text (``一、`` level 1, ``（一）`` level 2, the first
non-empty paragraph is the title …), not by style names, so hand-made documents can be checked.
Each rule is a small function in :data:`RULES`; rules report problems per paragraph and
:func:`verify` folds a problem shared by many paragraphs into one finding.

Large, but one job: a rule per requirement of docs/format.md, and the folding of their findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from gwmerge.core.errors import Finding, Location, Severity
from gwmerge.document import ordinals, roles
from gwmerge.document.profile import DEFAULT, Profile
from gwmerge.docx.effective import EffectiveDoc, Footer, Paragraph, Run, measure, w

__all__ = ["RULES", "format_findings", "verify"]

# Margins and paper may differ by 1 mm from the profile (GB/T 9704 5.2.1 allows ±1 mm).
MM_TWIPS = 1440 / 25.4
TOLERANCE = 57
EM_DASH = "\u2014"
THEME_ATTRS = ("asciiTheme", "eastAsiaTheme", "hAnsiTheme", "cstheme")
# Paragraphs grouped into one finding when more than this many share the same problem.
GROUP_OVER = 3
EXCERPT_CHARS = 12

# A run-in heading ends at the first sentence end; without one the heading is the whole paragraph.
_SENTENCE_END = "。！？!?"

_SIZE_NAMES = {84: "初号", 72: "小初", 52: "一号", 48: "小一", 44: "二号", 36: "小二", 32: "三号",
               30: "小三", 28: "四号", 24: "小四", 21: "五号", 18: "小五"}
_JC_NAMES = {"left": "左对齐", "start": "左对齐", "right": "右对齐", "end": "右对齐", "center": "居中",
             "both": "两端对齐", "distribute": "分散对齐"}
WORD_DEFAULT_SZ = 20  # Word's size when no level sets w:sz (10 pt)


# --------------------------------------------------------------------------- model


@dataclass(eq=False)
class Para:
    """A body paragraph with its number (1-based, as counted in the document) and role."""

    number: int
    p: Paragraph
    role: str  # title, name_line, heading1, heading2, body, signature, blank, table

    @property
    def text(self) -> str:
        return self.p.text

    def text_runs(self) -> Iterator[tuple[int, Run]]:
        """Runs that show text, with their start offset in the paragraph text."""
        start = 0
        for run in self.p.runs:
            if run.text.strip():
                yield start, run
            start += len(run.text)


@dataclass
class Issue:
    """One problem of one place; ``where`` is a paragraph or a sheet-like label (页面设置 …)."""

    where: Para | str
    problem: str
    severity: Severity = Severity.ERROR


@dataclass
class Context:
    """What every rule sees: the parsed document, its classified paragraphs and the profile."""

    path: Path
    profile: Profile
    doc: EffectiveDoc
    paras: list[Para] = field(default_factory=list)

    @property
    def title(self) -> Para | None:
        return next((q for q in self.paras if q.role == "title"), None)

    def content(self) -> Iterator[Para]:
        """Non-empty paragraphs outside tables: the ones whose look the standard fixes."""
        return (q for q in self.paras if q.role not in ("blank", "table"))

    @property
    def char_twips(self) -> int:
        """Width of one body character: first-line indents are counted in these."""
        return self.profile.size_body * 10


Rule = Callable[[Context], Iterable[Issue]]


# --------------------------------------------------------------------------- helpers


def _excerpt(text: str) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    if not flat:
        return "空段"
    return f"“{flat[:EXCERPT_CHARS]}…”" if len(flat) > EXCERPT_CHARS else f"“{flat}”"


def _tw(value: str | None, default: int = 0) -> int:
    """A twips measure as Word reads it: an integer or a universal measure (``37mm``)."""
    parsed = measure(value)
    return default if parsed is None else parsed


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _pt(twips: float) -> str:
    """Twips as points, without a needless ``.0``."""
    return f"{twips / 20:.2f}".rstrip("0").rstrip(".")


def _mm(twips: float) -> str:
    return f"{twips / MM_TWIPS:.1f}".rstrip("0").rstrip(".")


def _size(half_points: int) -> str:
    pt = f"{half_points / 2:g} 磅"
    name = _SIZE_NAMES.get(half_points)
    return f"{name}（{pt}）" if name else pt


def _sizes(half_points: Iterable[int]) -> str:
    """Sizes for a message; a leading digit gets a space after the Chinese word before it."""
    text = "、".join(_size(s) for s in half_points)
    return f" {text}" if text[:1].isdigit() else text


def _jc_name(jc: str | None) -> str:
    return _JC_NAMES.get(jc or "left", jc or "左对齐")


def _first_line_chars(p: Paragraph, char_twips: int) -> float:
    """Effective first-line indent in characters (negative: hanging)."""
    ind = p.ppr("ind") or {}
    if _int(ind.get("hangingChars")):
        return -_int(ind.get("hangingChars")) / 100
    if _tw(ind.get("hanging")):
        return -_tw(ind.get("hanging")) / char_twips
    if _int(ind.get("firstLineChars")):
        return _int(ind.get("firstLineChars")) / 100
    return _tw(ind.get("firstLine")) / char_twips


def _side_indent(ind: dict[str, str], side: str, char_twips: int) -> float:
    """Effective left/right indent in twips; ``*Chars`` wins over twips as in Word."""
    alias = {"left": "start", "right": "end"}[side]
    for name in (side, alias):
        chars = _int(ind.get(f"{name}Chars"))
        if chars:
            return chars * char_twips / 100
    return _tw(ind.get(side, ind.get(alias)))


def _heading_end(text: str) -> int:
    """Offset just past a run-in heading (its first sentence end), or the whole text."""
    hits = [i for i in (text.find(c) for c in _SENTENCE_END) if i >= 0]
    return min(hits) + 1 if hits else len(text)


def _in_table(p: Paragraph) -> bool:
    parent = p.element.getparent()
    while parent is not None:
        if parent.tag == w("tc"):
            return True
        parent = parent.getparent()
    return False


def _classify(doc: EffectiveDoc) -> list[Para]:
    """Give every body paragraph a role from its text and place (title first, name line …)."""
    paras: list[Para] = []
    title_at: int | None = None
    for number, p in enumerate(doc.paragraphs(), 1):
        text = p.text
        under_title = title_at is not None and paras[-1].role in (roles.TITLE, roles.SUBTITLE, roles.NAME_LINE)
        if _in_table(p):
            role = roles.TABLE
        elif not text.strip():
            role = roles.BLANK
        elif title_at is None:
            role, title_at = roles.TITLE, number
        elif under_title and p.jc == "center":
            # Centred lines right under the title: a subtitle (——…) or the name line.
            role = roles.SUBTITLE if text.lstrip().startswith(("—", "-", "－")) else roles.NAME_LINE
        elif _addressee_here(paras, title_at, text):
            role = roles.ADDRESSEE  # 主送: the first line after the title's blank line, ending in a colon
        elif ordinals.match(text.lstrip(), 1):
            role = roles.HEADING1
        elif ordinals.match(text.lstrip(), 2):
            role = roles.HEADING2
        elif p.jc in ("right", "end"):
            role = roles.SIGNATURE
        else:
            role = roles.BODY
        paras.append(Para(number, p, role))
    return paras


def _addressee_here(paras: list[Para], title_at: int | None, text: str) -> bool:
    """A 主送 line: right after the title block's blank line, short, ending with a colon."""
    if title_at is None or not paras or paras[-1].role != roles.BLANK:
        return False
    if any(q.role not in (roles.TITLE, roles.SUBTITLE, roles.NAME_LINE, roles.BLANK) for q in paras[-4:]):
        return False
    stripped = text.strip()
    return (stripped.endswith(("：", ":")) and len(stripped) <= 60 and not any(ch in stripped for ch in "。！？；")
            and not any(word in stripped for word in ("同志", "领导", "各位", "尊敬", "朋友", "大家")))


def _expected_fonts(q: Para, profile: Profile) -> Iterator[tuple[Run, str, frozenset[str]]]:
    """Each text run with the role it carries and the fonts allowed for it.

    A level-2 paragraph starts with run(s) in the heading font and may continue in the body
    font (run-in); a level-3 paragraph may start in the level-3 font.
    """
    if q.role == "table":  # tables have no fixed role: any font of the profile will do
        fonts = frozenset({profile.font_title, profile.font_name_line, profile.font_heading1,
                           profile.font_heading2, profile.font_heading3, profile.font_body})
        for _, run in q.text_runs():
            yield run, "table", fonts
        return
    single = {"title": profile.font_title, "name_line": profile.font_name_line, "subtitle": profile.font_name_line,
              "heading1": profile.font_heading1, "signature": profile.font_body}
    if q.role in single:
        for _, run in q.text_runs():
            yield run, q.role, frozenset({single[q.role]})
        return
    end = _heading_end(q.text)
    if q.role == "heading2":
        in_heading = True
        for start, run in q.text_runs():
            font = run.font("eastAsia")
            # The heading is the leading run(s) in the heading font; once the body font starts,
            # the rest is body text. A heading-font run reaching past the heading end is wrong.
            if in_heading and (start == 0 or font == profile.font_heading2) and start < end:
                yield run, "heading2", frozenset({profile.font_heading2})
                if start + len(run.text.rstrip()) > end:
                    yield run, "body", frozenset({profile.font_body})
            else:
                in_heading = False
                yield run, "body", frozenset({profile.font_body})
        return
    level3 = ordinals.match(q.text.lstrip(), 3) is not None
    for start, run in q.text_runs():
        allowed = {profile.font_body}
        if level3 and start < end:
            allowed.add(profile.font_heading3)
        yield run, "body", frozenset(allowed)


def _bold_allowed(q: Para, start: int, run: Run, profile: Profile) -> bool:
    """Bold only where the profile asks for it: level-3 headings or 一是… lead sentences.

    A lead may sit in a body paragraph of its own or run on inside an item's paragraph (the
    kind's inline layout: ``（一）heading。body。一是lead。…``), so leads are found by their
    place in the text, not by the paragraph's role.
    """
    if q.role not in (roles.BODY, roles.HEADING2):
        return False
    if (q.role == roles.BODY and profile.heading3_bold and ordinals.match(q.text.lstrip(), 3)
            and start < _heading_end(q.text)):
        return True
    if not profile.lead_bold:
        return False
    end = start + len(run.text.rstrip())
    start += len(run.text) - len(run.text.lstrip())
    return any(lead_start <= start and end <= lead_end for lead_start, lead_end in _lead_spans(q.text))


_SENTENCE_START = re.compile(r"(?:^|(?<=[。；！？：:;!?]))\s*")


def _lead_spans(text: str) -> list[tuple[int, int]]:
    """Where the 一是/二是 lead sentences are: from the ordinal to the end of their sentence."""
    spans = []
    for m in _SENTENCE_START.finditer(text):
        begin = m.end()
        if ordinals.match(text[begin:begin + 12], ordinals.POINT) is not None:
            spans.append((begin, begin + _heading_end(text[begin:])))
    return spans


# --------------------------------------------------------------------------- rules: page


def rule_page(ctx: Context) -> Iterator[Issue]:
    """A4 paper, the profile's margins (±1 mm) and a line grid at the profile's pitch."""
    pr = ctx.profile
    sections = ctx.doc.sections()
    if not sections:
        yield Issue("页面设置", "文档没有页面设置（sectPr），无法确定纸张和边距。")
        return
    for index, sect in enumerate(sections, 1):
        where = "页面设置" if len(sections) == 1 else f"第{index}节页面设置"
        width, height = _tw(sect.pg_sz.get("w")), _tw(sect.pg_sz.get("h"))
        if abs(width - pr.page_width) > TOLERANCE or abs(height - pr.page_height) > TOLERANCE:
            yield Issue(where, f"纸张为 {_mm(width)}×{_mm(height)} 毫米，应为 "
                               f"{_mm(pr.page_width)}×{_mm(pr.page_height)} 毫米（A4 纵向）。")
        for key, label, expected in (("top", "上", pr.margin_top), ("bottom", "下", pr.margin_bottom),
                                     ("left", "左", pr.margin_left), ("right", "右", pr.margin_right)):
            value = sect.pg_mar.get(key)
            actual = abs(_tw(value, 1440))  # Word's default margin when pgMar omits it
            if abs(actual - expected) > TOLERANCE:
                yield Issue(where, f"{label}边距为 {_mm(actual)} 毫米，应为 {_mm(expected)} 毫米。")
        gutter = _tw(sect.pg_mar.get("gutter"))
        if abs(gutter - pr.margin_gutter) > TOLERANCE:
            yield Issue(where, f"装订线为 {_mm(gutter)} 毫米，应为 {_mm(pr.margin_gutter)} 毫米。")
        grid = sect.doc_grid
        if grid.get("type") not in ("lines", "linesAndChars"):
            yield Issue(where, f"文档网格未指定行网格，应设为“只指定行网格”且行距 {_pt(pr.line_pitch)} 磅。")
        elif _int(grid.get("linePitch")) != pr.line_pitch:
            yield Issue(where, f"文档网格行距为 {_pt(_int(grid.get('linePitch')))} 磅，"
                               f"应为 {_pt(pr.line_pitch)} 磅。")


# --------------------------------------------------------------------------- rules: paragraphs


def rule_spacing(ctx: Context) -> Iterator[Issue]:
    """Every paragraph: exact line pitch, nothing before/after, widow control off."""
    pitch = ctx.profile.line_pitch
    for q in ctx.paras:
        if q.role == "table":
            continue
        sp = q.p.ppr("spacing") or {}
        line, rule = _tw(sp.get("line"), 240), sp.get("lineRule", "auto")
        if rule != "exact" or line != pitch:
            now = {"exact": f"固定值 {_pt(line)} 磅", "atLeast": f"最小值 {_pt(line)} 磅"}.get(
                rule, f" {line / 240:g} 倍")
            yield Issue(q, f"行距为{now}，应为固定值 {_pt(pitch)} 磅。")
        for side, label in (("before", "段前"), ("after", "段后")):
            lines = _int(sp.get(f"{side}Lines"))
            twips = _tw(sp.get(side))
            auto = sp.get(f"{side}Autospacing", "0").lower() in ("1", "true", "on")
            if auto:
                yield Issue(q, f"{label}间距为自动，应为 0。")
            elif lines:
                yield Issue(q, f"{label}间距为 {lines / 100:g} 行，应为 0。")
            elif twips:
                yield Issue(q, f"{label}间距为 {_pt(twips)} 磅，应为 0。")
        if q.p.flag("widowControl"):
            yield Issue(q, "孤行控制已打开，应关闭，否则有的页会少排一行。")


def rule_numbering(ctx: Context) -> Iterator[Issue]:
    """Ordinals are typed text; Word list numbering (w:numPr) is not allowed."""
    for q in ctx.paras:
        if not q.p.has_numpr:
            continue
        num_id = q.p.element.find(f"{w('pPr')}/{w('numPr')}/{w('numId')}")
        if num_id is not None and num_id.get(w("val")) == "0":
            continue  # numId 0 switches inherited numbering off
        yield Issue(q, "使用了 Word 自动编号，序号应直接输入为文字（如“一、”“（一）”）。")


def _theme_attrs(rpr_parent: etree._Element | None) -> list[str]:
    if rpr_parent is None:
        return []
    fonts = rpr_parent.find(f"{w('rPr')}/{w('rFonts')}")
    if fonts is None:
        return []
    return [a for a in THEME_ATTRS if fonts.get(w(a)) is not None]


def _style_chain(styles: etree._Element, style_id: str | None) -> Iterator[etree._Element]:
    seen: set[str] = set()
    by_id = {s.get(w("styleId")): s for s in styles.iter(w("style"))}
    while style_id and style_id in by_id and style_id not in seen:
        seen.add(style_id)
        style = by_id[style_id]
        yield style
        based = style.find(w("basedOn"))
        style_id = based.get(w("val")) if based is not None else None


_SLOT_OF = {"asciiTheme": "ascii", "hAnsiTheme": "hAnsi", "eastAsiaTheme": "eastAsia", "cstheme": "cs"}


def _deciding_themes(run: Run) -> set[str]:
    """Theme attributes that really pick this run's typeface.

    A theme attribute decides a slot unless a higher level names the slot: then ``Run.font``
    (the typeface Word uses) differs from what the theme resolves to, i.e. equals the name.
    """
    fonts = run.rfonts
    return {a for a, slot in _SLOT_OF.items() if a in fonts and run.font(slot) != fonts.get(slot)}


def rule_theme_fonts(ctx: Context) -> Iterator[Issue]:
    """No theme font attribute may pick a text run's typeface: it silently beats the names.

    Reported where it is set: once for docDefaults or a style, per paragraph for direct runs.
    One that a higher level already overrides is only a warning (docs/format.md still wants it gone,
    since restyling can bring it back).
    """
    footer_paras = [p for f in _all_footers(ctx) for p in f.paragraphs]
    text_paras = [q.p for q in ctx.paras] + footer_paras
    themed = [(p, r, _deciding_themes(r)) for p in text_paras for r in p.runs
              if r.text.strip() and any(a in r.rfonts for a in THEME_ATTRS)]
    if not themed:
        return
    deciding = set().union(*(d for *_, d in themed))
    styles = ctx.doc.styles_root
    if styles is not None:
        sources: dict[str, tuple[str, list[str]]] = {}
        attrs = _theme_attrs(styles.find(f"{w('docDefaults')}/{w('rPrDefault')}"))
        if attrs:
            sources["docDefaults"] = ("文档默认字体", attrs)
        for p, r, _ in themed:
            for sid in (p.style_id, r.style_id):
                for style in _style_chain(styles, sid):
                    attrs = _theme_attrs(style)
                    if attrs:
                        name_el = style.find(w("name"))
                        name = name_el.get(w("val")) if name_el is not None else sid
                        sources[style.get(w("styleId"), "")] = (f"样式“{name}”", attrs)
        for label, attrs in sources.values():
            listed = "、".join(attrs)
            if deciding & set(attrs):
                yield Issue("样式", f"{label}使用了主题字体（{listed}），会盖过指定的字体名称，应删除。")
            else:
                yield Issue("样式", f"{label}设置了主题字体（{listed}），目前已被字体名称覆盖，"
                                  "建议删除以免改样式后生效。", Severity.WARNING)
    footer_ids = {id(p) for p in footer_paras}
    numbered = {id(q.p): q for q in ctx.paras}
    for p in {id(p): p for p, *_ in themed}.values():
        attrs = sorted({a for r in p.element.iter(w("r")) if "".join(r.itertext()).strip()
                        for a in _theme_attrs(r)})
        if attrs:
            where: Para | str = "页脚" if id(p) in footer_ids else numbered[id(p)]
            yield Issue(where, f"文字使用了主题字体（{'、'.join(attrs)}），会盖过指定的字体名称，应删除。")


def rule_title(ctx: Context) -> Iterator[Issue]:
    """The first non-empty paragraph is the title: centred, no indent, then one blank line."""
    title = ctx.title
    if title is None:
        yield Issue("全文", "文档中没有文字，无法检查标题和正文。")
        return
    if title.p.jc != "center":
        yield Issue(title, f"标题为{_jc_name(title.p.jc)}，应居中。")
    if abs(_first_line_chars(title.p, ctx.char_twips)) > 0.05:
        yield Issue(title, "标题有首行缩进，应无缩进。")
    index = ctx.paras.index(title) + 1
    while index < len(ctx.paras) and ctx.paras[index].role in (roles.SUBTITLE, roles.NAME_LINE):
        index += 1
    if index >= len(ctx.paras) or ctx.paras[index].role != "blank":
        yield Issue(title, "标题后应空一行（一个空段落）再接正文。")


def rule_fonts(ctx: Context) -> Iterator[Issue]:
    """Each text run carries the profile font of its role (title, headings, body …)."""
    for q in ctx.paras:
        wrong: dict[str, tuple[list[str], frozenset[str]]] = {}
        for run, role, allowed in _expected_fonts(q, ctx.profile):
            font = run.font("eastAsia")
            if font not in allowed:
                found, _ = wrong.setdefault(role, ([], allowed))
                label = font or "未指定"
                if label not in found:
                    found.append(label)
        for role, (found, allowed) in wrong.items():
            expected = "或".join(sorted(allowed))
            yield Issue(q, f"字体为{'、'.join(found)}，{roles.label(role)}应为{expected}。")


def rule_sizes(ctx: Context) -> Iterator[Issue]:
    """Title runs at the title size, every other text run at the body size."""
    for q in ctx.content():
        expected = ctx.profile.size_title if q.role == "title" else ctx.profile.size_body
        found = sorted({run.sz or WORD_DEFAULT_SZ for _, run in q.text_runs()} - {expected})
        if found:
            yield Issue(q, f"字号为{_sizes(found)}，{roles.label(q.role)}应为{_sizes([expected])}。")


def rule_bold(ctx: Context) -> Iterator[Issue]:
    """No bold, except level-3 headings or lead sentences when the profile turns it on."""
    for q in ctx.content():
        if any(run.bold and not _bold_allowed(q, start, run, ctx.profile) for start, run in q.text_runs()):
            yield Issue(q, f"使用了加粗，{roles.label(q.role)}不应加粗。")


def rule_alignment(ctx: Context) -> Iterator[Issue]:
    """Body and headings justified with a 2-character first line; name line centred."""
    for q in ctx.content():
        if q.role in ("title", "signature"):
            continue  # the title has its own rule; a signature is right-aligned by design
        indent = _first_line_chars(q.p, ctx.char_twips)
        if q.role in (roles.SUBTITLE, roles.NAME_LINE, roles.ADDRESSEE):
            if abs(indent) > 0.05:
                yield Issue(q, f"{roles.label(q.role)}有首行缩进，应无缩进。")
            continue
        if q.p.jc != "both":
            yield Issue(q, f"对齐方式为{_jc_name(q.p.jc)}，{roles.label(q.role)}应两端对齐。")
        if abs(indent - 2) > 0.1:
            yield Issue(q, f"首行缩进为 {indent:.3g} 字符，应为 2 字符。")
        left = _side_indent(q.p.ppr("ind") or {}, "left", ctx.char_twips)
        if abs(left) > 20:
            yield Issue(q, f"左缩进为 {left / ctx.char_twips:.3g} 字符，应为 0。", Severity.WARNING)


def rule_line_breaks(ctx: Context) -> Iterator[Issue]:
    """Paragraphs are separate w:p elements; only the title may break lines inside."""
    for q in ctx.content():
        if q.role != "title" and "\n" in q.text:
            yield Issue(q, "段内有换行符，应拆成独立段落。")


# --------------------------------------------------------------------------- rules: page numbers


def _all_footers(ctx: Context) -> list[Footer]:
    return [f for s in ctx.doc.sections() for f in s.footers.values()]


def _page_field_paragraph(footer: Footer) -> Paragraph | None:
    """The footer paragraph holding a PAGE field (simple or complex)."""
    for p in footer.paragraphs:
        codes = [f.get(w("instr"), "") for f in p.element.iter(w("fldSimple"))]
        codes.append("".join(i.text or "" for i in p.element.iter(w("instrText"))))
        if any(code.split()[:1] == ["PAGE"] for code in (c.strip().upper() for c in codes)):
            return p
    return None


_FOOTER_LABEL = {"default": "奇数页页脚", "even": "偶数页页脚", "first": "首页页脚"}
_PAGE_NUMBER_RE = re.compile(rf"^{EM_DASH} \S* {EM_DASH}$")


def _check_page_number(ctx: Context, kind: str, footer: Footer) -> Iterator[Issue]:
    pr = ctx.profile
    where = _FOOTER_LABEL[kind]
    p = _page_field_paragraph(footer)
    if p is None:
        yield Issue(where, f"{where}中没有页码域（PAGE），应插入自动页码。")
        return
    shown = p.text.strip()
    if not _PAGE_NUMBER_RE.match(shown):
        yield Issue(where, f"页码显示为“{shown}”，应为“— 1 —”的形式（一字线、空格、页码、空格、一字线）。")
    odd = kind != "even"
    side, want_jc, jc_label = ("right", ("right", "end"), "居右") if odd else ("left", ("left", "start"), "居左")
    if p.jc not in want_jc:
        yield Issue(where, f"页码为{_jc_name(p.jc)}，{'奇数页' if odd else '偶数页'}页码应{jc_label}。")
    indent = _side_indent(p.ppr("ind") or {}, side, pr.size_page_number * 10)
    if abs(indent - pr.page_number_indent) > 20:
        label = "右" if odd else "左"
        yield Issue(where, f"页码{label}缩进为 {_pt(indent)} 磅，应为 {_pt(pr.page_number_indent)} 磅（空一字）。")
    runs = [r for r in p.runs if r.text.strip()]
    fonts = sorted({r.font("eastAsia") or "未指定" for r in runs} - {pr.font_page_number})
    if fonts:
        yield Issue(where, f"页码字体为{'、'.join(fonts)}，应为{pr.font_page_number}。")
    sizes = sorted({r.sz or WORD_DEFAULT_SZ for r in runs} - {pr.size_page_number})
    if sizes:
        yield Issue(where, f"页码字号为{_sizes(sizes)}，应为{_sizes([pr.size_page_number])}。")


def rule_page_numbers(ctx: Context) -> Iterator[Issue]:
    """`— N —` page numbers, odd pages right and even pages left, in the page-number font."""
    if not ctx.doc.even_and_odd_headers:
        yield Issue("页脚", "未设置“奇偶页不同”，页码无法奇数页居右、偶数页居左。")
    inherited: dict[str, Footer] = {}
    for sect in ctx.doc.sections():
        inherited = {**inherited, **sect.footers}  # a section without a reference inherits it
        if "default" not in inherited:
            yield Issue("页脚", "缺少奇数页页脚，奇数页将没有页码。")
        if "even" not in inherited:
            yield Issue("页脚", "缺少偶数页页脚，偶数页将没有页码。")
        kinds = ["default", "even"] + (["first"] if sect.title_pg else [])
        for kind in kinds:
            if kind in inherited:
                yield from _check_page_number(ctx, kind, inherited[kind])
            elif kind == "first":
                yield Issue("首页页脚", "设置了“首页不同”但首页没有页脚，首页将没有页码。")


RULES: tuple[Rule, ...] = (
    rule_page,
    rule_spacing,
    rule_numbering,
    rule_theme_fonts,
    rule_title,
    rule_fonts,
    rule_sizes,
    rule_bold,
    rule_alignment,
    rule_line_breaks,
    rule_page_numbers,
)


# --------------------------------------------------------------------------- entry points


def verify(path: Path, profile: Profile = DEFAULT) -> list[Finding]:
    """Every way ``path`` departs from ``profile``; an empty list means the format is right."""
    doc = EffectiveDoc(path)
    ctx = Context(path=path, profile=profile, doc=doc, paras=_classify(doc))
    issues = [issue for rule in RULES for issue in rule(ctx)]
    return _findings(path, issues)


def _findings(path: Path, issues: list[Issue]) -> list[Finding]:
    """Turn issues into findings: one per paragraph and problem, many paragraphs folded.

    Document-wide findings (page, styles, footers) come first, then paragraphs in order.
    """
    out: list[Finding] = []
    by_problem: dict[tuple[str, Severity], list[Para]] = {}
    seen: set[tuple[str, str]] = set()
    for issue in issues:
        if isinstance(issue.where, Para):
            group = by_problem.setdefault((issue.problem, issue.severity), [])
            if issue.where not in group:
                group.append(issue.where)
        elif (issue.where, issue.problem) not in seen:  # e.g. the same footer in two sections
            seen.add((issue.where, issue.problem))
            out.append(Finding(Location(path, issue.where), issue.problem, issue.severity))
    keyed: list[tuple[int, int, Finding]] = []
    for order, ((problem, severity), paras) in enumerate(by_problem.items()):
        if len(paras) > GROUP_OVER:
            numbers = "、".join(str(q.number) for q in paras[:3])
            where = Location(path, f"第{numbers}段等 {len(paras)} 段")
            message = f"{_excerpt(paras[0].text)}等 {len(paras)} 段{problem}"
            keyed.append((paras[0].number, order, Finding(where, message, severity)))
        else:
            keyed.extend((q.number, order, Finding(Location(path, f"第{q.number}段"),
                                                   f"{_excerpt(q.text)}{problem}", severity))
                         for q in paras)
    return out + [f for *_, f in sorted(keyed, key=lambda k: k[:2])]


def format_findings(findings: Iterable[Finding]) -> list[str]:
    """One printable line per finding (file › place：message)."""
    return [str(f) for f in findings]
