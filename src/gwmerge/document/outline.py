"""Turning a workbook's cells into the document outline (model), noting what cannot be read."""

from __future__ import annotations

import re

from gwmerge.core.errors import Finding, Location, Severity
from gwmerge.core.text import one_line, paragraphs
from gwmerge.document import ordinals
from gwmerge.document import sheetformat as sf
from gwmerge.document.grid import Cell, Grid, Row, Sheet
from gwmerge.document.model import Document, Join, Node, Section, Text

_SPACES = re.compile(r"[\s\u3000]+")
_END = "。.．，,；;：:！!？? \u3000"


def _label(text: str) -> str:
    return _SPACES.sub("", text).rstrip("：:*＊")


def _text(cell: Cell | None, where: Location) -> Text:
    if cell is None:
        return Text((), where)
    return Text(tuple(paragraphs(cell.text)), cell.location)


def build(grid: Grid) -> tuple[Document, list[Finding]]:
    """Read the information sheet and the section sheets into a Document."""
    findings: list[Finding] = []
    base = Location(grid.path)
    info_sheet = find_info_sheet(grid)
    if info_sheet is None:
        findings.append(Finding(base, f"缺少“{sf.INFO_SHEET}”工作表，请用本工具生成的空白工作簿填写。"))
        info: dict[str, Text] = {}
    else:
        info = _read_info(info_sheet, findings)
    sections = []
    tables = {_label(sheet.title): sheet for sheet in grid.sheets if sf.TABLE_SHEET.fullmatch(_label(sheet.title))}
    for sheet in grid.sheets:
        if sheet is info_sheet or _label(sheet.title).startswith(sf.INSTRUCTION_PREFIX):
            continue
        if _label(sheet.title) in tables:
            continue  # a table's sheet is put in place by the 表格 row that names it
        sections.append(_read_section(sheet, findings, tables))
    for sheet in grid.sheets:
        findings.extend(
            Finding(loc, "公式没有计算结果，请在 Excel 或 WPS 中打开并保存后再试。") for loc in sheet.uncalculated
        )
    if info_sheet is not None and not sections:
        findings.append(Finding(base, "没有正文工作表：请在“基本信息”之后为每个部分建一个工作表。"))
    return Document(grid.path, info, tuple(sections)), findings


def find_info_sheet(grid: Grid) -> Sheet | None:
    """The information sheet: by name, else a first sheet that looks like one, else a hidden one.

    It holds settings, not text to print: hiding it (to tidy the workbook before printing) must
    not make the workbook fail with 缺少“基本信息”, so a hidden one is used when no visible one is.
    """
    found = next((s for s in grid.sheets if _label(s.title) == sf.INFO_SHEET), None)
    if found is None and grid.sheets and _looks_like_info(grid.sheets[0]):
        found = grid.sheets[0]
    if found is None:
        found = next((s for s in grid.hidden_sheets if _label(s.title) == sf.INFO_SHEET), None)
    return found


def _looks_like_info(sheet: Sheet) -> bool:
    labels = {_label(row.cells[0].text) for row in sheet.rows if row.cells[0] is not None}
    return len(labels & set(sf.INFO_FIELDS)) >= 2


def _read_info(sheet: Sheet, findings: list[Finding]) -> dict[str, Text]:
    info: dict[str, Text] = {}
    for row in sheet.rows:
        label_cell = row.get(0)
        label = _label(label_cell.text) if label_cell is not None else ""
        if label == sf.FORMAT_LABEL:
            _check_version(row.get(1), findings)
        if label not in sf.INFO_FIELDS:
            continue
        info[label] = _text(row.get(1), sheet.location.at(row.ref(1)))
    return info


def _check_version(cell: Cell | None, findings: list[Finding]) -> None:
    """A workbook from a newer gwmerge may say things this one does not understand: say so."""
    version = ordinals.value(cell.text.strip()) if cell is not None and cell.text.strip().isdigit() else 0
    if version > sf.FORMAT_VERSION:
        findings.append(Finding(cell.location, f"这个工作簿是第 {version} 版格式，本程序只认识到第 "
                                               f"{sf.FORMAT_VERSION} 版，部分内容可能不按预期排版，请升级 gwmerge。",
                                Severity.WARNING))


def _header_map(row: Row) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(row.cells):
        if cell is None:
            continue
        label = _label(cell.text)
        for name, prefixes in sf.HEADER_PREFIXES.items():
            if name not in columns and label.startswith(prefixes):
                columns[name] = index
                break
    return columns


def table_rows(sheet: Sheet) -> tuple[tuple[str, ...], ...]:
    """A table sheet's rows as cell text (empty rows left out, trailing empty cells dropped)."""
    rows = []
    for row in sheet.rows:
        cells = [cell.text.strip() if cell is not None else "" for cell in row.cells]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append(tuple(cells))
    return tuple(rows)


def _table(body: Text, tables: dict[str, Sheet], findings: list[Finding], where: Location) -> Node | None:
    """The node of a 表格 row: the rows of the sheet its 正文 names."""
    name = _label(body.value)
    sheet = tables.get(name)
    if sheet is None:
        findings.append(Finding(body.location if body else where,
                                f"层级为“表格”的行，“正文”要填表格所在的工作表名称（如“{sf.TABLE_SHEET_PREFIX}1”），"
                                f"没有找到工作表“{body.value}”。"))
        return None
    rows = table_rows(sheet)
    if not rows:
        findings.append(Finding(sheet.location, "这个表格的工作表是空的，不会输出。", Severity.WARNING))
        return None
    return Node(sf.Level.TABLE, Text((), where), Text((), body.location), where, table=rows)


