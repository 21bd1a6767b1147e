"""Reading .xlsx/.xlsm workbooks: the only module that reads a workbook file.

A streaming reader over the package's XML (lxml, through :mod:`gwmerge.core.xmlsafe`): it reads what the
document needs — every sheet's cells as text *as shown* in Excel/WPS, which sheets, rows and
columns are hidden, filtered-out rows, merged ranges, formulas without a cached value and cached
error values — and nothing else (no styles beyond number formats, no drawings, no macros). It is
much faster than openpyxl's ``load_workbook`` (see ``bench/bench_read.py``) and bounded: a hostile
file (zip bomb, shared-string or cell bomb, huge dimensions, entity expansion, malformed XML,
encrypted or foreign formats) ends in one located Chinese sentence (:class:`GwError`), within the
budgets of :class:`xmlsafe.Limits` and :data:`MAX_CELLS`.

Cells are text as displayed: 1 stays "1" (not "1.0"), ``#,##0.00`` gives "1,234.50", ``0.00%``
"25.60%", ``"第"0"次"`` "第3次", times ``h:mm``, dates 2025年1月15日 (GB/T 9704).

Large, but one job: the workbook file format, and nothing that interprets what the cells say.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from gwmerge.core.errors import Finding, GwError, Location
from gwmerge.core.text import _NEEDS_WORK, clean, unescape_excel
from gwmerge.core.xmlsafe import SafeZip, Unsafe, iterparse, parse, release
from gwmerge.document.dates import official_date
from gwmerge.document.grid import Cell, Grid, Row, Sheet, column_letter
from gwmerge.read import numfmt

__all__ = ["Cell", "Grid", "Row", "Sheet", "column_letter", "read_grid", "refuse_format"]

#: Excel's grid.
MAX_ROW = 1_048_576
MAX_COLUMN = 16_384
#: Excel's limit for the text of one cell.
MAX_CELL_CHARS = 32_767
#: Non-empty cells in one workbook; a 材料 has a few hundred.
MAX_CELLS = 200_000
#: Row slots (a row's cells up to its last non-empty one) in one workbook: stray cells far right
#: are fine, a sheet of them padded out to column XFD is not.
MAX_SLOTS = 4_000_000
#: Characters in all cells of one workbook. A long 材料 has 30,000; this is over 6,000 pages. Every
#: later step (checks, layout, rendering) is linear in it, and a workbook at the byte budgets'
#: 20 million characters took 40 s and 860 MB in one worker (of one per CPU): refused while reading.
MAX_TEXT_CHARS = 4_000_000
#: Time for reading one workbook; the byte budgets already bound it, this is the backstop.
MAX_SECONDS = 60.0
#: Characters of a sheet name. Excel allows 31 and LibreOffice more; a name of a hundred thousand
#: characters (a hand-made file) was printed in full in the location of every message about it.
MAX_SHEET_NAME = 255
#: Shared strings: entries and characters.
MAX_SHARED = 500_000
MAX_SHARED_CHARS = 20_000_000

#: The file suffixes of a workbook gwmerge reads.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_REPAIR = "请用 Excel 或 WPS 打开并另存为 .xlsx 后再试"


# ---------------------------------------------------------------- formats we do not read

_FOREIGN = {
    ".xls": "这是旧版 Excel 的 .xls 文件，请用 Excel 或 WPS 打开后“另存为” .xlsx 工作簿再试。",
    ".et": "这是 WPS 表格的 .et 文件，请在 WPS 中“另存为” Excel 工作簿（.xlsx）再试。",
    ".ett": "这是 WPS 表格模板，请在 WPS 中“另存为” Excel 工作簿（.xlsx）再试。",
    ".csv": "CSV 文件没有工作表和填写说明，请用本工具生成空白工作簿，把内容粘贴进去。",
    ".ods": "这是 OpenDocument 表格，请用 WPS、Excel 或 LibreOffice “另存为” .xlsx 工作簿再试。",
    ".numbers": "这是 Numbers 表格，请导出为 Excel（.xlsx）再试。",
    ".xlsb": "这是二进制工作簿（.xlsb），请用 Excel 另存为 .xlsx 再试。",
    **dict.fromkeys((".docx", ".doc", ".wps", ".txt"),
                    "这是文字稿，不是工作簿；文字稿可以直接一键排版成公文格式，或导入为工作簿后再填写、检查和合并。"),
}
_READ = (".xlsx", ".xlsm", ".xltx", ".xltm")
_PASSWORD = "工作簿设置了打开密码，无法读取；请在 Excel 或 WPS 中去掉密码后另存为 .xlsx 再试（请去掉密码后另存）。"


def refuse_format(path: Path) -> str | None:
    """A sentence saying what to do with a file this reader does not take, by its suffix."""
    suffix = path.suffix.lower()
    if suffix in _READ:
        return None
    return _FOREIGN.get(suffix, "不是 .xlsx 工作簿；请用 Excel 或 WPS 另存为 .xlsx 再试。")


def _sniff(path: Path) -> None:
    """Refuse what is not a zip package before opening it: encrypted workbooks, .xls, text."""
    try:
        with path.open("rb") as f:
            head = f.read(8)
            if not head:
                raise GwError("文件是空的（0 字节），可能没有保存完整或拷贝时中断；请重新保存或重新拷贝。",
                              Location(path))
            if head.startswith(b"%PDF"):
                raise GwError("这是 PDF 文件，只是扩展名为 .xlsx；请使用 .xlsx 工作簿（PDF 中的文字可复制到"
                              " .txt 后用 gwmerge import 转为工作簿）。", Location(path))
            if not head.startswith(b"PK") and _looks_like_text(head + f.read(4096)):
                raise GwError("这是文本文件（如 CSV 或 TXT），只是扩展名为 .xlsx；表格请用 Excel 或 WPS 打开后"
                              "另存为 .xlsx，文字材料可用 gwmerge import 转为工作簿。", Location(path))
            if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
                # An OLE container: an encrypted OOXML workbook, or a .xls/.et saved with .xlsx.
                f.seek(0)
                data = f.read(4 * 1024 * 1024)
                if "EncryptedPackage".encode("utf-16-le") in data or b"EncryptedPackage" in data:
                    raise GwError(_PASSWORD, Location(path))
                raise GwError("这其实是旧版 .xls（或 WPS .et）文件，只是扩展名为 .xlsx；"
                              "请用 Excel 或 WPS 打开后另存为 .xlsx 再试。", Location(path))
    except OSError:
        return  # reported when opening


_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")  # control bytes text files do not hold


def _looks_like_text(sample: bytes) -> bool:
    """Text in one of the encodings Chinese offices save in, with no binary bytes."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte-order mark
        return True
    if _BINARY.search(sample):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(sample) - 4:  # a character cut by the sample's end
                return True
    return False


