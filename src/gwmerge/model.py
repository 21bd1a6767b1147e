"""The document outline read from a workbook; every value remembers its source cell."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import Location
from .sheetformat import Level


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


@dataclass(frozen=True)
class Node:
    """One row of a section sheet: an item of level 2–4, a 一是 point, or a plain paragraph."""

    level: Level
    heading: Text
    body: Text
    location: Location
    ordinal: str = ""


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

