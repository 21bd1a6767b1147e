"""The generated template carries the numbers of docs/format.md, read back as Word would see them."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import jinja2.sandbox
import pytest
from docxtpl import DocxTemplate, RichText
from lxml import etree

from gwmerge.document import roles
from gwmerge.document.profile import DEFAULT, PROFILES, Profile, profile_with
from gwmerge.docx.build import build_template, template_bytes
from gwmerge.docx.effective import EffectiveDoc, Paragraph

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
THEME_ATTRS = ("asciiTheme", "eastAsiaTheme", "hAnsiTheme", "cstheme")
EM_DASH = "\u2014"

PARAGRAPH_STYLES = ("GwTitle", "GwSubtitle", "GwNameLine", "GwAddressee", "GwHeading1", "GwHeading2", "GwHeading3",
                    "GwBody", "GwSignature", "GwPageNumber", "GwTableText", "GwTableHeader")
CHARACTER_STYLES = ("GwHeading2Char", "GwHeading3Char", "GwLeadChar")
BODY_WIDTH = ("GwHeading1", "GwHeading2", "GwHeading3", "GwBody")

EXPECTED_BODY = [
    ("GwTitle", "{{r title }}"),
    ("GwBody", "{%p if subtitle %}"),
    ("GwSubtitle", "{{ subtitle }}"),
    ("GwBody", "{%p endif %}"),
    ("GwBody", "{%p if name_line %}"),
    ("GwNameLine", "{{ name_line }}"),
    ("GwBody", "{%p endif %}"),
    ("GwBody", ""),
    ("GwBody", "{%p for p in paragraphs %}"),
    ("GwBody", '{%p if p.kind == "heading1" %}'),
    ("GwHeading1", "{{r p.rich }}"),
    ("GwBody", '{%p elif p.kind == "heading2" %}'),
    ("GwHeading2", "{{r p.rich }}"),
    ("GwBody", '{%p elif p.kind == "heading3" %}'),
    ("GwHeading3", "{{r p.rich }}"),
    ("GwBody", '{%p elif p.kind == "blank" %}'),
    ("GwBody", ""),
    ("GwBody", '{%p elif p.kind == "addressee" %}'),
    ("GwAddressee", "{{r p.rich }}"),
    ("GwBody", '{%p elif p.kind == "table" %}'),
    ("GwBody", "{{p p.table }}"),
    ("GwBody", '{%p elif p.kind == "body_keep" %}'),
    ("GwBodyKeepNext", "{{r p.rich }}"),
    ("GwBody", "{%p else %}"),
    ("GwBody", "{{r p.rich }}"),
    ("GwBody", "{%p endif %}"),
    ("GwBody", "{%p endfor %}"),
    ("GwBody", "{%p if signature %}"),
    ("GwSignature", ""),
    ("GwSignature", "{{p signature }}"),
    ("GwBody", "{%p endif %}"),
]


def _build(tmp_path: Path, profile: Profile = DEFAULT, *, name: str = "template.docx") -> Path:
    dest = tmp_path / name
    build_template(dest, profile)
    return dest


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("tpl"))


@pytest.fixture(scope="module")
def doc(template: Path) -> EffectiveDoc:
    return EffectiveDoc(template)


def _xml_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.endswith((".xml", ".rels"))}


def _styles(path: Path) -> dict[str, etree._Element]:
    root = etree.fromstring(_xml_parts(path)["word/styles.xml"])
    return {s.get(f"{{{W}}}styleId"): s for s in root.iter(f"{{{W}}}style")}


def _by_style(doc: EffectiveDoc, style_id: str) -> Paragraph:
    return next(p for p in doc.paragraphs() if p.style_id == style_id)


def _fonts(p: Paragraph) -> dict[str, str]:
    run = p.runs[0]
    return {slot: run.font(slot) for slot in ("ascii", "hAnsi", "eastAsia", "cs")}


# --------------------------------------------------------------------------- body contract


def test_style_ids_are_the_roles_ones() -> None:
    assert set(PARAGRAPH_STYLES) | {"GwBodyKeepNext"} == set(roles.PARAGRAPH_STYLES.values())
    assert set(CHARACTER_STYLES) == {s for s in roles.CHAR_STYLES.values() if s}


def test_body_paragraphs_follow_the_contract(tmp_path: Path) -> None:
    doc = EffectiveDoc(_build(tmp_path))
    got = [(p.style_id, p.text) for p in doc.paragraphs()]
    assert got == EXPECTED_BODY




def test_every_tag_sits_in_one_run(doc: EffectiveDoc) -> None:
    for p in doc.paragraphs():
        if p.text:
            assert [r.text for r in p.runs] == [p.text]


# --------------------------------------------------------------------------- effective formatting


def test_title(doc: EffectiveDoc) -> None:
    p = _by_style(doc, "GwTitle")
    assert _fonts(p) == dict.fromkeys(("ascii", "hAnsi", "eastAsia", "cs"), "方正小标宋简体")
    run = p.runs[0]
    assert (run.sz, run.szCs, run.bold) == (44, 44, False)
    assert p.jc == "center"
    assert p.ppr("ind") == {"firstLineChars": "0", "firstLine": "0"}
    assert p.flag("keepNext")


@pytest.mark.parametrize("style", ["GwNameLine", "GwSubtitle"])
def test_name_line_and_subtitle(doc: EffectiveDoc, style: str) -> None:
    p = _by_style(doc, style)
    assert _fonts(p)["eastAsia"] == "楷体_GB2312"
    assert p.runs[0].sz == 32
    assert p.jc == "center"
    assert p.ppr("ind") == {"firstLineChars": "0", "firstLine": "0"}


@pytest.mark.parametrize(
    ("style_id", "font", "keep_next"),
    [("GwHeading1", "黑体", True), ("GwHeading2", "楷体_GB2312", True),
     ("GwHeading3", "仿宋_GB2312", True), ("GwBody", "仿宋_GB2312", False)],
)
def test_body_width_styles(doc: EffectiveDoc, style_id: str, font: str, keep_next: bool) -> None:
    p = next(p for p in doc.paragraphs() if p.style_id == style_id and p.runs)
    assert _fonts(p) == dict.fromkeys(("ascii", "hAnsi", "eastAsia", "cs"), font)
    run = p.runs[0]
    assert (run.sz, run.szCs, run.bold, run.spacing) == (32, 32, False, -5)
    assert run.lang == {"val": "en-US", "eastAsia": "zh-CN"}
    assert p.jc == "both"
    assert p.ppr("ind") == {"firstLineChars": "200", "firstLine": "640"}
    assert p.flag("keepNext") is keep_next


def test_used_paragraphs_sit_on_the_grid(doc: EffectiveDoc) -> None:
    paragraphs = list(doc.paragraphs())
    assert paragraphs
    for p in paragraphs:
        assert p.ppr("spacing") == {"before": "0", "after": "0", "line": "579",
                                    "lineRule": "exact"}, p.style_id
        assert p.ppr("widowControl") == {"val": "0"}, p.style_id
        assert not p.flag("widowControl")
        assert not p.has_numpr
        assert p.br_count == 0


@pytest.mark.parametrize("style_id", [s for s in PARAGRAPH_STYLES if s != "GwPageNumber"])
def test_every_paragraph_style_is_exact(doc: EffectiveDoc, style_id: str) -> None:
    ppr = doc.style_ppr(style_id)
    assert ppr["spacing"] == {"before": "0", "after": "0", "line": "579", "lineRule": "exact"}
    assert ppr["widowControl"] == {"val": "0"}


def test_signature_style(doc: EffectiveDoc) -> None:
    ppr, rpr = doc.style_ppr("GwSignature"), doc.style_rpr("GwSignature")
    assert ppr["jc"] == {"val": "right"}
    assert ppr["ind"] == {"firstLineChars": "0", "firstLine": "0"}
    assert rpr["rFonts"]["eastAsia"] == "仿宋_GB2312"
    assert doc.style_name("GwSignature") == "落款"


def test_chinese_display_names(doc: EffectiveDoc) -> None:
    names = {sid: doc.style_name(sid) for sid in (*PARAGRAPH_STYLES, *CHARACTER_STYLES)}
    assert names == {
        "GwTitle": "公文标题", "GwSubtitle": "副标题", "GwNameLine": "署名行", "GwHeading1": "一级标题",
        "GwHeading2": "二级标题", "GwHeading3": "三级标题", "GwBody": "公文正文",
        "GwSignature": "落款", "GwPageNumber": "页码", "GwHeading2Char": "二级标题字符",
        "GwHeading3Char": "三级标题字符", "GwLeadChar": "引导句字符", "GwAddressee": "主送",
        "GwTableText": "表格文字", "GwTableHeader": "表头",
    }
    assert set(doc.style_ids("character")) >= set(CHARACTER_STYLES)


def test_doc_defaults_and_normal(template: Path, doc: EffectiveDoc) -> None:
    root = etree.fromstring(_xml_parts(template)["word/styles.xml"])
    defaults = root.find(f"{{{W}}}docDefaults")
    rfonts = defaults.find(f".//{{{W}}}rPrDefault//{{{W}}}rFonts")
    assert {k.split("}")[1]: v for k, v in rfonts.attrib.items()} == {
        "ascii": "仿宋_GB2312", "hAnsi": "仿宋_GB2312", "eastAsia": "仿宋_GB2312",
        "cs": "仿宋_GB2312", "hint": "eastAsia"}
    spacing = defaults.find(f".//{{{W}}}pPrDefault//{{{W}}}spacing")
    assert spacing.get(f"{{{W}}}line") == "579"
    assert spacing.get(f"{{{W}}}lineRule") == "exact"
    normal_p, normal_r = doc.style_ppr("Normal"), doc.style_rpr("Normal")
    assert normal_p["spacing"]["line"] == "579"
    assert normal_p["widowControl"] == {"val": "0"}
    assert normal_r["sz"] == {"val": "32"}
    assert normal_r["rFonts"]["eastAsia"] == "仿宋_GB2312"


def test_character_styles(tmp_path: Path) -> None:
    """Run-in headings and lead sentences keep their fonts inside a body paragraph."""
    profile = profile_with(DEFAULT, heading3_bold=True, lead_bold=True)
    out = _render(_build(tmp_path, profile), [
        SimpleNamespace(kind="body", rich=_rich(("（一）标题。", "GwHeading2Char"),
                                                ("1.小标题。", "GwHeading3Char"),
                                                ("一是引导句。", "GwLeadChar"),
                                                ("正文。", None))),
    ])
    body = next(p for p in EffectiveDoc(out).paragraphs() if p.style_id == "GwBody" and p.text)
    runs = {r.text: r for r in body.runs if r.text}
    assert runs["（一）标题。"].font("eastAsia") == "楷体_GB2312"
    assert runs["（一）标题。"].font("ascii") == "楷体_GB2312"
    assert not runs["（一）标题。"].bold
    assert runs["1.小标题。"].font("eastAsia") == "仿宋_GB2312"
    assert runs["1.小标题。"].bold
    assert runs["一是引导句。"].bold
    assert not runs["正文。"].bold
    assert all(r.spacing == -5 and r.sz == 32 for r in runs.values())


def test_raw_style_definitions(template: Path) -> None:
    styles = _styles(template)
    for sid in (*PARAGRAPH_STYLES, *CHARACTER_STYLES):
        style = styles[sid]
        rpr = style.find(f"{{{W}}}rPr")
        rfonts = rpr.find(f"{{{W}}}rFonts")
        for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
            assert rfonts.get(f"{{{W}}}{slot}"), (sid, slot)
        assert rfonts.get(f"{{{W}}}hint") == "eastAsia", sid
        assert rpr.find(f"{{{W}}}sz") is not None and rpr.find(f"{{{W}}}szCs") is not None, sid
        lang = rpr.find(f"{{{W}}}lang")
        assert lang.get(f"{{{W}}}val") == "en-US" and lang.get(f"{{{W}}}eastAsia") == "zh-CN"
        spacing = rpr.find(f"{{{W}}}spacing")
        if sid in BODY_WIDTH:
            assert spacing is not None and spacing.get(f"{{{W}}}val") == "-5", sid
        if sid in PARAGRAPH_STYLES:
            assert style.get(f"{{{W}}}type") == "paragraph"
        else:
            assert style.get(f"{{{W}}}type") == "character"


def test_no_theme_fonts_and_no_list_numbering(template: Path) -> None:
    for name, data in _xml_parts(template).items():
        assert b"numPr" not in data, name
        if name.startswith("word/") and "theme/" not in name:
            for attr in THEME_ATTRS:
                assert f'w:{attr}="'.encode() not in data, (name, attr)


# --------------------------------------------------------------------------- page and footers


def test_section_geometry(doc: EffectiveDoc) -> None:
    s = doc.section
    assert s.pg_sz == {"w": "11906", "h": "16838"}
    assert {k: s.pg_mar[k] for k in ("top", "bottom", "left", "right", "header", "footer",
                                      "gutter")} == {
        "top": "2098", "bottom": "1984", "left": "1587", "right": "1474", "header": "851",
        "footer": "1400", "gutter": "0"}
    assert s.doc_grid == {"type": "lines", "linePitch": "579"}


def test_page_numbers_alternate(doc: EffectiveDoc) -> None:
    assert doc.even_and_odd_headers
    footers = doc.section.footers
    assert set(footers) >= {"default", "even"}
    for kind, jc, side in (("default", "right", "right"), ("even", "left", "left")):
        footer = footers[kind]
        assert len(footer.paragraphs) == 1
        p = footer.paragraphs[0]
        assert p.style_id == "GwPageNumber"
        assert footer.instructions == ["PAGE"]
        assert re.fullmatch(f"{EM_DASH} \\d+ {EM_DASH}", p.text), p.text
        assert p.jc == jc
        ind = p.ppr("ind") or {}
        assert ind.get(side) == "280"
        other = "left" if side == "right" else "right"
        assert int(ind.get(other, "0")) == 0
        assert int(ind.get("firstLine", "0")) == 0
        assert p.ppr("spacing")["lineRule"] == "auto"
        assert p.ppr("spacing")["line"] == "240"
        for run in p.runs:
            assert run.font("eastAsia") == "宋体"
            assert run.font("ascii") == "宋体"
            assert (run.sz, run.szCs) == (28, 28)


# --------------------------------------------------------------------------- profiles


def test_profile_variants(tmp_path: Path) -> None:
    doc = EffectiveDoc(_build(tmp_path, PROFILES["28磅行距"], name="a.docx"))
    assert doc.section.doc_grid["linePitch"] == "560"
    assert all(p.ppr("spacing")["line"] == "560" for p in doc.paragraphs())

    doc = EffectiveDoc(_build(tmp_path, PROFILES["西文新罗马"], name="b.docx"))
    run = _by_style(doc, "GwHeading1").runs[0]
    assert run.font("ascii") == run.font("hAnsi") == "Times New Roman"
    assert run.font("eastAsia") == "黑体"

    doc = EffectiveDoc(_build(tmp_path, PROFILES["系统字体"], name="c.docx"))
    body = next(p for p in doc.paragraphs() if p.style_id == "GwBody" and p.runs)
    assert _fonts(body)["eastAsia"] == "仿宋"
    assert doc.style_rpr("GwHeading2")["rFonts"]["eastAsia"] == "楷体"
    assert doc.style_rpr("GwTitle")["rFonts"]["eastAsia"] == "方正小标宋简体"


def test_heading3_bold_option(tmp_path: Path) -> None:
    doc = EffectiveDoc(_build(tmp_path, profile_with(DEFAULT, heading3_bold=True)))
    assert _by_style(doc, "GwHeading3").runs[0].bold
    assert not _by_style(doc, "GwHeading2").runs[0].bold


def test_profile_with_rejects_unknown_and_mistyped_keys() -> None:
    assert profile_with(DEFAULT, {"line_pitch": 560}).line_pitch == 560
    assert profile_with(DEFAULT, lead_bold=True).lead_bold
    with pytest.raises(ValueError, match="line_pich"):
        profile_with(DEFAULT, {"line_pich": 560})
    with pytest.raises(ValueError, match="line_pitch"):
        profile_with(DEFAULT, line_pitch="579")
    with pytest.raises(ValueError, match="heading3_bold"):
        profile_with(DEFAULT, heading3_bold=1)


def test_default_profile_numbers() -> None:
    assert PROFILES["标准"] is DEFAULT
    assert (DEFAULT.line_pitch, DEFAULT.char_spacing, DEFAULT.size_body, DEFAULT.size_title,
            DEFAULT.size_page_number, DEFAULT.page_number_indent) == (579, -5, 32, 44, 28, 280)
    assert DEFAULT.latin_font is None


# --------------------------------------------------------------------------- file writing


def test_byte_reproducible(tmp_path: Path) -> None:
    first = _build(tmp_path, name="one.docx").read_bytes()
    second = _build(tmp_path, name="two.docx").read_bytes()
    assert first == second
    assert template_bytes() == first
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        infos = zf.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    dest = _build(tmp_path)
    build_template(dest)  # overwrite in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["template.docx"]


# --------------------------------------------------------------------------- docxtpl render


def _rich(*parts: tuple[str, str | None]) -> RichText:
    rich = RichText()
    for text, style in parts:
        if style:
            rich.add(text, style=style)
        else:
            rich.add(text)
    return rich


def _render(template: Path, paragraphs: list[SimpleNamespace], **extra: object) -> Path:
    tpl = DocxTemplate(template)
    tpl.render({"title": RichText("标题"), "paragraphs": paragraphs, **extra},
               jinja_env=jinja2.sandbox.SandboxedEnvironment(autoescape=True))
    out = template.with_name("rendered.docx")
    tpl.save(out)
    return out


def test_render_gives_one_paragraph_per_item(tmp_path: Path) -> None:
    out = _render(_build(tmp_path), [
        SimpleNamespace(kind="heading1", rich=RichText("一、存在的主要问题")),
        SimpleNamespace(kind="heading2", rich=RichText("（一）理论学习方面")),
        SimpleNamespace(kind="heading3", rich=RichText("1.学习不深")),
        SimpleNamespace(kind="blank", rich=None),
        SimpleNamespace(kind="body", rich=RichText("正文第一段。")),
        SimpleNamespace(kind="body", rich=RichText("正文<第二段>&。")),
    ])
    got = [(p.style_id, p.text) for p in EffectiveDoc(out).paragraphs()]
    assert got == [
        ("GwTitle", "标题"),
        ("GwBody", ""),
        ("GwHeading1", "一、存在的主要问题"),
        ("GwHeading2", "（一）理论学习方面"),
        ("GwHeading3", "1.学习不深"),
        ("GwBody", ""),
        ("GwBody", "正文第一段。"),
        ("GwBody", "正文<第二段>&。"),
    ]
    footers = EffectiveDoc(out).section.footers
    assert footers["default"].instructions == ["PAGE"]


# --------------------------------------------------------------------------- effective.py itself


def test_effective_resolves_a_word_made_document(tmp_path: Path) -> None:
    """python-docx's default template is Word-made: theme fonts in docDefaults, list styles."""
    import docx
    from docx.oxml.ns import qn

    d = docx.Document()
    heading = d.add_paragraph(style="Heading 1")
    strong = heading.add_run("加粗")
    strong.style = "Strong"
    named = heading.add_run("宋体")
    named._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    d.add_paragraph("列表", style="List Bullet")
    body = d.add_paragraph("正文")
    ind = body._p.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLine"), "100")
    d.styles["Normal"].element.get_or_add_pPr().get_or_add_ind().set(
        qn("w:firstLineChars"), "200")
    path = tmp_path / "word.docx"
    d.save(path)

    doc = EffectiveDoc(path)
    h, lst, p = list(doc.paragraphs())
    assert h.flag("keepNext") and h.ppr("spacing")["before"] == "480"
    bold_strong, named_run = h.runs
    # Bold paragraph style + bold character style toggle each other off.
    assert not bold_strong.bold and named_run.bold
    # Theme attributes are reported and resolved through theme1.xml (themeFontLang ja-JP).
    assert bold_strong.rfonts["eastAsiaTheme"] == "majorEastAsia"
    assert bold_strong.font("ascii") == "Calibri"
    assert bold_strong.font("eastAsia") == "ＭＳ ゴシック"
    # A name on a higher level beats a theme attribute on a lower one.
    assert named_run.font("eastAsia") == "宋体"
    assert named_run.font("ascii") == "Calibri"
    assert lst.has_numpr and not p.has_numpr
    assert p.runs[0].sz == 22
    # ind attributes inherit one by one: the style's firstLineChars survives a direct firstLine.
    assert p.ppr("ind") == {"firstLineChars": "200", "firstLine": "100"}
