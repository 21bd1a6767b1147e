"""A workbook as text: sheets of rows of located cells, as the readers give it and the outline reads it.

The readers (xlsx, csv) build it; the outline, the checks and the writers only read it. It lives
here, with the model, so that nothing above the readers needs to know how a file was read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from gwmerge.core.errors import Finding, Location


@lru_cache(maxsize=4096)
def column_letter(index: int) -> str:
    """0-based column index → letters (0 → A, 16383 → XFD)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


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
    #: Hidden in Excel (by hand or by a filter); see ``filtered``.
    hidden: bool = False
    #: Hidden by an AutoFilter (the sheet has one and this row is hidden inside its range).
    filtered: bool = False

    def get(self, index: int | None) -> Cell | None:
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def ref(self, index: int | None) -> str:
        """Cell name (e.g. C7) for a column of this row, even when the cell is empty."""
        return f"{column_letter(index)}{self.number}" if index is not None else f"第{self.number}行"


@dataclass
class Sheet:
    title: str
    location: Location
    rows: list[Row] = field(default_factory=list)
    uncalculated: list[Location] = field(default_factory=list)
    #: The sheet is hidden (or very hidden) in Excel.
    hidden: bool = False
    #: 0-based indexes of hidden columns.
    hidden_columns: frozenset[int] = frozenset()
    #: Merged ranges as written in the file ("A5:C5").
    merged: tuple[str, ...] = ()
    #: The AutoFilter range, if the sheet has one ("A1:D40").
    autofilter: str | None = None


@dataclass
class Grid:
    """A workbook as text: its visible sheets in order, the hidden ones apart.

    ``findings`` are problems the reader itself saw (cached error values such as ``#N/A``, a sheet
    named with spaces only); each is located and is an error.
    """

    path: Path
    sheets: list[Sheet]
    hidden_sheets: list[Sheet] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
