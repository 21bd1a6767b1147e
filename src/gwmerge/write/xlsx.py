"""Writing .xlsx files (openpyxl): blank workbooks with their instructions, and a user's workbook
copied with some cells edited (``check --fix``). Reading lives in :mod:`gwmerge.read.xlsx`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from copy import copy
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from gwmerge.core.errors import GwError, Location
from gwmerge.core.files import publish, sweep_once, write_temp
from gwmerge.core.safetext import put_text, text_only
from gwmerge.document import sheetformat as sf

# ---------------------------------------------------------------- writing blank workbooks

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_NOTE_FILL = PatternFill("solid", fgColor="FFF2CC")
_EXAMPLE_FONT = Font(color="808080", italic=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_DATA_ROWS = 200


@dataclass
class SectionRows:
    """A section sheet to write: its title (= heading) and content rows.

    Each row is ``(层级, 标题或引导句, 正文)`` with optionally ``排法`` and ``备注`` after them,
    e.g. ``("（一）", "在学习方面", "内容……")`` or ``("一是", "", "内容……", "另起段")``. Text with
    ``\n`` becomes Alt+Enter lines (separate paragraphs). ``example=None`` writes no example row.
    """

    title: str
    rows: list[tuple[str, ...]]
    example: tuple[str, str, str] | None = ("（一）", "（示例）在……方面", "（示例）具体内容……")
    hint: str = ""  # the kind's advice for this section, shown first in the instruction line


def write_workbook(
    dest: Path,
    info: dict[str, str | dt.date],
    sections: Iterable[SectionRows],
    kind_choices: list[str],
    tables: Iterable[tuple[str, tuple[tuple[str, ...], ...]]] = (),
) -> None:
    """Write a self-explaining workbook of the current format (v2), blank or filled.

    ``tables``: (sheet name 表格N, rows) of the document's tables, written after the sections,
    one table row a sheet row (sheetformat.TABLE_SHEET).

    ``info`` maps 基本信息 labels (``sheetformat.INFO_FIELDS``: 文种, 标题, 年度, 署名 …) to values;
    a title over several lines is written with ``\n``. ``kind_choices`` fills the 文种 drop-down.
    Every cell is written as text: user text never becomes a live formula (``safetext``).
    """
    wb = Workbook()
    ws = wb.active
    ws.title = sf.INFO_SHEET
    ws.append(list(sf.INFO_HEADER))
    ws.append([sf.INFO_INSTRUCTION])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=3)
    fields = list(sf.INFO_FIELDS)
    for label, hint in sf.INFO_FIELDS.items():
        ws.append([label, info.get(label, ""), hint])
    ws.append([sf.FORMAT_LABEL, str(sf.FORMAT_VERSION), sf.FORMAT_HINT])
    _style_header(ws, 3)
    _style_note(ws, 2, height=54)
    for row in ws.iter_rows(min_row=3, max_col=3):
        for cell in row:
            cell.alignment = _WRAP
        row[2].font = Font(color="808080")
        if row[1].value and isinstance(row[1].value, dt.date):
            row[1].number_format = "yyyy-mm-dd"
    ws.cell(row=ws.max_row, column=1).font = Font(color="808080")
    ws.cell(row=ws.max_row, column=2).font = Font(color="808080")
    ws.row_dimensions[3 + fields.index(sf.FIELD_OPENING)].height = 150
    yes_no = [sf.YES, sf.NO]
    for name, choices in ((sf.FIELD_KIND, kind_choices), (sf.FIELD_SIGNATURE, yes_no),
                          (sf.FIELD_NAME_LINE, yes_no), (sf.FIELD_POINTS, [sf.POINTS_RUN_ON, sf.POINTS_OWN])):
        if choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"B{3 + fields.index(name)}")
    for col, width in zip("ABC", (12, 80, 40), strict=True):
        ws.column_dimensions[col].width = width
        ws.column_dimensions[col].alignment = _WRAP
    ws.freeze_panes = "A3"

    for section in sections:
        _write_section(wb, section)
    for name, rows in tables:
        _write_table(wb, name, rows)
    _save_atomic(wb, dest)


def _write_table(wb: Workbook, name: str, rows: tuple[tuple[str, ...], ...]) -> None:
    """A table's sheet: its rows as they are, the first (the header row) shaded like a header."""
    ws = wb.create_sheet(name)
    for row in rows:
        ws.append(list(row))
    _style_header(ws, max(len(row) for row in rows))
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = _WRAP
    for column in range(1, max(len(row) for row in rows) + 1):
        ws.column_dimensions[ws.cell(row=1, column=column).column_letter].width = 24


_COLUMNS = len(sf.SECTION_HEADER)


