"""Punctuation and spacing: half-width marks in Chinese, doubled marks, end punctuation, pairs.

Each scanner returns (start, end, replacement or None) spans so that the rule that reports a
problem and the fixer that repairs it can never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gwmerge.checks.base import CHINESE, Context, Piece, excerpt, is_han, per_cell, rule
from gwmerge.core.errors import Finding, Location
from gwmerge.document import kinds
from gwmerge.document import sheetformat as sf
from gwmerge.document.model import Join, Node

Span = tuple[int, int, str | None]

_CJK_MARKS = frozenset("，。、；：！？“”‘’（）《》【】……—")
_HALF = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）", ".": "。"}
_ANY_HALF = re.compile(r"[,;:!?.()\"']")  # most Chinese paragraphs have none: nothing to scan
_ANY_CHINESE = re.compile(f"[{CHINESE}]")
_MARK_RUNS = re.compile(r"[,;:!?]+")
_PERIODS = re.compile(r"\.")
_PARENS = re.compile(r"\(([^()\n]*)\)")
_LONE_PAREN = re.compile(r"[()]")
_ORDINAL_PAREN = re.compile(r"\s*\d{1,2}\)")  # 1)完善学习制度: a list ordinal, typed so on purpose
_SPACES = re.compile(rf"(?<=[{CHINESE}])[ \u3000\u00a0\t]+(?=[{CHINESE}])")
_ANY_SPACE = re.compile("[ \u3000\u00a0\t]")
_DOUBLED = re.compile(r"([，。；：、！？])\1+")
_TWO_MARKS = re.compile("[，。；：、！？]{2}")  # what both patterns below need
_MIXED = re.compile(r"[，、；：][。！？]|[。！？][，、；：]|[，、；：][，、；：]")
_END_OK = "。！？；：…—"
_CLOSERS = "”’）》」』】〕)\"'"
_PAIRS = {"“": "”", "‘": "’", "（": "）", "(": ")", "《": "》", "【": "】", "〔": "〕", "「": "」", "『": "』"}
_CLOSING = {v: k for k, v in _PAIRS.items()}
_PAIR_CHARS = re.compile("[" + re.escape("".join(_PAIRS) + "".join(_CLOSING)) + "]")
# 1） 2) a) 甲）: an ordinal with only its closing bracket, at a paragraph's start or after a stop.
_HALF_BRACKET_ORDINAL = re.compile(r"(?:^|(?<=[。；;：:！？!?，,\s\u3000]))(?:[0-9０-９]{1,3}|[a-zA-Z]|[甲乙丙丁])$")


def _near_han(text: str, start: int, end: int) -> bool:
    """Is the character before ``start`` or at ``end`` (looking past one space) Chinese?"""
    for index, step in ((start - 1, -1), (end, 1)):
        if 0 <= index < len(text) and text[index] == " ":
            index += step
        if 0 <= index < len(text) and is_han(text[index]):
            return True
    return False


def _chinese(ch: str) -> bool:
    """Chinese for deciding a mark's width: an ideograph, full-width punctuation, or a bracket
    or straight quote (in a paragraph with Chinese, these are being made full-width too)."""
    return bool(ch) and (is_han(ch) or ch in _CJK_MARKS or ch in ")\"")


def halfwidth_spans(text: str) -> list[Span]:
    """Half-width , ; : ! ? . ( ) and straight quotes used in Chinese text, with their full-width form."""
    spans: list[Span] = []
    if not _ANY_HALF.search(text) or not _ANY_CHINESE.search(text):
        return spans
    for m in _MARK_RUNS.finditer(text):
        # A run of marks (",!" or "?!") is Chinese as a whole when either end touches Chinese.
        start, end = m.span()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if end - start == 1 and before.isdigit() and after.isdigit():
            continue  # 1,000  8:30
        if _chinese(before) or _chinese(after) or (after == " " and end + 1 < len(text) and is_han(text[end + 1])):
            spans.extend((i, i + 1, _HALF[text[i]]) for i in range(start, end))
    for m in _PERIODS.finditer(text):
        i = m.start()
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        # only a Chinese sentence ended by a period: 学习. or 学习.工作 (never 3.5 or a.b)
        if is_han(before) and (not after or is_han(after) or after in " \n"):
            spans.append((i, i + 1, "。"))
    paired: set[int] = set()
    ordinal = _ORDINAL_PAREN.match(text)
    if ordinal:
        paired.add(ordinal.end() - 1)
    for m in _PARENS.finditer(text):
        inside = m.group(1)
        if any(is_han(c) for c in inside) or _near_han(text, m.start(), m.end()):
            spans.append((m.start(), m.start() + 1, "（"))
            spans.append((m.end() - 1, m.end(), "）"))
        paired.update((m.start(), m.end() - 1))
    for m in _LONE_PAREN.finditer(text):
        if m.start() not in paired and _near_han(text, m.start(), m.end()):
            spans.append((m.start(), m.end(), _HALF[m.group()]))
    spans.extend(_straight_quotes(text))
    return sorted(spans)


def _straight_quotes(text: str) -> list[Span]:
    doubles = [i for i, ch in enumerate(text) if ch == '"']
    spans: list[Span] = []
    if doubles:
        even = len(doubles) % 2 == 0
        for n, i in enumerate(doubles):
            spans.append((i, i + 1, ("“" if n % 2 == 0 else "”") if even else None))
    singles = [i for i, ch in enumerate(text) if ch == "'" and _near_han(text, i, i + 1)]
    even = len(singles) % 2 == 0
    for n, i in enumerate(singles):
        spans.append((i, i + 1, ("‘" if n % 2 == 0 else "’") if even else None))
    return spans


def apply(text: str, spans: list[Span]) -> str:
    out, last = [], 0
    for start, end, new in sorted(spans):
        if new is None or start < last:
            continue
        out.append(text[last:start])
        out.append(new)
        last = end
    out.append(text[last:])
    return "".join(out)


def _fixer(scan):
    def fix(text: str) -> tuple[str, list[str]]:
        spans = [s for s in scan(text) if s[2] is not None]
        if not spans:
            return text, []
        changes = [f"“{excerpt(text, s, e, 3)}”中“{text[s:e]}”→“{new}”" for s, e, new in spans[:5]]
        if len(spans) > 5:
            changes.append(f"等共 {len(spans)} 处")
        return apply(text, spans), changes
    return fix


def _report(ctx: Context, scan, problem: str) -> Iterator[Finding]:
    found: list[tuple[Piece, str, str]] = []
    for piece in ctx.pieces():
        for start, end, _ in scan(piece.text):
            found.append((piece, problem, excerpt(piece.text, start, end, 4)))
    yield from per_cell(found)


fix_halfwidth = _fixer(halfwidth_spans)


@rule("半角标点", "标点", "中文里用了半角的 , ; : ! ? . ( ) 或直引号 \" '", fixer=fix_halfwidth)
def halfwidth_rule(ctx: Context) -> Iterator[Finding]:
    yield from _report(ctx, halfwidth_spans,
                       "中文里用了半角标点{}，应改为全角（，；：！？。（）“”）。")


def space_spans(text: str) -> list[Span]:
    if not _ANY_SPACE.search(text):
        return []
    spans = [(m.start(), m.end(), "") for m in _SPACES.finditer(text)]
    if len(spans) == 1 and text[spans[0][0]:spans[0][1]] == "\u3000" and _list_line(text):
        return []  # 镇党委书记　刘志强, 刘　强: one full-width space in a name line is set on purpose
    return spans


fix_spaces = _fixer(space_spans)


@rule("汉字间空格", "标点", "汉字之间有空格（多见于从 PDF 复制的文字），排版后会出现空隙", fixer=fix_spaces)
def space_rule(ctx: Context) -> Iterator[Finding]:
    yield from _report(ctx, space_spans, "汉字之间有空格{}，排版后是空隙，请删去空格。")


def doubled_spans(text: str) -> list[Span]:
    return [(m.start(), m.end(), m.group(1)) for m in _DOUBLED.finditer(text)]


fix_doubled = _fixer(doubled_spans)


@rule("重复标点", "标点", "“。。”“，，”等重复的标点和“，。”等连用的标点", fixer=fix_doubled)
def doubled_rule(ctx: Context) -> Iterator[Finding]:
    if not ctx.any_in(_TWO_MARKS.search):
        return
    yield from _report(ctx, doubled_spans, "标点重复{}，请只保留一个。")
    yield from _report(ctx, lambda t: [(m.start(), m.end(), None) for m in _MIXED.finditer(t)],
                       "标点连用{}，请只保留应有的一个。")


def _end_missing(text: str) -> bool:
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] not in _END_OK and stripped[-1] not in ".!?;:"


_SENTENCE_MARKS = re.compile("[。，；！？,;!?]")
_ANNEX = ("附件", "附：")
LIST_LINE = 30  # a line this short with no mark inside is a list line, a label or a signature


def _list_line(text: str) -> bool:
    """提高政治站位 / 附件名 / 发言人：李红梅 / 2025年1月8日: lines that end without a mark by design."""
    body = text.rstrip()
    return len(body) <= LIST_LINE and not _SENTENCE_MARKS.search(body)


def _in_list(body: list[Piece], index: int) -> bool:
    """A short line next to another (提高政治站位 / 严格换届纪律; a signature: 发言人：李红梅 /
    2025年1月8日), or the last line of all (柳河镇第二党支部, its date taken into 日期)."""
    if not _list_line(body[index].text):
        return False
    if index + 1 == len(body):
        return True
    return any(0 <= i < len(body) and _list_line(body[i].text) for i in (index - 1, index + 1))


def continues(nodes: tuple[Node, ...], index: int, inline: bool) -> bool:
    """Does the next row print in this row's paragraph (接上段, or a 一是 point run on inline)?"""
    following = nodes[index + 1] if index + 1 < len(nodes) else None
    if following is None or following.join is Join.NEW:
        return False
    if following.join is Join.ON:
        return True
    node = nodes[index]
    return inline and following.level is sf.Level.POINT and (node.level is sf.Level.POINT or bool(node.level.depth))


