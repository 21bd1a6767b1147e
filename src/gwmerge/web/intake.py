"""Accepting uploaded files: what they really are (by content), zips unpacked safely, safe names.

An uploaded name is never used as a path as given: it is reduced to a plain file name (no folders,
no control characters, no reserved names), made unique within the job, and the file gets the
suffix of what its content is. Zips are unpacked member by member with the sizes counted as
they are read, since a zip's own size fields can lie.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gwmerge.core.safetext import safe_filename
from gwmerge.web.multipart import Refused, Upload
from gwmerge.web.settings import MB, Limits

XLSX, DOCX, TXT, ZIP, CSV = "xlsx", "docx", "txt", "zip", "csv"
NAMES = {XLSX: "Excel 工作簿（.xlsx）", DOCX: "Word 文档（.docx）", TXT: "文本文件（.txt）", ZIP: "压缩包（.zip）",
         CSV: "CSV 名单（.csv）"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Entry:
    """One file the user sent (or one member of a zip they sent): accepted, or why not."""

    display: str
    path: Path | None = None
    refused: str | None = None


def sniff(path: Path) -> str | None:
    """What a file is by its content: xlsx, docx, zip (other), txt, or None."""
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return XLSX
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
        return ZIP
    if head.startswith(_OLE):
        return "ole"
    data = path.read_bytes()
    if not data or b"\x00" in data:
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return TXT
    return None


def display_name(name: str) -> str:
    """The last part of a user's file name, made a safe plain file name (see safetext.safe_filename)."""
    leaf = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = leaf.rpartition(".")
    if not dot:
        stem, suffix = leaf, ""
    suffix = re.sub(r"[^0-9A-Za-z]", "", suffix)[:10]
    stem = safe_filename(stem, "文件")
    return f"{stem}.{suffix}" if suffix else stem


def _size(n: int) -> str:
    return f"{n // MB} MB" if n >= MB else f"{max(n // 1024, 1)} KB"


