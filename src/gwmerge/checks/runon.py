"""Rules on what the layout will do with the rows: paragraphs run together, title lines re-broken.

Typed by hand, a material comes out exactly only with the right 要点排法 and 排法: left at the
defaults, points and rows the writer meant as paragraphs of their own run on in one paragraph,
and nothing said so. These rules lay the document out as the merge will (``layout.plan``) and
say which rows share a paragraph when that looks unintended, and which setting keeps them apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gwmerge.checks.base import Context, rule
from gwmerge.core.errors import Finding, Severity
from gwmerge.document import kinds
from gwmerge.document import sheetformat as sf
from gwmerge.document.grid import Grid
from gwmerge.document.layout import TITLE_LINE_CHARS, Para, body_paragraphs
from gwmerge.document.model import Join, Node
from gwmerge.document.titlebreak import break_title

#: A paragraph made by running rows on is said when it is longer than this (characters).
LONG_PARAGRAPH = 500
_SENTENCE = re.compile(r"[。！？!?]+[”’」』）)]*")
_SOURCE_NOTE = re.compile(r"原文第(\d+)[段行]")
_ROW = re.compile(r"(\d+)$")


def sentences(text: str) -> int:
    """Sentences in ``text``: its sentence ends, and one more for a last sentence left open."""
    text = text.strip()
    if not text:
        return 0
    ends = list(_SENTENCE.finditer(text))
    return len(ends) + (0 if ends and ends[-1].end() == len(text) else 1)


def _own_sentences(node: Node) -> int:
    """Sentences of a row's 正文 (what follows its heading or lead)."""
    return sum(sentences(p) for p in node.body.paragraphs)


def _row_number(node: Node) -> int | None:
    found = _ROW.search(node.location.cell or "")
    return int(found[1]) if found else None


def _rows(nodes: list[Node]) -> str:
    numbers = [n for n in map(_row_number, nodes) if n is not None]
    return "、".join(f"第{n}行" for n in numbers) if numbers else "这几行"


def _from_one_source_paragraph(nodes: list[Node], grid: Grid | None) -> bool:
    """Rows ``import`` wrote from one paragraph of the source (备注 原文第N段): run together as
    the source had them, nothing to say."""
    if grid is None:
        return False
    notes: set[str] = set()
    for node in nodes:
        sheet = next((s for s in grid.sheets if s.title == node.location.sheet), None)
        number = _row_number(node)
        row = next((r for r in sheet.rows if r.number == number), None) if sheet and number else None
        found = [m[0] for c in (row.cells if row else []) if c is not None for m in [_SOURCE_NOTE.search(c.text)] if m]
        if not found:
            return False
        notes.add(found[-1])
    return len(notes) == 1


def _introduced(para: Para) -> bool:
    """The first run-on point follows a colon (“还存在三个方面差距：一是…”): an inline list
    the writer meant, as materials written that way have it."""
    at = next((i for i, n in enumerate(para.sources) if i and n.level is sf.Level.POINT), None)
    if at is None:
        return False
    before = para.sources[at - 1]
    text = (before.body.paragraphs or before.heading.paragraphs or ("",))[-1]
    return text.rstrip().endswith(("：", ":"))


def _why(para: Para) -> str | None:
    """Why these rows look meant apart, or None when running them on looks intended."""
    points = [n for n in para.sources[1:] if n.level is sf.Level.POINT and n.join is Join.DEFAULT]
    if not points or _introduced(para):
        return None  # explicit 接上段 rows, or a list introduced by a colon: as the writer set it
    long_points = [n for n in para.sources if n.level is sf.Level.POINT and _own_sentences(n) >= 2]
    if len(long_points) >= 2:
        return f"其中 {len(long_points)} 个要点各有几句话"
    first = para.sources[0]
    if first.level.depth and _own_sentences(first) >= 2:
        return "要点接在了有几句话的条目后面"
    if len(para.text) > LONG_PARAGRAPH:
        return f"合成的这一段有 {len(para.text)} 字"
    return None


def _remedy() -> str:
    """Which setting keeps the rows apart."""
    return (f"把“基本信息”中的“{sf.FIELD_POINTS}”改为“{sf.POINTS_OWN}”，"
            f"或在要单独成段的行的“{sf.COL_JOIN}”列选“{Join.NEW.value}”")


@rule("连排", "结构", "要点排法为“接在段内”时，几行将排成一段而看起来本应分段（要点各有几句话、合成的段落过长）")
def run_on_rule(ctx: Context) -> Iterator[Finding]:
    if ctx.grid is None or not kinds.points_inline(ctx.doc, ctx.kind):
        # A draft being imported has its own paragraphs; only the default 接在段内 layout runs
        # rows on without being asked to.
        return
    for para in body_paragraphs(ctx.doc, ctx.kind):
        if len(para.sources) < 2:
            continue
        why = _why(para)
        if why is None or _from_one_source_paragraph(para.sources, ctx.grid):
            continue
        yield Finding(para.sources[0].location,
                      f"{_rows(para.sources)}将排在同一段里（{why}，“{sf.FIELD_POINTS}”为“{sf.POINTS_RUN_ON}”）；"
                      f"如原文是分段的，请{_remedy()}。", Severity.WARNING)


@rule("标题断行", "基本信息", "“标题”中按 Alt+Enter 分的一行超过一行能排的字数（二号字约 20 字），将在词间重新断行")
def title_lines_rule(ctx: Context) -> Iterator[Finding]:
    typed = ctx.doc.info.get(sf.FIELD_TITLE)
    if typed is None or len(typed.paragraphs) < 2:
        return
    for number, line in enumerate(typed.paragraphs, 1):
        if len(line) > TITLE_LINE_CHARS:
            parts = " / ".join(break_title(line, TITLE_LINE_CHARS))
            yield Finding(typed.location, f"标题第 {number} 行有 {len(line)} 字，一行排不下（二号字每行约 "
                                          f"{TITLE_LINE_CHARS} 字），将在词间断为“{parts}”；"
                                          "如要自己断行，请在词与词之间按 Alt+Enter。", Severity.WARNING)

