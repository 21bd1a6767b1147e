"""The examples as printed: `gwmerge merge sheets --pdf`, measured on the rendered pages."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from cliinvoke import invoke
from conftest import make_workbook, need_soffice, seed_paragraphs
from pagemeasure import A4, Geometry, PageMeasure, describe, full_line_chars, measure_pdf, pdf_fonts

from gwmerge.document import sheetformat as sf
from gwmerge.write.xlsx import SectionRows

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_soffice()
    target = tmp_path_factory.mktemp("pages") / "输出"
    result = invoke(["merge", str(ROOT / "sheets"), "-o", str(target), "--pdf"])
    assert result.exit_code == 0, result.output
    assert "示例-副镇长.pdf" in result.output
    return target


@pytest.fixture(scope="module", params=["示例-副镇长", "示例-党员"])
def pages(request: pytest.FixtureRequest, out: Path) -> list[PageMeasure]:
    return measure_pdf(out / f"{request.param}.pdf")


def test_a_pdf_per_document(out: Path) -> None:
    assert sorted(p.name for p in out.iterdir()) == ["汇总表.xlsx", "示例-党员.docx", "示例-党员.pdf",
                                                     "示例-副镇长.docx", "示例-副镇长.pdf"]


def test_full_pages_hold_22_lines(pages: list[PageMeasure]) -> None:
    body_font = Counter(f for page in pages for line in page.body for f in line.fonts).most_common(1)[0][0]
    for page, following in pairwise(pages):
        # Headings are kept with the paragraph after them (keepNext): a heading that would be
        # the last line of a page starts the next one, leaving its slot empty.
        heading_next = following.body[0].fonts != {body_font}
        assert page.line_slots == 22 or (heading_next and page.line_slots >= 20), describe(pages)
        assert abs(page.line_pitch - A4.line_pitch) < 0.1, describe(pages)


def test_first_line_at_the_top_of_the_type_area(pages: list[PageMeasure]) -> None:
    for page in pages:
        assert abs(page.first_line_box_top - A4.body_top) <= 1.5, describe(pages)


def test_page_numbers(pages: list[PageMeasure]) -> None:
    for page in pages:
        number = page.page_number
        assert number is not None and number.text == f"— {page.index} —", describe(pages)
        assert number.side == ("right" if page.index % 2 else "left"), describe(pages)
        assert 3.5 <= number.edge_gap <= 6.5, describe(pages)  # one 四号 character in
        assert 5.0 <= number.dash_below <= 9.0, describe(pages)  # about 7 mm below the 版心


def test_seed_lines_hold_28_characters(out: Path) -> None:
    pages = measure_pdf(out / "示例-副镇长.pdf")
    assert len(pages) >= 7, describe(pages)
    counts = full_line_chars(pages)
    assert counts.most_common(1)[0][0] == 28, counts


def test_seed_text_on_the_page(out: Path) -> None:
    pages = measure_pdf(out / "示例-副镇长.pdf", ink=False)
    printed = "".join(line.text for page in pages for line in page.body).replace(" ", "")
    expected = "".join(seed_paragraphs())
    assert printed == expected


def test_title_headings_and_body_in_distinct_typefaces(out: Path) -> None:
    path = out / "示例-副镇长.pdf"
    assert len(pdf_fonts(path)) >= 3
    first = measure_pdf(path, ink=False)[0].body
    title, heading = first[0], next(ln for ln in first if ln.text.startswith("一、"))
    run_in = next(ln for ln in first if ln.text.startswith("（一）"))
    body = first[-1].fonts
    assert title.text == "副镇长五个带头专题民主生活会对照检查材料"
    assert title.fonts.isdisjoint(body) and heading.fonts.isdisjoint(body | title.fonts)
    assert run_in.fonts - body - title.fonts - heading.fonts


def test_signature_lines(out: Path) -> None:
    pages = measure_pdf(out / "示例-党员.pdf", ink=False)
    name, date = pages[-1].body[-2:]
    assert (name.text, date.text) == ("李四", "2025年1月20日")
    char = 16 / 72 * 25.4  # one 三号 character, mm
    # The date's first character 2 chars right of the name's (placed by left indents, so the
    # preview font's wider digits only move the date's end, which stays near 2 chars in).
    assert abs(date.x0 - name.x0 - 2 * char) < 0.3 * char
    assert abs((A4.body_right - date.x1) - 2 * char) < 1.5 * char


# --------------------------------------------------------------------------- issue 17: pages a 秘书 signs off

CHAR_MM = 16 / 72 * 25.4  # one 三号 character


def _merge_pdf(tmp_path: Path, books: list[Path], *options: str) -> Path:
    need_soffice()
    target = tmp_path / "输出"
    result = invoke(["merge", *map(str, books), "-o", str(target), "--pdf", *options])
    assert result.exit_code == 0, result.output
    return target


@pytest.fixture(scope="module")
def organisation_life(tmp_path_factory: pytest.TempPathFactory) -> list[PageMeasure]:
    """The 副镇长 example as a 组织生活会 material: its last paragraph runs 8 lines."""
    out = _merge_pdf(tmp_path_factory.mktemp("zz"), [ROOT / "sheets" / "示例-副镇长.xlsx"], "-k", "组织生活会")
    return measure_pdf(out / "示例-副镇长.pdf", ink=False)


def test_no_page_is_short_by_more_than_two_lines(organisation_life: list[PageMeasure]) -> None:
    """Only the last paragraph's last two lines go with the signature, not the whole paragraph."""
    pages = organisation_life
    assert all(page.line_slots >= 20 for page in pages[:-1]), describe(pages)
    name, date = pages[-1].body[-2:]
    assert (name.text, date.text) == ("王某某", "2025年1月15日")
    assert pages[-1].line_slots >= 5, describe(pages)  # two text lines, the blank line, name, date


