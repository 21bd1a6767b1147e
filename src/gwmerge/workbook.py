"""Writing .xlsx files (openpyxl). Reading lives in :mod:`gwmerge.xlsxread`; its names are
re-exported here so ``from gwmerge.workbook import read_grid, Grid, ...`` keeps working.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from . import sheetformat as sf
from .safetext import text_only
from .xlsxread import Cell, Grid, Row, Sheet, read_grid, refuse_format

__all__ = ["Cell", "Grid", "Row", "SectionRows", "Sheet", "read_grid", "refuse_format", "write_workbook"]

# ---------------------------------------------------------------- writing blank workbooks

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_NOTE_FILL = PatternFill("solid", fgColor="FFF2CC")
_EXAMPLE_FONT = Font(color="808080", italic=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_DATA_ROWS = 200


@dataclass
class SectionRows:
    """A section sheet to write: its title (= heading) and content rows (level, heading, body)."""

    title: str
    rows: list[tuple[str, str, str]]
    example: tuple[str, str, str] = ("（一）", "（示例）在……方面", "（示例）具体内容……")


def write_workbook(
    dest: Path,
    info: dict[str, str | dt.date],
    sections: Iterable[SectionRows],
    kind_choices: list[str],
) -> None:
    """Write a self-explaining workbook (header, instruction line, example row, drop-downs)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sf.INFO_SHEET
    ws.append(list(sf.INFO_HEADER))
    ws.append([sf.INFO_INSTRUCTION])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=3)
    for label, hint in sf.INFO_FIELDS.items():
        ws.append([label, info.get(label, ""), hint])
    _style_header(ws, 3)
    _style_note(ws, 2, height=36)
    for row in ws.iter_rows(min_row=3, max_col=3):
        for cell in row:
            cell.alignment = _WRAP
        row[2].font = Font(color="808080")
        if row[1].value and isinstance(row[1].value, dt.date):
            row[1].number_format = "yyyy-mm-dd"
    opening_row = 3 + list(sf.INFO_FIELDS).index(sf.FIELD_OPENING)
    ws.row_dimensions[opening_row].height = 150
    for name, choices in ((sf.FIELD_KIND, kind_choices), (sf.FIELD_SIGNATURE, [sf.YES, sf.NO])):
        if choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"B{3 + list(sf.INFO_FIELDS).index(name)}")
    for col, width in zip("ABC", (10, 80, 40), strict=True):
        ws.column_dimensions[col].width = width
        ws.column_dimensions[col].alignment = _WRAP
    ws.freeze_panes = "A3"

    for section in sections:
        _write_section(wb, section)
    _save_atomic(wb, dest)


def _write_section(wb: Workbook, section: SectionRows) -> None:
    ws = wb.create_sheet(_sheet_title(section.title))
    ws.append(list(sf.SECTION_HEADER))
    ws.append([sf.SECTION_INSTRUCTION])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    ws.append([sf.Level.EXAMPLE.value, *section.example[1:], "示例行，不会输出，可删除"])
    for row in section.rows:
        ws.append(list(row))
    _style_header(ws, 4)
    _style_note(ws, 2, height=110)
    for cell in ws[3]:
        cell.font = _EXAMPLE_FONT
        cell.alignment = _WRAP
    # Wrapping comes from the column style, so rows the user fills later wrap too, without
    # hundreds of pre-styled empty rows that every read would have to parse.
    for row in ws.iter_rows(min_row=4, max_col=4):
        for cell in row:
            cell.alignment = _WRAP
    last = max(ws.max_row, 3) + _DATA_ROWS
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(level.value for level in sf.LEVEL_CHOICES) + '"',
        allow_blank=True,
        showErrorMessage=False,
        promptTitle="层级",
        prompt="（一）二级条目；一是 要点；段落 普通段落；1. 三级；（1）四级",
        showInputMessage=True,
    )
    ws.add_data_validation(dv)
    dv.add(f"A4:A{last}")
    for col, width in zip("ABCD", (8, 36, 90, 16), strict=True):
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


def _save_atomic(wb: Workbook, dest: Path) -> None:
    # User text (names, units, roster rows) is never a live formula in a workbook the tool writes.
    text_only(wb)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".xlsx", dir=dest.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