# ---------------------------------------------------------------- the package

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(elem: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in elem if _local(c.tag) == name]


def _rels(package: SafeZip, part: str) -> dict[str, str]:
    """Relationship id → target part name, for ``part``."""
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", name + ".rels")
    if not package.has(rels_part):
        return {}
    root = parse(package.read(rels_part, 4 * 1024 * 1024), rels_part)
    targets = {}
    for rel in root:
        if _local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        targets[rel.get("Id", "")] = target
    return targets


def _main_part(package: SafeZip) -> str:
    if package.has("xl/workbook.xml"):
        return "xl/workbook.xml"  # where every writer puts it; the package relationships say otherwise rarely
    for target in _rels(package, "").values():
        if target.casefold().endswith(".xml") and package.has(target) and "workbook" in target.casefold():
            return target
    return "xl/workbook.xml"


@dataclass
class _Styles:
    formats: list[str]  # per cellXfs index: the number format code

    def code(self, index: int) -> str:
        return self.formats[index] if 0 <= index < len(self.formats) else "General"


def _styles(package: SafeZip, part: str | None) -> _Styles:
    if not part or not package.has(part):
        return _Styles([])
    root = parse(package.read(part, 16 * 1024 * 1024), part)
    custom: dict[int, str] = {}
    formats: list[str] = []
    for child in root:
        name = _local(child.tag)
        if name == "numFmts":
            for fmt in child:
                try:
                    custom[int(fmt.get("numFmtId", "-1"))] = fmt.get("formatCode", "General")
                except ValueError:
                    continue
        elif name == "cellXfs":
            for xf in child:
                try:
                    fid = int(xf.get("numFmtId", "0"))
                except ValueError:
                    fid = 0
                formats.append(custom.get(fid) or numfmt.BUILTIN.get(fid, "General"))
    return _Styles(formats)


