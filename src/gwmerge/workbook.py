"""Reading and writing .xlsx files; the only module that knows openpyxl.

Cells are read as text *as shown* in Excel/WPS: 1 stays "1" (not "1.0"), dates become
2025年1月15日, percentages keep their sign.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import sheetformat as sf
from .errors import GwError, Location
from .safetext import text_only
from .text import clean, official_date


@dataclass(frozen=True)
class Cell:
    """A non-empty cell's text as displayed, and where it is."""

    text: str
    location: Location
    is_date: bool = False


@dataclass
class Row:
    number: int
    cells: list[Cell | None]

    def get(self, index: int | None) -> Cell | None:
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def ref(self, index: int | None) -> str:
        """Cell name (e.g. C7) for a column of this row, even when the cell is empty."""
        return f"{get_column_letter(index + 1)}{self.number}" if index is not None else f"第{self.number}行"


@dataclass
class Sheet:
    title: str
    location: Location
    rows: list[Row] = field(default_factory=list)
    uncalculated: list[Location] = field(default_factory=list)


@dataclass
class Grid:
    """All visible sheets of one workbook, as text."""

    path: Path
    sheets: list[Sheet]


_DECIMALS = re.compile(r"0\.(0+)")


def _display(value: object, number_format: str) -> tuple[str, bool]:
    """Render a cell value the way Excel would show it, as far as it matters for prose."""
    if isinstance(value, dt.datetime | dt.date):
        if isinstance(value, dt.datetime) and value.date() == dt.date(1899, 12, 30):
            return value.strftime("%H:%M"), False
        return official_date(value) or "", True
    if isinstance(value, dt.time):
        return value.strftime("%H:%M"), False
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, int | float):
        if "%" in number_format:
            return f"{value * 100:.10g}%", False
        m = _DECIMALS.search(number_format)
        if m and isinstance(value, float):
            return f"{value:.{len(m.group(1))}f}", False
        if isinstance(value, float) and value.is_integer():
            return str(int(value)), False
        return f"{value:.10g}" if isinstance(value, float) else str(value), False
    return clean(str(value)), False


def read_grid(path: Path) -> Grid:
    """Read every visible sheet's cells as displayed text."""
    loc = Location(path)
    if not path.exists():
        raise GwError("文件不存在，请检查路径。", loc)
    try:
        formulas: set[Location] = set()
        grid = _read(path, data_only=False, formulas=formulas)
        # Formulas found: read again for their cached values; one never calculated has none.
        return _read(path, data_only=True, formulas=formulas) if formulas else grid
    except GwError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        if isinstance(exc, PermissionError):
            raise GwError("文件无法读取（可能正被 Excel 或 WPS 占用），请关闭后重试。", loc) from exc
        raise GwError(
            "不是有效的 .xlsx 工作簿（可能已损坏，或是 .xls/.et 等其他格式），"
            "请用 Excel 或 WPS 打开后另存为 .xlsx。",
            loc,
        ) from exc


def _read(path: Path, *, data_only: bool, formulas: set[Location]) -> Grid:
    """One pass over the workbook. Without ``data_only`` it collects the formula cells into
    ``formulas``; with it, those whose cached value is missing go into ``uncalculated``."""
    wb = load_workbook(path, read_only=True, data_only=data_only)
    try:
        sheets = []
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            where = Location(path, ws.title)
            sheet = Sheet(ws.title, where)
            # The size a file declares may be wrong (some tools write "A1"); read-only mode would
            # silently cut the sheet to it, so read whatever rows and cells are really there.
            ws.reset_dimensions()
            for number, row in enumerate(ws.iter_rows(), start=1):
                cells: list[Cell | None] = []
                for c in row:
                    value = getattr(c, "value", None)
                    coordinate = getattr(c, "coordinate", None)
                    if coordinate is None:
                        cells.append(None)
                        continue
                    here = where.at(coordinate)
                    if value is None:
                        # A calculated empty text result is stored as t="str" with an empty value.
                        if data_only and here in formulas and c.data_type != "str":
                            sheet.uncalculated.append(here)
                        cells.append(None)
                        continue
                    if not data_only and c.data_type == "f":
                        formulas.add(here)
                    text, is_date = _display(value, c.number_format or "General")
                    cells.append(Cell(text, here, is_date) if text.strip() else None)
                while cells and cells[-1] is None:
                    cells.pop()
                if cells:
                    sheet.rows.append(Row(number, cells))
            sheets.append(sheet)
        return Grid(path, sheets)
    finally:
        wb.close()


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
