"""Measure a rendered PDF against the GB/T 9704 page (helpers for tests, not tests).

Text lines are rebuilt from pdfplumber's characters by clustering their ``top``; every figure is
reported in millimetres from the page's top-left corner, next to the 版心 (type area) it should fill.
Reusable for any generated document: pass a different :class:`Geometry` for other margins.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber

PT_PER_MM = 72 / 25.4
_SUBSET = re.compile(r"^[A-Z]{6}\+")


def mm(points: float) -> float:
    """PDF points → millimetres."""
    return points / PT_PER_MM


@dataclass(frozen=True)
class Geometry:
    """Page and 版心 in mm; the defaults are docs/format.md's A4 with margins 37/35/28/26."""

    width: float = 210.0
    height: float = 297.0
    top: float = 37.0
    bottom: float = 35.0
    left: float = 28.0
    right: float = 26.0
    line_pitch: float = 579 / 20 / PT_PER_MM  # exact 579-twip lines, ≈ 10.21 mm

    @property
    def body_top(self) -> float:
        return self.top

    @property
    def body_bottom(self) -> float:
        return self.height - self.bottom

    @property
    def body_left(self) -> float:
        return self.left

    @property
    def body_right(self) -> float:
        return self.width - self.right


A4 = Geometry()


def font_family(fontname: str) -> str:
    """``ABCDEF+NotoSerifCJKsc-Bold`` → ``NotoSerifCJKsc-Bold`` (drop the subset tag)."""
    return _SUBSET.sub("", fontname)


@dataclass
class Line:
    """One rendered text line; coordinates in mm from the page's top-left corner."""

    chars: list[dict[str, Any]]

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)

    @property
    def top(self) -> float:
        return mm(min(c["top"] for c in self.chars))

    @property
    def bottom(self) -> float:
        return mm(max(c["bottom"] for c in self.chars))

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def x0(self) -> float:
        return mm(min(c["x0"] for c in self.chars))

    @property
    def x1(self) -> float:
        return mm(max(c["x1"] for c in self.chars))

    @property
    def n_chars(self) -> int:
        """Visible characters (spaces excluded) — what "28 characters per line" counts."""
        return sum(1 for c in self.chars if c["text"].strip())

    @property
    def fonts(self) -> set[str]:
        return {font_family(c["fontname"]) for c in self.chars if c["text"].strip()}

    @property
    def size(self) -> float:
        """Most common font size in pt."""
        return Counter(round(c["size"], 1) for c in self.chars).most_common(1)[0][0]


def cluster_lines(chars: Iterable[dict[str, Any]], tolerance_pt: float = 3.0) -> list[Line]:
    """Group characters whose ``top`` lies within ``tolerance_pt`` of a line's first character."""
    lines: list[list[dict[str, Any]]] = []
    for ch in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])):
        if lines and abs(ch["top"] - lines[-1][0]["top"]) <= tolerance_pt:
            lines[-1].append(ch)
        else:
            lines.append([ch])
    return [Line(sorted(group, key=lambda c: c["x0"])) for group in lines]


@dataclass
class PageNumber:
    """The footer page number and where it sits relative to the 版心, in mm."""

    text: str
    side: str  # "right", "left" or "center"
    edge_gap: float  # between the number's outer end and the 版心 edge on its side
    top_below: float  # from the 版心 bottom down to the top of the text's em box
    dash_below: float | None  # from the 版心 bottom down to the top of the dash's ink (std: 7)


@dataclass
class PageMeasure:
    """Everything measured on one page."""

    index: int  # 1-based physical page
    body: list[Line]
    header: list[Line] = field(default_factory=list)
    footer: list[Line] = field(default_factory=list)
    page_number: PageNumber | None = None
    geometry: Geometry = A4

    @property
    def body_lines(self) -> int:
        """Text lines inside the 版心 (page number and header excluded)."""
        return len(self.body)

    @property
    def line_pitch(self) -> float | None:
        """Median distance between consecutive body lines, mm."""
        gaps = [b.top - a.top for a, b in zip(self.body, self.body[1:], strict=False)]
        return statistics.median(gaps) if gaps else None

    @property
    def line_slots(self) -> int:
        """Grid lines the body spans, counting blank lines between the first and last text line."""
        if not self.body:
            return 0
        pitch = self.geometry.line_pitch
        return round((self.body[-1].middle - self.body[0].middle) / pitch) + 1

    @property
    def chars_per_line(self) -> list[int]:
        return [line.n_chars for line in self.body]

    @property
    def first_top(self) -> float | None:
        """Top of the first body line's em box, mm from the page top (what a ruler shows)."""
        return self.body[0].top if self.body else None

    @property
    def first_line_box_top(self) -> float | None:
        """Top of the first body line's box, mm: its em box centre minus half the line pitch.

        With an exact line height LibreOffice centres the em box in the line box (within ~0.3 mm),
        so this is where the line grid starts — the figure to compare with the 版心 top.
        """
        return self.body[0].middle - self.geometry.line_pitch / 2 if self.body else None

    @property
    def fonts(self) -> set[str]:
        return {f for line in self.body + self.header + self.footer for f in line.fonts}


