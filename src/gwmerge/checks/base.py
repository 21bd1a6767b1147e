"""What every rule shares: the registry, the context a rule sees, and walking the user's text.

A rule is a small function registered under a stable Chinese id (what ``gwmerge check --rules``
lists, ``--off`` and a kind's ``checks_off`` name). A rule that can be applied mechanically also
registers a *fixer*: ``text -> (fixed text, what changed)``, used by ``check --fix``.

Every rule is linear in the length of the text: regexes here are either plain character classes
or anchored on a single character, never nested repetitions that can backtrack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from gwmerge.core.errors import Finding, Location, Severity
from gwmerge.document import sheetformat as sf
from gwmerge.document.grid import Grid
from gwmerge.document.kinds import Kind
from gwmerge.document.model import Document, Node, Text

Fixer = Callable[[str], tuple[str, list[str]]]


@dataclass
class Context:
    """What a rule sees: the outline, its kind, and (for workbooks) the cells as read."""

    doc: Document
    kind: Kind
    grid: Grid | None = None
    _pieces: dict[bool, list[Piece]] = field(default_factory=dict, repr=False)
    _text: str | None = field(default=None, repr=False)

    def pieces(self, *, headings: bool = True) -> list[Piece]:
        """:func:`pieces` of the document, split once for all the rules of one run."""
        if headings not in self._pieces:
            self._pieces[headings] = list(pieces(self.doc, headings=headings))
        return self._pieces[headings]

    def text(self) -> str:
        """All the paragraphs of :meth:`pieces` in one string, joined once for all rules."""
        if self._text is None:
            self._text = "\n".join(piece.text for piece in self.pieces())
        return self._text

    def any_in(self, found: Callable[[str], object]) -> bool:
        """Does ``found`` find anything in the document's text as a whole? A rule asks first
        and looks paragraph by paragraph only then: most documents have nothing to report."""
        return bool(found(self.text()))


RuleFunc = Callable[[Context], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    description: str
    func: RuleFunc | None = None  # None: a batch rule (雷同) run over several documents
    fixer: Fixer | None = None
    required: bool = False  # the document cannot be generated without it: never switched off


REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str, family: str, description: str, *, fixer: Fixer | None = None,
         required: bool = False) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule; the order of registration is the order of ``--rules``."""
    def register(func: RuleFunc) -> RuleFunc:
        if rule_id in REGISTRY:
            raise ValueError(f"duplicate rule id {rule_id}")
        REGISTRY[rule_id] = Rule(rule_id, family, description, func, fixer, required)
        return func
    return register


def batch_rule(rule_id: str, family: str, description: str) -> None:
    REGISTRY[rule_id] = Rule(rule_id, family, description)


# ----------------------------------------------------------------------------- characters


