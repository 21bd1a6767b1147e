"""Only regular files are read: a FIFO blocks forever, a device (``/dev/zero``) never ends.

Every door that opens a user's file (materials, templates, rosters, workbooks) asks here first,
with ``os.stat`` (which follows a link, so a link to a device is refused too), before it opens.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import GwError, Location, os_message


def require_regular(path: Path, what: str, where: Location | None = None) -> os.stat_result:
    """``path``'s status when it is a regular file; otherwise one sentence naming ``what`` it should be."""
    where = where or Location(path)
    try:
        status = os.stat(path)
    except FileNotFoundError as exc:
        raise GwError("文件不存在，请检查路径。", where) from exc
    except OSError as exc:
        raise GwError(f"文件无法读取（{os_message(exc)}）。", where) from exc
    if stat.S_ISDIR(status.st_mode):
        raise GwError(f"这是一个文件夹，不是{what}。", where)
    if not stat.S_ISREG(status.st_mode):
        raise GwError(f"这不是普通文件（可能是管道或设备），不能当作{what}读取；请选择保存在磁盘上的文件。", where)
    return status
