"""The one place where XML from outside (workbooks, templates, documents) is parsed.

Every XML part the tool reads comes from a file a user was sent, so it is treated as hostile:

* one hardened lxml configuration: no entity expansion, no DTD loading, no network, no huge-tree
  mode (libxml2 then refuses text nodes over 10 MB and absurd nesting);
* a DOCTYPE is refused outright (Office parts never carry one: it is how entity bombs and XXE come);
* zip packages are checked before anything is decompressed (entry count, declared sizes,
  compression ratio) and every part is read through a byte budget, so a bomb that lies about its
  size still stops at the budget.

Failures raise :class:`Unsafe` (a refusal, with a Chinese reason) or lxml's ``XMLSyntaxError``
(malformed XML); callers turn both into one located sentence.
"""

from __future__ import annotations

import io
import lzma
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from lxml import etree

__all__ = ["DocxLimits", "Limits", "SafeZip", "Unsafe", "iterparse", "parse"]


class Unsafe(Exception):
    """A package or part refused before or while reading it; ``reason`` is a Chinese phrase."""

    def __init__(self, reason: str, part: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.part = part


class Limits:
    """Budgets for one package. The defaults are far above any real 材料 and far below harm."""

    max_entries = 2000  # zip entries
    max_part = 64 * 1024 * 1024  # uncompressed bytes of one part
    max_total = 160 * 1024 * 1024  # uncompressed bytes read from one package in all
    max_ratio = 120  # uncompressed / compressed, for parts over ratio_floor bytes
    ratio_floor = 4 * 1024 * 1024
    max_read = 160 * 1024 * 1024  # uncompressed bytes actually read (XML parts), in all


class DocxLimits(Limits):
    """A .docx may carry large pictures (never read); its XML is parsed whole, so it gets less."""

    max_part = 256 * 1024 * 1024
    max_total = 2 * 1024 * 1024 * 1024
    max_xml = 24 * 1024 * 1024  # one XML part read whole (a 300-page document is about 10 MB)
    max_read = 96 * 1024 * 1024


def _parser_options() -> dict[str, Any]:
    return {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False,
            "dtd_validation": False, "remove_pis": True}


_PARSER = etree.XMLParser(**_parser_options())
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def _check_prolog(head: bytes, part: str) -> None:
    """Refuse a DTD in the first bytes of a part (also when the part is UTF-16 encoded)."""
    sample = head
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        sample = head.decode("utf-16", "ignore").encode("utf-8", "ignore")
    if _DOCTYPE.search(sample):
        raise Unsafe("含有 DTD/实体声明（正常的 Office 文件不会有，可能是恶意构造的文件）", part)


def parse(data: bytes, part: str = "") -> etree._Element:
    """Parse a small part that is already in memory (and within budget)."""
    _check_prolog(data[:4096], part)
    return etree.fromstring(data, _PARSER)


#: What decompressing a damaged entry raises (deflate, LZMA, data cut short); bzip2 raises OSError.
_DAMAGED = (zlib.error, lzma.LZMAError, EOFError)


class _Budget(io.RawIOBase):
    """A read-only stream that stops with :class:`Unsafe` after ``limit`` bytes."""

    def __init__(self, raw: IO[bytes], limit: int, part: str, owner: SafeZip | None = None) -> None:
        self._raw = raw
        self._left = limit
        self._part = part
        self._owner = owner

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = 1 << 16
        try:
            data = self._raw.read(min(size, 1 << 20))
        except _DAMAGED as exc:
            # Compressed data that does not decompress is a damaged file, the same as a bad CRC:
            # callers already answer BadZipFile with one sentence; zlib's own error is not one.
            raise zipfile.BadZipFile(f"damaged part {self._part}: {exc}") from exc
        self._left -= len(data)
        if self._owner is not None:
            self._owner.spend(len(data), self._part)
        if self._left < 0:
            raise Unsafe("解压后超出允许的大小（可能是“压缩炸弹”）", self._part)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def iterparse(stream: IO[bytes], part: str, tags: tuple[str, ...]) -> Iterator[etree._Element]:
    """``end`` events for ``tags`` from a stream, with the hardened settings.

    The caller clears each element once used (see :func:`release`), so memory stays flat.
    """
    head = stream.read(4096)
    _check_prolog(head, part)
    source = io.BufferedReader(_Prefixed(head, stream), 1 << 16)
    for _, elem in etree.iterparse(source, events=("end",), tag=tags, **_parser_options()):
        yield elem


def release(elem: etree._Element) -> None:
    """Free an element handled by :func:`iterparse` and the siblings before it."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


class _Prefixed(io.RawIOBase):
    """``head`` followed by the rest of ``stream`` (the prolog peek must not be lost)."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class SafeZip:
    """A zip package checked before use; parts are read through budgets."""

    def __init__(self, path: Path | IO[bytes], limits: type[Limits] = Limits) -> None:
        self.limits = limits
        self._zip = zipfile.ZipFile(path)
        self._spent = 0
        infos = self._zip.infolist()
        if len(infos) > limits.max_entries:
            self._zip.close()
            raise Unsafe(f"压缩包内有 {len(infos)} 个部件，远多于正常文件（可能是恶意构造的文件）")
        self._infos = {}
        total = 0
        for info in infos:
            # Part names are case-insensitive in OPC; keep the first spelling.
            self._infos.setdefault(info.filename.lstrip("/").casefold(), info)
            total += info.file_size
            if info.file_size > limits.max_part:
                self._zip.close()
                raise Unsafe(f"其中一个部件解压后有 {_size(info.file_size)}，远超正常文件（可能是“压缩炸弹”）",
                             info.filename)
            if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                self._zip.close()
                raise Unsafe(f"其中一个部件压缩比异常（{_size(info.compress_size)} 解压为 {_size(info.file_size)}，"
                             "可能是“压缩炸弹”）", info.filename)
        if total > limits.max_total:
            self._zip.close()
            raise Unsafe(f"解压后共有 {_size(total)}，远超正常文件（可能是“压缩炸弹”）")

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def spend(self, n: int, part: str) -> None:
        self._spent += n
        if self._spent > self.limits.max_read:
            raise Unsafe("解压后超出允许的大小（可能是“压缩炸弹”）", part)

    def has(self, name: str) -> bool:
        return name.lstrip("/").casefold() in self._infos

    def info(self, name: str) -> zipfile.ZipInfo:
        try:
            return self._infos[name.lstrip("/").casefold()]
        except KeyError:
            raise KeyError(name) from None

    def names(self) -> list[str]:
        return [info.filename for info in self._infos.values()]

    def open(self, name: str, limit: int | None = None) -> IO[bytes]:
        """A budgeted stream of one part (``KeyError`` when the part is missing)."""
        info = self.info(name)
        budget = min(limit or self.limits.max_part, self.limits.max_part)
        try:
            raw = self._zip.open(info)
        except NotImplementedError as exc:  # a compression method zipfile does not know (e.g. AES)
            raise zipfile.BadZipFile(f"unsupported compression in {info.filename}") from exc
        return _Budget(raw, budget, info.filename, self)

    def read(self, name: str, limit: int | None = None) -> bytes:
        with self.open(name, limit) as stream:
            chunks = []
            while chunk := stream.read(1 << 20):
                chunks.append(chunk)
        return b"".join(chunks)


def _size(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} 字节"
