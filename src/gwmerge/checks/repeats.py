"""A paragraph that repeats another one in the same workbook (pasted twice)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from gwmerge.checks.base import Context, rule
from gwmerge.core.errors import Finding, Location, Severity

_NOT_TEXT = re.compile(r"[^0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]+")
MIN_CHARS = 15  # shorter paragraphs ("认真学习。") may well repeat on purpose


@functools.lru_cache(maxsize=512)
def normalise(text: str) -> str:
    """Letters, digits and ideographs only: punctuation and spacing edits do not hide a copy.

    Cached: this rule and 雷同 ask for the same paragraphs of a workbook one after the other.
    """
    return _NOT_TEXT.sub("", text)


@rule("段落重复", "内容", "同一工作簿中有两段文字相同（只差标点、空格也算）")
def repeat_rule(ctx: Context) -> Iterator[Finding]:
    seen: dict[str, Location] = {}
    for piece in ctx.pieces(headings=False):
        key = normalise(piece.text)
        if len(key) < MIN_CHARS:
            continue
        if key not in seen:
            seen[key] = piece.location
            continue
        first = seen[key]
        where = "同一单元格中的另一段" if first == piece.location else f"{first.sheet} › {first.cell} 的一段"
        yield Finding(piece.location, f"这一段与{where}相同{piece.where()}，请删去重复的一段或改写。",
                      Severity.WARNING)
