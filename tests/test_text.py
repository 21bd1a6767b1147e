from __future__ import annotations

import datetime as dt

import pytest

from gwmerge.core.text import clean, paragraphs
from gwmerge.document.dates import official_date


def test_excel_carriage_return_escape_and_illegal_characters() -> None:
    assert clean("第一段_x000D_\n第二段", excel_escapes=True) == "第一段\n第二段"
    assert clean("a\x01b\x1fc\ufffe") == "abc"


def test_excel_escapes_are_resolved_once_by_the_reader_only() -> None:
    """A user who types _x0041_ in a cell gets _x0041_ (Excel stores it as _x005F_x0041_)."""
    assert clean("_x005F_x0041_", excel_escapes=True) == "_x0041_"
    assert paragraphs("_x0041_") == ["_x0041_"]
    assert clean("_x0041_") == "_x0041_"


def test_vertical_tab_from_word_is_a_paragraph_break() -> None:
    assert paragraphs("第一段\x0b第二段") == ["第一段", "第二段"]


def test_multi_line_cell_gives_paragraphs_without_indents_or_blank_lines() -> None:
    assert paragraphs("　　第一段。\r\n\n   第二段。  \n") == ["第一段。", "第二段。"]


@pytest.mark.parametrize(("value", "expected"), [
    (dt.date(2025, 1, 5), "2025年1月5日"),
    (dt.datetime(2025, 11, 15, 9, 30), "2025年11月15日"),
    ("2025-01-15", "2025年1月15日"),
    ("2025.1.15", "2025年1月15日"),
    ("2025/01/05", "2025年1月5日"),
    ("2025年01月15日", "2025年1月15日"),
    ("20250115", "2025年1月15日"),
    ("2025-02-30", None),
    ("明天", None),
    # 班子 materials still date themselves in Chinese numerals; 〇 is often typed as ○ or 零.
    ("二〇二五年一月二十日", "2025年1月20日"),
    ("二○二四年十二月三十一日", "2024年12月31日"),
    ("二零二五年十月一日", "2025年10月1日"),
    ("二〇二五年 一月 二十日", "2025年1月20日"),
    ("二〇二五年二月三十日", None),
    # Dated to the month (落款 “2025年1月”): kept to the month.
    ("二〇二五年一月", "2025年1月"),
    ("2025年1月", "2025年1月"),
    ("2025年 12 月", "2025年12月"),
    ("2025年13月", None),
    ("2025年", None),
    ("一二三四年一月一日", None),
])
def test_official_date(value: object, expected: str | None) -> None:
    assert official_date(value) == expected
