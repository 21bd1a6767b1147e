"""A roster saved as CSV (a list exported from a personnel system) read into the same grid as a
workbook, so ``new --roster`` and ``--order`` accept it beside .xlsx."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .errors import GwError, Location
from .text import clean
from .xlsxread import Cell, Grid, Row, Sheet, column_letter

MAX_BYTES = 5 * 1024 * 1024  # a roster of tens of thousands of people; more is not a roster
_ENCODINGS = ("utf-8-sig", "gb18030")  # what Excel/WPS and Chinese systems save CSV as


def read_csv_grid(path: Path) -> Grid:
    """The CSV's rows as one sheet of text cells; any problem is one located sentence."""
    where = Location(path)
    try:
        data = path.read_bytes()[:MAX_BYTES + 1]
    except OSError as exc:
        raise GwError("文件无法读取（可能正被其他程序占用或没有权限），请关闭后重试。", where) from exc
    if len(data) > MAX_BYTES:
        raise GwError("名单文件超过 5 MB，不像是一份名单；请检查文件是否选错。", where)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", "replace")
    else:
        text = next((decoded for decoded in (_decode(data, e) for e in _ENCODINGS) if decoded is not None), None)
        if text is None:
            raise GwError("无法识别名单文件的文字编码，请用 Excel 或 WPS 打开后另存为 .xlsx 再试。", where)
    sheet = Sheet(path.stem, Location(path))  # a CSV has no sheets: messages name file › cell
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        for number, values in enumerate(rows, start=1):
            cells: list[Cell | None] = [
                Cell(clean(value).strip(), Location(path, None, f"{column_letter(col)}{number}"))
                if clean(value).strip() else None for col, value in enumerate(values[:64])]
            while cells and cells[-1] is None:
                cells.pop()
            if cells:
                sheet.rows.append(Row(number, cells))
    except csv.Error as exc:  # a field over the module's limit, a broken quote at the end
        raise GwError(f"名单文件第 {rows.line_num} 行格式有误（一格内容过长或引号不成对），"
                      "请用 Excel 或 WPS 打开后另存为 .xlsx 再试。", where) from exc
    return Grid(path, [sheet])


def _decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None
