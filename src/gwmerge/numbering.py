"""Chinese ordinals for the four heading levels and 一是/二是 points, and recognising typed ones."""

from __future__ import annotations

import re
from dataclasses import replace

import cn2an

from .model import Document
from .sheetformat import Level


def chinese(n: int) -> str:
    """Chinese numeral as used in ordinals: 1→一, 10→十, 11→十一, 21→二十一."""
    if n < 1:
        raise ValueError(f"ordinal must be positive: {n}")
    return cn2an.an2cn(n)


def level1(n: int) -> str:
    return f"{chinese(n)}、"


def level2(n: int) -> str:
    return f"（{chinese(n)}）"


def level3(n: int) -> str:
    return f"{n}."


def level4(n: int) -> str:
    return f"（{n}）"


def point(n: int) -> str:
    return f"{chinese(n)}是"


_CN = "零〇一二三四五六七八九十百"
_TYPED = {
    1: re.compile(rf"^\s*(?:[{_CN}]+\s*[、，,.．]|第[{_CN}]+(?:部分|章|节)\s*[、，,:：.．]?)\s*"),
    2: re.compile(rf"^\s*[（(]\s*[{_CN}]+\s*[）)]\s*[、，,.．]?\s*"),
    3: re.compile(r"^\s*\d{1,3}\s*[.．、](?!\d)\s*"),
    4: re.compile(r"^\s*[（(]\s*\d{1,3}\s*[）)]\s*[、，,.．]?\s*"),
    0: re.compile(rf"^\s*(?:[{_CN}]+是|其[{_CN}]+)\s*[，,：:、]?\s*"),
}


def strip_typed(text: str, level: int) -> str:
    """Remove an ordinal the user typed for this level, so the tool's own is not doubled.

    ``level`` is 1–4 for 一、/（一）/1./（1）, and 0 for 一是/二是 points.
    """
    return _TYPED[level].sub("", text, count=1)


def typed_level(text: str) -> int | None:
    """The level whose ordinal ``text`` starts with, if any (used to warn about misplaced ones)."""
    for level in (2, 4, 1, 3, 0):
        if _TYPED[level].match(text):
            return level
    return None


_FORMATS = {2: level2, 3: level3, 4: level4}


def number(doc: Document) -> Document:
    """Give every section and item its ordinal; counters restart under each parent.

    Sections without content are left out, so the ordinals of the rest stay consecutive.
    """
    sections = []
    for index, section in enumerate((s for s in doc.sections if s.nodes), start=1):
        counters = dict.fromkeys(_FORMATS, 0)
        points = 0
        nodes = []
        for node in section.nodes:
            depth = node.level.depth
            if depth:
                counters[depth] += 1
                for deeper in range(depth + 1, 5):
                    counters[deeper] = 0
                points = 0
                ordinal = _FORMATS[depth](counters[depth])
            elif node.level is Level.POINT:
                points += 1
                ordinal = point(points)
            else:
                ordinal = ""
            nodes.append(replace(node, ordinal=ordinal))
        sections.append(replace(section, nodes=tuple(nodes), ordinal=level1(index)))
    return replace(doc, sections=tuple(sections))
