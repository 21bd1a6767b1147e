"""verify: our own outputs pass, and each typical hand-made mistake is named in a finding."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest

from gwmerge.api import merge
from gwmerge.core.errors import Finding
from gwmerge.document.profile import DEFAULT, PROFILES
from gwmerge.docx.verify import format_findings, verify

SHEETS = Path(__file__).resolve().parents[1] / "sheets"

Edit = Callable[[dict[str, str]], None]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("verify")
    outcomes = merge([SHEETS], out)
    assert all(o.ok for o in outcomes), [str(o.error or o.crash) for o in outcomes]
    return sorted(o.output for o in outcomes if o.output)


@pytest.fixture
def sample(outputs: list[Path], tmp_path: Path) -> Path:
    """A private copy of one generated document to corrupt."""
    return Path(shutil.copy(outputs[-1], tmp_path / "sample.docx"))


def _rewrite(path: Path, edit: Edit) -> None:
    """Rewrite the package with ``edit`` applied to its XML parts (name → text)."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    texts = {n: b.decode("utf-8") for n, b in parts.items() if n.endswith((".xml", ".rels"))}
    before = dict(texts)
    edit(texts)
    assert texts != before, "the corruption changed nothing"
    parts.update({n: t.encode("utf-8") for n, t in texts.items()})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def _sub_once(name: str, pattern: str, repl: str, *, count: int = 1) -> Edit:
    def edit(texts: dict[str, str]) -> None:
        texts[name], n = re.subn(pattern, repl, texts[name], count=count)
        assert n, f"{pattern} not found in {name}"
    return edit


def _body_font(texts: dict[str, str]) -> None:
    """Put 宋体 directly on the run of the first body paragraph (not the title)."""
    rpr = '<w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体" w:cs="宋体"/></w:rPr>'
    _sub_once("word/document.xml", r"<w:r>(<w:t[^>]*>按照)", rf"<w:r>{rpr}\1")(texts)


def _theme_on_defaults(texts: dict[str, str]) -> None:
    styles = texts["word/styles.xml"]
    new, n = re.subn(r"(<w:rPrDefault>\s*<w:rPr>\s*<w:rFonts)", r'\1 w:asciiTheme="minorHAnsi" '
                     r'w:eastAsiaTheme="minorEastAsia"', styles, count=1)
    if not n:  # no rFonts in docDefaults yet
        new, n = re.subn(r"(<w:rPrDefault>\s*<w:rPr>)", r'\1<w:rFonts w:asciiTheme="minorHAnsi" '
                         r'w:eastAsiaTheme="minorEastAsia"/>', styles, count=1)
    assert n
    texts["word/styles.xml"] = new


def _drop_even_footer(texts: dict[str, str]) -> None:
    _sub_once("word/document.xml", r'<w:footerReference[^>]*w:type="even"[^>]*/>', "")(texts)


def _line_break(texts: dict[str, str]) -> None:
    _sub_once("word/document.xml", r"(<w:t[^>]*>按照[^<]{4})", r"\1</w:t><w:br/><w:t>")(texts)


def _numbering(texts: dict[str, str]) -> None:
    _sub_once("word/document.xml", r"(<w:pStyle w:val=\"GwHeading1\"/>)",
              r'\1<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>')(texts)


CORRUPTIONS: dict[str, tuple[Edit, tuple[str, ...]]] = {
    "body font 宋体": (_body_font, ("宋体", "正文应为")),
    "theme font on docDefaults": (_theme_on_defaults, ("文档默认字体", "主题字体")),
    "theme font in a style": (_sub_once("word/styles.xml", r'(<w:style [^>]*w:styleId="GwBody".*?<w:rFonts )',
                                        r'\1w:eastAsiaTheme="minorEastAsia" '), ("样式", "主题字体", "应删除")),
    "theme font on a run": (_sub_once("word/document.xml", r"<w:r>(<w:t[^>]*>按照)",
                                      r'<w:r><w:rPr><w:rFonts w:eastAsiaTheme="minorEastAsia"/></w:rPr>\1'),
                            ("主题字体",)),
    "30 pt lines": (_sub_once("word/styles.xml", r'w:line="579"', 'w:line="600"', count=0), ("行距", "30 磅")),
    "no even footer": (_drop_even_footer, ("偶数页",)),
    "line break in body": (_line_break, ("换行",)),
    "list numbering": (_numbering, ("编号",)),
    "wrong margins": (_sub_once("word/document.xml", r'w:top="2098"', 'w:top="1440"'), ("上边距", "37 毫米")),
    "widow control": (_sub_once("word/styles.xml", r'<w:widowControl w:val="0"/>', "<w:widowControl/>", count=0),
                      ("孤行控制",)),
    "letter paper": (_sub_once("word/document.xml", r'w:w="11906" w:h="16838"', 'w:w="12240" w:h="15840"'),
                     ("纸张",)),
    "page number dash": (_sub_once("word/footer2.xml", "\u2014 ", "- "), ("页码显示为",)),
}


def _messages(findings: list[Finding]) -> str:
    return "\n".join(format_findings(findings))


def test_generated_documents_pass(outputs: list[Path]) -> None:
    assert len(outputs) == 2
    for path in outputs:
        assert verify(path) == [], _messages(verify(path))


def test_untouched_copy_passes(sample: Path) -> None:
    assert verify(sample) == []


