"""Structure rules: what is (not) where the kind expects it, and what the workbook hides."""

from __future__ import annotations

import re
from collections.abc import Iterator

from gwmerge.checks.base import Context, Piece, excerpt, per_cell, rule
from gwmerge.core.errors import Finding, Location, Severity
from gwmerge.document import ordinals, outline
from gwmerge.document import sheetformat as sf
from gwmerge.document.grid import Sheet
from gwmerge.document.model import Node

_DEFAULT_NAME = re.compile(r"(?i)(?:sheet|工作表|新建工作表|chart)\s*\d*")
_PUNCT = re.compile(r"[\s\u3000、，。：:；;]+")
_FIRST_POINT = re.compile(r"(?:^|[。；：！？])\s*一是")
_SECOND_POINT = re.compile(r"(?:^|[。；：！？，])\s*二是")


def _norm(heading: str) -> str:
    return _PUNCT.sub("", ordinals.strip(heading.strip(), 1))


_TEMPLATE_ROWS = (sf.COL_LEVEL, sf.INFO_HEADER[0], sf.Level.EXAMPLE.value)


def _has_text(sheet: Sheet) -> bool:
    """Any text beyond what gwmerge new writes (header, instruction line, example row)."""
    for row in sheet.rows:
        first = (row.cells[0].text.strip() if row.cells and row.cells[0] is not None else "")
        if first in _TEMPLATE_ROWS or first.startswith(sf.INSTRUCTION_PREFIX):
            continue
        if any(cell is not None for cell in row.cells):
            return True
    return False


@rule("隐藏内容", "结构", "隐藏的工作表、行或列中有文字")
def hidden_rule(ctx: Context) -> Iterator[Finding]:
    if ctx.grid is None:
        return
    info = outline.find_info_sheet(ctx.grid)
    for sheet in ctx.grid.hidden_sheets:
        if sheet is not info and _has_text(sheet):  # a hidden 基本信息 is still read: nothing is lost
            yield Finding(sheet.location, "这个工作表被隐藏了，其中的内容不会输出；如果是正文的一部分，"
                                          "请在 Excel/WPS 中右键工作表标签“取消隐藏”，不要就删除。", Severity.WARNING)
    for sheet in ctx.grid.sheets:
        for filtered, label in ((False, "被隐藏"), (True, "被筛选掉")):
            rows = [row for row in sheet.rows if row.hidden and row.filtered == filtered and any(row.cells)]
            if rows:
                numbers = "、".join(str(r.number) for r in rows[:5]) + ("等" if len(rows) > 5 else "")
                yield Finding(sheet.location.at(rows[0].ref(0)),
                              f"第 {numbers} 行{label}了，但其中有文字，打印工作簿时看不到；请取消隐藏或筛选后核对："
                              "要输出就保留，不要就删除这些行。", Severity.WARNING)
        columns = sorted({index for row in sheet.rows for index, cell in enumerate(row.cells)
                          if cell is not None and index in sheet.hidden_columns})
        for index in columns:
            first = next(row for row in sheet.rows if row.get(index) is not None)
            yield Finding(sheet.location.at(first.ref(index)),
                          "这一列被隐藏了，但其中有文字；请取消隐藏后核对，不要的内容请删除。", Severity.WARNING)


@rule("默认表名", "结构", "工作表仍叫 Sheet1、工作表1 等默认名称，会被当作标题输出")
def default_name_rule(ctx: Context) -> Iterator[Finding]:
    for section in ctx.doc.sections:
        name = section.heading.location.sheet or section.heading.value
        if _DEFAULT_NAME.fullmatch(name.strip()):
            yield Finding(section.heading.location,
                          f"工作表名称“{name}”会作为标题“一、{name}”输出；请把工作表改名为这一部分的标题"
                          "（如“存在的主要问题”）。")


