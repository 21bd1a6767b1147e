"""雷同: paragraphs of different people (workbooks) in one batch that are identical or nearly so.

However many workbooks share a text, it is reported: identical paragraphs are grouped by their
text at once, and every other paragraph is compared only with the first paragraph ("leader") of
each group it may belong to. Candidates come from an index of sampled character 5-grams (a gram
is kept when its first character's code point falls in one bucket of four, so the same text keeps
the same grams in every workbook), mapping each gram to the groups whose leader has it; a copy
joins its group and adds nothing to the index, so a text pasted by three hundred people costs no
more to find than one pasted by two. Each candidate is measured with rapidfuzz's LCS (C++).
rapidfuzz was chosen over datasketch's MinHash LSH: it is already a dependency, needs no
numpy/scipy, and gives the exact share of shared text that the message reports.

Stock phrases are left out by what they are, not by how many people used them: the sentences the
kind supplies (its themes' aspects, section headings and hints, title patterns) and the blank
workbook's instructions are removed from a paragraph before it is compared.
"""

from __future__ import annotations

import functools
import math
import re
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

from rapidfuzz.distance import LCSseq

from gwmerge.checks.base import batch_rule, pieces
from gwmerge.checks.repeats import normalise
from gwmerge.core.errors import Finding, Location, Severity
from gwmerge.document import sheetformat as sf
from gwmerge.document.kinds import Kind
from gwmerge.document.model import Document

RULE_ID = "雷同"
batch_rule(RULE_ID, "雷同",
           "同一批工作簿中，不同人的段落相同或几乎相同（列出文件、工作表、单元格和相同文字的比例；多人相同时合为一组；"
           "文种自带的主题、说明等文字不算）")

MIN_CHARS = 20  # shorter paragraphs are too generic to call copied
THRESHOLD = 0.8  # share of the longer paragraph found, in order, in the other one
GRAM = 5
SAMPLE = 4  # keep one gram in this many (by code point)
MIN_SHARED = 3  # sampled grams two paragraphs must share to be compared
# A gram found in more groups than this (a common phrase, written differently around it) finds
# no candidates: paragraphs alike enough to report share their rarer grams too. Copies do not
# count here, only different texts, so no number of copies switches the rule off.
POPULAR = 48
TRIES = 6  # candidate groups measured per paragraph, most shared grams first
STOCK_MIN = 8  # a stock sentence shorter than this is ordinary wording, left in the text
OPENING = 16  # characters of a paragraph quoted in the message


@dataclass(frozen=True, slots=True)
class Para:
    owner: Path
    location: Location
    text: str  # the paragraph's opening is what a message quotes
    key: str  # normalised, stock sentences removed: what is compared
    whole: int = 0  # checksum of the whole normalised paragraph: tells 完全相同 apart

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Workers send a workbook's paragraphs with its result: as plain values this pickles
        # four times faster than a dataclass's state, and the worker is the busy side.
        return _para, (self.owner, self.location.sheet, self.location.cell, self.text, self.key, self.whole)


def _para(owner: Path, sheet: str | None, cell: str | None, text: str, key: str, whole: int = 0) -> Para:
    return Para(owner, Location(owner, sheet, cell), text, key, whole)


@dataclass(frozen=True)
class Pair:
    first: Para
    second: Para
    share: float


@dataclass(frozen=True)
class Group:
    """Paragraphs of several workbooks that are the same text: the first of each workbook, in
    batch order, with each one's share of text in common with the first."""

    paras: tuple[Para, ...]
    shares: tuple[float, ...]

    @property
    def exact(self) -> bool:
        return len({p.whole for p in self.paras}) == 1 and len({p.key for p in self.paras}) == 1

    @property
    def owners(self) -> tuple[Path, ...]:
        return tuple(p.owner for p in self.paras)


_SENTENCE = re.compile(r"[。；;！？?!\n]|\{[^{}]*\}")


@functools.cache
def stock(kind: Kind | None) -> tuple[str, ...]:
    """The sentences a workbook of this kind may hold without anyone having copied them: what the
    kind supplies and what the blank workbook says, normalised, longest first."""
    texts: list[str] = [sf.INFO_INSTRUCTION, sf.SECTION_INSTRUCTION, sf.FORMAT_HINT, *sf.INFO_FIELDS.values()]
    if kind is not None:
        texts += [kind.name, kind.description, *kind.title_patterns, kind.name_line_pattern]
        for section in kind.sections:
            texts += [section.heading, section.hint, *section.aspects]
        for theme in kind.themes:
            texts.append(theme.name)
            for aspects in theme.aspects.values():
                texts += aspects
    found = {normalise(s) for text in texts for s in _SENTENCE.split(text)}
    return tuple(sorted((s for s in found if len(s) >= STOCK_MIN), key=lambda s: (-len(s), s)))


