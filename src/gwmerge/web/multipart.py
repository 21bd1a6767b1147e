"""Streaming form parser: uploaded files go straight into the job's folder, under generated names.

Starlette's own parser spools large files into the system temp folder; here every byte lands
inside the job folder, and the size limits are enforced while the request streams in, so an
oversized upload is cut off early and leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart.multipart import MultipartParser, parse_options_header

from gwmerge.web.settings import MB, Limits


class Refused(Exception):
    """An upload (or one file of it) the server will not take; the text is shown to the user."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Upload:
    """One uploaded file: where its bytes are, and the name the user gave it (display only)."""

    path: Path
    display: str
    size: int = 0
    too_big: bool = False  # over the per-file limit: its bytes were dropped, the rest of the form goes on


@dataclass
class Form:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[Upload] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[-1] if values else default

    def getlist(self, name: str) -> list[str]:
        return self.fields.get(name, [])


class _Collector:
    """The callbacks python-multipart calls while it parses; enforces the limits as bytes arrive."""

    def __init__(self, folder: Path, limits: Limits) -> None:
        self.folder = folder
        self.limits = limits
        self.form = Form()
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""
        self._name = ""
        self._file: BinaryIO | None = None
        self._upload: Upload | None = None
        self._text: bytearray | None = None

    def on_part_begin(self) -> None:
        self._headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]
        self._header_size()

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]
        self._header_size()

    def _header_size(self) -> None:
        if len(self._field) + len(self._value) > 8192 or len(self._headers) > 20:
            raise Refused("上传的数据格式有误，请重新上传。")

    def on_header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is None:
            if sum(len(v) for v in self.form.fields.values()) >= self.limits.fields:
                raise Refused("表单字段过多。")
            self._text = bytearray()
            return
        if len(self.form.files) >= self.limits.files:
            raise Refused(f"一次最多上传 {self.limits.files} 个文件，请分批上传。", 413)
        # The user's name is kept for display only; the bytes go to a generated name.
        path = self.folder / f"upload-{len(self.form.files) + 1}.bin"
        self._upload = Upload(path, filename.decode("utf-8", "replace"))
        self._file = path.open("xb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._upload is not None and self._file is not None:
            self._upload.size += len(chunk)
            if self._upload.size > self.limits.file_bytes:  # refused on its own line; the others go on
                self._upload.too_big = True
                self._file.close()
                self._file = None
                self._upload.path.unlink(missing_ok=True)
                return
            self._file.write(chunk)
        elif self._text is not None:
            self._text += chunk
            if len(self._text) > self.limits.field_chars * 4:
                raise Refused("表单内容过长。")

    def on_part_end(self) -> None:
        if self._upload is not None and self._upload.too_big:
            self.form.files.append(self._upload)
        elif self._upload is not None and self._file is not None:
            self._file.close()
            if self._upload.size or self._upload.display:
                self.form.files.append(self._upload)
            else:  # an empty file input sends an empty part
                self._upload.path.unlink(missing_ok=True)
        elif self._text is not None:
            value = self._text.decode("utf-8", "replace")[: self.limits.field_chars]
            self.form.fields.setdefault(self._name, []).append(value)
        self._file = None
        self._upload = None
        self._text = None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


async def parse(content_type: str, body: AsyncIterator[bytes], folder: Path, limits: Limits,
                content_length: int | None = None, going_on: Callable[[int, bool], bool] | None = None) -> Form:
    """Parse a multipart/form-data request body into ``folder`` (which must exist).

    The body must keep coming: a pause of ``limits.body_idle_seconds`` or a whole body taking more
    than ``limits.body_seconds`` ends the upload (408). ``going_on(bytes so far, whole body in)`` is
    asked at least once a second and at the end; when it says no (the job was dropped to make room),
    the upload ends too.
    """
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise Refused("请求格式不对：应以表单方式上传文件。")
    too_big = Refused(f"一次上传的文件合计不能超过 {limits.request_bytes // MB} MB，请分批上传。", 413)
    if content_length is not None and content_length > limits.request_bytes:
        raise too_big
    collector = _Collector(folder, limits)
    callbacks = {name: getattr(collector, name) for name in (
        "on_part_begin", "on_part_data", "on_part_end", "on_header_field", "on_header_value",
        "on_header_end", "on_headers_finished")}
    parser = MultipartParser(options[b"boundary"], callbacks)  # type: ignore[arg-type]
    received = 0
    try:
        async for chunk in _steady(body, limits, going_on or (lambda _, __: True)):
            received += len(chunk)
            if received > limits.request_bytes:
                raise too_big
            parser.write(chunk)
        parser.finalize()
    except Refused:
        raise
    except Exception as exc:  # a malformed body from a broken or hostile client
        raise Refused("上传的数据不完整或格式有误，请重新上传。") from exc
    finally:
        collector.close()
    return collector.form


_DROPPED = "服务器正忙，这次上传已被取消，请重新上传。"


async def _steady(body: AsyncIterator[bytes], limits: Limits,
                  going_on: Callable[[int, bool], bool]) -> AsyncIterator[bytes]:
    """The body's chunks, as long as they keep coming (see :func:`parse`)."""
    stream = body.__aiter__()
    start = last = time.monotonic()
    received = 0
    pending: asyncio.Future[bytes] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(stream.__anext__())
            await asyncio.wait({pending}, timeout=1.0)
            now = time.monotonic()
            if not going_on(received, False):
                raise Refused(_DROPPED, 429)
            if now - start > limits.body_seconds:
                raise Refused(f"上传太慢（超过 {limits.body_seconds / 60:g} 分钟仍未传完），请重新上传。", 408)
            if not pending.done():
                if now - last > limits.body_idle_seconds:
                    raise Refused(f"上传中断（{limits.body_idle_seconds:g} 秒没有收到数据），请重新上传。", 408)
                continue
            try:
                chunk = pending.result()
            except StopAsyncIteration:
                if not going_on(received, True):
                    raise Refused(_DROPPED, 429) from None
                return
            finally:
                pending = None
            last = now
            received += len(chunk)
            yield chunk
    finally:
        if pending is not None:
            pending.cancel()