class _SharedStrings:
    """The shared-string table, read in a stream within budgets.

    A string over Excel's cell limit is kept only as its length, so the cell using it can be named.
    """

    def __init__(self, package: SafeZip, part: str | None, where: Location) -> None:
        self.items: list[str | int] = []
        if not part or not package.has(part):
            return
        chars = 0
        try:
            for si in _elements(package, part, _tags("si")):
                simple = len(si) == 1 and si[0].tag in _T
                text = unescape_excel(si[0].text or "") if simple else "".join(_si_text(si))
                release(si)
                chars += len(text)
                if len(self.items) >= MAX_SHARED or chars > MAX_SHARED_CHARS:
                    raise GwError("工作簿里的文字条目异常多（超过一份材料正常用量的上千倍），"
                                  "可能已损坏或是恶意文件；请检查文件来源，或把内容复制到新建的工作簿中。", where)
                self.items.append(len(text) if len(text) > MAX_CELL_CHARS else text)
        except etree.XMLSyntaxError as exc:
            raise _syntax(exc, part, where) from exc

    def get(self, index: str | None) -> str | int | None:
        try:
            return self.items[int(index or "")]
        except (ValueError, IndexError):
            return None


def _si_text(si: etree._Element) -> list[str]:
    """The text of a shared string or inline string: its t elements, without phonetic runs, each
    with Excel's escapes resolved on its own (as Excel reads them: an escape never spans two runs)."""
    parts = []
    for child in si:
        if child.tag in _T:
            parts.append(unescape_excel(child.text or ""))
        elif child.tag in _R:
            parts.extend(unescape_excel(t.text or "") for t in child if t.tag in _T)
    return parts


_NS_MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            "http://purl.oclc.org/ooxml/spreadsheetml/main")


def _tags(*names: str) -> tuple[str, ...]:
    return tuple(f"{{{ns}}}{name}" for ns in _NS_MAIN for name in names)


def _names(name: str) -> frozenset[str]:
    return frozenset(_tags(name))


_C, _V, _F, _IS, _T, _R = (_names(n) for n in ("c", "v", "f", "is", "t", "r"))
#: Parts up to this size are parsed whole (faster); larger ones are streamed row by row.
_WHOLE = 2 * 1024 * 1024


def _elements(package: SafeZip, part: str, tags: tuple[str, ...]) -> Iterator[etree._Element]:
    """The elements named ``tags`` of a part, in document order, parsed whole or streamed."""
    if package.info(part).file_size <= _WHOLE:
        root = parse(package.read(part, _WHOLE + 1), part)
        yield from root.iter(*tags)
        return
    with package.open(part) as stream:
        yield from iterparse(stream, part, tags)


def _syntax(exc: etree.XMLSyntaxError, part: str, where: Location) -> GwError:
    line = getattr(exc, "lineno", None) or (exc.position[0] if getattr(exc, "position", None) else None)
    message = str(exc)
    if "excessive depth" in message.lower():  # libxml2 says "use XML_PARSE_HUGE" here too: not a long text
        return GwError(f"文件内部的结构嵌套过深（{part or '工作簿'}），正常的工作簿不会这样，"
                       "可能已损坏或是恶意构造的文件；请检查文件来源，或把内容复制到新建的工作簿中。", where)
    if "huge" in message.lower() or "too long" in message.lower() or "Resource limit" in message:
        return GwError(f"文件中有一段文字长达千万字（{part}），超过 Excel 一格 32767 字的上限，无法读取；"
                       "请检查是否误粘贴了大量内容，或文件已损坏。", where)
    at = "，".join(x for x in (part, f"第 {line} 行" if line else "") if x)
    return GwError(f"文件内部的 XML 格式有误（{at}），文件可能已损坏或被改动过；{_REPAIR}。", where)


