"""LibreOffice rendering of a docs/format.md document: 22 lines × 28 chars, page numbers, typefaces."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import need_soffice
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Twips
from docx.text.paragraph import Paragraph
from pagemeasure import A4, PageMeasure, describe, full_line_chars, measure_pdf, pdf_fonts

from gwmerge.batch import pdf

LINE = 579  # twips: 28.95 pt, 22 lines fill the 225 mm 版心
TITLE_FONT, HEI, KAI, FANG, SONG = "方正小标宋简体", "黑体", "楷体_GB2312", "仿宋_GB2312", "宋体"

TEXT = (
    "按照上级党委统一部署和要求，会前我认真学习有关文件精神，广泛征求干部群众意见建议，"
    "深入开展谈心谈话，紧密联系个人思想和工作实际，对照检查查找问题差距，深刻剖析产生问题的"
    "根源，明确今后努力方向和整改措施。在理论学习方面，虽然能够按时参加集中学习，但自学不够"
    "系统深入，满足于读原文记笔记，对党的创新理论的精髓要义理解不深不透，运用理论指导实践"
    "解决问题的能力还有差距。在工作作风方面，深入基层调查研究不够经常，有时满足于听汇报看材料，"
    "对群众反映强烈的急难愁盼问题跟踪督办不够有力，服务群众的精准度和实效性还需进一步提高。"
)


def _set(parent, tag: str, **attrs: str):
    """Get-or-create a child element and set ``w:`` attributes on it."""
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        parent.append(el)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    return el


def _rpr(rpr, font: str, sz: int, spacing: int | None = None) -> None:
    """All four rFonts slots + eastAsia hint (no theme attributes), sz/szCs, zh-CN lang."""
    fonts = _set(rpr, "w:rFonts")
    for attr in list(fonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    _set(rpr, "w:rFonts", ascii=font, hAnsi=font, eastAsia=font, cs=font, hint="eastAsia")
    if spacing is not None:
        _set(rpr, "w:spacing", val=str(spacing))
    _set(rpr, "w:sz", val=str(sz))
    _set(rpr, "w:szCs", val=str(sz))
    _set(rpr, "w:lang", val="en-US", eastAsia="zh-CN")


def _ppr(p: Paragraph, *, jc: str | None = None, indent: bool = True, keep_next: bool = False,
         grid: bool = True, **ind: str) -> None:
    ppr = p._p.get_or_add_pPr()
    if keep_next:
        _set(ppr, "w:keepNext")
    if not grid:
        # LibreOffice gives a 22 pt line two grid cells despite the exact 579 line; Word ignores it.
        _set(ppr, "w:snapToGrid", val="0")
    _set(ppr, "w:spacing", before="0", after="0", line=str(LINE), lineRule="exact")
    if not indent:
        _set(ppr, "w:ind", firstLineChars="0", firstLine="0", **ind)
    elif ind:
        _set(ppr, "w:ind", **ind)
    if jc:
        _set(ppr, "w:jc", val=jc)


def _run(p: Paragraph, text: str, font: str = FANG, sz: int = 32, spacing: int | None = -5) -> None:
    run = p.add_run(text)
    _rpr(run._r.get_or_add_rPr(), font, sz, spacing)


def _page_number(p: Paragraph) -> None:
    """``— PAGE —`` in 宋体 四号, the number as a PAGE field."""
    _run(p, "— ", SONG, 28, None)
    for kind, instr in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"),
                        ("end", None)):
        run = p.add_run()
        _rpr(run._r.get_or_add_rPr(), SONG, 28)
        if kind:
            _set(run._r, "w:fldChar", fldCharType=kind)
        elif instr == "1":
            run._r.append(OxmlElement("w:t"))
            run._r[-1].text = "1"
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            run._r.append(el)
    _run(p, " —", SONG, 28, None)


def build_docx(path: Path, paragraphs: int = 6) -> None:
    """A document laid out as docs/format.md says: title, blank line, 黑体 heading, 楷体 run-in, body."""
    doc = Document()
    # docDefaults and Normal: body font, exact 579 line, 2-char indent, justified, no widow control.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    _rpr(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")), FANG, 32)
    normal = doc.styles["Normal"].element
    _rpr(normal.get_or_add_rPr(), FANG, 32)
    nppr = normal.get_or_add_pPr()
    _set(nppr, "w:widowControl", val="0")
    _set(nppr, "w:spacing", before="0", after="0", line=str(LINE), lineRule="exact")
    _set(nppr, "w:ind", firstLineChars="200", firstLine="640")
    _set(nppr, "w:jc", val="both")

    sec = doc.sections[0]
    sec.page_width, sec.page_height = Twips(11906), Twips(16838)
    sec.top_margin, sec.bottom_margin = Twips(2098), Twips(1984)
    sec.left_margin, sec.right_margin = Twips(1587), Twips(1474)
    sec.header_distance, sec.footer_distance, sec.gutter = Twips(851), Twips(1400), Twips(0)
    _set(sec._sectPr, "w:docGrid", type="lines", linePitch=str(LINE))
    doc.settings.odd_and_even_pages_header_footer = True

    odd = sec.footer.paragraphs[0]
    _ppr(odd, jc="right", indent=False, right="280")
    _page_number(odd)
    even = sec.even_page_footer.paragraphs[0]
    _ppr(even, jc="left", indent=False, left="280")
    _page_number(even)

    body = doc.add_paragraph()
    _ppr(body, jc="center", indent=False, keep_next=True, grid=False)
    _run(body, "副镇长五个带头专题民主生活会对照检查材料", TITLE_FONT, 44, None)
    _ppr(doc.add_paragraph())  # one blank 579 line after the title

    p = doc.add_paragraph()
    _ppr(p)
    _run(p, TEXT)
    p = doc.add_paragraph()
    _ppr(p, keep_next=True)
    _run(p, "一、存在的主要问题", HEI)
    p = doc.add_paragraph()
    _ppr(p)
    _run(p, "（一）在理论学习方面。", KAI)
    _run(p, TEXT)
    for _ in range(paragraphs):
        p = doc.add_paragraph()
        _ppr(p)
        _run(p, TEXT)
    doc.save(path)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, float]]:
    """Build the document under a Chinese file name and convert it once for all tests."""
    need_soffice()
    root = tmp_path_factory.mktemp("pdf")
    src = root / "源文件" / "对照检查材料.docx"
    src.parent.mkdir()
    build_docx(src)
    start = time.perf_counter()
    result = pdf.convert_to_pdf([src], root / "输出")
    elapsed = time.perf_counter() - start
    assert set(result) == {src}
    out = result[src]
    assert out == root / "输出" / "对照检查材料.pdf"
    assert out.is_file()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".~gwmerge-")]
    yield out, elapsed


@pytest.fixture(scope="module")
def pages(rendered: tuple[Path, float]) -> list[PageMeasure]:
    measured = measure_pdf(rendered[0])
    print(f"\nconversion {rendered[1]:.1f} s\n{describe(measured)}")
    return measured


def test_full_pages_hold_22_lines(pages: list[PageMeasure]) -> None:
    assert len(pages) >= 3, describe(pages)
    for page in pages[:-1]:
        assert page.line_slots == 22, describe(pages)
        assert page.line_pitch is not None
        assert abs(page.line_pitch - A4.line_pitch) < 0.1, page.line_pitch  # 28.95 pt


def test_full_line_holds_28_chars(pages: list[PageMeasure]) -> None:
    counts = full_line_chars(pages)
    assert counts, describe(pages)
    assert counts.most_common(1)[0][0] == 28, counts


def test_first_line_starts_at_type_area_top(pages: list[PageMeasure]) -> None:
    for page in pages:
        assert page.first_line_box_top is not None
        assert abs(page.first_line_box_top - A4.body_top) <= 1.5, describe(pages)


def test_page_numbers_alternate(pages: list[PageMeasure]) -> None:
    for page in pages:
        number = page.page_number
        assert number is not None, describe(pages)
        assert number.text == f"— {page.index} —"
        assert number.side == ("right" if page.index % 2 else "left"), describe(pages)
        # ind 280 twips = one 四号 character ≈ 4.9 mm in from the 版心 edge.
        assert 3.5 <= number.edge_gap <= 6.5, describe(pages)
        # Std 7.5: the dashes sit 7 mm below the 版心's bottom edge (measured ≈ 6.4 mm).
        assert number.dash_below is not None
        assert 5.0 <= number.dash_below <= 9.0, describe(pages)


def test_official_fonts_map_to_distinct_typefaces(rendered: tuple[Path, float],
                                                  pages: list[PageMeasure]) -> None:
    fonts = pdf_fonts(rendered[0])
    assert len(fonts) >= 3, fonts
    lines = pages[0].body
    title = lines[0]
    heading = next(ln for ln in lines if ln.text.startswith("一、"))
    run_in = next(ln for ln in lines if ln.text.startswith("（一）"))
    body_font = pages[1].body[5].fonts
    assert title.text.startswith("副镇长")
    assert len(body_font) == 1, body_font
    assert title.fonts.isdisjoint(body_font), (title.fonts, body_font)
    assert heading.fonts.isdisjoint(body_font | title.fonts), (heading.fonts, body_font)
    assert len(run_in.fonts - body_font - title.fonts - heading.fonts) == 1, run_in.fonts


def test_page_is_a4() -> None:
    assert (A4.body_right - A4.body_left, A4.body_bottom - A4.body_top) == (156.0, 225.0)


def test_missing_soffice_raises_chinese_message(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    with pytest.raises(pdf.PdfUnavailable, match="LibreOffice"):
        pdf.convert_to_pdf([tmp_path / "a.docx"], tmp_path)


def test_fontconfig_maps_official_names() -> None:
    xml = pdf.fontconfig_xml({"Noto Serif CJK SC", "Noto Sans CJK SC", "AR PL UKai CN"})
    assert "<string>仿宋_GB2312</string>" in xml and "<string>AR PL UKai CN</string>" in xml
    assert "<const>black</const>" in xml
    assert "FandolFang" not in xml  # only installed families are chosen


def test_batch_one_start_same_stems_and_a_bad_file(tmp_path: Path) -> None:
    """Same-named documents from two folders both come out; a corrupt one is just missing."""
    need_soffice()
    first, second = tmp_path / "一组" / "张三.docx", tmp_path / "二组" / "张三.docx"
    bad = tmp_path / "损坏.docx"
    for path in (first, second):
        path.parent.mkdir()
        build_docx(path, paragraphs=0)
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    out = tmp_path / "pdf"
    result = pdf.convert_to_pdf([first, second, bad, tmp_path / "不存在.docx"], out)
    assert set(result) == {first, second}
    assert len(set(result.values())) == 2
    assert all(p.parent == out and p.stat().st_size > 0 for p in result.values())
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in result.values())


def _processes_naming(folder: Path) -> list[int]:
    """Live processes whose command line names ``folder`` (Linux /proc; empty elsewhere)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().decode("utf-8", "replace")
            status = (proc / "status").read_text()
        except OSError:
            continue
        if str(folder) in cmdline and "\nState:\tZ" not in status:
            found.append(int(proc.name))
    return found