def _write_section(wb: Workbook, section: SectionRows) -> None:
    ws = wb.create_sheet(_sheet_title(section.title))
    ws.append(list(sf.SECTION_HEADER))
    hint = section.hint.strip().rstrip("。")
    prefix = sf.INSTRUCTION_PREFIX + "："
    ws.append([sf.SECTION_INSTRUCTION.replace(prefix, f"{prefix}{hint}。", 1) if hint else sf.SECTION_INSTRUCTION])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=_COLUMNS)
    first = 3
    if section.example is not None:
        ws.append([sf.Level.EXAMPLE.value, *section.example[1:], "", "示例行，不会输出，可删除"])
        first = 4
    for row in section.rows:
        if len(row) > _COLUMNS:
            raise ValueError(f"a section row has at most {_COLUMNS} cells: {row!r}")
        ws.append(list(row))
    _style_header(ws, _COLUMNS)
    _style_note(ws, 2, height=150)
    if section.example is not None:
        for cell in ws[3]:
            cell.font = _EXAMPLE_FONT
            cell.alignment = _WRAP
    # Wrapping comes from the column style, so rows the user fills later wrap too, without
    # hundreds of pre-styled empty rows that every read would have to parse.
    # One style set through openpyxl, then copied: setting it per cell hashes it each time, which
    # made writing a workbook of 10,000 rows take seconds.
    wrapped = None
    for row in ws.iter_rows(min_row=first, max_col=_COLUMNS):
        for cell in row:
            if wrapped is None:
                cell.alignment = _WRAP
                wrapped = cell._style
            else:
                cell._style = copy(wrapped)
    last = max(ws.max_row, 3) + _DATA_ROWS
    levels = DataValidation(
        type="list",
        formula1='"' + ",".join(level.value for level in sf.LEVEL_CHOICES) + '"',
        allow_blank=True,
        showErrorMessage=False,
        promptTitle="层级",
        prompt="（一）二级条目；一是 要点；段落 普通段落；1. 三级；（1）四级。也可直接填“（二）”“二是”等序号",
        showInputMessage=True,
    )
    ws.add_data_validation(levels)
    levels.add(f"A{first}:A{last}")
    joins = DataValidation(
        type="list",
        formula1='"' + ",".join(sf.JOIN_CHOICES) + '"',
        allow_blank=True,
        promptTitle="排法",
        prompt="一般留空。接上段：接在上一段末尾；另起段：单独起一段（条目行：小标题单独一行）",
        showInputMessage=True,
    )
    ws.add_data_validation(joins)
    joins.add(f"D{first}:D{last}")
    for col, width in zip("ABCDE", (8, 36, 90, 10, 16), strict=True):
        ws.column_dimensions[col].width = width
        ws.column_dimensions[col].alignment = _WRAP
    ws.freeze_panes = "A3"


def _sheet_title(title: str) -> str:
    """Excel forbids some characters and more than 31 characters in a sheet name."""
    return re.sub(r"[\[\]:*?/\\]", "", title)[:31]


def _style_header(ws, columns: int) -> None:
    for cell in ws[1][:columns]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")


def _style_note(ws, row: int, height: float) -> None:
    cell = ws.cell(row=row, column=1)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    cell.fill = _NOTE_FILL
    cell.font = Font(color="7F6000")
    ws.row_dimensions[row].height = height


def _save_atomic(wb: Workbook, dest: Path, *, own: bool = True) -> None:
    # User text (names, units, roster rows) is never a live formula in a workbook the tool writes.
    # A user's workbook copied with a few cells edited (``own=False``) keeps its own formulas.
    if own:
        text_only(wb)
    sweep_once(dest.parent)  # what a killed run of new/import/--fix left here
    # A hidden temporary file with ordinary permissions (the user's umask; mkstemp would give 0600).
    tmp = write_temp(dest.parent, b"", ".xlsx")
    try:
        wb.save(tmp)
        publish(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- editing a copy of a user's workbook


def rewrite_cells(src: Path, dest: Path, cells: Iterable[tuple[str, str]],
                  edit: Callable[[str, str, str], str | None]) -> dict[tuple[str, str], str]:
    """Copy ``src`` to ``dest`` with the text of some cells edited; the rest stays as it was.

    ``cells`` are (sheet, cell) pairs; ``edit`` gets the sheet, the cell and its text and returns
    the new text or None. Only text cells are edited (numbers, dates and formulas are left alone)
    and they are written back as text, never as a formula. The copy is saved atomically; ``src``
    is only read. Returns the new text by cell.
    """
    import warnings

    try:
        # openpyxl parses the user's file a second time (the reader already accepted it). It fails
        # in its own ways on packages Excel never writes (a cell style beyond the stylesheet, no
        # visible sheet, parts it cannot parse) and warns in English about what it drops: any
        # failure here is the file's shape, said in one sentence, and its warnings are not printed.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Macros are kept only in a copy that can hold them (.xlsm); an .xlsx copy drops them.
            wb = load_workbook(src, keep_vba=src.suffix.lower() == dest.suffix.lower() == ".xlsm")
    except MemoryError as exc:
        raise GwError("工作簿内容过大，内存不足以生成改正后的副本；请按检查列出的问题手工改正。",
                      Location(src)) from exc
    except Exception as exc:
        raise GwError(_NO_COPY, Location(src)) from exc
    changed: dict[tuple[str, str], str] = {}
    for sheet, ref in cells:
        if sheet not in wb.sheetnames:
            continue
        cell = wb[sheet][ref]
        if not isinstance(cell.value, str) or cell.data_type == "f":
            continue
        new = edit(sheet, ref, cell.value)
        if new is not None and new != cell.value:
            put_text(cell, new)
            changed[(sheet, ref)] = new
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _save_atomic(wb, dest, own=False)
    except OSError:
        raise  # the destination's problem (a full disk, a file open in Excel): the caller names it
    except Exception as exc:  # openpyxl refusing what it read (e.g. "At least one sheet must be visible")
        raise GwError(_NO_COPY, Location(src)) from exc
    return changed


_NO_COPY = ("工作簿的内部结构与 Excel 保存的不同（可能由其他软件生成或被改动过），未能生成改正后的副本；"
            "请用 Excel 或 WPS 打开后另存为 .xlsx 再试，或按检查列出的问题手工改正。")
