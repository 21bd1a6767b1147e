"""The examples as printed: `gwmerge merge sheets --pdf`, measured on the rendered pages."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
from cliinvoke import invoke
from conftest import need_soffice, seed_paragraphs
from pagemeasure import A4, PageMeasure, describe, full_line_chars, measure_pdf, pdf_fonts

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
    assert (name.text.replace(" ", ""), date.text.replace(" ", "")) == ("李四", "2025年1月20日")
    char = 16 / 72 * 25.4  # one 三号 character, mm
    assert abs((A4.body_right - date.x1) - 2 * char) < 1.5  # date right-indented 2 chars
    # The name moved left to make room: right indent 8.5 chars (its first character 2 chars
    # left of the date's, as laid out for 0.5 em digits). LibreOffice's preview font has wider
    # digits and spaces them from Chinese, so the date's start is only checked to follow the name's.
    assert abs((A4.body_right - name.x1) - 8.5 * char) < 1.5
    assert date.x0 > name.x0
