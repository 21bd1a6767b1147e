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

import functools
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import LCSseq

from ..errors import Finding, Location, Severity
from ..model import Document
from .base import batch_rule, pieces
from .repeats import normalise

RULE_ID = "雷同"
batch_rule(RULE_ID, "雷同",
           "同一批工作簿中，不同人的段落相同或几乎相同（列出成对的文件、工作表、单元格和相同文字的比例）")

MIN_CHARS = 20  # shorter paragraphs are too generic to call copied
THRESHOLD = 0.8  # share of the longer paragraph found, in order, in the other one
GRAM = 5
SAMPLE = 4  # keep one gram in this many (by hash)
MIN_SHARED = 3  # sampled grams two paragraphs must share to be compared


@dataclass(frozen=True)
class Para:
    owner: Path
    location: Location
    text: str
    key: str  # normalised

    @functools.cached_property
    def grams(self) -> frozenset[int]:
        """Sampled grams, computed once: a batch computes them as each workbook's result
        arrives (see :func:`prepare`), while the workers go on with the next ones."""
        return _grams(self.key)


@dataclass(frozen=True)
class Pair:
    first: Para
    second: Para
    share: float


def paragraphs(doc: Document) -> list[Para]:
    found = []
    for piece in pieces(doc, headings=False):
        key = normalise(piece.text)
        if len(key) >= MIN_CHARS:
            found.append(Para(doc.source, piece.location, piece.text, key))
    return found


def prepare(paras: Iterable[Para]) -> None:
    """Compute the grams of one workbook's paragraphs now rather than all at the end."""
    for para in paras:
        para.grams  # noqa: B018 - fills the cached property


def _grams(key: str) -> frozenset[int]:
    """The 5-grams starting at a character whose code point is a multiple of SAMPLE, hashed.

    Choosing by the first character costs a fraction of hashing every gram, and is as much a
    property of the text: the same text keeps the same grams in every workbook and every run.
    """
    crc = zlib.crc32
    return frozenset([crc(key[i:i + GRAM].encode("utf-8"))
                      for i, ch in enumerate(key[:len(key) - GRAM + 1]) if not ord(ch) % SAMPLE])


def similar(paras: list[Para]) -> list[Pair]:
    """Pairs of paragraphs from different workbooks sharing at least THRESHOLD of their text.

    Groups of many alike paragraphs are reported against their first member only, so the list
    grows with the number of copies, not with its square.
    """
    numbers: dict[Path, int] = {}
    owner = [numbers.setdefault(p.owner, len(numbers)) for p in paras]  # ints compare fast
    grams = [p.grams for p in paras]
    index: dict[int, list[int]] = defaultdict(list)
    for i, gs in enumerate(grams):
        for g in gs:
            index[g].append(i)
    common = max(10, len(numbers) // 5)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for members in index.values():
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
        small = min(len(grams[a]), len(grams[b]))
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


def findings(paras: list[Para]) -> dict[Path, list[Finding]]:
    """One finding per similar pair, on the first workbook's cell, naming both places."""
    result: dict[Path, list[Finding]] = defaultdict(list)
    for pair in similar(paras):
        a, b = pair.first, pair.second
        percent = min(100, round(pair.share * 100))
        what = "完全相同" if a.key == b.key else f"相同文字约占 {percent}%"
        result[a.owner].append(Finding(
            a.location, f"与 {b.location} 的段落雷同（{what}）：“{a.text[:16]}…”；"
                        "请各自结合本人实际改写。", Severity.WARNING))
    return dict(result)
