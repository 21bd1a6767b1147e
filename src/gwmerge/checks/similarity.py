"""雷同: paragraphs of different people (workbooks) in one batch that are identical or nearly so.

Candidates come from an index of sampled character 5-grams (a gram is kept when its first
character falls in one bucket of four, so the same text keeps the same grams in every workbook);
grams that occur in many workbooks (the kind's stock phrases) are dropped. Each candidate pair is then
measured with rapidfuzz's LCS (C++), so the cost grows with the number of candidates, not with
the square of the number of paragraphs. rapidfuzz was chosen over datasketch's MinHash LSH:
it is already a dependency, needs no numpy/scipy, and gives the exact share of shared text that
the message reports, where MinHash only estimates a Jaccard index of shingles.
"""

from __future__ import annotations

import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import LCSseq

from gwmerge.checks.base import batch_rule, pieces
from gwmerge.checks.repeats import normalise
from gwmerge.core.errors import Finding, Location, Severity
from gwmerge.document.model import Document

RULE_ID = "雷同"
batch_rule(RULE_ID, "雷同",
           "同一批工作簿中，不同人的段落相同或几乎相同（列出成对的文件、工作表、单元格和相同文字的比例）")

MIN_CHARS = 20  # shorter paragraphs are too generic to call copied
THRESHOLD = 0.8  # share of the longer paragraph found, in order, in the other one
GRAM = 5
SAMPLE = 4  # keep one gram in this many (by hash)
MIN_SHARED = 3  # sampled grams two paragraphs must share to be compared


@dataclass(frozen=True, slots=True)
class Para:
    owner: Path
    location: Location
    text: str  # the paragraph's opening is what a message quotes
    key: str  # normalised

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Workers send a workbook's paragraphs with its result: as plain values this pickles
        # four times faster than a dataclass's state, and the worker is the busy side.
        return _para, (self.owner, self.location.sheet, self.location.cell, self.text, self.key)


def _para(owner: Path, sheet: str | None, cell: str | None, text: str, key: str) -> Para:
    return Para(owner, Location(owner, sheet, cell), text, key)


@dataclass(frozen=True)
class Pair:
    first: Para
    second: Para
    share: float


OPENING = 16  # characters of a paragraph quoted in the message


def paragraphs(doc: Document) -> list[Para]:
    found = []
    for piece in pieces(doc, headings=False):
        key = normalise(piece.text)
        if len(key) >= MIN_CHARS:
            found.append(Para(doc.source, piece.location, piece.text[:OPENING + 1], key))
    return found


def _grams(key: str) -> set[int]:
    """The 5-grams starting at a character whose code point is a multiple of SAMPLE, hashed.

    Choosing by the first character costs a fraction of hashing every gram, and is as much a
    property of the text: the same text keeps the same grams in every workbook and every run.
    """
    crc = zlib.crc32
    return {crc(key[i:i + GRAM].encode("utf-8")) for i, ch in enumerate(key[:len(key) - GRAM + 1])
            if not ord(ch) % SAMPLE}