def _signature_lines(path: Path) -> tuple[Any, Any, str]:
    pages = measure_pdf(path, ink=False)
    name, date = pages[-1].body[-2:]
    with pdfplumber.open(path) as pdf:
        printed = pdf.pages[-1].extract_text().splitlines()
    return name, date, next(line for line in printed if line.endswith("日"))


@pytest.mark.parametrize("profile", ["标准", "系统字体"])
def test_date_has_no_spaces_and_starts_two_characters_right_of_the_signer(
        tmp_path: Path, profile: str) -> None:
    """GB/T 9704 7.3.5.2, measured on LibreOffice's page with the substitutes of the official fonts."""
    out = _merge_pdf(tmp_path, [ROOT / "sheets" / "示例-党员.xlsx"], "-p", profile)
    name, date, printed = _signature_lines(out / "示例-党员.pdf")
    assert (name.text, date.text) == ("李四", "2025年1月20日")
    assert printed == "2025年1月20日"  # no space read between digits and Chinese
    gaps = [b["x0"] - a["x1"] for a, b in pairwise(date.chars)]
    assert max(gaps) < 0.5, gaps  # points: nothing inserted between the characters
    assert abs((date.x0 - name.x0) / CHAR_MM - 2) <= 0.3, (name.x0, date.x0)
    assert 1 <= (A4.body_right - date.x1) / CHAR_MM <= 2.3  # right-indented about 2 chars


def test_28pt_lines_start_at_the_top_margin(tmp_path: Path) -> None:
    """LibreOffice centred the lines of a grid that did not fill the type area (40.7 mm)."""
    out = _merge_pdf(tmp_path, [ROOT / "sheets" / "示例-副镇长.xlsx"], "-p", "28磅行距")
    pitch = 28 / 72 * 25.4
    pages = measure_pdf(out / "示例-副镇长.pdf", Geometry(line_pitch=pitch), ink=False)
    for page in pages[1:]:  # page 1 starts with the 二号 title
        assert abs(page.first_line_box_top - 37) <= 0.5, describe(pages)
        assert abs(page.line_pitch - pitch) < 0.1, describe(pages)
    assert all(page.body_lines == 22 for page in pages[1:-1]), describe(pages)


def test_untitled_workbook_starts_with_its_text_at_the_top(tmp_path: Path) -> None:
    """标题 = 无: no empty title paragraph and no blank line before the text."""
    rows = [("（一）", f"第{n}方面的问题", "平时学习多满足于读读文件、看看材料，原原本本读原著、学原文的时间不多，"
             "学习与本职工作结合不够，遇到具体问题时运用理论分析解决的能力还不强。") for n in "一二三四"]
    book = make_workbook(tmp_path / "无标题.xlsx", [SectionRows("存在的问题", rows)],
                         **{sf.FIELD_KIND: "通用", sf.FIELD_TITLE: "无",
                            sf.FIELD_OPENING: "按照通知要求，我认真进行了检视剖析，现报告如下："})
    out = _merge_pdf(tmp_path, [book])
    first = measure_pdf(out / "无标题.pdf", ink=False)[0]
    assert first.body[0].text.startswith("按照通知要求"), describe([first])
    assert abs(first.first_line_box_top - A4.body_top) <= 1.0, describe([first])
    heading = first.body[1]
    assert heading.text == "一、存在的问题" and abs(heading.top - first.body[0].top - A4.line_pitch) < 0.3


def test_a_long_title_prints_broken_between_words(tmp_path: Path) -> None:
    """“党风廉政建设” was printed as 党风廉政 / 建设; the lines on the page are the expected ones."""
    title = "关于某某镇2024年度党风廉政建设主体责任落实情况的报告"
    rows = [("（一）", f"第{n}方面", "平时学习多满足于读读文件、看看材料，原原本本读原著、学原文的时间不多。")
            for n in "一二三"]
    book = make_workbook(tmp_path / "长标题.xlsx", [SectionRows("基本情况", rows)],
                         **{sf.FIELD_KIND: "通用", sf.FIELD_TITLE: title})
    out = _merge_pdf(tmp_path, [book])
    first = measure_pdf(out / "长标题.pdf", ink=False)[0]
    assert [line.text for line in first.body[:2]] == ["关于某某镇2024年度党风廉政建设", "主体责任落实情况的报告"]
