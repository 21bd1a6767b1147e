"""Cleaning cell text into what can safely go into a Word paragraph."""

from __future__ import annotations

import datetime as dt
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


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
# 二〇二五年一月二十日, as 班子 materials still date themselves (〇 also typed as ○, 零, O or 0).
_CN_YEAR = "([〇○零OoＯ0０一二三四五六七八九]{4})"
_CN_NUMBER = "([一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"  # 1 to 39: months and days
_CN_DATE = re.compile(rf"^{_CN_YEAR}年{_CN_NUMBER}月{_CN_NUMBER}日$")
_MONTH = re.compile(r"^(\d{4})年(\d{1,2})月$")
_CN_MONTH = re.compile(rf"^{_CN_YEAR}年{_CN_NUMBER}月$")
_ZEROS = str.maketrans(dict.fromkeys("○零OoＯ0０", "〇"))


def _number(numeral: str) -> int:
    """2025, 二〇二五, 十二 → their value (ordinals reads the numerals; zeros are typed many ways)."""
    from .ordinals import value

    return value(numeral.translate(_ZEROS)) if not numeral.isdigit() else int(numeral)


def official_date(value: dt.date | dt.datetime | str) -> str | None:
    """Format a date the GB/T 9704 way (2025年1月15日); None when the text is not a date."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    text = one_line(value).replace(" ", "").replace("\u3000", "")
    month_only = _MONTH.match(text) or _CN_MONTH.match(text)
    if month_only:  # a material dated to the month (2025年1月) keeps that precision
        year, month = (_number(g) for g in month_only.groups())
        return f"{year}年{month}月" if 1900 <= year <= 2199 and 1 <= month <= 12 else None
    m = next((m for m in (pattern.match(text) for pattern in _DATE_PATTERNS) if m), None) or _CN_DATE.match(text)
    if m is None:
        return None
    year, month, day = (_number(g) for g in m.groups())
    if m.re is _CN_DATE and not 1900 <= year <= 2199:
        return None
    try:
        return official_date(dt.date(year, month, day))
    except ValueError:
        return None