@rule("段末标点", "标点", "正文段落（按生成时的分段）末尾没有句号等标点；短的列表行、附件名、落款不算")
def end_rule(ctx: Context) -> Iterator[Finding]:
    inline = kinds.points_inline(ctx.doc, ctx.kind)
    running_on = {(node.body.location, len(node.body.paragraphs) - 1)
                  for section in ctx.doc.sections for index, node in enumerate(section.nodes)
                  if node.body and continues(section.nodes, index, inline)}
    found = []
    annex: set[Location] = set()  # cells from their 附件： line on: a list of attachment names
    body = [piece for piece in ctx.pieces(headings=False) if piece.role == "body"]
    for index, piece in enumerate(body):
        if piece.text.lstrip().startswith(_ANNEX):
            annex.add(piece.location)
        if not _end_missing(piece.text) or piece.location in annex or _in_list(body, index):
            continue
        end = len(piece.text)
        if (piece.location, piece.index) in running_on:  # the next point is printed right after it
            if piece.text.rstrip().rstrip(_CLOSERS)[-1:] in "，,、":
                continue  # “……不够强，二是……”: one sentence on purpose
            found.append((piece, "末尾没有标点{}，生成时下一条要点接在同一段里，会与它连成一句；请补上句号或分号。",
                          excerpt(piece.text, end, end, 10)))
            continue
        found.append((piece, "段落末尾没有标点{}，请补上句号等标点。", excerpt(piece.text, end, end, 10)))
    yield from per_cell(found)


