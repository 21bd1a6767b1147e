from __future__ import annotations

import pytest

from gwmerge import numbering


@pytest.mark.parametrize(("n", "expected"), [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (19, "十九"),
                                             (20, "二十"), (21, "二十一"), (99, "九十九"), (100, "一百")])
def test_chinese_numerals_continue_past_ten(n: int, expected: str) -> None:
    assert numbering.chinese(n) == expected


def test_ordinal_shapes() -> None:
    assert numbering.level1(12) == "十二、"
    assert numbering.level2(11) == "（十一）"
    assert numbering.level3(3) == "3."
    assert numbering.level4(2) == "（2）"
    assert numbering.point(21) == "二十一是"


@pytest.mark.parametrize(("text", "level", "expected"), [
    ("一、存在的主要问题", 1, "存在的主要问题"),
    ("（三）在带头践行方面", 2, "在带头践行方面"),
    ("(三) 在带头践行方面", 2, "在带头践行方面"),
    ("（十二）标题", 2, "标题"),
    ("2.标题", 3, "标题"),
    ("12、标题", 3, "标题"),
    ("（1）标题", 4, "标题"),
    ("一是学深悟透", 0, "学深悟透"),
    ("十一是，学深悟透", 0, "学深悟透"),
])
def test_typed_ordinals_are_recognised(text: str, level: int, expected: str) -> None:
    assert numbering.strip_typed(text, level) == expected


@pytest.mark.parametrize(("text", "level"), [("2025年工作", 3), ("1.5倍的增长", 3), ("十分重要", 0), ("其次", 0),
                                             ("一体推进", 1), ("（注）说明", 2)])
def test_text_that_only_looks_numbered_is_kept(text: str, level: int) -> None:
    assert numbering.strip_typed(text, level) == text
