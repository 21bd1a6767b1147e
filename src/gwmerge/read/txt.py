"""Reading a .txt material into source paragraphs: one line is one paragraph, except in text
copied out of a PDF, whose lines are cut at the page width and are joined back here.

The encoding is detected (UTF-8 with or without BOM, UTF-16 with BOM, GB18030 as Windows
Notepad in Chinese saves it); the text itself is never changed.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from gwmerge.core.errors import Finding, GwError, Location, Severity
from gwmerge.core.text import clean
from gwmerge.document import ordinals
from gwmerge.document.layout import width
from gwmerge.read.recognise import SourcePara

MAX_BYTES = 20 * 1024 * 1024
_SPACES = " \t\u3000\u00a0"
_SENTENCE_END = ("。", "！", "？", "!", "?", "：", ":", "”", "…")
# Page numbers a PDF leaves between its lines: "— 3 —", "- 3 -", "3", "第3页", "第 3 页 共 9 页".
_PAGE_NUMBER = re.compile(r"[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?")
_MIN_FULL = 12  # lines narrower than this never decide the page width


def decode(data: bytes, where: Location) -> tuple[str, int]:
    """Text from bytes in the encodings Chinese .txt files come in, and how many bytes were bad.

    A UTF-8 file with a few damaged bytes stays UTF-8 (read as GB18030 it would turn entirely
    into other characters); the damaged places are counted so the user is told.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
        return text, text.count("\ufffd")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
        return text, text.count("\ufffd")
    if b"\x00" in data[:4096]:
        raise GwError("不是文本文件（含有二进制内容），请另存为 .txt 或 .docx 后再导入。", where)
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    if bad <= max(3, len(lenient) // 1000):
        return lenient, bad
    try:
        return data.decode("gb18030"), 0
    except UnicodeDecodeError:
        pass
    raise GwError("无法识别文字编码，请用记事本“另存为”UTF-8 编码后再导入。", where)


def read(path: Path) -> tuple[list[SourcePara], list[Finding]]:
    """Source paragraphs of a .txt file (located as 第 N 行) and what was done to the lines."""
    where = Location(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise GwError(f"文本文件过大（{size // 1024 // 1024} MB），材料一般不超过几百 KB，请检查是否选错文件。",
                          where)
        data = path.read_bytes()
    except GwError:
        raise
    except FileNotFoundError as exc:
        raise GwError("找不到这个文件，请检查路径。", where) from exc
    except OSError as exc:
        raise GwError(f"文件无法读取（{exc.strerror or exc}）。", where) from exc
    text, bad = decode(data, where)
    paras, findings = paragraphs(text, path)
    if bad:
        findings.insert(0, Finding(where, f"文件中有 {bad} 处字节已损坏，无法识别，显示为“\ufffd”，请核对原文。",
                                   Severity.WARNING))
    return paras, findings


def paragraphs(text: str, path: Path) -> tuple[list[SourcePara], list[Finding]]:
    """Lines → paragraphs; lines cut at a fixed width (PDF copies) are joined back."""
    lines = [clean(line) for line in text.splitlines()]
    findings: list[Finding] = []
    full = _page_width(lines)
    if full is None:
        return [SourcePara(line.strip(_SPACES), Location(path, None, f"第 {number} 行"))
                for number, line in enumerate(lines, 1) if line.strip(_SPACES)], findings
    return _join(lines, full, path, findings), findings


class _Full:
    """Whether a line reaches the cut width, measured in characters or in display width.

    Text copied from a PDF is cut by width (digits are narrow); text cut by a program is cut by
    character count. Whichever of the two the lines cluster on is used.
    """

    def __init__(self, chars: int | None, wide: float | None) -> None:
        self.chars = chars
        self.wide = wide

    def __call__(self, line: str, first: bool = False) -> bool:
        """``first``: a paragraph's first line, two characters shorter for its indent."""
        slack = 2 if first else 0
        return ((self.chars is not None and len(line) >= self.chars - 1 - slack)
                or (self.wide is not None and width(line) >= self.wide - 1.5 - slack))


def _cluster(values: list[float], lines: list[str]) -> float | None:
    """The common value when most long lines share it (±1) and some are cut mid-sentence."""
    wide = [round(v) for v in values if v >= _MIN_FULL]
    if len(wide) < 3:
        return None
    common, _ = Counter(wide).most_common(1)[0]
    near = [i for i, v in enumerate(values) if abs(v - common) <= 1]
    # A line cut mid-sentence goes on in the next line; parallel headings of equal length
    # (（一）强化理论武装，筑牢思想根基) are followed by the next heading, not by the rest of a sentence.
    cut = sum(1 for i in near if not lines[i].endswith(_SENTENCE_END)
              and not (i + 1 < len(lines) and _starts_item(lines[i + 1])))
    # Text cut at a width has (almost) no line wider than it; a material whose paragraphs run
    # past the common width was typed one paragraph a line, its equal lines are headings.
    wider = sum(1 for v in values if v > common + 2)
    if len(near) >= max(3, 0.4 * len(values)) and cut >= 2 and common <= 80 and wider <= 0.1 * len(values):
        return common
    return None


def _page_width(lines: list[str]) -> _Full | None:
    """How to tell a full line when the text was cut at a fixed width, else None."""
    texts = [line.strip(_SPACES) for line in lines if line.strip(_SPACES)]
    chars = _cluster([len(t) for t in texts], texts)
    wide = _cluster([width(t) for t in texts], texts)
    if chars is None and wide is None:
        return None
    return _Full(int(chars) if chars is not None else None, wide)


def _starts_item(text: str) -> bool:
    found = ordinals.match(text)
    return found is not None and found.level != ordinals.POINT


def _join(lines: list[str], full: _Full, path: Path, findings: list[Finding]) -> list[SourcePara]:
    """Join a full line with the next unless a sentence ends there and an ordinal or indent follows."""
    indents = sum(1 for line in lines if line[:1] in _SPACES and line.strip(_SPACES))
    use_indent = indents >= 2
    paras: list[tuple[int, str]] = []
    open_para = False  # the last paragraph may continue on the next line
    joined = dropped = 0
    first_join: int | None = None
    blank = False
    for number, raw in enumerate(lines, 1):
        text = raw.strip(_SPACES)
        if not text:
            blank = True  # a paragraph end, or a page break inside a sentence
            continue
        if _PAGE_NUMBER.fullmatch(text):
            dropped += 1
            continue
        if open_para and paras:
            last = paras[-1][1]
            ends = last.rstrip(_SPACES).endswith(_SENTENCE_END)
            new_para = ends and (blank or _starts_item(text) or (use_indent and raw[:1] in _SPACES))
            if not new_para:
                paras[-1] = (paras[-1][0], last + text)
                joined += 1
                first_join = first_join or number
                open_para = full(text)
                blank = False
                continue
        paras.append((number, text))
        blank = False
        open_para = full(text, first=True)
    if joined:
        findings.append(Finding(Location(path, None, f"第 {first_join} 行"),
                                f"文本像是从 PDF 复制的（每行到固定宽度就断开），已把断开的 {joined} 行接回原段落，"
                                "请核对分段。", Severity.WARNING))
    if dropped:
        findings.append(Finding(Location(path), f"略去了 {dropped} 行页码。", Severity.WARNING))
    return [SourcePara(text, Location(path, None, f"第 {number} 行")) for number, text in paras]
