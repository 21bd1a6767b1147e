"""Building hostile workbooks in tests: the example workbook with parts replaced or added."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from conftest import SHEETS

EXAMPLE = SHEETS / "示例-党员.xlsx"
SHEET = "xl/worksheets/sheet2.xml"  # 存在的问题
NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def patched(dest: Path, *, replace: dict[str, bytes | Callable[[bytes], bytes] | None] | None = None,
            add: dict[str, bytes] | None = None, stored: bool = False, src: Path = EXAMPLE) -> Path:
    """A copy of ``src`` with parts replaced (bytes or a function of the old bytes), dropped (None)
    or added; ``stored`` writes without compression (to pass the ratio check and reach the others)."""
    replace = replace or {}
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", method) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename in replace:
                new = replace[item.filename]
                if new is None:
                    continue
                data = new(data) if callable(new) else new
            zout.writestr(item.filename, data, compress_type=method)
        for name, data in (add or {}).items():
            zout.writestr(name, data, compress_type=method)
    return dest


def sheet_xml(rows: bytes, head: bytes = b"", tail: bytes = b"") -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?>' + head + b"<worksheet " + NS + b"><sheetData>" + rows
            + b"</sheetData>" + tail + b"</worksheet>")


def shared_strings(items: list[str] | bytes) -> bytes:
    body = items if isinstance(items, bytes) else b"".join(
        b"<si><t>" + s.encode("utf-8").replace(b"&", b"&amp;").replace(b"<", b"&lt;") + b"</t></si>" for s in items)
    return b'<?xml version="1.0" encoding="UTF-8"?><sst ' + NS + b">" + body + b"</sst>"


def section_rows(*cells: tuple[str, str, str]) -> bytes:
    """Header row and content rows of a section sheet, as inline strings."""
    rows = [("层级", "标题或引导句", "正文"), *cells]
    out = []
    for n, row in enumerate(rows, start=1):
        cs = b"".join(f'<c r="{col}{n}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()
                      for col, text in zip("ABC", row, strict=True) if text)
        out.append(f'<row r="{n}">'.encode() + cs + b"</row>")
    return b"".join(out)


def damaged(path: Path, part: str) -> Path:
    """``path`` with the compressed bytes of ``part`` scrambled in place (sizes and names intact):
    what a bad sector, a cut download or a broken USB stick leaves. The CRC is never reached."""
    import io
    import struct

    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(part)
    assert info.compress_type == zipfile.ZIP_DEFLATED and info.compress_size > 64
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    for i in range(start + 20, start + 60):
        data[i] ^= 0x55
    path.write_bytes(bytes(data))
    return path
