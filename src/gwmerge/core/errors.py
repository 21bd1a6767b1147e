"""User-facing problems: each carries where it happened and one Chinese sentence.

Errors are raised or collected where the problem is known and printed once, at the edge (cli).
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """Where a value came from, so every message can point at it (file › sheet › cell)."""

    file: Path | None = None
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        parts = [self.file.name if self.file else None, self.sheet, self.cell]
        return " › ".join(p for p in parts if p)

    def at(self, cell: str) -> Location:
        return Location(self.file, self.sheet, cell)


class Severity(Enum):
    ERROR = "错误"
    WARNING = "提醒"


#: Longest quotation of user text in a message: a title of 公文 fits whole; a cell of 32,767
#: characters pasted into 层级 (or a title, a date) is cut in the middle, so a message stays a line.
MAX_QUOTE = 60
_QUOTE = re.compile(f"“([^“”]{{{MAX_QUOTE + 1},}})”")


def clip_quotes(message: str) -> str:
    """``message`` with every “quotation” longer than :data:`MAX_QUOTE` cut to its two ends."""
    half = (MAX_QUOTE - 1) // 2
    return _QUOTE.sub(lambda m: f"“{m.group(1)[:half]}…{m.group(1)[-half:]}”", message)


@dataclass(frozen=True)
class Finding:
    """One problem found in an input; errors stop that document, warnings do not."""

    location: Location
    message: str
    severity: Severity = Severity.ERROR
    rule: str = ""  # the check rule that found it (what ``check --off`` takes), if any

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", clip_quotes(self.message))

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}：{self.message}" if where else self.message


class GwError(Exception):
    """A problem the user can fix; its text is shown as is, without a traceback."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.message = clip_quotes(message)
        self.location = location or Location()
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}：{self.message}" if where else self.message

    def __reduce__(self) -> tuple[type[GwError], tuple[str, Location]]:
        # Subclasses travel as plain GwError: what crosses a process boundary is the message.
        return GwError, (self.message, self.location)


class InputInvalid(GwError):
    """A workbook whose findings include errors; carries all of them."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        errors = [f for f in findings if f.is_error]
        first = errors[0] if errors else findings[0]
        more = f"（另有 {len(errors) - 1} 处错误，“检查”会列出全部）" if len(errors) > 1 else ""
        super().__init__(first.message + more, first.location)


class InternalError(Exception):
    """An unexpected failure, reduced to text so it can cross a process boundary intact."""

    def __init__(self, description: str, traceback_text: str = "") -> None:
        super().__init__(description, traceback_text)
        self.description = description
        self.traceback_text = traceback_text

    def __str__(self) -> str:
        return self.description

    @classmethod
    def wrap(cls, exc: BaseException) -> InternalError:
        import traceback

        if isinstance(exc, InternalError):
            return exc
        return cls(f"{type(exc).__name__}: {exc}", "".join(traceback.format_exception(exc)))


_OS_MESSAGES = {
    errno.ENOSPC: "磁盘空间已满，请清理磁盘或换一个位置",
    errno.EDQUOT: "磁盘配额已用完，请清理磁盘或换一个位置",
    errno.ENAMETOOLONG: "文件名或路径太长，请缩短文件名或换一个层级较浅的文件夹",
    errno.EACCES: "没有权限，请换一个有写入权限的位置，或关闭正在使用该文件的程序",
    errno.EPERM: "没有权限，请换一个有写入权限的位置",
    errno.EROFS: "该位置是只读的，请换一个可写的位置",
    errno.ENOENT: "找不到这个文件或文件夹，请检查路径",
    errno.ENOTDIR: "路径中有一段不是文件夹，请检查路径",
    errno.EISDIR: "这是一个文件夹，不是文件，请检查路径",
    errno.EEXIST: "同名文件已存在",
    errno.EBUSY: "文件正被其他程序占用，请关闭后重试",
    errno.EMFILE: "同时打开的文件太多，请稍后重试",
    errno.EIO: "读写磁盘出错，请检查磁盘或 U 盘是否已拔出",
    errno.EINVAL: "文件名中有系统不允许的字符，请改名后重试",
}
# Windows error codes that carry a meaning errno does not (winerror on OSError).
_WINERROR_MESSAGES = {
    32: "文件正被其他程序（如 Word、WPS、Excel）打开，请关闭后重试",
    33: "文件正被其他程序（如 Word、WPS、Excel）打开，请关闭后重试",
    112: _OS_MESSAGES[errno.ENOSPC],
    123: _OS_MESSAGES[errno.EINVAL],
    206: _OS_MESSAGES[errno.ENAMETOOLONG],
}


def os_message(exc: OSError) -> str:
    """A Chinese phrase (no final 。) for what an operating-system error means to the user.

    Common causes get a sentence saying what to do; anything else says 系统错误 with the system's
    own text, so nothing is lost.
    """
    winerror = getattr(exc, "winerror", None)
    if winerror in _WINERROR_MESSAGES:
        return _WINERROR_MESSAGES[winerror]
    if exc.errno in _OS_MESSAGES:
        return _OS_MESSAGES[exc.errno]
    detail = exc.strerror or type(exc).__name__
    return f"系统错误（{detail}），请检查文件夹和磁盘"
