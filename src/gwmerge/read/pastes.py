"""Tidying text pasted from a PDF or a WeChat article before its outline is recognised.

Some sites publish each “ and ” on a line of its own, and a copy from a PDF or a phone carries
page numbers (— 3 —, 第3页), web addresses and the article's 来源/编辑 lines. A line of only
quotes or brackets is joined back to the words it belongs to; a line of page furniture is
dropped. The words themselves are never changed, and the import's notes say what was done.
"""

from __future__ import annotations

import re
from dataclasses import replace

from gwmerge.core.errors import Finding, Location, Severity
from gwmerge.read.recognise import Hint, SourcePara

_OPENERS = "“‘《（(【「『〔"
_CLOSERS = "”’》）)】」』〕"
_MARKS_ONLY = re.compile(f"[{re.escape(_OPENERS + _CLOSERS)}\"'\\s\u3000]+")
_SENTENCE_END = "。！？!?…"
_SPACE = r"[\s\u3000]*"
# Page numbers: — 3 —, - 3 -, 3, 第3页, 第 3 页 共 9 页, 3/9.
_PAGE = re.compile(rf"[-—–－{_SPACE}]*\d{{1,4}}[-—–－{_SPACE}]*|第{_SPACE}\d{{1,4}}{_SPACE}页"
                   rf"(?:{_SPACE}[，,/]?{_SPACE}共{_SPACE}\d{{1,4}}{_SPACE}页)?|\d{{1,4}}{_SPACE}/{_SPACE}\d{{1,4}}")
_ADDRESS = re.compile(r"(?:网址[：:]\s*)?(?:https?://|www\.)\S+", re.IGNORECASE)
# An article's furniture: who published and edited it (a short line starting so).
_LABELS = re.compile(r"(?:来源|来\s*源|编辑|责任编辑|责编|审核|校对|排版|原标题|作者|图片来源|文字来源)"
                     r"\s*[：:|｜]")
_MAX_LABEL_LINE = 40
# A WeChat article's stamp under its title: 2025-01-10 08:30, 原创 2025年1月10日 08:30.
_STAMP = re.compile(r"(?:原创\s*)?\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s+\d{1,2}:\d{2}(?::\d{2})?")
_STAMP_AT_TOP = 5  # lines from the top where a stamp and the account's name stand
_MAX_ACCOUNT = 20


def furniture(text: str) -> bool:
    """A line that is page furniture of a PDF or an article, not the material's words."""
    stripped = text.strip(" \t\u3000\u00a0")
    if not stripped:
        return False
    if _PAGE.fullmatch(stripped) or _ADDRESS.fullmatch(stripped):
        return True
    return len(stripped) <= _MAX_LABEL_LINE and _LABELS.match(stripped) is not None


def _account_lines(paras: list[SourcePara]) -> set[int]:
    """The stamp of a WeChat article near the top, and the account's name beside it."""
    found: set[int] = set()
    for index, para in enumerate(paras[:_STAMP_AT_TOP]):
        if index and _STAMP.fullmatch(para.text.strip()):
            found.add(index)
            for near in (index - 1, index + 1):
                text = paras[near].text.strip() if 0 < near < len(paras) else ""
                if text and len(text) <= _MAX_ACCOUNT and not any(ch in text for ch in "。，,；;：:！？!?“”"):
                    found.add(near)
    return found


def _marks_only(text: str) -> bool:
    return _MARKS_ONLY.fullmatch(text) is not None and any(ch in _OPENERS + _CLOSERS for ch in text)


def tidy(paras: list[SourcePara], findings: list[Finding], source: Location) -> list[SourcePara]:
    """Paragraphs with furniture lines dropped and quote-only lines joined to their words."""
    dropped: list[str] = []
    kept: list[SourcePara] = []
    account = _account_lines(paras)
    for index, para in enumerate(paras):
        if para.hint is not Hint.TABLE and (furniture(para.text) or index in account):
            dropped.append(para.text.strip())
        else:
            kept.append(para)
    if dropped:
        shown = "、".join(f"“{text[:20]}”" for text in dropped[:3])
        more = f"等 {len(dropped)} 行" if len(dropped) > 3 else ""
        findings.append(Finding(source, f"略去了页码、网址或来源、编辑等不属于正文的行：{shown}{more}，请核对。",
                                Severity.WARNING))
    return _join_marks(kept, findings, source)


def _join_marks(paras: list[SourcePara], findings: list[Finding], source: Location) -> list[SourcePara]:
    """“ on a line of its own goes with the words after it, ” with the words before it; the text
    around a quote closed inside a sentence goes on in the same paragraph."""
    if not any(_marks_only(p.text) for p in paras):
        return paras
    out: list[SourcePara] = []
    glue_next = False  # the next line continues the paragraph being built
    joined = 0
    for para in paras:
        text = para.text.strip(" \t\u3000\u00a0")
        if para.hint is not Hint.TABLE and _marks_only(para.text):
            marks = re.sub(r"[\s\u3000]+", "", text)
            closing = marks[0] in _CLOSERS or (marks[0] in "\"'" and bool(out) and _open_quote(out[-1].text))
            if out and out[-1].hint is not Hint.TABLE and (
                    closing or glue_next or not out[-1].text.rstrip().endswith(tuple(_SENTENCE_END))):
                before = out[-1].text.rstrip(" \t\u3000\u00a0")
                out[-1] = replace(out[-1], text=before + marks)
                joined += 1
                # After a closing quote the sentence goes on unless it had ended inside the quote.
                glue_next = not (marks[-1] in _CLOSERS and before.endswith(tuple(_SENTENCE_END)))
            else:
                out.append(replace(para, text=marks))
                glue_next = True
            continue
        if glue_next and out and para.hint is not Hint.TABLE:
            out[-1] = replace(out[-1], text=out[-1].text.rstrip(" \t\u3000\u00a0") + text)
            joined += 1
        else:
            out.append(para)
        glue_next = False
    if joined:
        findings.append(Finding(source, f"引号、括号单独成行（从网页或 PDF 复制时常见），"
                                f"已把 {joined} 行接回所在的段落，请核对分段。", Severity.WARNING))
    return out


def _open_quote(text: str) -> bool:
    """Whether ``text`` has an ASCII double quote left open (an odd count)."""
    return text.count('"') % 2 == 1
