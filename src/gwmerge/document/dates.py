"""Dates as GB/T 9704 writes them (2025年1月15日), from whatever a cell or a material holds."""

from __future__ import annotations

import datetime as dt
import re

from gwmerge.core.text import one_line
from gwmerge.document.ordinals import value

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
