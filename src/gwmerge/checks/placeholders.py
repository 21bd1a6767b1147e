"""Placeholders left in the text: XX, ×× and ** for a name or number, pinyin abbreviations, 某某.

Linear time: Latin words are found with one ``[A-Za-z]+`` scan and their neighbours looked up by
index (the old look-around pattern retried every start inside a long Latin run: quadratic).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gwmerge.checks.base import Context, Piece, excerpt, is_han, per_cell, rule
from gwmerge.core.errors import Finding, Severity
from gwmerge.document import sheetformat as sf

_LATIN = re.compile(r"[A-Za-z]+")
_HAN_ANY = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
_STARS = re.compile(r"[*＊]+")
_TIMES = re.compile(r"×+")
_ANY_SIGN = re.compile(r"[A-Za-z*＊×]")  # most paragraphs have no letter or star: nothing to scan

# Pinyin abbreviations (initials or whole syllables) seen in drafts, and the word they stand for.
PINYIN: dict[str, str] = {
    "mzshh": "民主生活会",
    "zzshh": "组织生活会",
    "dangshi": "党史",
    "dsxx": "党史学习",
    "dsxxjy": "党史学习教育",
    "ztjy": "主题教育",
    "dzz": "党组织",
    "dzb": "党支部",
    "dyjy": "党员教育",
    "ldgb": "领导干部",
    "ldbz": "领导班子",
    "shyk": "三会一课",
    "lxyz": "两学一做",
    "lgqr": "两个确立",
    "lgwh": "两个维护",
    "xjp": "习近平",
    "xsd": "新时代",
    "qmcyzd": "全面从严治党",
    "czzd": "从严治党",
    "xcsx": "乡村振兴",
    "xczx": "乡村振兴",
    "zzjs": "政治建设",
    "sxjs": "思想建设",
    "zfjs": "作风建设",
    "ljjs": "廉洁建设",
    "dfljjs": "党风廉政建设",
    "dflz": "党风廉政",
    "zzsh": "组织生活",
    "zwpp": "自我批评",
    "dzjc": "对照检查",
    "jcpx": "检视剖析",
    "jspx": "检视剖析",
    "zgcs": "整改措施",
    "xjx": "先进性",
    "dangyuan": "党员",
    "ganbu": "干部",
    "dangwei": "党委",
    "zhibu": "支部",
    "shenghuohui": "生活会",
    "zhuti": "主题",
}
# Lower-case Latin words that are real words in these materials, never placeholders.
ENGLISH_OK = frozenset({
    "app", "wifi", "ppt", "pdf", "excel", "word", "wps", "email", "mail", "http", "https", "www", "com", "cn",
    "gov", "org", "net", "html", "kg", "km", "cm", "mm", "ml", "kw", "kwh", "mu", "pm", "am", "vs", "qq",
    "ok", "led", "gdp", "cpi", "ai", "vr", "ar", "it", "ip", "id", "sos", "vip", "usb", "gps", "ukey",
})
# Placeholder letters: X, XX, xxx, ZZ, x (a name or number to fill in).
_FILL_LETTERS = frozenset("XxZz")
# Real terms written with those letters next to Chinese.
_LETTER_TERMS = ("X光", "X射线", "Z世代", "X线")


def _neighbour(text: str, index: int, step: int) -> str:
    """The character next to ``index`` in direction ``step``, skipping at most two spaces."""
    for _ in range(3):
        index += step
        if not 0 <= index < len(text):
            return ""
        if text[index] not in " \u3000\u00a0":
            return text[index]
    return ""


def _latin_words(piece: Piece) -> Iterator[tuple[Piece, str, str]]:
    text = piece.text
    if not _ANY_SIGN.search(text):
        return
    whole = text.strip()
    if not _HAN_ANY.search(text):
        # No Chinese at all: only a cell that is nothing but a placeholder (XX, xxx) is one.
        if whole and set(whole) <= _FILL_LETTERS:
            yield piece, "有占位符{}，请填写实际内容。", whole
        return
    for m in _LATIN.finditer(text):
        word = m.group()
        before, after = _neighbour(text, m.start(), -1), _neighbour(text, m.end() - 1, 1)
        chinese_next = is_han(before) or is_han(after) or before.isdigit() or after.isdigit()
        if set(word) <= _FILL_LETTERS and len(word) <= 6:
            if not chinese_next or text.startswith(_LETTER_TERMS, m.start()):
                continue
            yield piece, "有占位符{}，请填写实际的名称或数字。", excerpt(text, m.start(), m.end(), 3)
            continue
        if not word.islower() or len(word) < 2 or word in ENGLISH_OK:
            continue
        known = PINYIN.get(word)
        if known:
            yield piece, "有拼音缩写{}，应改为汉字（如“" + known + "”）。", word
        elif is_han(before) or is_han(after):
            yield piece, "有像是拼音缩写的占位{}，请改为汉字。", word


def _symbols(piece: Piece) -> Iterator[tuple[Piece, str, str]]:
    text = piece.text
    if not _ANY_SIGN.search(text):
        return
    for m in _STARS.finditer(text):
        yield piece, "有占位符{}，请填写实际内容（星号不应出现在正文中）。", excerpt(text, m.start(), m.end(), 3)
    for m in _TIMES.finditer(text):
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if len(m.group()) == 1 and not (is_han(before) or is_han(after)):
            continue  # 3×4: a multiplication sign
        yield piece, "有占位符{}，请填写实际的名称或数字。", excerpt(text, m.start(), m.end(), 3)


@rule("占位符", "内容", "XX、ZZ、X、xxx、**、××、20**年、*年度、x人 等没有替换的占位符")
def placeholder_rule(ctx: Context) -> Iterator[Finding]:
    found = []
    for piece in ctx.pieces():
        found.extend(f for f in _latin_words(piece) if "拼音" not in f[1])
        found.extend(_symbols(piece))
    yield from per_cell(found)


def fix_pinyin(text: str) -> tuple[str, list[str]]:
    """Replace the known pinyin abbreviations next to Chinese with their word."""
    changes: list[str] = []
    out: list[str] = []
    last = 0
    for m in _LATIN.finditer(text):
        word = m.group()
        known = PINYIN.get(word)
        if known is None:
            continue
        before, after = _neighbour(text, m.start(), -1), _neighbour(text, m.end() - 1, 1)
        if not (is_han(before) or is_han(after)):
            continue
        out.append(text[last:m.start()])
        out.append(known)
        last = m.end()
        changes.append(f"“{word}”→“{known}”")
    if not changes:
        return text, []
    out.append(text[last:])
    return "".join(out), changes


@rule("拼音缩写", "内容", "mzshh、dangshi 等拼音缩写占位，已知的给出对应汉字", fixer=fix_pinyin)
def pinyin_rule(ctx: Context) -> Iterator[Finding]:
    found = []
    for piece in ctx.pieces():
        found.extend(f for f in _latin_words(piece) if "拼音" in f[1])
    yield from per_cell(found)


@rule("标题某某", "内容", "标题中留有“某某”等未替换的代称")
def title_someone_rule(ctx: Context) -> Iterator[Finding]:
    doc = ctx.doc
    title = doc.info.get(sf.FIELD_TITLE)
    if title and "某某" in title.value:
        yield Finding(title.location, f"标题“{title.value}”中有“某某”，请换成实际的单位或姓名。", Severity.WARNING)
        return
    if title:
        return
    # An empty title is generated from the kind's pattern: the fields it uses end up in it.
    for name in re.findall(r"\{(\w+)\}", ctx.kind.title_pattern):
        text = doc.info.get(name)
        if text and "某某" in text.value:
            yield Finding(text.location, f"标题要用“{name}”生成，其中的“某某”会出现在标题里，请换成实际名称。",
                          Severity.WARNING)


# Blanks left to fill in: underlines (____ ＿＿), boxes (□□), empty brackets (（  ）).
_BLANKS = re.compile(r"_{2,}|＿{2,}|□{2,}|(?<=[\u4e00-\u9fff])□(?=[\u4e00-\u9fff])"
                     r"|（[ \u3000\u00a0]*）|\([ \u3000\u00a0]*\)|【[ \u3000\u00a0]*】|〔[ \u3000\u00a0]*〕")
_ANY_BLANK = re.compile("[_＿□）)】〕]")


def blank_spans(text: str) -> list[tuple[int, int]]:
    if not _ANY_BLANK.search(text):
        return []
    return [m.span() for m in _BLANKS.finditer(text)]


@rule("待填空白", "内容", "留着待填的空白：下划线 ____、＿＿，方框 □□，空括号（  ）")
def blank_rule(ctx: Context) -> Iterator[Finding]:
    found = []
    for piece in ctx.pieces():
        for start, end in blank_spans(piece.text):
            found.append((piece, "有留着待填的空白{}，请填上实际内容或删去。", excerpt(piece.text, start, end, 4)))
    yield from per_cell(found)