_NAMES = {"“": "左引号“", "”": "右引号”", "‘": "左单引号‘", "’": "右单引号’",
          "（": "左括号（", "）": "右括号）", "(": "左括号(", ")": "右括号)",
          "《": "左书名号《", "》": "右书名号》", "【": "左方括号【", "】": "右方括号】",
          "〔": "左括号〔", "〕": "右括号〕", "「": "左引号「", "」": "右引号」", "『": "左引号『", "』": "右引号』"}


def pair_problems(text: str) -> Iterator[tuple[int, str]]:
    """Unbalanced, reversed, crossed or wrongly nested quotes and brackets: (offset, problem)."""
    stack: list[tuple[str, int]] = []
    nested_reported = False
    ordinal = _ORDINAL_PAREN.match(text)
    skip = ordinal.end() - 1 if ordinal else -1
    lone_closers: list[tuple[int, str]] = []
    problems: list[tuple[int, str]] = []
    for m in _PAIR_CHARS.finditer(text):
        ch, i = m.group(), m.start()
        if i == skip:
            continue
        if ch in _PAIRS:
            if ch == "“" and any(o == "“" for o, _ in stack) and not nested_reported:
                nested_reported = True
                problems.append((i, "双引号里又用了双引号{}，内层应改用单引号‘’（或是把右引号误打成了左引号）"))
            stack.append((ch, i))
            continue
        opener = _CLOSING[ch]
        if ch in "）)" and not stack and _HALF_BRACKET_ORDINAL.search(text, max(0, i - 4), i):
            continue  # 1）: an ordinal, not half a pair
        if ch == "’" and not any(o == "‘" for o, _ in stack) and i and text[i - 1].isascii():
            continue  # an apostrophe in English: don’t
        if stack and stack[-1][0] == opener:
            stack.pop()
        elif any(o == opener for o, _ in stack):
            while stack and stack[-1][0] != opener:
                o, at = stack.pop()
                problems.append((at, f"{_NAMES[o]}在“{opener}…{ch}”里面没有配对的{_NAMES[_PAIRS[o]]}{{}}"
                                     "（引号、括号交叉或缺少一半）"))
            stack.pop()
        elif stack and stack[-1][0] in "“‘" and ch in "”’":
            o, at = stack.pop()  # “…’ : a quote closed by the other kind
            problems.append((at, f"{_NAMES[o]}与{_NAMES[ch]}不成对{{}}，请改为同一种引号"))
        else:
            lone_closers.append((i, ch))
    unclosed = list(stack)
    for i, ch in lone_closers:
        # ”十五五“ : the right one typed first, the left one after: reversed
        later = next(((o, at) for o, at in unclosed if o == _CLOSING[ch] and at > i), None)
        if later is not None:
            unclosed.remove(later)
            problems.append((i, f"{_NAMES[ch]}和{_NAMES[later[0]]}方向反了{{}}，应先左后右"))
        else:
            problems.append((i, f"{_NAMES[ch]}前面没有配对的{_NAMES[_CLOSING[ch]]}{{}}"))
    for o, at in unclosed:
        problems.append((at, f"{_NAMES[o]}后面没有配对的{_NAMES[_PAIRS[o]]}{{}}"))
    yield from sorted(problems)


