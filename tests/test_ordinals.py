"""Ordinals: written the official way, recognised however a person typed them."""

from __future__ import annotations

import pytest

from gwmerge.document import ordinals
from gwmerge.document.sheetformat import Level


@pytest.mark.parametrize(("n", "expected"), [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (19, "十九"),
                                             (20, "二十"), (21, "二十一"), (99, "九十九"), (100, "一百")])
def test_chinese_numerals_continue_past_ten(n: int, expected: str) -> None:
    assert ordinals.chinese(n) == expected
    assert ordinals.value(expected) == n


def test_ordinal_shapes() -> None:
    assert ordinals.format(1, 12) == "十二、"
    assert ordinals.format(2, 11) == "（十一）"
    assert ordinals.format(3, 3) == "3."
    assert ordinals.format(4, 2) == "（2）"
    assert ordinals.format(ordinals.POINT, 21) == "二十一是"


@pytest.mark.parametrize(("text", "level", "expected"), [
    ("一、存在的主要问题", 1, "存在的主要问题"),
    ("第二部分 存在的问题", 1, "存在的问题"),
    ("（三）在带头践行方面", 2, "在带头践行方面"),
    ("(三) 在带头践行方面", 2, "在带头践行方面"),
    ("( 三 )在带头践行方面", 2, "在带头践行方面"),
    ("（十二）标题", 2, "标题"),
    ("2.标题", 3, "标题"),
    ("2. 标题", 3, "标题"),
    ("12、标题", 3, "标题"),
    ("１２．标题", 3, "标题"),
    ("（1）标题", 4, "标题"),
    ("(1) 标题", 4, "标题"),
    ("一是学深悟透", 0, "学深悟透"),
    ("十一是，学深悟透", 0, "学深悟透"),
    ("其三，学深悟透", 0, "学深悟透"),
])
def test_typed_ordinals_are_recognised(text: str, level: int, expected: str) -> None:
    assert ordinals.strip(text, level) == expected
    assert ordinals.strip(text) == expected
    found = ordinals.match(text)
    assert found is not None and found.level == level and text[found.end:] == expected


def test_match_gives_the_number() -> None:
    assert ordinals.match("（十二）标题") == ordinals.Ordinal(2, 12, 4)
    assert ordinals.match("二十一是要") == ordinals.Ordinal(0, 21, 4)
    assert ordinals.match("１２、x").number == 12


@pytest.mark.parametrize(("text", "level"), [("2025年工作", 3), ("1.5倍的增长", 3), ("十分重要", 0), ("其次", 0),
                                             ("一体推进", 1), ("（注）说明", 2), ("不是问题", 0)])
def test_text_that_only_looks_numbered_is_kept(text: str, level: int) -> None:
    assert ordinals.strip(text, level) == text
    assert ordinals.strip(text) == text


@pytest.mark.parametrize(("word", "level"), [
    ("（一）", Level.ITEM2), ("（二）", Level.ITEM2), ("(二)", Level.ITEM2), ("( 3 )", Level.ITEM4),
    ("(3)", Level.ITEM4), ("（1）", Level.ITEM4), ("二是", Level.POINT), ("其三", Level.POINT),
    ("一是", Level.POINT), ("2.", Level.ITEM3), ("2、", Level.ITEM3), ("3", Level.ITEM3), ("２．", Level.ITEM3),
    ("段落", Level.PARA), ("示例", Level.EXAMPLE), ("要点", Level.POINT),
])
def test_level_column_accepts_any_ordinal_of_a_level(word: str, level: Level) -> None:
    assert ordinals.level_of(word) is level


@pytest.mark.parametrize("word", ["二、", "标题", "（一）加强", "一", ""])
def test_level_column_rejects_what_names_no_row_level(word: str) -> None:
    assert ordinals.level_of(word) is None
