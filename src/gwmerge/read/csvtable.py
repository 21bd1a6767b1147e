"""A roster saved as CSV (a list exported from a personnel system) read into the same grid as a
workbook, so ``new --roster`` and ``merge --roster`` accept it beside .xlsx."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from gwmerge.core.errors import GwError, Location
from gwmerge.core.text import clean
from gwmerge.document.grid import Cell, Grid, Row, Sheet, column_letter
from gwmerge.read.txt import decode

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
    text = _decode(data, where)
    delimiter, text = _delimiter(text)
    _check_quotes(text, delimiter, where)
    sheet = Sheet(path.stem, Location(path))  # a CSV has no sheets: messages name file › cell
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
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


def _decode(data: bytes, where: Location) -> str:
    """The roster's text. Names become file names and 基本信息 cells, so a damaged character is
    refused rather than kept as "张�"; a UTF-8 byte-order mark in front of GBK text (some tools add
    one to whatever they save) is read as GBK."""
    try:
        text, bad = decode(data, where)  # the encodings .txt materials come in are those of CSV too
    except GwError as exc:
        raise GwError("无法识别名单文件的文字编码，请用 Excel 或 WPS 打开后另存为 .xlsx 再试。", where) from exc
    if bad and data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("gb18030")
        except UnicodeDecodeError:
            pass
    if bad:
        raise GwError(f"名单文件中有 {bad} 处文字无法识别（编码有误或文件已损坏），生成的姓名会有乱码；"
                      "请用 Excel 或 WPS 打开核对后另存为 .xlsx 再试。", where)
    return text


#: Separators of exported lists: comma, tab (Excel's “Unicode 文本”, many systems), semicolon
#: (Excel in some regions), vertical bar, and the full-width comma some hand-made lists use.
_DELIMITERS = (",", "\t", ";", "|", "，")
_SEP_LINE = re.compile(r"\ufeff?sep=(.)[ \t]*\r?\n?")


def _delimiter(text: str) -> tuple[str, str]:
    """The separator, and the text without Excel's ``sep=;`` first line (Excel hides that line,
    so row numbers stay those the user sees). Otherwise the separator that splits the header line
    (the first line naming 姓名, else the first non-empty one) most often; a comma on a tie."""
    m = _SEP_LINE.match(text)
    if m:
        return m.group(1), text[m.end():]
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    header = next((line for line in lines if "姓名" in line), lines[0] if lines else "")
    best = max(_DELIMITERS, key=header.count)
    return (best if header.count(best) else ","), text


def _check_quotes(text: str, delimiter: str, where: Location) -> None:
    """A quote that never closes makes the csv module read the rest of the file as one cell: one
    person named with every later line. Excel reads it the same way; here it is said instead."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for _ in reader:
            start = reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise GwError(f"名单文件第 {start} 行有一个引号没有配对，其后各行都会被读成一格；"
                          "请删去这个引号，或用 Excel 或 WPS 打开核对后另存为 .xlsx 再试。", where) from exc
