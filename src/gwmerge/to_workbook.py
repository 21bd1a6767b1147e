"""Writing an imported document as a filled workbook (format v2) that merges back to it.

Rows say only what differs from the defaults (an empty 排法 is the common case); the 备注
column says where in the source each row came from, so a person can look it up.
"""

from __future__ import annotations

from pathlib import Path

from . import kinds
from .errors import Finding, Severity
from .model import Document, Node
from .safetext import MAX_CELL_CHARS
from .workbook import SectionRows, write_workbook
from .workbook import _sheet_title as sheet_title


def _cell(paragraphs: tuple[str, ...]) -> str:
    return "\n".join(paragraphs)


def _note(node: Node) -> str:
    where = node.location.cell or ""
    return f"原文{where.replace(' ', '')}" if where else ""


def workbook_content(doc: Document) -> tuple[dict[str, str], list[SectionRows]]:
    """The 基本信息 values and the section sheets of ``doc``, as cell text."""
    info = {name: _cell(text.paragraphs) for name, text in doc.info.items() if text}
    sections = []
    for section in doc.sections:
        rows = [(node.level.value, _cell(node.heading.paragraphs), _cell(node.body.paragraphs), node.join.value,
                 _note(node)) for node in section.nodes]
        sections.append(SectionRows(section.heading.value, rows, example=None))
    return info, sections


def too_long(doc: Document) -> list[Finding]:
    """Cells Excel cannot hold (more than 32,767 characters) would lose text: say where."""
    texts = [*doc.info.values()]
    for section in doc.sections:
        texts.append(section.heading)
        for node in section.nodes:
            texts.extend((node.heading, node.body))
    return [Finding(text.location, f"这一处超过 {MAX_CELL_CHARS} 个字，Excel 单元格放不下，请分成几段。")
            for text in texts if len(_cell(text.paragraphs)) > MAX_CELL_CHARS]


def sheet_problems(doc: Document) -> list[Finding]:
    """Section headings a sheet name cannot carry as they are (length, characters, duplicates)."""
    findings = []
    seen: set[str] = set()
    for section in doc.sections:
        heading = section.heading.value
        title = sheet_title(heading)
        if title != heading or title.casefold() in seen:
            findings.append(Finding(section.heading.location,
                                    f"一级标题“{heading}”不能原样作为工作表名称（最多 31 个字、不能含 []:*?/\\、"
                                    "不能重名），工作簿里已改短，请在工作表名称中核对。", Severity.WARNING))
        seen.add(title.casefold())
    return findings


def write(doc: Document, dest: Path) -> list[Finding]:
    """Write ``doc`` as a v2 workbook at ``dest`` (atomically); findings about what could not fit."""
    problems = too_long(doc)
    if problems:
        return problems
    info, sections = workbook_content(doc)
    write_workbook(dest, info, sections, list(kinds.available()))
    return sheet_problems(doc)


__all__ = ["sheet_problems", "too_long", "workbook_content", "write"]