@rule("部分", "结构", "各部分与文种规定的部分不同（缺少、多出或先后不同），每份材料至多提醒一次")
def sections_order_rule(ctx: Context) -> Iterator[Finding]:
    """The author's own headings are theirs: this says once that the parts differ from the kind's,
    never asks to rename one (a material may well name its parts its own way)."""
    wanted = [s.heading for s in ctx.kind.sections]
    # A part without a heading (部分标题 “无”, a material written without 一、) is no part of
    # the kind's to miss or to add; a material made only of such parts has none to compare.
    titled = [s for s in ctx.doc.sections if _norm(s.heading.value)]
    if not wanted or not titled:
        return
    have = [_norm(s.heading.value) for s in titled]
    want = {_norm(h): h for h in wanted}
    missing = [want[key] for key in want if key not in have]
    extra = [s.heading.value for s in titled if _norm(s.heading.value) not in want]
    present = [key for key in have if key in want]
    out_of_order = present != [key for key in want if key in present]
    if not (missing or extra or out_of_order):
        return
    differences = []
    if missing:
        differences.append("没有" + "、".join(f"“{h}”" for h in missing))
    if extra:
        differences.append("另有" + "、".join(f"“{h}”" for h in extra))
    if out_of_order:
        differences.append("先后不同")
    order = "、".join(f"“{h}”" for h in wanted)
    yield Finding(Location(ctx.doc.source),
                  f"各部分与文种“{ctx.kind.name}”规定的（依次为 {order}）不同：{'；'.join(differences)}。"
                  "按材料本来的写法输出；如要按文种写，请添加或调整工作表（工作表的先后决定“一、二、三”）。",
                  Severity.WARNING)


def _aspects(ctx: Context) -> set[str]:
    found = {a for s in ctx.kind.sections for a in s.aspects}
    for theme in getattr(ctx.kind, "themes", ()) or ():  # kinds with aspects per year
        aspects = getattr(theme, "aspects", None) or (theme.get("aspects") if isinstance(theme, dict) else None)
        if isinstance(aspects, dict):
            found.update(a for group in aspects.values() for a in group)
    return {_norm(a) for a in found}


def _children(nodes: tuple[Node, ...], index: int) -> bool:
    """Does the item at ``index`` have rows under it (deeper items, points or paragraphs)?"""
    depth = nodes[index].level.depth
    following = nodes[index + 1] if index + 1 < len(nodes) else None
    if following is None:
        return False
    return following.level.depth > depth or following.level.depth == 0


@rule("空条目", "结构", "只选了层级没有文字的行、只有小标题没有内容的条目（提纲除外）、原样未改的预填条目")
def empty_items_rule(ctx: Context) -> Iterator[Finding]:
    aspects = _aspects(ctx)
    is_outline = _is_outline(ctx)
    bare: list[tuple[Piece, str, str]] = []
    for section in ctx.doc.sections:
        nodes = section.nodes
        for index, node in enumerate(nodes):
            if not node.heading and not node.body:
                if node.level is not sf.Level.POINT:
                    continue  # a paragraph prints nothing; an empty item is reported by 层级
                yield Finding(node.location, f"这一行选了层级“{node.level.value}”，但没有填写文字，"
                                             "会输出一个空的序号；请填写内容或删去这一行。")
                continue
            if not node.level.depth or node.body or _children(nodes, index):
                continue
            if _norm(node.heading.value) in aspects:
                bare.append((Piece(node.heading.value, node.heading.location, "heading"),
                             "条目{}还是预填的方面，没有写具体内容；请在“正文”列填写，或加“一是”等要点行，"
                             "不需要就删去这一行。", node.heading.value))
            elif not is_outline:
                bare.append((Piece(node.heading.value, node.heading.location, "heading"),
                             "条目{}只有小标题，下面没有内容；请在“正文”列填写，或加“一是”等要点行。",
                             node.heading.value))
    yield from per_cell(bare)


def _is_outline(ctx: Context) -> bool:
    """A 提纲 (发言提纲、汇报提纲) is made of headings: one without text under it is no omission."""
    title = ctx.doc.field(sf.FIELD_TITLE) + ctx.doc.field(sf.FIELD_SUBTITLE)
    return "提纲" in title or "提纲" in ctx.kind.name


@rule("没有内容", "结构", "工作簿还没有填写正文（如刚用 gwmerge new 生成）或某部分为空")
def no_content_rule(ctx: Context) -> Iterator[Finding]:
    doc = ctx.doc
    if not doc.info or not doc.sections:
        return
    if any(s.nodes for s in doc.sections):  # (all empty: one error below says it all)
        problem = "这一部分没有内容，不会输出；如需输出请填写内容。"
        empty = [(Piece("", section.heading.location, "heading"), problem, "")
                 for section in doc.sections if not section.nodes]
        yield from per_cell(empty)
    aspects = _aspects(ctx)
    written = any(node.body or (node.heading and (node.level is sf.Level.PARA
                                                  or _norm(node.heading.value) not in aspects))
                  for section in doc.sections for node in section.nodes)
    if not written:
        where = doc.sections[0].heading.location
        if not any(s.nodes for s in doc.sections):
            yield Finding(where, "所有正文工作表都是空的，请先填写内容。")
        else:
            yield Finding(where, "工作簿还没有填写正文（只有预填的条目标题），请先在“正文”列填写内容。")


