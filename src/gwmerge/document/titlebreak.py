"""Break a long official title into lines that form a trapezoid or a diamond (GB/T 9704 7.3.1).

The rule, in the order it is applied:

1. A title of at most ``max_chars`` characters (about 20 at 二号 on the 156 mm 版心) stays one line.
2. Hard rules, never relaxed below the last resort:
   * no break inside a number with its unit (``2025年度``, ``30万元``, ``第2次``, ``二〇二四年``),
     a Latin word or a personal name before 同志;
   * no line starts with 的 or with closing punctuation, none ends with opening punctuation;
   * no line is only a document-type word (材料, 对照检查材料, 报告, 通知, 方案, 意见 … see
     :data:`DOC_TYPES`).
3. Rules relaxed one at a time, only when no split satisfies them, in this order:
   a. no break inside a 《…》 book title or a “…” quotation;
   b. the shape: two lines have the upper one at least as long (正梯形); three or more rise then
      fall with the last line shorter than the longest (菱形), or fall all the way (梯形);
   c. no break inside a word of the built-in list :data:`WORDS` (terms typical of these titles,
      e.g. 民主生活会, 对照检查, 领导班子) or inside a place name such as 某某镇.
   Each level first tries the fewest lines possible, then one more.
4. Among allowed splits the cheapest wins: a break at a phrase boundary (after 关于 / 的 / 》 /
   年度 / 专题 / 生活会 / 委员会 / 同志 …) costs nothing, at a known word's edge a little, between two
   characters of unknown words more; uneven line lengths and very short lines cost extra. Ties go to
   the earliest break, so the result is deterministic.
5. Last resort: cut every ``max_chars`` characters.

The search is dynamic programming, polynomial in the title's length; a title over
:data:`MAX_SEARCH_CHARS` characters (a paragraph pasted into 标题) is not a title to shape: its lines
are filled greedily under the hard rules.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

__all__ = ["DOC_TYPES", "WORDS", "break_title"]


def _wordset(text: str) -> frozenset[str]:
    """Whitespace-separated words → set (keeps the lists below readable)."""
    return frozenset(text.split())


#: Document-type words (文种) that must never stand alone on a line.
DOC_TYPES: frozenset[str] = _wordset(
    """
    材料 对照检查材料 检视剖析材料 剖析材料 检查材料 发言材料 交流材料 汇报材料 述职材料 发言提纲 提纲
    报告 述职报告 工作报告 调研报告 自查报告 述责述廉报告 通知 通报 公告 通告 方案 实施方案 工作方案
    意见 实施意见 指导意见 说明 情况说明 起草说明 总结 工作总结 计划 工作计划 要点 工作要点 讲话 讲话稿
    发言 请示 批复 函 复函 纪要 会议纪要 决定 决议 办法 规定 细则 制度 议案 清单 问题清单 整改清单
    台账 整改台账 建议 申请 证明 规划
    """
)

#: Words a line never breaks inside (soft rule c); longer entries also mark phrase boundaries.
WORDS: frozenset[str] = DOC_TYPES | _wordset(
    """
    民主生活会 组织生活会 生活会 专题 对照 检查 对照检查 检视 剖析 检视剖析 带头 五个带头 四个带头
    个人 本人 党委 党组 党工委 党支部 支部 党总支 总支 领导班子 班子 委员会 中共 中国共产党 年度 同志
    书记 副书记 镇长 副镇长 乡长 副乡长 县长 副县长 市长 主任 副主任 委员 纪委 纪委书记 组织委员
    宣传委员 统战委员 武装部长 部长 人大 主席 政府 人民政府 镇政府 乡政府 街道 社区 村委会 居委会
    党员 干部 领导 领导干部 班子成员 主题教育 学习教育 党史学习教育 党纪学习教育 巡视 巡察 反馈
    整改 整改落实 措施 整改措施 落实 问题 情况 工作 重点 重点工作 专项 整治 专项整治 安全生产
    乡村振兴 基层党建 党建 党风廉政 廉政 建设 作风 作风建设 意识形态 责任制 主体责任 述责述廉
    两个确立 两个维护 四个意识 四个自信 习近平 新时代 中国特色社会主义 思想 贯彻 贯彻落实 学习
    党员领导干部 脱贫攻坚 巩固拓展 成果 有效衔接 集体经济 经济组织 财务管理 常委 常委班子 县委
    镇委 市委 法治政府 人居环境 农村 专项资金 资金 研讨 学习研讨 活动
    关于 印发 转发 召开 开展 加强 进一步 推进 全面 深入 某某 某某某 年终 上半年 下半年
    """
)

# A break right after one of these is a phrase boundary.
_STRONG_AFTER: tuple[str, ...] = (
    "关于", "印发", "转发", "召开", "开展", "的", "》", "”", "）", "委员会", "党委", "党组", "党工委",
    "党支部", "总支", "领导班子", "班子", "班子成员", "同志", "年度", "年", "专题", "生活会", "人民政府",
)
# A break right before one of these is a phrase boundary.
_STRONG_BEFORE: tuple[str, ...] = ("《", "“", "（", "和", "与", "及", "暨")

_OPENING = "《“‘（([【〔"
_CLOSING = "》”’）)]】〕、，。：；！？,.;:!?"
_TITLES_BEFORE_NAME = (
    "书记", "主任", "委员", "镇长", "乡长", "县长", "市长", "区长", "部长", "局长", "主席", "组长",
    "队长", "校长", "院长", "所长", "站长", "科长", "处长", "经理", "代表", "党员", "干部",
)

_DIGITS = "0-9０-９"
_UNITS = (
    "年度|周年|年|季度|月份|月|日|号|万元|亿元|千元|元|万|亿|%|％|个|项|条|次|届|批|期|轮|岁|名|人|户|"
    "家|份|件|篇|天|小时|公里|亩|吨|平方米|米"
)
_NUMBER = re.compile(
    rf"第?[{_DIGITS}]+(?:[.．][{_DIGITS}]+)?(?:\s*[—\-－~～至到]\s*[{_DIGITS}]+)?(?:{_UNITS})?"
    rf"|第?[〇零一二两三四五六七八九十百千]+(?:{_UNITS})"
    r"|[A-Za-z][A-Za-z0-9]*"
)
_PLACE = re.compile(r"[\u4e00-\u9fff]{2}(?:街道|社区|镇|乡|村|县|市|区)")
_BOOK = re.compile(r"《[^《》]*》|“[^“”]*”|‘[^‘’]*’")

# Cost of a break by boundary class, and the lexicon's longest entry.
_COST = {"strong": 0, "word": 3, "weak": 8}
_SHORT_LINE = 4  # lines shorter than this cost extra


@dataclass(frozen=True)
class _Analysis:
    """Per break position ``i`` (between ``title[i-1]`` and ``title[i]``) what the rules say."""

    hard: frozenset[int]  # never break here (before the last resort)
    quoted: frozenset[int]  # inside 《…》 or “…”
    inword: frozenset[int]  # inside a listed word or a place name
    kind: tuple[str, ...]  # boundary class per position: strong / word / weak


def _inside(spans: Iterator[tuple[int, int]]) -> set[int]:
    """Positions strictly inside the given [start, end) spans."""
    return {i for start, end in spans for i in range(start + 1, end)}


def _name_spans(title: str) -> Iterator[tuple[int, int]]:
    """A personal name before 同志: from the end of a preceding post (书记 …) or 3 chars back."""
    for m in re.finditer("同志", title):
        start = max(0, m.start() - 3)
        window = title[max(0, m.start() - 6) : m.start()]
        for post in _TITLES_BEFORE_NAME:
            at = window.rfind(post)
            if at >= 0 and m.start() - (max(0, m.start() - 6) + at + len(post)) <= 4:
                start = max(start, max(0, m.start() - 6) + at + len(post))
        yield start, m.end()


def _word_spans(title: str) -> Iterator[tuple[int, int]]:
    longest = max(map(len, WORDS))
    for i in range(len(title)):
        for j in range(i + 2, min(len(title), i + longest) + 1):
            if title[i:j] in WORDS:
                yield i, j
    for m in _PLACE.finditer(title):
        yield m.span()


@cache
def _analyse(title: str) -> _Analysis:
    n = len(title)
    numbers = [m.span() for m in _NUMBER.finditer(title)]
    hard = _inside(iter(numbers)) | _inside(_name_spans(title))
    for i in range(1, n):
        if title[i] == "的" or title[i] in _CLOSING or title[i - 1] in _OPENING:
            hard.add(i)
    quoted = _inside(m.span() for m in _BOOK.finditer(title))
    words = list(_word_spans(title))
    inword = _inside(iter(words))
    edges = {e for span in words + numbers for e in span}
    kind = ["weak"] * (n + 1)
    for i in range(1, n):
        if title.endswith(_STRONG_AFTER, 0, i) or title.startswith(_STRONG_BEFORE, i):
            kind[i] = "strong"
        elif i in edges or not ("\u4e00" <= title[i - 1] <= "\u9fff" and "\u4e00" <= title[i] <= "\u9fff"):
            kind[i] = "word"
    return _Analysis(frozenset(hard), frozenset(quoted), frozenset(inword), tuple(kind))


def _good_shape(lengths: list[int]) -> bool:
    """正梯形 (non-increasing) or 菱形 (rise then fall, the last line shorter than the longest)."""
    if all(a >= b for a, b in pairwise(lengths)):
        return True
    if len(lengths) < 3:
        return False
    peak = lengths.index(max(lengths))
    rising = all(a <= b for a, b in pairwise(lengths[: peak + 1]))
    falling = all(a >= b for a, b in pairwise(lengths[peak:]))
    return rising and falling and lengths[-1] < lengths[peak]


# Shape automaton for 正梯形/菱形 while lines are added left to right (see _good_shape):
# FLAT all lines equal so far; DOWN non-increasing with a fall; UP rising (non-decreasing with a
# rise); FALL falling after a rise. A split ends well in FLAT, DOWN or FALL (FALL implies three or
# more lines with the last shorter than the peak); UP ends with the last line the longest: refused.
_FLAT, _DOWN, _UP, _FALL = range(4)
_START = -1
#: Titles longer than this are not searched (a paragraph pasted into 标题): they are cut greedily.
MAX_SEARCH_CHARS = 120


def _next_phase(phase: int, prev: int, length: int) -> int | None:
    if phase == _START:
        return _FLAT
    if phase == _FLAT:
        return _FLAT if length == prev else _DOWN if length < prev else _UP
    if phase == _DOWN:
        return _DOWN if length <= prev else None
    if phase == _UP:
        return _UP if length >= prev else _FALL
    return _FALL if length <= prev else None  # _FALL


def _best(title: str, max_chars: int, level: int) -> list[str] | None:
    """Cheapest split obeying the rules of ``level`` (0 = all, 3 = only the hard rules).

    Dynamic programming over (position, lines left, shape phase, previous line length): polynomial
    in the title's length. Costs are kept as exact integers (the documented cost times 2·count³),
    so equal costs are equal and ties go to the earliest break.
    """
    info = _analyse(title)
    n = len(title)
    blocked = set(info.hard)
    if level < 1:
        blocked |= info.quoted
    if level < 3:
        blocked |= info.inword
    allowed = [i for i in range(1, n) if i not in blocked]
    shaped = level < 2
    fewest = math.ceil(n / max_chars)
    for count in (fewest, fewest + 1):
        scale = 2 * count**3
        cut_cost = [scale * _COST[k] for k in info.kind]
        ends = [*allowed, n]

        def line_cost(a: int, b: int, count: int = count, scale: int = scale) -> int | None:
            length = b - a
            if length > max_chars or title[a:b] in DOC_TYPES:
                return None
            return (length * count - n) ** 2 + (scale * 6 if length < _SHORT_LINE else 0)

        @cache
        def suffix(start: int, left: int, phase: int, prev: int, ends: list[int] = ends,
                   cut_cost: list[int] = cut_cost) -> tuple[int, tuple[int, ...]] | None:
            """Best (cost, cuts) for title[start:] in ``left`` lines, after ``phase``/``prev``."""
            if left == 1:
                cost = line_cost(start, n)
                if cost is None:
                    return None
                if shaped:
                    after = _next_phase(phase, prev, n - start)
                    if after is None or after == _UP:
                        return None
                return cost, ()
            best: tuple[int, tuple[int, ...]] | None = None
            for cut in ends[bisect_right(ends, start):]:
                if cut - start > max_chars or cut == n:
                    break
                if n - cut > (left - 1) * max_chars:
                    continue
                cost = line_cost(start, cut)
                if cost is None:
                    continue
                after = _next_phase(phase, prev, cut - start) if shaped else _FLAT
                if after is None:
                    continue
                rest = suffix(cut, left - 1, after, cut - start if shaped else 0)
                if rest is None:
                    continue
                total = (cost + cut_cost[cut] + rest[0], (cut, *rest[1]))
                if best is None or total < best:
                    best = total
            return best

        found = suffix(0, count, _START, 0)
        suffix.cache_clear()
        if found is not None:
            bounds = (0, *found[1], n)
            return [title[a:b] for a, b in pairwise(bounds)]
    return None


def _greedy(title: str, max_chars: int) -> list[str]:
    """Lines as full as the hard rules allow (for titles too long to search)."""
    hard = _analyse(title).hard
    lines, start, n = [], 0, len(title)
    while n - start > max_chars:
        cut = next((i for i in range(start + max_chars, start, -1) if i not in hard), start + max_chars)
        lines.append(title[start:cut])
        start = cut
    lines.append(title[start:])
    return lines


def break_title(title: str, max_chars: int = 20) -> list[str]:
    """Split ``title`` into display lines; ``"".join(result) == title`` always holds.

    See the module docstring for the rules and the order in which they give way.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    if len(title) <= max_chars:
        return [title]
    if len(title) > MAX_SEARCH_CHARS:
        return _greedy(title, max_chars)
    for level in range(4):
        lines = _best(title, max_chars, level)
        if lines is not None:
            return lines
    return [title[i : i + max_chars] for i in range(0, len(title), max_chars)]