def paragraphs(doc: Document, kind: Kind | None = None) -> list[Para]:
    """The paragraphs of one document that 雷同 compares, with the kind's stock sentences taken out."""
    phrases = stock(kind)
    found = []
    for piece in pieces(doc, headings=False):
        whole = normalise(piece.text)
        if len(whole) < MIN_CHARS:
            continue
        key = whole
        for phrase in phrases:
            if phrase in key:
                key = key.replace(phrase, "")
        if len(key) >= MIN_CHARS:
            found.append(Para(doc.source, piece.location, piece.text[:OPENING + 1], key,
                              zlib.crc32(whole.encode("utf-8"))))
    return found


def _grams(key: str) -> array:
    """The 5-grams starting at a character whose code point is a multiple of SAMPLE, hashed.

    Choosing by the first character costs a fraction of hashing every gram, and is as much a
    property of the text: the same text keeps the same grams in every workbook. Python's own
    string hash is enough: every gram of a batch is hashed in one process, and the grams only
    propose candidates (what is reported is measured on the text itself).
    """
    return array("q", {hash(key[i:i + GRAM]) for i, ch in enumerate(key[:len(key) - GRAM + 1])
                       if not ord(ch) % SAMPLE})


class Gathered:
    """A batch's paragraphs, gathered as each workbook's result arrives (while the workers go on).

    Each distinct text's grams are computed once, as it arrives; grouping waits for the whole
    batch, so that the groups and their order do not depend on which worker finished first.
    """

    def __init__(self) -> None:
        self.paras: list[Para] = []
        self._owners: dict[Path, int] = {}
        self._grams: dict[str, array] = {}
        self._seen: set[int] = set()  # grams of the texts so far …
        self._shared: set[int] = set()  # … and those of more than one text: the others propose nothing

    @property
    def owners(self) -> int:
        """Workbooks with at least one paragraph gathered."""
        return len(self._owners)

    def add(self, paras: Iterable[Para]) -> None:
        grams = self._grams
        for para in paras:
            self.paras.append(para)
            self._owners.setdefault(para.owner, len(self._owners))
            if para.key not in grams:
                grams[para.key] = found = _grams(para.key)
                self._shared.update(self._seen.intersection(found))
                self._seen.update(found)

    def groups(self, order: Iterable[Path] = ()) -> list[Group]:
        """Texts found in at least two workbooks, in batch order (``order``: the workbooks as the
        user gave them; others in the order they arrived)."""
        paras = self.paras
        rank = {path: i for i, path in enumerate(order)}
        late, arrived = len(rank), self._owners
        seq = sorted(range(len(paras)), key=lambda i: (rank.get(paras[i].owner, late + arrived[paras[i].owner]), i))
        group_of: dict[str, int] = {}
        leaders: list[Para] = []
        members: list[list[tuple[int, float]]] = []
        # A gram's groups: one group as an int (most grams), several as a list.
        index: dict[int, int | list[int]] = {}
        shared = self._shared
        for i in seq:
            key = paras[i].key
            found = group_of.get(key)
            share = 1.0
            if found is None:
                found, share, fresh, known = self._match(key, leaders, index, shared)
                if found is None:
                    found = len(leaders)
                    leaders.append(paras[i])
                    members.append([])
                    index.update(zip(fresh, repeat(found)))
                    for gram in known:
                        listed = index[gram]
                        if type(listed) is int:
                            index[gram] = [listed, found]
                        elif len(listed) <= POPULAR:
                            listed.append(found)
                group_of[key] = found
            members[found].append((i, share))
        result = []
        for listed in members:
            firsts: dict[Path, tuple[int, float]] = {}
            for i, share in listed:
                firsts.setdefault(paras[i].owner, (i, share))
            if len(firsts) > 1:
                chosen = list(firsts.values())
                result.append(Group(tuple(paras[i] for i, _ in chosen), tuple(s for _, s in chosen)))
        return result

    def _match(self, key: str, leaders: list[Para], index: dict[int, int | list[int]],
               shared: set[int]) -> tuple[int | None, float, list[int], list[int]]:
        """The group whose leader this text is a near copy of, the share they have in common, and
        the text's grams no group has yet and those some group has."""
        counts: dict[int, int] = defaultdict(int)
        fresh: list[int] = []
        known: list[int] = []
        grams = self._grams[key]
        for gram in shared.intersection(grams):  # most grams are one text's own: they propose nothing
            listed = index.get(gram)
            if listed is None:
                fresh.append(gram)
                continue
            known.append(gram)
            if type(listed) is int:
                counts[listed] += 1
            elif len(listed) <= POPULAR:
                for group in listed:
                    counts[group] += 1
        if not counts:
            return None, 0.0, fresh, known
        size = len(grams)
        candidates = []
        for group, count in counts.items():
            small = min(size, len(self._grams[leaders[group].key]))
            if count >= min(MIN_SHARED, small) and count >= 0.3 * small:
                candidates.append((-count, group))
        candidates.sort()
        for _, group in candidates[:TRIES]:
            other = leaders[group].key
            longer = max(len(key), len(other))
            if min(len(key), len(other)) < THRESHOLD * longer:
                continue
            common = LCSseq.similarity(key, other, score_cutoff=math.ceil(THRESHOLD * longer))
            if common >= THRESHOLD * longer:
                return group, common / longer, fresh, known
        return None, 0.0, fresh, known

    def pairs(self, order: Iterable[Path] = ()) -> list[Pair]:
        """Each group as pairs: its first paragraph with the first of every other workbook."""
        return [Pair(group.paras[0], para, share) for group in self.groups(order)
                for para, share in zip(group.paras[1:], group.shares[1:], strict=True)]


