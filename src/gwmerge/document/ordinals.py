"""Chinese ordinals: the one place that recognises and writes 一、（一）1.（1）and 一是/其一.

Readers (workbook, docx, txt), numbering, checks and ``verify`` all use these patterns, so a
form accepted in one place is accepted everywhere. Levels are integers: 1 ``一、``, 2 ``（一）``,
3 ``1.``, 4 ``（1）`` and 0 for in-paragraph points ``一是``/``其一``.

Real input is forgiving: ASCII brackets, spaces inside and after the ordinal, ``1、``,
full-width digits, ``第一部分``. What is written is always the official form (docs/format.md).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from gwmerge.document.sheetformat import LEVEL_ALIASES, Level

__all__ = ["LEVELS", "POINT", "Ordinal", "chinese", "format", "level_of", "match", "of_level", "strip", "value"]

POINT = 0
LEVELS = (1, 2, 3, 4, POINT)

_CN = "零〇一二三四五六七八九十百千万"
_DIGITS = "0-9０-９"
_SP = r"[ \t\u3000\u00a0]*"
# Each pattern captures the number as group "n"; the match ends after separator and spaces.
_PATTERNS: dict[int, re.Pattern[str]] = {
    1: re.compile(rf"{_SP}(?:(?P<n>[{_CN}]+){_SP}[、，,.．]|第(?P<m>[{_CN}]+)(?:部分|章|节){_SP}[、，,:：.．]?){_SP}"),
    2: re.compile(rf"{_SP}[（(]{_SP}(?P<n>[{_CN}]+){_SP}[）)]{_SP}[、，,.．]?{_SP}"),
    3: re.compile(rf"{_SP}(?P<n>[{_DIGITS}]{{1,3}}){_SP}[.．、](?![{_DIGITS}]){_SP}"),
    4: re.compile(rf"{_SP}[（(]{_SP}(?P<n>[{_DIGITS}]{{1,3}}){_SP}[）)]{_SP}[、，,.．]?{_SP}"),
    POINT: re.compile(rf"{_SP}(?:(?P<n>[{_CN}]+)是|其(?P<m>[{_CN}]+)){_SP}[，,：:、]?{_SP}"),
}
# Order of trial when the level is not given: bracketed forms first, points last.
_TRIAL = (2, 4, 1, 3, POINT)
_SMALL = "一二三四五六七八九十"
_CN_DIGIT = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {"〇": 0}
_LEVEL_OF_INT = {2: Level.ITEM2, 3: Level.ITEM3, 4: Level.ITEM4, POINT: Level.POINT}


@dataclass(frozen=True)
class Ordinal:
    """A recognised ordinal: its level, its number, and where the text after it starts."""

    level: int
    number: int
    end: int


def value(numeral: str) -> int:
    """The value of a Chinese (or Arabic, also full-width) numeral: 十二 → 12, 二十一 → 21, ０３ → 3."""
    numeral = numeral.translate(_FULLWIDTH)
    if numeral.isdigit():
        return int(numeral)
    total, current, after_digit = 0, 0, False
    for ch in numeral:
        if ch in _CN_DIGIT:
            # 二〇二五 reads digit by digit; after a unit (十, 百) a digit starts afresh.
            current = current * 10 + _CN_DIGIT[ch] if after_digit else _CN_DIGIT[ch]
            after_digit = True
            continue
        after_digit = False
        if ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "千":
            total += (current or 1) * 1000
            current = 0
        elif ch == "万":  # 一万二千: what came before is counted in ten thousands
            total = (total + current or 1) * 10000
            current = 0
    return total + current


_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def match(text: str, level: int | None = None) -> Ordinal | None:
    """The ordinal ``text`` starts with (of ``level``, or of any level), else None."""
    for lv in (level,) if level is not None else _TRIAL:
        m = _PATTERNS[lv].match(text)
        if m:
            number = value(m.group("n") or m.group("m"))
            if number > 0:
                return Ordinal(lv, number, m.end())
    return None


def strip(text: str, level: int | None = None) -> str:
    """``text`` without a typed ordinal of ``level`` (any level when None) at its start."""
    found = match(text, level)
    return text[found.end:] if found else text


@functools.cache
def chinese(n: int) -> str:
    """Chinese numeral as used in ordinals: 1→一, 10→十, 11→十一, 21→二十一."""
    if n < 1:
        raise ValueError(f"ordinal must be positive: {n}")
    if n <= 10:
        return _SMALL[n - 1]
    import cn2an  # costs ~120 ms to import; only documents with more than ten of something pay

    return cn2an.an2cn(n)


def format(level: int, n: int) -> str:
    """The official ordinal of ``level`` for number ``n``: 一、（一）1.（1）一是."""
    if level == 1:
        return f"{chinese(n)}、"
    if level == 2:
        return f"（{chinese(n)}）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    if level == POINT:
        return f"{chinese(n)}是"
    raise ValueError(f"unknown ordinal level: {level}")


def level_of(word: str) -> Level | None:
    """What a 层级 cell means: a drop-down word, an alias, or any ordinal of a level.

    ``（二）`` ``(3)`` ``二是`` ``其三`` ``2.`` ``2、`` ``２`` all name their level; the tool
    renumbers. A level-1 ordinal (``二、``) is no row level (sections are sheets): None.
    """
    raw = re.sub(r"[\s\u3000]+", "", word)
    level = LEVEL_ALIASES.get(raw) or LEVEL_ALIASES.get(raw.replace("(", "（").replace(")", "）"))
    if level is not None:
        return level
    if re.fullmatch(f"[{_DIGITS}]{{1,3}}", raw):
        return Level.ITEM3
    found = match(raw)
    if found is None or found.end != len(raw):
        return None
    return _LEVEL_OF_INT.get(found.level)


def of_level(level: Level) -> int | None:
    """The ordinal level of a row level (None for paragraphs and examples)."""
    if level is Level.POINT:
        return POINT
    return level.depth or None