@rule("孤立一是", "结构", "同一条目下只有“一是”没有“二是”（按生成时的编号：段落行隔开的要点仍连着编号）")
def lone_point_rule(ctx: Context) -> Iterator[Finding]:
    for section in ctx.doc.sections:
        for group in _point_groups(section.nodes):
            points = [node for node in group if node.level is sf.Level.POINT]
            if len(points) == 1:
                yield Finding(points[0].location, "这一条下只有一个“一是”，没有“二是”；只有一点时请直接写成正文"
                                                  "（层级选“段落”或写进上一条的“正文”），或补上第二点。",
                              Severity.WARNING)
            if points:
                continue
            texts = [text for node in group for text in (node.heading, node.body) if text]
            whole = "\n".join(p for text in texts for p in text.paragraphs)
            if _SECOND_POINT.search(whole):
                continue
            for text in texts:
                value = "\n".join(text.paragraphs)
                m = _FIRST_POINT.search(value)
                if m:
                    yield Finding(text.location, f"文中有“一是”{excerpt(value, m.start(), m.end(), 4)}，"
                                                 "却没有“二是”；请补上第二点或改写。", Severity.WARNING)
                    break


def _point_groups(nodes: tuple[Node, ...]) -> Iterator[list[Node]]:
    """The rows under each item, as numbering counts 一是、二是: an item (（一）、1.、（1）) starts a
    new count, a paragraph row between two points does not."""
    group: list[Node] = []
    for node in nodes:
        if node.level.depth and group:
            yield group
            group = []
        group.append(node)
    if group:
        yield group


def _content_merge(sheet: Sheet, ref: str) -> bool:
    m = re.match(r"\$?([A-Z]+)\$?(\d+)", ref)
    if not m:
        return False
    top = int(m.group(2))
    if top <= 2:
        return False  # header and instruction line
    row = next((r for r in sheet.rows if r.number == top), None)
    first = row.cells[0] if row and row.cells else None
    return not (first is not None and first.text.lstrip().startswith(sf.INSTRUCTION_PREFIX))


@rule("合并单元格", "结构", "填写区域中有合并单元格")
def merged_rule(ctx: Context) -> Iterator[Finding]:
    if ctx.grid is None:
        return
    for sheet in ctx.grid.sheets:
        for ref in sheet.merged:
            if _content_merge(sheet, ref):
                yield Finding(sheet.location.at(ref.split(":")[0].replace("$", "")),
                              f"{ref} 是合并单元格：合并后只有左上角一格有内容，其余各列读出来是空的；"
                              "请取消合并，每行的层级、标题、正文各填一格。", Severity.WARNING)


def _note_column(sheet: Sheet) -> tuple[int, int | None, int] | None:
    """(header row number, body column, note column) of a section sheet, if it has a note column."""
    for row in sheet.rows[:6]:
        columns = outline._header_map(row)
        if sf.COL_NOTE in columns and sf.COL_BODY in columns:
            return row.number, columns.get(sf.COL_BODY), columns[sf.COL_NOTE]
    return None


@rule("备注像正文", "结构", "“备注”列里像是正文的文字（备注不会输出）")
def note_rule(ctx: Context) -> Iterator[Finding]:
    if ctx.grid is None:
        return
    for sheet in ctx.grid.sheets:
        found = _note_column(sheet)
        if found is None:
            continue
        header, body_col, note_col = found
        for row in sheet.rows:
            note = row.get(note_col)
            first = row.cells[0] if row.cells else None
            # The example row, the instruction and a 部分标题 row (no 正文 by design) are never content.
            if row.number <= header or note is None or (first is not None and first.text.strip() in (
                    sf.Level.EXAMPLE.value, sf.SECTION_TITLE)) or (
                    first is not None and first.text.startswith(sf.INSTRUCTION_PREFIX)):
                continue
            text = note.text.strip()
            sentences = sum(text.count(c) for c in "，。；！？")
            if (len(text) >= 30 and sentences >= 2) or (row.get(body_col) is None and len(text) >= 15
                                                         and sentences >= 1):
                yield Finding(note.location, "“备注”列的文字不会输出，这段像是正文；如需输出请移到“正文”列。",
                              Severity.WARNING)
