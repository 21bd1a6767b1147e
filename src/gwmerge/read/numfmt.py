"""Cell values as Excel/WPS show them, for the number formats people use in prose.

Covered: General, ``0``/``0.00``/``#,##0.00`` (and any decimals), percentages, literal text in
quotes or after ``\\`` (``"第"0"次"``, ``0"元"``), sections ``pos;neg;zero;text``, colours and
locale tags (``[Red]``, ``[$-804]``, ``[$¥-804]``), scientific ``0.00E+00``, text ``@``; dates and
times are recognised (the caller writes dates the GB/T 9704 way, 2025年1月15日) and times are shown
as ``h:mm`` or ``h:mm:ss``. Rounding is Excel's (half away from zero, on the shown decimal value).
What is not covered (fractions, conditions) falls back to General, never to an error.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

__all__ = ["BUILTIN", "Shown", "is_date_format", "show_number"]

#: Built-in format ids (ECMA-376 18.8.30), with the Chinese locale's date ids 27–36 and 50–58.
BUILTIN: dict[int, str] = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 5: '"$"#,##0_);("$"#,##0)',
    6: '"$"#,##0_);[Red]("$"#,##0)', 7: '"$"#,##0.00_);("$"#,##0.00)', 8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "yyyy/m/d", 15: "d-mmm-yy",
    16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
    22: "yyyy/m/d h:mm", 27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: "m-d-yy",
    31: 'yyyy"年"m"月"d"日"', 32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"', 34: 'AM/PMh"时"mm"分"',
    35: 'AM/PMh"时"mm"分"ss"秒"', 36: 'yyyy"年"m"月"', 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0",
    48: "##0.0E+0", 49: "@", 50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"',
    54: 'm"月"d"日"', 55: 'AM/PMh"时"mm"分"', 56: 'AM/PMh"时"mm"分"ss"秒"', 57: 'yyyy"年"m"月"',
    58: 'm"月"d"日"',
}

_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_DATE_CHARS = re.compile(r"[ymdhsYMDHS]|上午|下午|AM/PM|A/P", re.IGNORECASE)


def _split_sections(code: str) -> list[str]:
    sections, current, i = [], [], 0
    while i < len(code):
        ch = code[i]
        if ch == '"':
            end = code.find('"', i + 1)
            end = len(code) - 1 if end < 0 else end
            current.append(code[i : end + 1])
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(code):
            current.append(code[i : i + 2])
            i += 2
            continue
        if ch == ";":
            sections.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    sections.append("".join(current))
    return sections


@lru_cache(maxsize=512)
def is_date_format(code: str) -> bool:
    """Whether a format shows a number as a date or time (ECMA-376: y m d h s outside literals)."""
    first = _split_sections(code)[0]
    bare = _QUOTED.sub("", first)
    if re.search(r"\[(h+|m+|s+)\]", first, re.IGNORECASE):
        return True
    return bool(_DATE_CHARS.search(bare)) and "General" not in bare


class Shown:
    """What a numeric cell shows: ``text``, and ``date``/``time`` when the format is one."""

    __slots__ = ("date", "text", "time")

    def __init__(self, text: str, date: dt.datetime | None = None, time: bool = False) -> None:
        self.text = text
        self.date = date
        self.time = time


def serial_to_datetime(value: float, date1904: bool = False) -> dt.datetime | None:
    """An Excel serial number as a datetime (None when out of Excel's range)."""
    base = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    if not date1904 and value < 61:
        value += 1 if value < 60 else 0  # Excel's phantom 1900-02-29
        if value < 1:
            base = dt.datetime(1899, 12, 30)
    if not -1 < value < 2958466:
        return None
    try:
        return base + dt.timedelta(days=value)
    except OverflowError:
        return None


def show_number(value: float, code: str, date1904: bool = False) -> Shown:
    """Display text for a numeric cell value under ``code``."""
    code = code or "General"
    if is_date_format(code):
        when = serial_to_datetime(value, date1904)
        if when is None:
            return Shown(_general(value))
        # Round to the second, as Excel shows it.
        when = (when + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        section = _QUOTED.sub("", _split_sections(code)[0])
        has_day = bool(re.search(r"[yd]", section, re.IGNORECASE)) or (re.search(r"m", section, re.I) and not re.search(
            r"[hs]", section, re.IGNORECASE))
        if not has_day:
            seconds = re.search(r"s", section, re.IGNORECASE)
            text = when.strftime("%H:%M:%S" if seconds else "%H:%M").lstrip("0")
            if text.startswith(":"):
                text = "0" + text
            return Shown(text, None, True)
        return Shown("", when)
    sections = _split_sections(code)
    section = sections[0]
    if value < 0 and len(sections) > 1 and sections[1].strip():
        section, value = sections[1], -value
    elif value == 0 and len(sections) > 2 and sections[2].strip():
        section = sections[2]
    return Shown(_apply(value, section))


def _general(value: float) -> str:
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return str(int(value))
    text = f"{value:.10g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        text = f"{mantissa}E{int(exp):+03d}"
    return text


_PLACEHOLDER = re.compile(r"[0#?]")


def _apply(value: float, section: str) -> str:
    """One format section applied to a number."""
    section = re.sub(r"\[\$([^\]-]*)(?:-[0-9A-Fa-f]+)?\]", lambda m: f'"{m.group(1)}"', section)
    section = re.sub(r"\[[^\]]*\]", "", section)  # colours, conditions
    if section.strip() in ("", "General", "@") or "/" in _QUOTED.sub("", section) or "General" in section:
        literal_only = _literal(section.replace("General", "\x00").replace("@", "\x00"))
        return literal_only.replace("\x00", _general(value)) if "\x00" in literal_only else _general(value)
    # Split the section into literal text and the numeric core (first to last placeholder).
    tokens = _tokens(section)
    core_at = [i for i, (kind, _) in enumerate(tokens) if kind == "num"]
    if not core_at:
        return _literal(section)
    first, last = core_at[0], core_at[-1]
    core = "".join(text for _, text in tokens[first : last + 1])
    before = "".join(text for kind, text in tokens[:first] if kind == "lit")
    after = "".join(text for kind, text in tokens[last + 1 :] if kind == "lit")
    scaled = value * (100 ** core.count("%") if "%" in core else 1)
    return before + _number(scaled, core) + after


def _tokens(section: str) -> list[tuple[str, str]]:
    """(kind, text) pieces: ``lit`` (shown as is) or ``num`` (placeholders, separators, %)."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            out.append(("lit", section[i + 1 : end]))
            i = end + 1
        elif ch == "\\" and i + 1 < len(section):
            out.append(("lit", section[i + 1]))
            i += 2
        elif ch in "_*" and i + 1 < len(section):
            out.append(("lit", " " if ch == "_" else ""))
            i += 2
        elif ch in "0#?.,%" or (ch in "Ee" and i + 1 < len(section) and section[i + 1] in "+-"):
            if ch in "Ee":
                out.append(("num", section[i : i + 2]))
                i += 2
            else:
                out.append(("num", ch))
                i += 1
        else:
            out.append(("lit", ch))
            i += 1
    return out


def _round(value: float, places: int) -> Decimal:
    try:
        exact = Decimal(repr(float(value)))
        return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return Decimal(0)


def _number(value: float, core: str) -> str:
    """The numeric core (``#,##0.00%``, ``0.00E+00``) applied to ``value`` (already scaled)."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    if re.search(r"[Ee][+-]", core):
        mantissa_fmt = re.split(r"[Ee][+-]", core)[0]
        exp_digits = len(re.split(r"[Ee][+-]", core)[1].replace("%", ""))
        decimals = len(mantissa_fmt.split(".")[1].replace("%", "")) if "." in mantissa_fmt else 0
        text = f"{value:.{decimals}E}"
        mant, exp = text.split("E")
        return f"{sign}{mant}E{'-' if int(exp) < 0 else '+'}{abs(int(exp)):0{max(exp_digits, 1)}d}" + "%" * core.count(
            "%")
    int_part, _, frac_part = core.partition(".")
    thousands = "," in int_part.strip(",")
    scale_commas = len(int_part) - len(int_part.rstrip(","))
    value = value / (1000**scale_commas)
    frac_places = len(_PLACEHOLDER.findall(frac_part))
    rounded = _round(value, frac_places)
    whole, _, frac = f"{rounded:f}".partition(".")
    min_int = int_part.replace(",", "").replace("%", "").count("0")
    whole = whole.lstrip("0")
    whole = whole.rjust(min_int, "0") if min_int else whole
    if thousands and whole:
        whole = f"{int(whole):,}"
    if frac_places:
        required = len(re.findall("0", frac_part))
        frac = frac.ljust(frac_places, "0")[:frac_places]
        while len(frac) > required and frac.endswith("0"):
            frac = frac[:-1]
        text = f"{whole}.{frac}" if frac or "." in core else whole
        if not frac and not required:
            text = whole + "."
    else:
        text = whole
    if not text or text == ".":
        text = "0" if not frac_places else text
    if rounded == 0:
        sign = ""
    return sign + text + "%" * core.count("%")


def _literal(section: str) -> str:
    return "".join(text for _, text in _tokens(section))
