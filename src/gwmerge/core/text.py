"""Cleaning cell text into what can safely go into a Word paragraph."""

from __future__ import annotations

import re

# Excel's escape for characters it cannot store literally, e.g. _x000D_ for a carriage return.
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Characters XML 1.0 forbids (keeping \t \n \r) and the non-characters U+FFFE/U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# docxtpl turns these into breaks, tabs and page breaks anywhere in the document.
_SOFT_BREAKS = re.compile("[\r\x0b\u2028\u2029\x07]")
_NEEDS_WORK = re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff\u2028\u2029]")
_LEADING_SPACE = re.compile(r"^[\s\u3000\u00a0]+|[\s\u3000\u00a0]+$")


def unescape_excel(value: str) -> str:
    """Resolve Excel's ``_xHHHH_`` escapes in one stored string (one ``<t>`` or ``<v>``)."""
    return _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value) if "_x" in value else value


def clean(value: str, *, excel_escapes: bool = False) -> str:
    """Return text with characters illegal in XML dropped (and, for raw cell XML, Excel's
    ``_xHHHH_`` escapes resolved: only the workbook reader asks for that, exactly once, so that
    ``_x0041_`` typed by a user stays as typed).

    Line structure is kept as ``\\n`` so callers can split paragraphs; a vertical tab (Word's
    manual line break, pasted into a cell) counts as a line break too.
    """
    if ("_x" not in value or not excel_escapes) and _NEEDS_WORK.search(value) is None:
        return value  # the common case, kept cheap: most cells are plain text
    if excel_escapes:
        value = _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
    value = value.replace("\r\n", "\n")
    value = _SOFT_BREAKS.sub("\n", value)
    value = value.replace("\t", " ")
    return _XML_ILLEGAL.sub("", value)


def paragraphs(value: str) -> list[str]:
    """Split a multi-line cell (Alt+Enter) into paragraphs, dropping empty lines and indents."""
    lines = (_LEADING_SPACE.sub("", line) for line in clean(value).split("\n"))
    return [line for line in lines if line]


def one_line(value: str) -> str:
    """Text for single-line fields (title, name): line breaks become nothing."""
    return "".join(paragraphs(value))