def similar(paras: Iterable[Para]) -> list[Pair]:
    """:meth:`Gathered.pairs` of these paragraphs."""
    gathered = Gathered()
    gathered.add(paras)
    return gathered.pairs()


FOLD = 5  # more shared texts than this among the same workbooks: one finding for them all
NAMES = 20  # workbooks named in a group's finding


def findings(paras: Iterable[Para] | Gathered, order: Iterable[Path] = ()) -> dict[Path, list[Finding]]:
    """Findings by workbook. Two workbooks: one finding per shared paragraph on the first one's
    cell, naming both places (one for all when they share many). Three or more sharing the same
    texts: the first carries the group's finding, naming them all, and each of the others a
    finding pointing to it, so that no copy shows as clean."""
    gathered = paras if isinstance(paras, Gathered) else _gather(paras)
    by_books: dict[tuple[Path, ...], list[Group]] = defaultdict(list)
    for group in gathered.groups(order):
        by_books[group.owners].append(group)
    result: dict[Path, list[Finding]] = defaultdict(list)
    for books, groups in by_books.items():
        if len(books) == 2:
            _pair_findings(books, groups, result)
        else:
            _group_findings(books, groups, result)
    return dict(result)


def _gather(paras: Iterable[Para]) -> Gathered:
    gathered = Gathered()
    gathered.add(paras)
    return gathered


def _cells(groups: list[Group]) -> str:
    return "、".join(f"{g.paras[0].location.sheet} › {g.paras[0].location.cell}" for g in groups[:3])


def _pair_findings(books: tuple[Path, ...], groups: list[Group], result: dict[Path, list[Finding]]) -> None:
    mine, theirs = books
    if len(groups) > FOLD:
        same = sum(g.exact for g in groups)
        result[mine].append(Finding(
            Location(mine), f"与 {theirs.name} 有 {len(groups)} 段相同或几乎相同（其中 {same} 段完全相同，"
                            f"如 {_cells(groups)} 等），两份材料大段雷同；请各自结合本人实际改写。", Severity.WARNING))
        return
    for group in groups:
        a, b = group.paras
        what = "完全相同" if group.exact else f"相同文字约占 {min(100, round(group.shares[1] * 100))}%"
        result[mine].append(Finding(
            a.location, f"与 {b.location} 的段落雷同（{what}）：“{a.text[:OPENING]}…”；请各自结合本人实际改写。",
            Severity.WARNING))


def _group_findings(books: tuple[Path, ...], groups: list[Group], result: dict[Path, list[Finding]]) -> None:
    first, others = books[0], books[1:]
    count = len(books)
    if len(groups) > FOLD:
        same = sum(g.exact for g in groups)
        names = "、".join(b.name for b in books[:NAMES]) + (f" 等 {count} 份" if count > NAMES else "")
        result[first].append(Finding(
            Location(first), f"以下 {count} 份材料有 {len(groups)} 段相同或几乎相同（其中 {same} 段完全相同，"
                             f"如 {_cells(groups)} 等）：{names}；请各自结合本人实际改写。", Severity.WARNING))
        for other in others:
            result[other].append(Finding(
                Location(other), f"与 {first.name} 等 {count} 份材料有 {len(groups)} 段相同或几乎相同"
                                 f"（见 {first.name} 的提醒）；请结合本人实际改写。", Severity.WARNING))
        return
    for group in groups:
        a = group.paras[0]
        what = "完全相同" if group.exact else f"相同文字约占 {min(100, round(min(group.shares[1:]) * 100))}%"
        where = "、".join(str(p.location) for p in group.paras[1:4])
        more = f" 等 {count - 1} 份材料" if count > 4 else ""
        result[first].append(Finding(
            a.location, f"与 {where}{more}的段落雷同（{count} 份材料{what}）：“{a.text[:OPENING]}…”；"
                        "请各自结合本人实际改写。", Severity.WARNING))
        for para in group.paras[1:]:
            result[para.owner].append(Finding(
                para.location, f"与 {a.location} 等 {count} 份材料的段落雷同（见 {first.name} 的提醒）；"
                               "请结合本人实际改写。", Severity.WARNING))