# ---------------------------------------------------------------- ranges a copy would expand

#: Cells that merged and linked ranges may cover in a workbook ``check --fix`` copies: openpyxl
#: makes an object for each cell a hyperlink covers (and for the edges of a merged range), so one
#: range "A3:XFD1048576" in a 10 KB file was 17 billion cells, gigabytes and a minute.
MAX_SPAN_CELLS = 1_000_000


def _area(ref: str) -> int:
    """Cells a range such as "A3:XFD1048576" (or "$B$4") covers; 0 when it cannot be read."""
    corners = [re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})", part.strip()) for part in ref.split(":")[:2]]
    if not corners or not all(corners):
        return 0
    cols = [_letters_index(m.group(1).upper()) for m in corners if m]
    rows = [int(m.group(2)) for m in corners if m]
    return (max(cols) - min(cols) + 1) * (max(rows) - min(rows) + 1)


def oversized_span(grid: Grid) -> GwError | None:
    """The sentence for a workbook whose merged or linked ranges are too large to copy, else None."""
    total = 0
    for sheet in grid.sheets + grid.hidden_sheets:
        for what, refs in (("超链接", sheet.hyperlinks), ("合并单元格", sheet.merged)):
            for ref in refs:
                area = _area(ref)
                total += area
                if area > MAX_SPAN_CELLS or total > MAX_SPAN_CELLS:
                    return GwError(f"{what}的范围 {ref[:40]} 覆盖了约 {area:,} 个单元格，远超正常的工作簿，"
                                   "无法生成改正后的副本；请在 Excel 或 WPS 中删除这个超链接或取消这处合并后再试，"
                                   "或按 gwmerge check 列出的问题手工改正。", sheet.location)
    return None


# ---------------------------------------------------------------- reading

def read_grid(path: Path) -> Grid:
    """Read every sheet's cells as displayed text; any problem is one located sentence."""
    loc = Location(path)
    if not path.exists():
        raise GwError("找不到这个文件，请检查路径。", loc)
    if path.is_dir():
        raise GwError("这是一个文件夹，不是工作簿。", loc)
    if not path.is_file():  # a pipe or a device would block or never end
        raise GwError("这不是普通文件（可能是管道或设备），不是工作簿。", loc)
    _sniff(path)
    try:
        with SafeZip(path) as package:
            return _Reader(path, package).read()
    except GwError:
        raise
    except Unsafe as exc:
        part = f"（{exc.part}）" if exc.part else ""
        raise GwError(f"文件{exc.reason}{part}，为安全起见没有读取；请检查文件来源，或把内容复制到新建的工作簿中。",
                      loc) from exc
    except PermissionError as exc:
        raise GwError("文件无法读取（可能正被 Excel 或 WPS 占用），请关闭后重试。", loc) from exc
    except etree.XMLSyntaxError as exc:
        raise _syntax(exc, "", loc) from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, EOFError, NotImplementedError,
            OSError) as exc:
        raise GwError(
            "不是有效的 .xlsx 工作簿（可能已损坏，或是 .xls/.et 等其他格式），请用 Excel 或 WPS 打开后另存为 .xlsx。",
            loc,
        ) from exc
    except RuntimeError as exc:  # zipfile: "File is encrypted, password required"
        raise GwError(_PASSWORD, loc) from exc
    except MemoryError as exc:
        raise GwError("文件内容过大，内存不足以读取；请检查文件是否误粘贴了大量内容。", loc) from exc