def test_private_profile_skips_libreoffice_self_tests(tmp_path: Path) -> None:
    """The seeded profile keeps LibreOffice from re-running its graphics self-tests on every start."""
    need_soffice()
    soffice = pdf.find_soffice()
    assert soffice is not None
    doc = tmp_path / "一份.docx"
    build_docx(doc, paragraphs=0)
    converter = pdf._Converter([(doc, doc)], tmp_path / "work")
    pdf._run_all(soffice, [converter], dict(os.environ), None)
    produced, line = converter.collect()
    assert list(produced) == [doc], line
    profile = tmp_path / "work" / "profile" / "user"
    assert (profile / "registrymodifications.xcu").is_file()
    assert not (profile / "GraphicsRenderTests.log").exists()


def test_converters_over_their_time_are_stopped_and_said(tmp_path: Path) -> None:
    need_soffice()
    docs = [tmp_path / f"{i}.docx" for i in range(4)]
    for doc in docs:
        build_docx(doc, paragraphs=40)
    out, log = tmp_path / "pdf", []
    assert pdf.convert_to_pdf(docs, out, timeout=0.2, jobs=2, log=log) == {}
    assert len(log) == 2 and all("超过 0.2 秒未完成，已中止" in line for line in log), log
    assert list(out.iterdir()) == []  # the work folder, with both profiles, is gone
    assert _processes_naming(out) == []
