"""Atomic writes and the leftovers of killed runs: the one place that puts files on the user's disk.

Every file gwmerge writes (documents, workbooks, PDFs, the 汇总表, the zip) is written to a hidden
temporary file in the destination folder (``.~gwmerge-<pid>-<token>.<suffix>``) and moved into place
complete, so an interruption never leaves half a file. Work folders (PDF converter profiles) follow
the same naming, so that a later run can tell what a killed run left behind (its process is gone)
and remove it.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from gwmerge.core.errors import GwError, Location, os_message

TEMP_PREFIX = ".~gwmerge-"
_TEMP = re.compile(r"\.~gwmerge-(\d+)-[0-9a-f]{8}\.(docx|pdf|xlsx|zip)")
#: A PDF work folder (:func:`work_folder`): converter profiles, PDFs not yet in place, a contents page.
_TEMP_FOLDER = re.compile(r"\.~gwmerge-(\d+)-(pdf|pdfs|cover)-[a-z0-9_]{8}")


def os_error(exc: OSError, where: Path) -> GwError:
    """A system error as one Chinese sentence."""
    return GwError(f"无法写入：{os_message(exc)}。", Location(where))


def write_temp(folder: Path, data: bytes, suffix: str) -> Path:
    """Write ``data`` to a new hidden temporary file with ordinary permissions (the user's umask)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}{suffix}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            if os.name == "nt":  # hidden on Windows too
                import ctypes

                ctypes.windll.kernel32.SetFileAttributesW(str(path), 0x2)  # type: ignore[attr-defined]
            f.write(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def publish(temp: Path, dest: Path) -> None:
    """Move a finished temporary file to its final name (visible again on Windows)."""
    if os.name == "nt":  # a renamed file keeps its attributes: the hidden flag must go first
        import ctypes

        ctypes.windll.kernel32.SetFileAttributesW(str(temp), 0x80)  # type: ignore[attr-defined]
    os.replace(temp, dest)


def sweep_temps(folder: Path, pids: set[int] | None = None, keep: set[Path] | frozenset[Path] = frozenset()) -> None:
    """Remove temporary files of ours: those of ``pids``, or (None) those whose process is gone,
    with the PDF work folders of a run that was killed.

    A file counts as ours by its name pattern and its content (empty, a zip or a PDF); ``keep``
    are complete documents a worker handed over before it died.
    """
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        m = _TEMP.fullmatch(entry.name)
        if not m:
            folder_m = _TEMP_FOLDER.fullmatch(entry.name)
            if folder_m and pids is None and not _alive(int(folder_m.group(1)), entry):
                with contextlib.suppress(OSError):
                    if entry.is_dir() and not entry.is_symlink():
                        shutil.rmtree(entry, ignore_errors=True)
            continue
        pid = int(m.group(1))
        if entry in keep or (pids is not None and pid not in pids):
            continue
        if pids is None and _alive(pid, entry):
            continue
        with contextlib.suppress(OSError):
            if entry.is_symlink() or not entry.is_file():
                continue
            with entry.open("rb") as f:
                head = f.read(4)
            if head in (b"", b"PK\x03\x04", b"%PDF") or len(head) < 4:
                entry.unlink()


def _alive(pid: int, path: Path | None = None) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        # No cheap process check: a file untouched for an hour belongs to a run that is over.
        try:
            return path is not None and time.time() - path.stat().st_mtime < 3600
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def write_atomic(dest: Path, save: Callable[[str], object]) -> None:
    """Write through a hidden temporary file in the same folder, so no half-written file is ever
    left; the file gets ordinary permissions (the user's umask), like any file a program saves."""
    try:
        tmp = write_temp(dest.parent, b"", dest.suffix)
    except OSError as exc:
        raise GwError(f"无法创建输出文件夹（{os_message(exc)}），请换一个位置。", Location(dest.parent)) from exc
    try:
        save(str(tmp))
        publish(tmp, dest)
    except PermissionError as exc:
        tmp.unlink(missing_ok=True)
        raise GwError("无法写入（文件可能正在 Word 或 WPS 中打开），请关闭后重试。", Location(dest)) from exc
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise GwError(f"无法写入：{os_message(exc)}。", Location(dest)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def move_into_place(data: bytes, dest: Path) -> None:
    """``data`` becomes ``dest`` whole, or not at all."""
    temp = write_temp(dest.parent, data, dest.suffix)
    try:
        publish(temp, dest)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


_SWEPT: set[Path] = set()


def sweep_once(folder: Path) -> None:
    """What a killed run left in ``folder``, removed the first time this process writes there."""
    if folder not in _SWEPT:
        _SWEPT.add(folder)
        sweep_temps(folder)


def work_folder(parent: Path, what: str) -> tempfile.TemporaryDirectory[str]:
    """A temporary folder inside ``parent`` (on its file system, for ``os.replace``), named so that
    :func:`sweep_temps` removes it once its process is gone.

    Its removal never fails the batch: on Windows a converter being stopped may still hold a file.
    """
    return tempfile.TemporaryDirectory(prefix=f"{TEMP_PREFIX}{os.getpid()}-{what}-", dir=parent,
                                       ignore_cleanup_errors=True)
