"""Words typed twice in a row (用公款用公款): an editing slip a proofreader circles at once.

Chinese doubles on purpose too, and the rule leaves those alone. Single characters (常常、人人)
are never looked at. Two characters twice are mostly right: a verb tried out (研究研究、讨论讨论),
an adjective intensified (雪白雪白), emphasis (非常非常), or two words that meet (基层党组织 +
组织生活会 = 党组织组织生活会); only the few words that can never meet themselves so (我们我们、
但是但是、二是二是) are reported. Three to six characters twice with nothing between are a slip.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gwmerge.checks.base import Context, Piece, excerpt, per_cell, rule
from gwmerge.core.errors import Finding

_DOUBLED = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff]{2,6})\1")
# Two-character words that never stand twice in a row in correct text: pronouns, connectives,
# adverbs and the 一是 markers (一是一是 is a point numbered twice).
SLIPS = frozenset([
    "我们", "你们", "他们", "她们", "它们", "咱们", "大家", "自己", "但是", "因为", "所以", "如果", "虽然", "而且",
    "同时", "还是", "已经", "正在", "能够", "应该", "必须", "不断", "切实", "首先", "其次", "最后",
    "一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是", "九是", "十是", "通过", "对于", "关于", "按照",
    "根据", "为了", "以及", "或者", "并且", "认真", "坚持", "加强", "进行", "开展", "存在", "没有", "不够",
])


def doubled_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, the unit) of each unit of 3–6 characters (or a :data:`SLIPS` word) written
    twice in a row."""
    spans = []
    for m in _DOUBLED.finditer(text):
        unit = m.group(1)
        if len(unit) == 2 and unit not in SLIPS:
            continue
        if len(set(unit)) == 1:
            continue
        spans.append((m.start(), m.end(), unit))
    return spans


@rule("字词重复", "用字", "同一个词或短语紧挨着写了两遍（如“用公款用公款”）；"
                         "“研究研究”“常常”等叠用和“党组织组织生活会”等词语相接不算")
def doubled_rule(ctx: Context) -> Iterator[Finding]:
    found: list[tuple[Piece, str, str]] = []
    for piece in ctx.pieces():
        for start, end, unit in doubled_spans(piece.text):
            found.append((piece, f"“{unit}”连写了两遍{{}}，请删去多余的一遍。", excerpt(piece.text, start, end, 3)))
    yield from per_cell(found)
