"""Output names: the workbook's own name made safe, or a pattern of information-sheet fields."""

from __future__ import annotations

import re
from pathlib import Path

from gwmerge.core.errors import GwError
from gwmerge.core.safetext import safe_filename
from gwmerge.core.text import one_line
from gwmerge.document import sheetformat as sf
from gwmerge.document.model import Document

#: Fields a name pattern may use (any field of the information sheet, and the workbook's name);
#: the ones worth suggesting come first.
PATTERN_HINT = ("单位", "姓名", "职务", "文种", "年度", "日期", "标题", "署名", "文件名")
PATTERN_FIELDS = tuple(dict.fromkeys((*PATTERN_HINT, *sf.INFO_FIELDS, "年度", "副标题", "署名")))


def check_pattern(pattern: str) -> None:
    """A name pattern may use the information sheet's fields and {文件名}; anything else is a typo."""
    unknown = [f for f in re.findall(r"\{([^{}]*)\}", pattern) if f not in PATTERN_FIELDS]
    fields = "、".join("{" + f + "}" for f in PATTERN_HINT)
    if unknown:
        raise GwError(f"文件名格式中的“{{{unknown[0]}}}”不是可用的字段；可用：{fields}。")
    if not re.search(r"\{[^{}]+\}", pattern):
        raise GwError("文件名格式至少要用一个字段，否则每份文件同名，如 \"{单位}-{姓名}-{职务}\"；"
                      f"可用：{fields}。")


def name_from_pattern(pattern: str, doc: Document, stem: str) -> str:
    """The output name a pattern gives for one document; empty fields drop out with their dashes."""
    def value(m: re.Match[str]) -> str:
        key = m.group(1)
        return stem if key == "文件名" else one_line(doc.field(key))

    name = re.sub(r"\{([^{}]*)\}", value, pattern)
    name = re.sub(r"([-_ ·—])\1+", r"\1", name).strip("-_ ·—")
    return safe_filename(name) if name else stem




def output_name(path: Path, doc: Document | None, pattern: str | None) -> str:
    """The name a document should get (before collisions are resolved).

    The workbook's own name is made safe like a pattern's: a name Linux allows and Windows does not
    (a:b?, CON, a trailing space) or one with a right-to-left override (U+202E, to spoof a suffix)
    must not become the document's name in a folder that is copied to Windows or shared.
    """
    stem = safe_filename(path.stem)
    return name_from_pattern(pattern, doc, stem) if pattern and doc is not None else stem