class _Reader:
    def __init__(self, path: Path, package: SafeZip) -> None:
        self.path = path
        self.package = package
        self.cells = 0
        self.slots = 0
        self.chars = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def read(self) -> Grid:
        package, loc = self.package, Location(self.path)
        if package.has("EncryptedPackage") or package.has("EncryptionInfo"):
            raise GwError(_PASSWORD, loc)
        main = _main_part(package)
        if not package.has(main):
            if package.has("word/document.xml"):
                raise GwError("这是 Word 文档（.docx），只是扩展名为 .xlsx；从 Word 文档开始请用 gwmerge import "
                              "转为工作簿，或用 gwmerge format 直接排版。", loc)
            raise GwError(f"不是有效的 .xlsx 工作簿（缺少工作簿主体），{_REPAIR}。", loc)
        try:
            root = parse(package.read(main, 16 * 1024 * 1024), main)
        except etree.XMLSyntaxError as exc:
            raise _syntax(exc, main, loc) from exc
        rels = _rels(package, main)
        kinds = self._content_kinds(main, rels)
        self.date1904 = any(_local(c.tag) == "workbookPr" and c.get("date1904") in ("1", "true") for c in root)
        self._styles_part = kinds.get("styles")
        self._styles: _Styles | None = None  # read when the first number needs its format
        self.shared = _SharedStrings(package, kinds.get("sharedStrings"), loc)
        grid = Grid(self.path, [])
        sheets_elem = next((c for c in root if _local(c.tag) == "sheets"), None)
        seen: dict[str, int] = {}  # case-folded name → its sheet's number
        for number, entry in enumerate(_children(sheets_elem, "sheet") if sheets_elem is not None else [], start=1):
            title = entry.get("name", "")
            first = seen.setdefault(title.strip().casefold(), number)
            if first != number and title.strip():
                # Excel forbids it (names are compared without case); a zip put together by hand can.
                raise GwError(f"第 {first} 张和第 {number} 张工作表同名（“{title}”，Excel 不区分大小写），"
                              f"文件可能被其他程序改动过；{_REPAIR}，并给其中一张改名。", loc)
            rid = entry.get(f"{{{_REL_NS}}}id") or entry.get(f"{{{_STRICT_REL_NS}}}id") or ""
            hidden = entry.get("state", "visible") != "visible"
            if len(title) > MAX_SHEET_NAME:
                raise GwError(f"第 {number} 张工作表的名称长达 {len(title):,} 个字（Excel 最多 31 个字），"
                              f"文件可能被其他程序改动过；{_REPAIR}，并把工作表改为简短的名称。", loc)
            where = Location(self.path, title if title.strip() else f"第 {number} 张工作表")
            target = rels.get(rid)
            if target is None or not package.has(target):
                raise GwError("这张工作表的内容在文件中缺失（文件已损坏，这一部分会整个丢失）；"
                              f"{_REPAIR}，或重新填写这张表。", where)
            if _is_chartsheet(target):
                continue
            sheet = Sheet(title, where, hidden=hidden)
            self._read_sheet(sheet, target, grid)
            if not title.strip():
                grid.findings.append(Finding(where, "工作表名称只有空格，文档里会是一个空标题；"
                                                    "请把工作表改名为这一部分的标题。"))
            (grid.hidden_sheets if hidden else grid.sheets).append(sheet)
        return grid

    def _content_kinds(self, main: str, rels: dict[str, str]) -> dict[str, str]:
        """Styles and shared strings parts, found through the workbook's relationships."""
        found: dict[str, str] = {}
        for target in rels.values():
            low = target.casefold()
            if low.endswith("styles.xml"):
                found.setdefault("styles", target)
            elif low.endswith("sharedstrings.xml"):
                found.setdefault("sharedStrings", target)
        folder = posixpath.dirname(main)
        for key, name in (("styles", "styles.xml"), ("sharedStrings", "sharedStrings.xml")):
            if key not in found and self.package.has(posixpath.join(folder, name)):
                found[key] = posixpath.join(folder, name)
        return found

    def _read_sheet(self, sheet: Sheet, part: str, grid: Grid) -> None:
        hidden_cols: set[int] = set()
        merged: list[str] = []
        links: list[str] = []
        hidden_rows: list[Row] = []
        next_row = 1
        try:
            streamed = self.package.info(part).file_size > _WHOLE
            if True:
                for elem in _elements(self.package, part, _tags("row", "col", "mergeCell", "autoFilter", "hyperlink")):
                    name = _local(elem.tag)
                    if name == "row":
                        number = _int(elem.get("r"), next_row)
                        if not 1 <= number <= MAX_ROW:
                            raise GwError(f"行号 {number} 超出 Excel 的范围，文件已损坏；{_REPAIR}。", sheet.location)
                        next_row = number + 1
                        if number % 4096 == 0 and time.monotonic() > self.deadline:
                            raise GwError(f"读取超过 {MAX_SECONDS:.0f} 秒仍未完成（内容异常多），已停止；"
                                          "请删除多余的行和列，或把内容复制到新建的工作簿中。", sheet.location)
                        row = self._row(elem, number, sheet, grid)
                        if streamed:
                            release(elem)
                        if row is not None:
                            sheet.rows.append(row)
                            if row.hidden:
                                hidden_rows.append(row)
                    elif name == "col":
                        if elem.get("hidden") in ("1", "true"):
                            first = _int(elem.get("min"), 1)
                            last = min(_int(elem.get("max"), first), MAX_COLUMN)
                            if last - first < MAX_COLUMN:
                                hidden_cols.update(range(first - 1, last))
                    elif name == "mergeCell":
                        if len(merged) < 10_000:
                            merged.append(elem.get("ref", ""))
                    elif name == "autoFilter":
                        sheet.autofilter = elem.get("ref") or None
                    elif name == "hyperlink" and len(links) < 10_000:
                        links.append(elem.get("ref", ""))
        except etree.XMLSyntaxError as exc:
            raise _syntax(exc, part, sheet.location) from exc
        sheet.hidden_columns = frozenset(hidden_cols)
        sheet.merged = tuple(merged)
        sheet.hyperlinks = tuple(links)
        if sheet.autofilter:
            for row in hidden_rows:
                row.filtered = True

    def _row(self, elem: etree._Element, number: int, sheet: Sheet, grid: Grid) -> Row | None:
        cells: dict[int, Cell] = {}
        next_col = chars = 0
        path, title = self.path, sheet.title
        for c in elem:
            if c.tag not in _C or len(c) == 0:
                continue  # an empty (only styled) cell
            col = _column(c.get("r"), next_col)
            if not 0 <= col < MAX_COLUMN:
                raise GwError(f"第 {number} 行有超出 Excel 最大列（XFD）的单元格，文件已损坏；{_REPAIR}。",
                              sheet.location)
            next_col = col + 1
            kind = c.get("t")
            first = c[0]
            text = None
            if len(c) == 1:  # the common cases, kept cheap
                if kind == "s" and first.tag in _V:
                    text = self.shared.get(first.text)
                elif kind == "inlineStr" and first.tag in _IS and len(first) == 1 and first[0].tag in _T:
                    text = unescape_excel(first[0].text or "")
                if type(text) is str and len(text) <= MAX_CELL_CHARS and _NEEDS_WORK.search(text) is None:
                    if text.strip():
                        cells[col] = Cell(text, Location(path, title, f"{column_letter(col)}{number}"))
                        chars += len(text)
                    continue
            cell = self._cell(c, Location(path, title, f"{column_letter(col)}{number}"), sheet, grid)
            if cell is not None:
                cells[col] = cell
                chars += len(cell.text)
        if not cells:
            return None
        self.cells += len(cells)
        width = max(cells) + 1
        self.slots += width
        self.chars += chars
        if self.chars > MAX_TEXT_CHARS:
            raise GwError(f"工作簿里的文字异常多（到第 {number} 行已超过 {MAX_TEXT_CHARS // 10_000} 万字，约六千页），"
                          "不像是一份材料，可能是误操作或恶意文件；"
                          "请删除多余的内容，或把内容复制到新建的工作簿中。", sheet.location)
        if self.cells > MAX_CELLS:
            raise GwError(f"工作表内容异常多（到第 {number} 行已超过 {MAX_CELLS:,} 个有内容的单元格），"
                          "不像是一份材料，可能是误操作或恶意文件；"
                          "请删除多余的行和列，或把内容复制到新建的工作簿中。", sheet.location)
        if self.slots > MAX_SLOTS:
            raise GwError(f"工作表内容异常多（到第 {number} 行已有大量内容散布到很远的列），"
                          "不像是一份材料，可能是误操作或恶意文件；"
                          "请删除多余的行和列，或把内容复制到新建的工作簿中。", sheet.location)
        row_cells: list[Cell | None] = [None] * width
        for col, cell in cells.items():
            row_cells[col] = cell
        return Row(number, row_cells, hidden=elem.get("hidden") in ("1", "true"))

    def _cell(self, c: etree._Element, here: Location, sheet: Sheet, grid: Grid) -> Cell | None:
        kind = c.get("t", "n")
        formula = value = None
        inline: list[str] | None = None
        for child in c:
            tag = child.tag
            if tag in _V:
                value = child.text
            elif tag in _F:
                formula = child
            elif tag in _IS:
                inline = _si_text(child)
        if formula is not None and value is None and kind != "str":
            sheet.uncalculated.append(here)
            return None
        if kind == "s":
            text = self.shared.get(value)
            if text is None:
                raise GwError("这一格引用的文字在文件中不存在（文件已损坏）；" + _REPAIR + "。", here)
        elif kind == "inlineStr":
            text = "".join(inline or [])
        elif kind in ("str", "d"):
            text = unescape_excel(value or "")
            if kind == "d":
                text = _iso_date(text)
                if text is None:
                    return None
                return Cell(text, here, True)
        elif kind == "b":
            text = "TRUE" if (value or "").strip() in ("1", "true") else "FALSE"
        elif kind == "e":
            shown = clean(value or "#错误")  # Excel's are a few characters (#N/A); a file may say more
            shown = shown if len(shown) <= 20 else shown[:20] + "…"
            grid.findings.append(Finding(here, f"这一格显示错误值 {shown}"
                                               "（公式出错），请在 Excel 或 WPS 中改正公式，或直接填写文字。"))
            return None
        else:
            if value is None or not value.strip():
                return None
            return self._number(c, value, here)
        if isinstance(text, int) or len(text) > MAX_CELL_CHARS:
            length = text if isinstance(text, int) else len(text)
            raise GwError(f"这一格有 {length:,} 个字，超过 Excel 一格 32767 字的上限（文件可能被其他程序改动过）；"
                          "请删减或分到几格后再试。", here)
        text = clean(text)  # escapes were resolved where the text was stored
        return Cell(text, here) if text.strip() else None

    def _number(self, c: etree._Element, value: str, here: Location) -> Cell | None:
        try:
            number = float(value)
        except ValueError:
            text = clean(value, excel_escapes=True)
            return Cell(text, here) if text.strip() else None
        if number != number or number in (float("inf"), float("-inf")):
            return None
        if number.is_integer() and abs(number) < 1e15:
            number = int(number)
        if self._styles is None:
            # Read here, inside a sheet: its own syntax error must name the styles part and the
            # file, not the sheet whose number needed it.
            try:
                self._styles = _styles(self.package, self._styles_part)
            except etree.XMLSyntaxError as exc:
                raise _syntax(exc, self._styles_part or "", Location(self.path)) from exc
        code = self._styles.code(_int(c.get("s"), 0))
        shown = numfmt.show_number(number, code, self.date1904)
        if shown.date is not None:
            if shown.date.date() == dt.date(1899, 12, 30):
                return Cell(shown.date.strftime("%H:%M"), here)
            return Cell(official_date(shown.date) or "", here, True)
        return Cell(shown.text, here) if shown.text.strip() else None


def _is_chartsheet(part: str) -> bool:
    return "/chartsheets/" in part.casefold() or "/dialogsheets/" in part.casefold()


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?\d*")


def _column(ref: str | None, default: int) -> int:
    if not ref:
        return default
    letters = ref.rstrip("0123456789")
    if not letters.isalpha() or not letters.isascii() or len(letters) > 3:
        m = _REF.match(ref)
        if not m:
            return default
        letters = m.group(1)
    return _letters_index(letters.upper())


@lru_cache(maxsize=4096)
def _letters_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _iso_date(text: str) -> str | None:
    try:
        return official_date(dt.datetime.fromisoformat(text.strip().rstrip("Z")))
    except ValueError:
        return None