@pytest.mark.parametrize("name", CORRUPTIONS)
def test_corruption_is_named(sample: Path, name: str) -> None:
    edit, words = CORRUPTIONS[name]
    _rewrite(sample, edit)
    findings = verify(sample)
    text = _messages(findings)
    assert any(all(word in str(f) for word in words) for f in findings), text
    assert all(f.location.file == sample for f in findings)


def test_repeated_problem_is_grouped(sample: Path) -> None:
    """30 pt lines on every paragraph: one finding for the many paragraphs, not one each."""
    _rewrite(sample, CORRUPTIONS["30 pt lines"][0])
    line_findings = [f for f in verify(sample) if "行距" in f.message]
    assert len(line_findings) <= 3, _messages(line_findings)
    assert any("等" in (f.location.sheet or "") for f in line_findings)


def test_paragraph_location_and_excerpt(sample: Path) -> None:
    _rewrite(sample, CORRUPTIONS["list numbering"][0])
    (finding,) = [f for f in verify(sample) if "编号" in f.message]
    assert re.fullmatch(r"第\d+段", finding.location.sheet or "")
    assert finding.message.startswith("“一、")


def test_other_profile_flags_fonts(outputs: list[Path]) -> None:
    """A document made for 仿宋_GB2312 is wrong for the profile that wants 仿宋."""
    findings = verify(outputs[0], PROFILES["系统字体"])
    assert any("仿宋_GB2312" in f.message and "应为仿宋" in f.message for f in findings), _messages(findings)


def test_plain_python_docx_document(tmp_path: Path) -> None:
    doc = docx.Document()
    doc.add_paragraph("关于某某工作的报告")
    doc.add_paragraph("一、基本情况")
    doc.add_paragraph("正文第一段。\n第二行被硬换行。")
    doc.add_paragraph("列表项", style="List Number")
    table = doc.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "表格内容"
    path = tmp_path / "plain.docx"
    doc.save(path)
    findings = verify(path, DEFAULT)
    text = _messages(findings)
    assert len(findings) >= 10, text
    for word in ("纸张", "主题字体", "行距", "偶数页", "换行", "编号", "一级标题应为黑体"):
        assert word in text, word


def test_overridden_theme_font_is_only_a_warning(sample: Path) -> None:
    """docDefaults theme fonts that every style overrides do not change the look: a reminder."""
    _rewrite(sample, _theme_on_defaults)
    (finding,) = verify(sample)
    assert not finding.is_error and finding.location.sheet == "样式"


# ----------------------------------------------------------------------------- every profile, measures


@pytest.mark.parametrize("name", list(PROFILES))
def test_merge_with_each_profile_passes_verify_with_it(name: str, tmp_path: Path) -> None:
    """What `merge -p X` writes, `verify -p X` accepts (bold leads run on inside items included)."""
    outcomes = merge([SHEETS], tmp_path, profiles=[name])
    assert all(o.ok for o in outcomes), [str(o.error or o.crash) for o in outcomes]
    for outcome in outcomes:
        assert format_findings(verify(outcome.output, PROFILES[name])) == [], (name, outcome.output.name)


def test_bold_lead_checked_by_place_not_by_paragraph(tmp_path: Path) -> None:
    """With 引导句加粗, only the 一是… sentences may be bold: a bold item heading is still wrong."""
    [outcome] = [o for o in merge([SHEETS], tmp_path, profiles=["引导句加粗"]) if "副镇长" in o.source.name]
    bad = Path(shutil.copy(outcome.output, tmp_path / "bad.docx"))

    def bold_heading(texts: dict[str, str]) -> None:
        # the first run in the 楷体 heading character style gets bold on top
        texts["word/document.xml"], n = re.subn(r'(<w:rStyle w:val="GwHeading2Char"/>)', r"\1<w:b/>",
                                                  texts["word/document.xml"], count=1)
        assert n

    _rewrite(bad, bold_heading)
    found = format_findings(verify(bad, PROFILES["引导句加粗"]))
    assert any("使用了加粗，二级标题不应加粗" in f for f in found), found


@pytest.mark.parametrize(("value", "twips"), [("2098", 2098), ("37mm", 2098), ("3.7cm", 2098), ("1in", 1440),
                                              ("72pt", 1440), ("6pc", 1440), ("-0.5in", -720), (" 25.4mm ", 1440)])
def test_universal_measures(value: str, twips: int) -> None:
    from gwmerge.docx.effective import EMU_PER_HALF_POINT, measure

    assert measure(value) == twips
    assert measure("16pt", EMU_PER_HALF_POINT) == 32
    assert measure("junk") is None


def test_margins_written_in_millimetres(sample: Path) -> None:
    """Word accepts w:top="37mm": that is 37 mm, not the 25.4 mm default."""
    def mm(texts: dict[str, str]) -> None:
        _sub_once("word/document.xml", r'w:top="\d+"', 'w:top="37mm"')(texts)
        _sub_once("word/document.xml", r'w:left="\d+"', 'w:left="2.8cm"')(texts)

    _rewrite(sample, mm)
    assert not [f for f in format_findings(verify(sample)) if "边距" in f]
    _rewrite(sample, _sub_once("word/document.xml", 'w:top="37mm"', 'w:top="20mm"'))
    assert any("上边距为 20 毫米，应为 37 毫米" in f for f in format_findings(verify(sample)))