@rule("引号括号", "标点", "引号、括号、书名号不成对、交叉或双引号套双引号")
def pairs_rule(ctx: Context) -> Iterator[Finding]:
    found = []
    for piece in ctx.pieces():
        for at, problem in pair_problems(piece.text):
            found.append((piece, problem + "，请检查。", excerpt(piece.text, at, at + 1, 6)))
    yield from per_cell(found)


_HEADING_END = "。．.，,；;：:、"
_INTRODUCES = "：:"  # 方面，主要表现在： introduces the rows under it


def stands_alone(nodes: tuple[Node, ...], index: int, inline: bool) -> bool:
    """Does this item's heading print as a paragraph of its own? As layout.plan decides: it runs
    in when it has text, when the next row runs on (接上段), or when 一是 points follow inline."""
    node = nodes[index]
    if node.join is Join.NEW:
        return True
    if node.body or (node.join is Join.ON and index > 0):
        return False
    following = nodes[index + 1] if index + 1 < len(nodes) else None
    if following is None or following.join is Join.NEW:
        return True
    if following.join is Join.ON:
        return False
    return not (inline and following.level is sf.Level.POINT)


def _has_rows_under(nodes: tuple[Node, ...], index: int) -> bool:
    following = nodes[index + 1] if index + 1 < len(nodes) else None
    return following is not None and (following.level.depth > nodes[index].level.depth or not following.level.depth)


def _run_in_style(nodes: tuple[Node, ...], depth: int, mark: str) -> bool:
    """Does the author end the run-in headings of this level with the same mark (（一）……方面。正文)?
    Then a stand-alone one ending so is their style, not a slip."""
    return any(n.level.depth == depth and n.body and n.heading.value.rstrip().endswith(mark) for n in nodes)


@rule("标题末尾标点", "标点", "单独成行的标题（部分标题、生成时单独成段的条目标题）末尾有句号、逗号等标点")
def heading_end_rule(ctx: Context) -> Iterator[Finding]:
    inline = kinds.points_inline(ctx.doc, ctx.kind)
    found: list[tuple[Piece, str, str]] = []
    for section in ctx.doc.sections:
        title = section.heading.value.rstrip()
        if title and title[-1] in _HEADING_END:
            found.append((Piece(title, section.heading.location, "heading"),
                          f"部分标题单独成行，末尾不加标点，请删去{{}}末尾的“{title[-1]}”"
                          "（改工作表名称或“部分标题”行）。", title))
        nodes = section.nodes
        for index, node in enumerate(nodes):
            text = node.heading.value.rstrip()
            if not node.level.depth or not text or text[-1] not in _HEADING_END:
                continue
            if not stands_alone(nodes, index, inline):
                continue
            if text[-1] in _INTRODUCES and _has_rows_under(nodes, index):
                continue
            if _run_in_style(nodes, node.level.depth, text[-1]):
                continue
            found.append((Piece(text, node.heading.location, "heading"),
                          f"小标题单独成行，末尾不加标点，请删去{{}}末尾的“{text[-1]}”。", text))
    yield from per_cell(found)
