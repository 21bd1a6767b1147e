"""Wrong characters: a curated list of typos common in these materials, and traditional characters.

The list is data (typos.csv beside this module, shipped with the package): each wrong form is
written with the context that makes it certainly wrong (年龄编大, never 编大 alone: 汇编大全 is
correct). Tests check every pair both ways and run the whole list over a corpus of correct text.

Traditional characters come from OpenCC's character table (opencc-python-reimplemented): a
character OpenCC converts to something else and that is not itself a simplified character.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from gwmerge.checks.base import Context, excerpt, per_cell, rule
from gwmerge.core.errors import Finding

TYPO_FILE = "typos.csv"


def load_typos(text: str) -> dict[str, str]:
    """wrong → right from the CSV text (``#`` lines are notes, the first row is the header)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = list(csv.reader(lines))[1:]
    return {wrong.strip(): right.strip() for wrong, right, *_ in rows}


# wrong → right
TYPOS: dict[str, str] = load_typos(resources.files(__package__).joinpath(TYPO_FILE).read_text(encoding="utf-8"))

_LONGEST_FIRST = tuple(sorted(TYPOS, key=len, reverse=True))
_LETTERS = {wrong: frozenset(wrong) for wrong in TYPOS}
_ALL_LETTERS = frozenset().union(*_LETTERS.values())


def _typo_re(text: str) -> re.Pattern[str] | None:
    """A pattern of only the typos whose every character occurs in ``text``.

    One alternation of all ~750 entries is tried entry by entry at each position (20 s on a
    12 MB cell); the characters present (a set intersection, in C) leave a handful of
    candidates for a paragraph, and the pattern of those is compiled once and cached.
    """
    present = _ALL_LETTERS.intersection(text)
    return _compiled(tuple(w for w in _LONGEST_FIRST if _LETTERS[w] <= present)) if present else None


@functools.lru_cache(maxsize=512)
def _compiled(words: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(re.escape(w) for w in words)) if words else None


def typo_spans(text: str) -> list[tuple[int, int, str]]:
    pattern = _typo_re(text)
    return [] if pattern is None else [(m.start(), m.end(), TYPOS[m.group()]) for m in pattern.finditer(text)]


def fix_typos(text: str) -> tuple[str, list[str]]:
    changes: list[str] = []

    def replace(m: re.Match[str]) -> str:
        changes.append(f"“{m.group()}”→“{TYPOS[m.group()]}”")
        return TYPOS[m.group()]

    pattern = _typo_re(text)
    fixed = text if pattern is None else pattern.sub(replace, text)
    return fixed, changes


@rule("错别字", "用字", f"常见错别字（{len(TYPOS)} 组，如“厉害关系”应为“利害关系”“年龄编大”应为“年龄偏大”）",
      fixer=fix_typos)
def typo_rule(ctx: Context) -> Iterator[Finding]:
    if not ctx.any_in(typo_spans):
        return
    found = []
    for piece in ctx.pieces():
        for start, end, right in typo_spans(piece.text):
            found.append((piece, f"错别字：{{}}中的“{piece.text[start:end]}”应为“{right}”。",
                          excerpt(piece.text, start, end, 4)))
    yield from per_cell(found)


@functools.cache
def traditional() -> dict[str, str]:
    """Traditional-only characters → their simplified form, from OpenCC's tables."""
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"

    def table(name: str) -> dict[str, list[str]]:
        entries: dict[str, list[str]] = {}
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            if key and values:
                entries[key] = values.split(" ")
        return entries

    simplified = set(table("STCharacters.txt"))
    return {k: v[0] for k, v in table("TSCharacters.txt").items()
            if len(k) == 1 and k not in v and k not in simplified}


@functools.cache
def _traditional_chars() -> frozenset[str]:
    return frozenset(traditional())


@rule("繁体字", "用字", "简体文稿中夹有繁体字（多见于从网上复制的文字）")
def traditional_rule(ctx: Context) -> Iterator[Finding]:
    # A character class of thousands of characters makes the regex engine slow on every
    # character; a set intersection finds the few that occur, and only those are searched for.
    table = traditional()
    present = _traditional_chars().intersection(ctx.text())
    if not present:
        return
    pattern = re.compile("[" + "".join(re.escape(c) for c in sorted(present)) + "]")
    found = []
    for piece in ctx.pieces():
        for m in pattern.finditer(piece.text):
            found.append((piece, "简体文稿中有繁体字{}，请改为简体。",
                          f"{m.group()}→{table[m.group()]}"))
    yield from per_cell(found)
