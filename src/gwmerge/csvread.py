"""A roster saved as CSV (a list exported from a personnel system) read into the same grid as a
workbook, so ``new --roster`` and ``merge --roster`` accept it beside .xlsx."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .errors import GwError, Location
from .read_txt import decode
from .text import clean
from .xlsxread import Cell, Grid, Row, Sheet, column_letter

MAX_BYTES = 5 * 1024 * 1024  # a roster of tens of thousands of people; more is not a roster


def read_csv_grid(path: Path) -> Grid:
    """The CSV's rows as one sheet of text cells; any problem is one located sentence."""
    where = Location(path)
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)  # never more than a roster's worth in memory
    except OSError as exc:
        raise GwError("文件无法读取（可能正被其他程序占用或没有权限），请关闭后重试。", where) from exc
    if len(data) > MAX_BYTES:
        raise GwError("名单文件超过 5 MB，不像是一份名单；请检查文件是否选错。", where)
    try:
        text, _ = decode(data, where)  # the encodings .txt materials come in are those of CSV too
    except GwError as exc:
        raise GwError("无法识别名单文件的文字编码，请用 Excel 或 WPS 打开后另存为 .xlsx 再试。", where) from exc
    sheet = Sheet(path.stem, Location(path))  # a CSV has no sheets: messages name file › cell
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        for number, values in enumerate(rows, start=1):
            texts = [clean(value).strip() for value in values[:64]]
            cells: list[Cell | None] = [Cell(text, Location(path, None, f"{column_letter(col)}{number}"))
                                        if text else None for col, text in enumerate(texts)]
            while cells and cells[-1] is None:
                cells.pop()
            if cells:
                sheet.rows.append(Row(number, cells))
    except csv.Error as exc:  # a field over the module's limit, a broken quote at the end
        raise GwError(f"名单文件第 {rows.line_num} 行格式有误（一格内容过长或引号不成对），"
                      "请用 Excel 或 WPS 打开后另存为 .xlsx 再试。", where) from exc
    return Grid(path, [sheet])