class Gathered:
    """A batch's paragraphs, gathered as each workbook's result arrives (while the workers go on).

    The index maps each sampled gram to the paragraph that has it, or to a list once several do:
    most grams of a batch of different texts occur once, and a list for each would double the
    memory a thousand workbooks need.
    """

    def __init__(self) -> None:
        self.paras: list[Para] = []
        self._owner: list[int] = []  # the workbook of each paragraph, numbered (ints compare fast)
        self._numbers: dict[Path, int] = {}
        self._sizes = array("I")  # sampled grams per paragraph
        self._index: dict[int, int | list[int]] = {}

    @property
    def owners(self) -> int:
        """Workbooks with at least one paragraph gathered."""
        return len(self._numbers)

    def add(self, paras: Iterable[Para]) -> None:
        """Index paragraphs (a workbook's come together). A gram a workbook already gave is not
        listed again for it: a paragraph pasted a thousand times into one workbook would
        otherwise make every later comparison quadratic (段落重复 reports such repeats)."""
        index, owner = self._index, self._owner
        for para in paras:
            number = len(self.paras)
            self.paras.append(para)
            mine = self._numbers.setdefault(para.owner, len(self._numbers))
            owner.append(mine)
            grams = _grams(para.key)
            self._sizes.append(len(grams))
            for gram in grams:
                seen = index.get(gram)
                if seen is None:
                    index[gram] = number
                elif type(seen) is int:
                    if owner[seen] != mine:
                        index[gram] = [seen, number]
                elif owner[seen[-1]] != mine:
                    seen.append(number)

    def pairs(self) -> list[Pair]:
        """Pairs of paragraphs from different workbooks sharing at least THRESHOLD of their text.

        Groups of many alike paragraphs are reported against their first member only, so the
        list grows with the number of copies, not with its square.
        """
        paras, owner, sizes = self.paras, self._owner, self._sizes
        common = max(10, len(self._numbers) // 5)
        shared: dict[tuple[int, int], int] = defaultdict(int)
        for members in self._index.values():
            if type(members) is int:
                continue
            if len(members) > common and len({owner[i] for i in members}) > common:
                continue  # a stock phrase of the kind, in many workbooks
            for a_pos, a in enumerate(members):
                mine = owner[a]
                for b in members[a_pos + 1:]:
                    if owner[b] != mine:
                        shared[(a, b)] += 1
        leader = list(range(len(paras)))  # union-find: each paragraph's group

        def find(i: int) -> int:
            while leader[i] != i:
                leader[i] = leader[leader[i]]
                i = leader[i]
            return i

        pairs: list[Pair] = []
        for (a, b), count in sorted(shared.items()):
            small = min(sizes[a], sizes[b])
            if count < min(MIN_SHARED, small) or (small and count / small < 0.3):
                continue
            if find(a) == find(b):
                continue
            first, second = paras[a], paras[b]
            longer = max(len(first.key), len(second.key))
            share = LCSseq.similarity(first.key, second.key) / longer
            if share >= THRESHOLD:
                pairs.append(Pair(first, second, share))
                leader[find(b)] = find(a)
        return pairs


def similar(paras: Iterable[Para]) -> list[Pair]:
    """:meth:`Gathered.pairs` of these paragraphs."""
    gathered = Gathered()
    gathered.add(paras)
    return gathered.pairs()


FOLD = 5  # more similar paragraphs than this between two workbooks: one finding for the two


def findings(paras: Iterable[Para] | Gathered) -> dict[Path, list[Finding]]:
    """One finding per similar pair, on the first workbook's cell, naming both places; two
    workbooks alike in many paragraphs (one copied from the other) get one finding for all."""
    by_books: dict[tuple[Path, Path], list[Pair]] = defaultdict(list)
    for pair in (paras.pairs() if isinstance(paras, Gathered) else similar(paras)):
        by_books[(pair.first.owner, pair.second.owner)].append(pair)
    result: dict[Path, list[Finding]] = defaultdict(list)
    for (mine, theirs), pairs in by_books.items():
        if len(pairs) > FOLD:
            cells = "、".join(f"{p.first.location.sheet} › {p.first.location.cell}" for p in pairs[:3])
            same = sum(1 for p in pairs if p.first.key == p.second.key)
            result[mine].append(Finding(
                Location(mine), f"与 {theirs.name} 有 {len(pairs)} 段相同或几乎相同（其中 {same} 段完全相同，"
                                f"如 {cells} 等），两份材料大段雷同；请各自结合本人实际改写。",
                Severity.WARNING))
            continue
        for pair in pairs:
            a, b = pair.first, pair.second
            percent = min(100, round(pair.share * 100))
            what = "完全相同" if a.key == b.key else f"相同文字约占 {percent}%"
            result[mine].append(Finding(
                a.location, f"与 {b.location} 的段落雷同（{what}）：“{a.text[:OPENING]}…”；"
                            "请各自结合本人实际改写。", Severity.WARNING))
    return dict(result)