def _suffix(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


class Inbox:
    """The job's ``in`` folder: files get unique safe names there, compared without case."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._taken: set[str] = set()

    def place(self, source: Path, display: str, kind: str) -> Path:
        stem = display_name(display).rsplit(".", 1)[0] if "." in display else display_name(display)
        name, n = f"{stem}.{kind}", 1
        while name.casefold() in self._taken:
            n += 1
            name = f"{stem} ({n}).{kind}"
        self._taken.add(name.casefold())
        target = self.folder / name
        os.replace(source, target)
        return target


def accept(uploads: list[Upload], allowed: set[str], inbox: Inbox, limits: Limits) -> list[Entry]:
    """Sort uploads into accepted files (moved into the inbox) and refused ones (with the reason)."""
    entries: list[Entry] = []
    budget = [limits.zip_unpacked_bytes]
    count = len(uploads)
    for upload in uploads:
        display = display_name(upload.display)
        if upload.too_big:
            entries.append(Entry(display, refused=f"“{display}”超过 {_size(limits.file_bytes)}，没有接收；"
                                                  "工作簿通常只有几十 KB，请确认选对了文件。"))
            continue
        kind = _kind_or_reason(upload.path, display, allowed)
        if kind not in NAMES:
            entries.append(Entry(display, refused=kind))
            upload.path.unlink(missing_ok=True)
        elif kind == ZIP:
            try:
                members = _unzip(upload.path, display, allowed - {ZIP}, inbox, limits, budget)
            except Refused as exc:
                entries.append(Entry(display, refused=exc.message))
            else:
                count += len(members) - 1
                if count > limits.files:
                    raise Refused(f"一次最多处理 {limits.files} 个文件（含压缩包内的），请分批上传。", 413)
                entries.extend(members)
            finally:
                upload.path.unlink(missing_ok=True)
        else:
            entries.append(Entry(display, inbox.place(upload.path, display, kind)))
    return entries


def _kind_or_reason(path: Path, display: str, allowed: set[str]) -> str:
    """The file's kind when it is allowed and its name agrees with its content; else why not."""
    said = _suffix(display)
    wanted = "、".join(f".{k}" for k in sorted(allowed))
    if said not in allowed:
        return f"“{display}”不是可接受的文件类型，这里只接受 {wanted} 文件。"
    real = sniff(path)
    if real == "ole":
        return (f"“{display}”是旧版 Office 文件或加了密码的文件，请在 Excel/Word/WPS 中去掉密码、"
                f"另存为 .{said} 后再上传。")
    if real is None:
        return f"“{display}”的内容不是有效的{NAMES[said]}，文件可能已损坏。"
    if said == CSV and real == TXT:  # a CSV is text by content
        return CSV
    if real != said:
        return f"“{display}”的内容不是{NAMES[said]}，而是{NAMES[real]}；请确认文件，或改成正确的扩展名。"
    return real


def _unsafe(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return (name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) is not None
            or ".." in parts or "\x00" in name)


def _open_zip(path: Path) -> zipfile.ZipFile:
    """Zips made on Chinese Windows store names in GBK without saying so."""
    try:
        return zipfile.ZipFile(path, metadata_encoding="gb18030")
    except (UnicodeDecodeError, zipfile.BadZipFile, OSError, ValueError):
        return zipfile.ZipFile(path)


def _skipped(name: str) -> bool:
    leaf = PurePosixPath(name.replace("\\", "/")).name
    return (name.endswith(("/", "\\")) or name.startswith("__MACOSX/") or leaf.startswith((".", "~$"))
            or leaf.lower() in ("thumbs.db", "desktop.ini"))


def _unzip(path: Path, display: str, allowed: set[str], inbox: Inbox, limits: Limits,
           budget: list[int]) -> list[Entry]:
    """The zip's acceptable members, placed in the inbox; the whole zip is refused when unsafe."""
    bomb = Refused(f"压缩包“{display}”解压后过大（疑似“压缩炸弹”），已拒绝；请直接上传其中的工作簿。")
    try:
        zf = _open_zip(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Refused(f"压缩包“{display}”已损坏，无法打开。") from exc
    with zf:
        infos = [i for i in zf.infolist() if not _skipped(i.filename)]
        bad = next((i.filename for i in zf.infolist() if _unsafe(i.filename)), None)
        if bad is not None:
            raise Refused(f"压缩包“{display}”里有指向压缩包以外的路径（{display_name(bad) or '…'}），"
                          "为安全起见已拒绝整个压缩包。")
        if len(infos) > limits.files:
            raise Refused(f"压缩包“{display}”里的文件超过 {limits.files} 个，请分批上传。")
        if any(i.flag_bits & 0x1 for i in infos):
            raise Refused(f"压缩包“{display}”设置了密码，请解压后直接上传其中的文件。")
        if sum(i.file_size for i in infos) > budget[0]:
            raise bomb
        if any(i.file_size > MB and i.file_size > limits.zip_ratio * max(i.compress_size, 1) for i in infos):
            raise bomb
        entries: list[Entry] = []
        placed: list[Path] = []
        try:
            for n, info in enumerate(infos, 1):
                member = display_name(info.filename)
                target = inbox.folder / f"member-{n}.bin"
                too_big = Refused(f"压缩包“{display}”里的“{member}”超过 {limits.file_bytes // MB} MB，已拒绝。")
                _copy_limited(zf, info, target, limits.file_bytes, too_big, budget, bomb)
                kind = _kind_or_reason(target, member, allowed)
                if kind not in NAMES:
                    target.unlink(missing_ok=True)
                    entries.append(Entry(f"{display} › {member}", refused=kind))
                else:
                    placed.append(inbox.place(target, member, kind))
                    entries.append(Entry(placed[-1].name, placed[-1]))
        except Refused:
            for p in placed:
                p.unlink(missing_ok=True)
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            for p in placed:
                p.unlink(missing_ok=True)
            raise Refused(f"压缩包“{display}”已损坏或使用了不支持的压缩方式，无法解压。") from exc
    return entries


def _copy_limited(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limit: int, too_big: Refused,
                  budget: list[int], bomb: Refused) -> None:
    """Unpack one member, counting real bytes (the sizes a zip declares can lie)."""
    written = 0
    try:
        with zf.open(info) as src, target.open("xb") as dst:
            while chunk := src.read(256 * 1024):
                written += len(chunk)
                if written > budget[0]:
                    raise bomb
                if written > limit:
                    raise too_big
                dst.write(chunk)
    except Refused:
        target.unlink(missing_ok=True)
        raise
    budget[0] -= written