def _read_section(sheet: Sheet, findings: list[Finding], tables: dict[str, Sheet] | None = None) -> Section:
    where = sheet.location
    heading = Text((ordinals.strip(_label(sheet.title), 1),), where)
    header_at, columns = None, {}
    for index, row in enumerate(sheet.rows[:6]):
        columns = _header_map(row)
        if sf.COL_LEVEL in columns and sf.COL_BODY in columns:
            header_at = index
            break
    if header_at is None:
        findings.append(Finding(where, "找不到表头（应有“层级”“标题或引导句”“正文”几列），"
                                       "请按本工具生成的空白工作簿的格式填写。"))
        return Section(heading, ())
    col_level, col_head, col_body, col_join = (columns.get(sf.COL_LEVEL), columns.get(sf.COL_HEADING),
                                               columns.get(sf.COL_BODY), columns.get(sf.COL_JOIN))
    nodes = []
    examples = 0
    for row in sheet.rows[header_at + 1:]:
        level_cell, head_cell, body_cell = row.get(col_level), row.get(col_head), row.get(col_body)
        if level_cell is not None and level_cell.text.lstrip().startswith(sf.INSTRUCTION_PREFIX):
            continue
        if level_cell is None and head_cell is None and body_cell is None:
            continue  # empty row; a note alone is not content
        if level_cell is not None and _SPACES.sub("", level_cell.text) == sf.SECTION_TITLE:
            typed = one_line(head_cell.text) if head_cell is not None else ""
            # 无: a part without a heading (a material with no 一、 headings, as import writes it).
            heading = Text(() if typed in sf.NO_TITLE_WORDS else (typed,), where.at(row.ref(col_head)))
            continue
        level_at = where.at(row.ref(col_level))
        level = _level(level_cell, head_cell, findings, level_at)
        if level is None:
            continue
        if level is sf.Level.EXAMPLE:
            examples += 1
            if examples == 2:
                findings.append(Finding(level_at,
                                        "层级为“示例”的行不会输出；如果这是正文，请改选“（一）”“一是”等层级。",
                                        Severity.WARNING))
            continue
        # A cell knows where it is; an empty one's place is worked out only then.
        head = _text(head_cell, where.at(row.ref(col_head)) if head_cell is None else head_cell.location)
        body = _text(body_cell, where.at(row.ref(col_body)) if body_cell is None else body_cell.location)
        if level is sf.Level.TABLE:
            node = _table(body, tables or {}, findings, level_at)
            if node is not None:
                nodes.append(node)
            continue
        if level is not sf.Level.PARA:
            head, body = strip_typed(level, head, body)
        join = _join(row.get(col_join), findings)
        nodes.append(Node(level, head, body, level_at, join=join))
    return Section(heading, tuple(nodes))


def strip_typed(level: sf.Level, head: Text, body: Text) -> tuple[Text, Text]:
    """Drop ordinals typed at the start of the heading or the body: the tool writes its own.

    A body that starts with an ordinal was often pasted whole; if it then repeats the heading,
    the repetition goes too, so ``（一）加强学习。`` is never printed twice.
    """
    level_no = ordinals.of_level(level)
    if head:
        first = ordinals.strip(head.paragraphs[0], level_no)
        head = Text(tuple(p for p in (first, *head.paragraphs[1:]) if p), head.location)
    if body:
        first = body.paragraphs[0]
        found = ordinals.match(first, level_no)
        if found is not None:
            first = first[found.end:]
            title = head.value.rstrip(_END)
            after = first[len(title):len(title) + 1]
            if title and first.startswith(title) and after in ("", *_END):
                first = first[len(title):].lstrip(_END)
            body = Text(tuple(p for p in (first, *body.paragraphs[1:]) if p), body.location)
    return head, body


def _join(cell: Cell | None, findings: list[Finding]) -> Join:
    if cell is None:
        return Join.DEFAULT
    word = sf.JOIN_ALIASES.get(_SPACES.sub("", cell.text))
    if word is None:
        findings.append(Finding(cell.location, f"排法“{cell.text}”无法识别，请从下拉列表选择"
                                               f"“{sf.JOIN_ON}”或“{sf.JOIN_NEW}”，或留空。"))
        return Join.DEFAULT
    return Join(word)


def _level(level_cell: Cell | None, head_cell: Cell | None, findings: list[Finding],
           where: Location) -> sf.Level | None:
    if level_cell is None:
        if head_cell is not None:
            findings.append(Finding(where, "这一行填了标题或引导句，但“层级”为空，请从下拉列表选择层级。"))
            return None
        return sf.Level.PARA
    level = ordinals.level_of(level_cell.text)
    if level is None:
        choices = "、".join(f"“{lv.value}”" for lv in sf.LEVEL_CHOICES)
        findings.append(Finding(where, f"层级“{level_cell.text}”无法识别，请从下拉列表选择：{choices}。"))
    return level
