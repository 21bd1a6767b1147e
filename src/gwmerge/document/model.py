"""The document outline read from a workbook; every value remembers its source cell."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from gwmerge.core.errors import Location
from gwmerge.document.sheetformat import Level


@dataclass(frozen=True)
class Text:
    """A piece of user text (possibly several paragraphs) and the cell it came from."""

    paragraphs: tuple[str, ...]
    location: Location

    @property
    def value(self) -> str:
        return "".join(self.paragraphs)

    def __bool__(self) -> bool:
        return bool(self.paragraphs)


class Join(Enum):
    """Whether a row runs on in the paragraph before (the 排法 column); DEFAULT: the layout decides."""

    DEFAULT = ""
    ON = "接上段"
    NEW = "另起段"


@dataclass(frozen=True)
class Node:
    """One row of a section sheet: an item of level 2–4, a 一是 point, or a plain paragraph."""

    level: Level
    heading: Text
    body: Text
    location: Location
    ordinal: str = ""
    join: Join = Join.DEFAULT
    table: tuple[tuple[str, ...], ...] = ()  # a 表格 row: the table's rows, the first the header row


@dataclass(frozen=True)
class Section:
    heading: Text
    nodes: tuple[Node, ...]
    ordinal: str = ""


@dataclass(frozen=True)
class Document:
    source: Path
    info: dict[str, Text]
    sections: tuple[Section, ...]

    def field(self, name: str) -> str:
        text = self.info.get(name)
        return text.value if text else ""

