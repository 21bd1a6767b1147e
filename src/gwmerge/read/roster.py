"""A roster: who gets a workbook (``new --roster``) and in which order documents are bundled.

Read from an .xlsx or a CSV exported from a personnel system; the header row is found by its labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from gwmerge.core.errors import Finding, GwError, Location, Severity
from gwmerge.core.safetext import for_cell
from gwmerge.core.text import one_line
from gwmerge.read.csvtable import read_csv_grid
from gwmerge.read.xlsx import read_grid, refuse_format


@dataclass(frozen=True)
class Person:
    """One workbook to write for ``new``: who it is for and where the roster listed them."""

    name: str
    position: str = ""
    unit: str = ""
    location: Location | None = None
    row: int | None = None


def clean_field(value: str) -> str:
    """A one-line field typed by the user (--name, a roster cell): control characters dropped."""
    return for_cell(one_line(value))


_NAME_LABELS = ("姓名", "名字")
_POSITION_LABELS = ("职务", "职位", "职务职级")
_UNIT_LABELS = ("单位", "工作单位")
_HEADER_SEARCH_ROWS = 10


def _label(text: str) -> str:
    """A header cell as a label: spaces, a final colon and required-field stars dropped."""
    return re.sub(r"[\s\u3000*＊:：]", "", text)


def read_roster(path: Path, notes: list[Finding] | None = None) -> list[Person]:
    """A roster workbook (or CSV): a header row with 姓名 (and 职务, 单位) columns, one person per row.

    The header may sit under a title line (within the first ten rows) and be written ``姓名：`` or
    ``姓 名``. Rows without a name are skipped and reported in ``notes``.
    """
    notes = notes if notes is not None else []
    if not path.is_file():
        raise GwError("找不到这个名单文件，请检查路径。", Location(path))
    if path.suffix.lower() == ".csv":
        grid = read_csv_grid(path)
    else:
        refused = refuse_format(path)
        if refused:
            raise GwError(refused, Location(path))
        grid = read_grid(path)
    sheet = next((s for s in grid.sheets if s.rows), None)
    people: list[Person] = []
    header: dict[str, int] = {}
    for row in sheet.rows if sheet else []:
        if not header:
            if row.number > _HEADER_SEARCH_ROWS:
                break
            labels = {_label(c.text): i for i, c in enumerate(row.cells) if c is not None}
            column = {key: next((labels[w] for w in words if w in labels), -1)
                      for key, words in (("name", _NAME_LABELS), ("job", _POSITION_LABELS), ("unit", _UNIT_LABELS))}
            if column["name"] >= 0:
                header = column
            continue
        cell = row.get(header["name"])
        person = clean_field(cell.text) if cell else ""
        if not person.strip():
            notes.append(Finding(sheet.location.at(row.ref(header["name"])),
                                 f"第 {row.number} 行没有填写姓名，已跳过。", Severity.WARNING))
            continue
        job = row.get(header["job"]) if header["job"] >= 0 else None
        unit = row.get(header["unit"]) if header["unit"] >= 0 else None
        people.append(Person(person.strip(), clean_field(job.text).strip() if job else "",
                             clean_field(unit.text).strip() if unit else "",
                             cell.location if cell else None, row.number))
    for where in sheet.uncalculated if sheet and header else []:
        notes.append(Finding(where, "这一格是没有计算结果的公式，这一行已跳过；请填写姓名本身。", Severity.WARNING))
    if not header:
        raise GwError("名单第一张表的前几行应有一行表头，含“姓名”（和“职务”）两列。", Location(path))
    if not people:
        raise GwError("名单里没有人员，请在“姓名”列下逐行填写。", Location(path))
    return people


