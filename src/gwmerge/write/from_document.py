"""Writing an imported document as a filled workbook (format v2) that merges back to it.

Rows say only what differs from the defaults (an empty 排法 is the common case); the 备注
column says where in the source each row came from, so a person can look it up.
"""

from __future__ import annotations

import re
from pathlib import Path

from gwmerge.core.errors import Finding, Location
from gwmerge.core.safetext import MAX_CELL_CHARS
from gwmerge.document import kinds, numbering, ordinals
from gwmerge.document import sheetformat as sf
from gwmerge.document.model import Document, Node
from gwmerge.write.xlsx import SectionRows, write_workbook
from gwmerge.write.xlsx import _sheet_title as sheet_title

NO_HEADING_SHEET = "正文"  # the sheet of a section without a heading


def _cell(paragraphs: tuple[str, ...]) -> str:
    return "\n".join(paragraphs)


def _note(node: Node) -> str:
    where = node.location.cell or ""
    return f"原文{where.replace(' ', '')}" if where else ""


def _read_back(title: str) -> str:
    """The heading the workbook reader takes from a sheet name (see outline._label)."""
    return ordinals.strip(re.sub(r"[\s\u3000]+", "", title).rstrip("：:*＊"), 1)


def workbook_content(doc: Document) -> tuple[dict[str, str], list[SectionRows]]:
    """The 基本信息 values and the section sheets of ``doc``, as cell text.

    A heading that a sheet name cannot hold as typed gets a 部分标题 row, which the reader prefers.
    A table is a 表格 row naming its sheet (see :func:`table_sheets`).
    """
    info = {name: _cell(text.paragraphs) for name, text in doc.info.items() if text}
    sections = []
    used: set[str] = {name for name, _ in table_sheets(doc)}
    names = iter(name for name, _ in table_sheets(doc))
    # 层级 shows each row's own ordinal (（二）, 三是, 2.): a column of （一）（一）（一） reads wrong.
    by_source = dict(zip((id(s) for s in doc.sections if s.nodes), numbering.number(doc).sections, strict=True))
    for section in doc.sections:
        heading = section.heading.value
        title = (sheet_title(heading).strip() or "部分") if section.heading else NO_HEADING_SHEET
        number = 1
        while title.casefold() in used:
            number += 1
            title = f"{sheet_title(heading)[:28]}{number}"
        used.add(title.casefold())
        shown = by_source.get(id(section))
        ordinals_shown = [n.ordinal for n in shown.nodes] if shown is not None else [""] * len(section.nodes)
        rows = [(sf.Level.TABLE.value, "", next(names), "", _note(node) or "表格，内容见同名工作表")
                 if node.level is sf.Level.TABLE else
                 (ordinal or node.level.value, _cell(node.heading.paragraphs), _cell(node.body.paragraphs),
                  node.join.value, _note(node)) for node, ordinal in zip(section.nodes, ordinals_shown, strict=True)]
        if not section.heading:
            rows.insert(0, (sf.SECTION_TITLE, sf.NO_TITLE, "", "", "原文没有一级标题，不加标题"))
        elif _read_back(title) != heading:
            rows.insert(0, (sf.SECTION_TITLE, heading, "", "", "工作表名称放不下完整标题，以此为准"))
        sections.append(SectionRows(title, rows, example=None))
    return info, sections


def table_sheets(doc: Document) -> list[tuple[str, tuple[tuple[str, ...], ...]]]:
    """The document's tables in order, each with its sheet name 表格1, 表格2 …"""
    found = [node.table for section in doc.sections for node in section.nodes
             if node.level is sf.Level.TABLE and node.table]
    return [(f"{sf.TABLE_SHEET_PREFIX}{number}", rows) for number, rows in enumerate(found, 1)]


def too_long(doc: Document) -> list[Finding]:
    """Cells Excel cannot hold (more than 32,767 characters) would lose text: say where."""
    texts = [*doc.info.values()]
    for section in doc.sections:
        texts.append(section.heading)
        for node in section.nodes:
            texts.extend((node.heading, node.body))
    return [Finding(text.location, f"这一处超过 {MAX_CELL_CHARS} 个字，Excel 单元格放不下，请分成几段。")
            for text in texts if len(_cell(text.paragraphs)) > MAX_CELL_CHARS]


#: A workbook holds one sheet per part; past this many a workbook is no way to edit a material
#: (Excel slows down, the writer takes minutes). ``format`` lays such a material out directly.
MAX_PARTS = 200


def too_many_parts(doc: Document) -> list[Finding]:
    count = len(doc.sections)
    if count <= MAX_PARTS:
        return []
    return [Finding(Location(doc.source), f"材料有 {count} 个“一、”这样的部分，工作簿每个部分占一个工作表，"
                                          f"最多 {MAX_PARTS} 个；请分成几份导入，或用 gwmerge format 直接排版。")]


def write(doc: Document, dest: Path) -> list[Finding]:
    """Write ``doc`` as a v2 workbook at ``dest`` (atomically); findings about what could not fit."""
    problems = too_many_parts(doc) or too_long(doc)
    if problems:
        return problems
    info, sections = workbook_content(doc)
    write_workbook(dest, info, sections, list(kinds.available()), table_sheets(doc))
    return []


__all__ = ["MAX_PARTS", "too_long", "too_many_parts", "workbook_content", "write"]