def is_han(ch: str) -> bool:
    """A CJK ideograph (basic block and extension A)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


HAN = "\u3400-\u4dbf\u4e00-\u9fff"
# Chinese text for the purpose of "Chinese context": ideographs and full-width punctuation.
CJK_PUNCT = "\u3001-\u3003\u3008-\u3011\u3014-\u301f\uff01-\uff0f\uff1a-\uff20\u201c\u201d\u2018\u2019\u2026\u2014"
CHINESE = HAN + CJK_PUNCT


def excerpt(text: str, start: int, end: int, width: int = 6) -> str:
    """The matched text with a few characters either side, quoted, for a message."""
    left = max(0, start - width)
    right = min(len(text), end + width)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


# ----------------------------------------------------------------------------- the user's text


@dataclass(frozen=True)
class Piece:
    """One paragraph of user text, where it is, and what it is (for rules that care)."""

    text: str
    location: Location
    role: str  # title, info, heading (section or item), lead, body
    index: int = 0  # paragraph number within the cell (0-based)
    count: int = 1  # paragraphs in the cell

    def where(self) -> str:
        """"第 N 段" when the cell holds several paragraphs, for the message."""
        return f"（单元格内第 {self.index + 1} 段）" if self.count > 1 else ""


# Information fields that are prose (the others are names, dates and choices).
PROSE_FIELDS = {sf.FIELD_TITLE: "title", "副标题": "title", sf.FIELD_OPENING: "body", sf.FIELD_CLOSING: "body"}


def pieces(doc: Document, *, headings: bool = True) -> Iterator[Piece]:
    """Every paragraph of prose the document will print, in reading order."""
    for name, role in PROSE_FIELDS.items():
        text = doc.info.get(name)
        if text:
            yield from _split(text, role)
    for section in doc.sections:
        if headings:
            yield from _split(section.heading, "heading")
        for node in section.nodes:
            yield from node_pieces(node, headings=headings)


def node_pieces(node: Node, *, headings: bool = True) -> Iterator[Piece]:
    if node.level is sf.Level.PARA:
        yield from _split(node.heading, "body")
    elif headings:
        yield from _split(node.heading, "lead" if node.level is sf.Level.POINT else "heading")
    yield from _split(node.body, "body")


def _split(text: Text, role: str) -> Iterator[Piece]:
    count = len(text.paragraphs)
    for index, paragraph in enumerate(text.paragraphs):
        yield Piece(paragraph, text.location, role, index, count)


def texts(doc: Document) -> Iterator[Text]:
    yield from doc.info.values()
    for section in doc.sections:
        yield section.heading
        for node in section.nodes:
            yield node.heading
            yield node.body


def info_sheet(doc: Document) -> Location:
    return Location(doc.source, sf.INFO_SHEET)


@dataclass
class Tally:
    """Occurrences of one problem in one workbook, reported as one finding with the first examples
    and the first cells (one fact, one finding: 17 traditional characters are one 提醒, not 17)."""

    count: int = 0
    examples: list[str] = field(default_factory=list)
    cells: list[Location] = field(default_factory=list)

    def add(self, example: str, location: Location | None = None) -> None:
        self.count += 1
        if len(self.examples) < 2 and example not in self.examples:
            self.examples.append(example)
        if location is not None and location not in self.cells:
            self.cells.append(location)

    def describe(self) -> str:
        shown = "、".join(f"“{e}”" for e in self.examples)
        more = f"等 {self.count} 处" if self.count > len(self.examples) else ""
        return f"{shown}{more}"

    def elsewhere(self) -> str:
        """"（另见 C7、C9、C12 等 4 处）" when the problem occurs in more than one cell."""
        others = self.cells[1:]
        if not others:
            return ""
        first = self.cells[0]
        shown = "、".join(cell_name(loc, first) for loc in others[:3])
        more = f" 等 {len(others)} 处" if len(others) > 3 else ""
        return f"（另见 {shown}{more}）"


SHOWN_CELLS = 3


def cell_name(location: Location, first: Location) -> str:
    """A cell as the message names it: just C7 on the first cell's sheet, else 工作表 › C7."""
    if location.sheet == first.sheet:
        return location.cell or location.sheet or ""
    return " › ".join(part for part in (location.sheet, location.cell) if part)


def per_cell(found: Iterable[tuple[Piece, str, str]], severity: Severity = Severity.WARNING) -> Iterator[Finding]:
    """Fold (piece, problem, example) triples into one finding per problem for the workbook,
    located at its first cell and naming the others.

    ``problem`` is a message template with ``{}`` where the examples go.
    """
    tallies: dict[str, Tally] = {}
    for piece, problem, example in found:
        tallies.setdefault(problem, Tally()).add(example, piece.location)
    for problem, tally in tallies.items():
        yield Finding(tally.cells[0], with_cells(problem.format(tally.describe()), tally.elsewhere()), severity)


def with_cells(message: str, note: str) -> str:
    """Put a parenthesised note before the message's final 。, into the parentheses already
    there if the message ends with some: “（--fix 可自动改正；如确需保留，……）”."""
    if not note:
        return message
    end = "。" if message.endswith("。") else ""
    head = message[:-1] if end else message
    if head.endswith("）") and note.startswith("（"):
        return head[:-1] + "；" + note[1:] + end
    return head + note + end


def way_out(rule_id: str) -> str:
    """How to keep what a 提醒 questions, in workbook terms (the same on the terminal and the page)."""
    return f"（如确需保留，可在“{sf.INFO_SHEET}”的“{sf.FIELD_CHECKS_OFF}”中填写 {rule_id}）"