def _ink_rows(page: Any, bbox: tuple[float, float, float, float]) -> tuple[float, float] | None:
    """Top and bottom (mm from the page top) of the dark pixels inside ``bbox`` (points)."""
    resolution = 600
    image = page.crop(bbox).to_image(resolution=resolution).original.convert("L")
    width, height = image.size
    pixels = image.load()
    rows = [y for y in range(height) if any(pixels[x, y] < 128 for x in range(width))]
    if not rows:
        return None
    scale = 72 / resolution
    return mm(bbox[1] + rows[0] * scale), mm(bbox[1] + (rows[-1] + 1) * scale)


def _page_number(page: Any, line: Line, geometry: Geometry, ink: bool) -> PageNumber:
    g = geometry
    left_gap, right_gap = line.x0 - g.body_left, g.body_right - line.x1
    if abs(left_gap - right_gap) < 5:
        side, gap = "center", min(left_gap, right_gap)
    elif right_gap < left_gap:
        side, gap = "right", right_gap
    else:
        side, gap = "left", left_gap
    dash_below = None
    dash = next((c for c in line.chars if c["text"] == "\u2014"), None)
    if ink and dash is not None:
        rows = _ink_rows(page, (dash["x0"], dash["top"], dash["x1"], dash["bottom"]))
        dash_below = rows[0] - g.body_bottom if rows else None
    return PageNumber(
        text=line.text.strip(),
        side=side,
        edge_gap=gap,
        top_below=line.top - g.body_bottom,
        dash_below=dash_below,
    )


def measure_page(page: Any, index: int, geometry: Geometry = A4, ink: bool = True) -> PageMeasure:
    """Split a pdfplumber page's lines into header, body (the 版心) and footer by position.

    ``ink`` renders the page number's dash to find where its stroke really is (slower).
    """
    lines = [ln for ln in cluster_lines(page.chars) if ln.text.strip()]
    header = [ln for ln in lines if ln.middle < geometry.body_top]
    footer = [ln for ln in lines if ln.middle > geometry.body_bottom]
    body = [ln for ln in lines if geometry.body_top <= ln.middle <= geometry.body_bottom]
    number = _page_number(page, footer[0], geometry, ink) if footer else None
    return PageMeasure(index, body, header, footer, number, geometry)


def measure_pdf(path: Path, geometry: Geometry = A4, ink: bool = True) -> list[PageMeasure]:
    """Measure every page of a PDF."""
    with pdfplumber.open(path) as pdf:
        return [measure_page(p, i, geometry, ink) for i, p in enumerate(pdf.pages, 1)]


def pdf_fonts(path: Path) -> set[str]:
    """Font names actually used by the text of a PDF (subset tags removed)."""
    with pdfplumber.open(path) as pdf:
        return {font_family(c["fontname"]) for p in pdf.pages for c in p.chars}


def page_size_mm(path: Path) -> list[tuple[float, float]]:
    """Width × height of every page, mm."""
    with pdfplumber.open(path) as pdf:
        return [(mm(p.width), mm(p.height)) for p in pdf.pages]


def full_line_chars(pages: Iterable[PageMeasure]) -> Counter[int]:
    """How many characters the middle lines of paragraphs hold, as a histogram.

    A middle line is a body line whose neighbours above and below start at the same left edge
    (so it is neither a first line with its indent nor a short last line) and that reaches the
    right edge of the longest line on the page.
    """
    counts: Counter[int] = Counter()
    for page in pages:
        body = page.body
        if len(body) < 3:
            continue
        right = max(ln.x1 for ln in body)
        for above, line, below in zip(body, body[1:], body[2:], strict=False):
            same_left = abs(line.x0 - above.x0) < 1 and abs(line.x0 - below.x0) < 1
            if same_left and right - line.x1 < 2:
                counts[line.n_chars] += 1
    return counts


def describe(pages: Iterable[PageMeasure]) -> str:
    """A human-readable summary, handy in assertion messages and when tuning a template."""
    rows = []
    for p in pages:
        pn = p.page_number
        where = "no page number"
        if pn:
            dash = f"{pn.dash_below:.1f}" if pn.dash_below is not None else "?"
            where = (
                f"{pn.text!r} {pn.side}, {pn.edge_gap:.1f} mm in from the 版心 edge, "
                f"em box {pn.top_below:.1f} / dash ink {dash} mm below the 版心"
            )
        first = "-"
        if p.body:
            first = f"box {p.first_line_box_top:.1f} (em {p.first_top:.1f})"
        rows.append(
            f"p{p.index}: {p.body_lines} text lines / {p.line_slots} slots, first line top "
            f"{first} mm, chars {p.chars_per_line}, {where}"
        )
    return "\n".join(rows)
