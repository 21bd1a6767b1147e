"""User text crossing a boundary: to the terminal, into a spreadsheet cell, into a file name.

User text is data. It is never terminal markup, never an escape sequence, never a formula, never a
path. Every place that prints, writes a cell or makes a file name from user text goes through here:

* :func:`for_terminal` — text safe to show on one terminal line: ANSI/OSC escape sequences, other
  control characters and bidi overrides are dropped, line breaks become ``⏎`` (so no one can forge
  an extra output line), lone surrogates (undecodable file names) become ``�``. The result is plain
  text; :func:`for_markup` additionally escapes rich markup (``[/]``, ``[red]``) for strings that are
  embedded into a rich markup template.
* :func:`for_cell` / :func:`put_text` / :func:`text_only` — text written into a workbook cell.
  Decision: the text itself is kept exactly as typed (a name ``-张三`` stays ``-张三``; no apostrophe
  is added to the visible text). What neutralises a formula is the cell: it is stored as a string
  cell (``data_type == "s"``) and, when it starts with one of Excel's formula prefixes
  (``= + - @`` or a tab/CR), it gets Excel's own *quote prefix* style (``quotePrefix="1"``, what
  Excel sets when one types a leading apostrophe) so that even editing the cell in Excel later keeps
  it text. :func:`for_cell` alone only cleans the text (characters XML cannot hold, the 32,767
  character cell limit); use :func:`put_text` to assign a cell, or call :func:`text_only` on a whole
  workbook just before saving it (turns every formula cell into such a text cell).
* :func:`safe_filename` — a file name stem that Windows and Linux both accept and that a user can
  still read.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = [
    "FORMULA_PREFIXES",
    "MAX_CELL_CHARS",
    "for_cell",
    "for_markup",
    "for_terminal",
    "put_text",
    "safe_filename",
    "text_only",
]

# ---------------------------------------------------------------- terminal

# CSI (ESC [ … final), OSC (ESC ] … BEL or ST), other two-character escapes, and 8-bit CSI.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[@-Z\\-_]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
_LINE_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# C0/C1 controls (tab becomes a space first), DEL, bidi embeddings/overrides/isolates and marks.
_TERMINAL_DROP = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def for_terminal(value: object) -> str:
    """``value`` as text that prints on one line and means nothing to a terminal."""
    text = str(value)
    text = _ANSI.sub("", text)
    text = _LINE_BREAKS.sub("⏎", text)
    text = text.replace("\t", " ")
    text = _TERMINAL_DROP.sub("", text)
    return _SURROGATE.sub("\ufffd", text)


def for_markup(value: object) -> str:
    """:func:`for_terminal`, then escaped so rich prints it literally inside a markup string.

    Every ``[`` is escaped, and the backslashes before it so that they print as typed: before
    something that looks like a tag rich reads backslash pairs (so they are doubled), elsewhere it
    only turns ``\\[`` into ``[``. Like rich's own ``escape``, a single backslash at the very end is
    doubled so that it cannot escape markup that follows (it then prints twice: harmless, rare).
    """
    text = _MARKUP_OPEN.sub(_escape_open, for_terminal(value))
    if text.endswith("\\") and not text.endswith("\\\\"):
        text += "\\"
    return text


# rich's tag syntax: "[" then a letter, #, / or @, up to the next "]" with no "[" in between.
_MARKUP_OPEN = re.compile(r"(\\*)\[(?=([a-z#/@][^\[]*?\])?)")


def _escape_open(m: re.Match[str]) -> str:
    backslashes, tag_like = m.group(1), m.group(2)
    return (backslashes * 2 if tag_like else backslashes) + "\\["


# ---------------------------------------------------------------- workbook cells

#: Excel's cell limit; longer text is refused by Excel (the file does not open cleanly).
MAX_CELL_CHARS = 32767
#: A cell starting with one of these is taken as a formula when typed or edited in Excel/WPS.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝")
# XML 1.0 cannot hold these (openpyxl raises IllegalCharacterError for them).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def for_cell(value: object) -> str:
    """Text that a workbook cell can hold: characters XML cannot hold dropped, at most 32,767
    characters. The formula prefixes are neutralised by the cell, see :func:`put_text`."""
    text = _XML_ILLEGAL.sub("", "" if value is None else str(value))
    return text[:MAX_CELL_CHARS]


def put_text(cell: Any, value: object) -> None:
    """Assign user text to an openpyxl cell as a text cell, never a formula."""
    text = for_cell(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True


def text_only(workbook: Any) -> None:
    """Turn every cell openpyxl would write as a formula into a quote-prefixed text cell.

    For workbooks the tool writes, which never contain formulas of their own: call it just before
    ``save`` so that no user text (``=WEBSERVICE(…)``) can become a live formula.
    """
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and (cell.data_type == "f" or value.startswith(FORMULA_PREFIXES)):
                    put_text(cell, value)


# ---------------------------------------------------------------- file names

_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")]
)
_FILENAME_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]')
_SPACES = re.compile(r"\s+")
#: Longest stem in characters: 80 Chinese characters are 240 UTF-8 bytes, under the 255-byte limit
#: that Linux file systems put on a name together with the suffix.
MAX_STEM_CHARS = 80


def safe_filename(stem: object, fallback: str = "未命名") -> str:
    """A file name stem valid on Windows and Linux and still readable.

    Drops control, bidi and zero-width characters and ``<>:"/\\|?*``; folds runs of white space to
    one space; drops leading dots, ``~$`` and spaces (hidden or lock-file names) and trailing dots and
    spaces (Windows strips them); renames device names (``CON``, ``NUL.txt``, ``COM1`` …) to
    ``_CON`` …; cuts to :data:`MAX_STEM_CHARS` characters; an empty result becomes ``fallback``.
    """
    text = unicodedata.normalize("NFC", str(stem))
    text = _SURROGATE.sub("", text)
    text = _LINE_BREAKS.sub(" ", text).replace("\t", " ")
    text = _FILENAME_BAD.sub("", text)
    text = _SPACES.sub(" ", text)
    text = text.lstrip(" .~$").rstrip(" .")
    text = text[:MAX_STEM_CHARS].rstrip(" .")
    if not text:
        return fallback
    if text.split(".")[0].rstrip(" ").upper() in _RESERVED:
        text = "_" + text
    return text
