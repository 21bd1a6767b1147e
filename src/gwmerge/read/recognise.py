"""Recognising the outline of a material typed any old way: source paragraphs → the model.

Readers (:mod:`gwmerge.read.txt`, :mod:`gwmerge.read.docx`) turn a file into :class:`SourcePara`
items; this module finds the title, the opening, ``一、`` sections, items, ``一是`` points, closing paragraphs and the
signature. It never changes wording or punctuation: ordinals are the tool's (they are renumbered
in the official form), everything else is kept as typed (a 一、 heading run on into its text is
put on a line of its own, and the import's notes say so). Every guess is checked by laying the
result out again and comparing it with the source; where a guess would alter text, a plainer
reading is used instead, down to an unnumbered paragraph kept verbatim.

Large, but one job: every guess about an untyped outline, each checked against the source.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any

from gwmerge import checks
from gwmerge.checks import REGISTRY
from gwmerge.checks.base import Context
from gwmerge.core.errors import Finding, GwError, Location, Severity
from gwmerge.document import kinds as kinds_mod
from gwmerge.document import layout, numbering, ordinals, outline
from gwmerge.document import sheetformat as sf
from gwmerge.document.dates import official_date
from gwmerge.document.kinds import Kind
from gwmerge.document.model import Document, Join, Node, Section, Text

# Where a 一是 may start inside a paragraph: at its start or after punctuation (never after a
# character, so 统一是 or 这一是 never split).
_BOUNDARY = frozenset("。；;：:，,！!？?…—”’」』）)】、 \t\u3000")
_SENTENCE_END = "。！？!?"
_CLOSERS = "”’」』）)】"
_TITLE_STOP = "。！？!?；;，,、：:"
_SUBTITLE_START = ("——", "—", "--", "－－", "“——", "\"——")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年度")
_PERSON = re.compile(r"[\u4e00-\u9fff·]{2,4}")
# A signature that says what the signer is: 发言人：王小明, 汇报人：某某镇党委.
_LABELLED_SIGNER = re.compile(r"^(?:发言人|汇报人|报告人|述职人|检查人|剖析人|承诺人|署名)[ \u3000]*[：:][ \u3000]*")


def _is_person(text: str) -> bool:
    """A person's name, also as signatures space it out (张  三, 张　三) to the width of three,
    and after a label (发言人：王小明)."""
    return bool(_PERSON.fullmatch(re.sub(r"[ \u3000]+", "", _LABELLED_SIGNER.sub("", text))))


# A unit or post, spaces, then a name: 第三党支部 李红梅, 县委副书记　王建国.
_UNIT_PERSON = re.compile(r"[\u4e00-\u9fffXxＸｘ×*＊（）()、·]{2,24}[ \u3000]+[\u4e00-\u9fff·]{2,4}")
# A bracketed line under a title: （2025年1月）, （征求意见稿）, (讨论稿).
_BRACKETED = re.compile(r"[（(][^（()）。，,；;]{1,20}[）)]")
_MAX_TITLE_LINES = 4
_MAX_TITLE_WIDTH = 50
_MAX_SIGNER_WIDTH = 30
_SHORT_HEADING = 30  # a stand-alone sentence longer than this is text, not a heading
# A short last title line ends in one of these; a name under the title does not.
_TITLE_WORDS = ("报告", "材料", "提纲", "发言", "讲话", "总结", "方案", "汇报", "意见", "通知", "剖析", "检查",
                "清单", "体会", "通报", "请示", "发言稿", "讲话稿")
_ANNEX = re.compile(r"附\s*件\s*[0-9０-９一二三四五六七八九十]*\s*[：:]")
# Words of a title line, never of a unit and name under the title.
_NOT_A_NAME = (*_TITLE_WORDS, "生活会", "年度", "关于", "的", "情况", "说明")
_CLOSING_STARTS = ("以上", "总之", "最后", "恳请", "敬请", "不妥之处", "不当之处", "不足之处", "对照检查到此")


class Hint(Enum):
    """What a reader knows about a paragraph besides its text (from styles or alignment)."""

    NONE = ""
    TITLE = "title"
    SUBTITLE = "subtitle"
    NAME_LINE = "name_line"
    HEADING = "heading"
    BODY = "body"
    SIGNATURE = "signature"
    CENTER = "center"
    ADDRESSEE = "addressee"
    TABLE = "table"  # a Word table: ``rows`` holds its cells, ``text`` them joined (layout.table_text)


@dataclass(frozen=True)
class SourcePara:
    """One paragraph of a source, with where it is (第 N 段 / 第 N 行) and a reader's hint."""

    text: str
    location: Location
    hint: Hint = Hint.NONE
    rows: tuple[tuple[str, ...], ...] = ()  # a table's rows of cell text (hint TABLE)


@dataclass
class Recognised:
    """A source read into the model, what was found on the way, and what was recognised."""

    document: Document
    kind: Kind
    findings: list[Finding]
    sections: list[tuple[str, int, int]] = field(default_factory=list)  # heading, items, points
    paragraphs: int = 0  # body paragraphs of the source (between title and signature)
    title_lines: int = 0
    signature: str = ""
    points_run_on: bool | None = None


# ---------------------------------------------------------------- pieces of the outline


@dataclass
class _Piece:
    """One row to be: a section item, a point or a plain paragraph, cut from source paragraph ``para``."""

    level: sf.Level
    head: str
    body: str
    para: int
    starts: bool
    rest: str = ""  # for items: the text after the ordinal (a plainer reading keeps it whole)
    typed: int | None = None
    typed_form: str = ""
    mode: int = 0  # 0 as recognised, 1 plainer (no heading / lead), 2 the paragraph verbatim
    expected_ordinal: str = ""


@dataclass
class _Sec:
    head: str
    para: int
    typed: int
    typed_form: str
    pieces: list[_Piece] = field(default_factory=list)
    bare: bool = False  # no 一、 heading at all: the material's paragraphs without a heading above


def _width(text: str) -> float:
    return layout.width(text)


def _sentence_end(text: str, start: int = 0) -> int | None:
    """Index just after the first sentence end (。！？ and closing quotes) at or after ``start``."""
    for i in range(start, len(text)):
        if text[i] in _SENTENCE_END:
            j = i + 1
            while j < len(text) and (text[j] in _CLOSERS or text[j] in _SENTENCE_END):
                j += 1
            return j
    return None


def _point_end(text: str, i: int, n: int) -> int | None:
    """End of point ``n``'s ordinal (``二是`` only, no separator) at ``i``, if it starts there."""
    if i and text[i - 1] not in _BOUNDARY:
        return None
    word = ordinals.format(ordinals.POINT, n)
    if not text.startswith(word, i):
        return None
    found = ordinals.match(text[i:], ordinals.POINT)
    if found is None or found.number != n:
        return None
    end = i + len(word)
    while end < len(text) and text[end] in " \t\u3000":
        end += 1
    return end


def _find_points(segments: list[str]) -> list[list[tuple[int, int]]]:
    """Point positions (start, text start) in each segment: one sequence 一是, 二是 … in order.

    A sequence counts only with at least two points; a lone 一是 stays text. The sequence is
    decided over the whole item: a 一是 inside a point (“主要表现在：一是……；二是……”) opens a
    list of that point, whose 二是, 三是 … stay its text, until the outer sequence goes on.
    """
    marks: list[tuple[int, int, int, int]] = []  # segment, start, text start, number
    for index, text in enumerate(segments):
        i = text.find("是")
        while i != -1:
            for back in range(max(0, i - 3), i):
                found = _point_at(text, back)
                if found is not None and back + len(ordinals.format(ordinals.POINT, found[1])) == i + 1:
                    marks.append((index, back, found[0], found[1]))
                    break
            i = text.find("是", i + 1)
    outer: list[tuple[int, int, int]] = []
    inner_next = 0  # the number an inner list expects next; 0 when no inner list is open
    for index, at, text_at, n in marks:
        expected = len(outer) + 1
        if inner_next and n == inner_next:
            inner_next += 1
        elif n == expected:
            outer.append((index, at, text_at))
            inner_next = 0
        elif n == 1 and outer:
            inner_next = 2
    if len(outer) < 2:
        outer = _sequential_points(segments)
    found: list[list[tuple[int, int]]] = [[] for _ in segments]
    for index, at, text_at in outer:
        found[index].append((at, text_at))
    return found


def _point_at(text: str, i: int) -> tuple[int, int] | None:
    """(text start, number) of a 一是-style point starting at ``i``, after a boundary."""
    if i and text[i - 1] not in _BOUNDARY:
        return None
    found = ordinals.match(text[i:i + 8], ordinals.POINT)
    if found is None or not text.startswith(ordinals.format(ordinals.POINT, found.number), i):
        return None
    end = _point_end(text, i, found.number)
    return (end, found.number) if end is not None else None


def _sequential_points(segments: list[str]) -> list[tuple[int, int, int]]:
    """The plain reading: 一是, 二是 … taken in order wherever they come (with at least two)."""
    found: list[tuple[int, int, int]] = []
    n = 1
    for index, text in enumerate(segments):
        i = 0
        while i < len(text):
            end = _point_end(text, i, n)
            if end is not None:
                found.append((index, i, end))
                n += 1
                i = end
            else:
                i += 1
    return found if n > 2 else []


def _split_lead(text: str) -> tuple[str, str]:
    """A point's lead sentence and its text; without text after it, there is no lead."""
    end = _sentence_end(text)
    if end is not None and text[end:].strip():
        return text[:end].strip(), text[end:].strip()
    return "", text.strip()


# ---------------------------------------------------------------- the whole source


def recognise(paras: list[SourcePara], source: Path, findings: list[Finding],
              kind_name: str | None = None) -> Recognised:
    """Read source paragraphs into a Document, checked by laying it out again."""
    paras = [p for p in paras if p.text.strip()]
    paras = [replace(p, text=p.text.strip(" \t\u3000\u00a0")) for p in paras]
    info: dict[str, Text] = {}
    base = Location(source)

    def put(name: str, values: list[str], where: Location = base) -> None:
        info[name] = Text(tuple(values), where)

    start, title_lines, subtitle, name_line = _title_block(paras)
    end, signer, date, date_para = _signature(paras, start)
    if signer is None:
        _signature_before_annex(paras, start, findings)
    if name_line is not None and signer is not None and signer.text != name_line.text:
        # One 署名 cannot say two different names: the name under the title stays, the lines at
        # the end stay as typed paragraphs.
        findings.append(Finding(signer.location, f"文末落款“{signer.text}”与标题下的署名“{name_line.text}”不同，"
                                "一份材料只有一个署名，文末几行已按正文段落导入，请核对。", Severity.WARNING))
        end, signer, date, date_para = len(paras), None, "", None
    elif signer is not None and end - 1 > start and _unit_over_name(paras[end - 1], signer):
        unit = paras[end - 1].text
        findings.append(Finding(paras[end - 1].location, f"落款写了两行（“{unit}”“{signer.text}”），"
                                f"合并后的落款只署一行“{signer.text}”，“{unit}”作为正文最后一段保留，请核对。",
                                Severity.WARNING))
    body = paras[start:end]
    if body and _addressee_like(body[0]):
        put(sf.FIELD_ADDRESSEE, [body[0].text], body[0].location)
        body = body[1:]
    if title_lines:
        put(sf.FIELD_TITLE, title_lines, paras[0].location)
        year = _YEAR.search("".join(title_lines))
        if year:
            put(sf.FIELD_YEAR, [year.group(1)], paras[0].location)
    else:
        put(sf.FIELD_TITLE, [sf.NO_TITLE])
        findings.append(Finding(base, "没有识别到标题，工作簿“标题”填了“无”；如有标题请直接填写。", Severity.WARNING))
    if subtitle:
        put(sf.FIELD_SUBTITLE, [subtitle.text], subtitle.location)
    signature_text = ""
    if signer is not None:
        name = signer.text
        label = _LABELLED_SIGNER.match(name)
        if label is not None:  # 发言人：王小明 prints as typed; the person is 王小明
            put(sf.FIELD_SIGNER, [name], signer.location)
            if _is_person(name[label.end():]):
                put(sf.FIELD_NAME, [name[label.end():].strip()], signer.location)
        else:
            put(sf.FIELD_NAME if _is_person(name) else sf.FIELD_SIGNER, [name], signer.location)
        put(sf.FIELD_SIGNATURE, [sf.YES])
        signature_text = name
        if date_para is not None and date:
            put(sf.FIELD_DATE, [date], date_para.location)
            signature_text += f"，{date}"
            if date != date_para.text.replace(" ", ""):
                findings.append(Finding(date_para.location, f"日期“{date_para.text}”合并时按公文格式写作“{date}”。",
                                        Severity.WARNING))
    else:
        put(sf.FIELD_SIGNATURE, [sf.NO])
    if name_line is not None:
        if signer is None:
            name = name_line.text
            put(sf.FIELD_NAME if _is_person(name) else sf.FIELD_SIGNER, [name], name_line.location)
        put(sf.FIELD_NAME_LINE, [sf.YES])
    else:
        put(sf.FIELD_NAME_LINE, [sf.NO])

    body = _split_run_in_headings(body, findings)
    body = _split_glued_items(body, findings)
    opening, sections, closing = _outline(body, findings)
    if opening:
        put(sf.FIELD_OPENING, [p.text for p in opening], opening[0].location)
    if closing:
        put(sf.FIELD_CLOSING, [p.text for p in closing], closing[0].location)
    organisation = signer is not None and not _is_person(signer.text)
    kind = (kinds_mod.find(kind_name) if kind_name
            else guess_kind(title_lines, organisation, "".join(p.text for p in body)))
    put(sf.FIELD_KIND, [kind.id])
    run_on = _points_majority(sections)
    if run_on is not None:
        put(sf.FIELD_POINTS, [sf.POINTS_RUN_ON if run_on else sf.POINTS_OWN])
    doc = _settle(source, info, body, sections, kind, findings)
    if sf.FIELD_CHECKS_OFF not in doc.info and _own_parts(doc, kind):
        # The parts are the author's, as written: the merge does not ask for the kind's.
        doc.info[sf.FIELD_CHECKS_OFF] = Text((PARTS_RULE,), base)
    counted = [(s.heading.value, sum(1 for n in s.nodes if n.level.depth),
                sum(1 for n in s.nodes if n.level is sf.Level.POINT)) for s in doc.sections]
    return Recognised(doc, kind, findings, counted, len(body), len(title_lines), signature_text, run_on)


PARTS_RULE = "部分"


def _own_parts(doc: Document, kind: Kind) -> bool:
    """Would the kind's 部分 rule question these parts (missing, extra, renamed or reordered)?"""
    rule = REGISTRY[PARTS_RULE].func
    return rule is not None and any(True for _ in rule(Context(doc, kind)))


def _title_like(para: SourcePara) -> bool:
    text = para.text
    return (para.hint in (Hint.NONE, Hint.CENTER, Hint.TITLE)
            and ordinals.match(text) is None
            and _width(text) <= (_MAX_TITLE_WIDTH if para.hint is Hint.NONE else 2 * _MAX_TITLE_WIDTH)
            and not text.endswith(tuple(_TITLE_STOP))
            and "。" not in text
            and official_date(text) is None)


def _subtitle_like(para: SourcePara) -> bool:
    return para.hint is Hint.SUBTITLE or (para.hint in (Hint.NONE, Hint.CENTER) and (
        (para.text.startswith(_SUBTITLE_START) and _width(para.text) <= _MAX_TITLE_WIDTH + 10)
        or (_BRACKETED.fullmatch(para.text) is not None and ordinals.match(para.text) is None)))


def _name_line_like(para: SourcePara) -> bool:
    """A name under the title (张三), also after a unit or post (第三党支部 李红梅)."""
    text = para.text
    return para.hint is Hint.NAME_LINE or (
        para.hint in (Hint.NONE, Hint.CENTER) and (_is_person(text) or (
            _UNIT_PERSON.fullmatch(text) is not None and not any(w in text for w in _NOT_A_NAME)))
        and not text.endswith(_TITLE_WORDS) and ordinals.match(text) is None)


# Words of a salutation to listeners (各位领导、同志们：), which is body text, not a 主送.
_SALUTATION = ("同志", "领导", "各位", "尊敬", "朋友", "老师", "代表", "嘉宾", "大家", "你们")
_MAX_ADDRESSEE_WIDTH = 60


def _addressee_like(para: SourcePara) -> bool:
    """A 主送 line right under the title: organisations, ending with a colon (县委组织部：)."""
    text = para.text.strip()
    if para.hint is Hint.ADDRESSEE:
        return True
    return (para.hint in (Hint.NONE, Hint.BODY) and text.endswith(("：", ":")) and len(text) >= 3
            and _width(text) <= _MAX_ADDRESSEE_WIDTH and not any(ch in text for ch in "。！？!?；;")
            and ordinals.match(text) is None and _LABELLED_SIGNER.match(text) is None
            and _ANNEX.match(text) is None and not any(word in text for word in _SALUTATION))


def _title_block(paras: list[SourcePara]) -> tuple[int, list[str], SourcePara | None, SourcePara | None]:
    """Title lines (or none), a 副标题 and a name line at the top: short lines without end punctuation."""
    lines: list[str] = []
    subtitle: SourcePara | None = None
    name_line: SourcePara | None = None
    index = 0
    while index < len(paras) and index < _MAX_TITLE_LINES + 2:
        para = paras[index]
        if para.hint is Hint.TITLE:
            lines.extend(line for line in para.text.split("\n") if line.strip())
        elif lines and subtitle is None and name_line is None and _subtitle_like(para):
            subtitle = para
        elif lines and name_line is None and _name_line_like(para):
            name_line = para
        elif (subtitle is None and name_line is None and len(lines) < _MAX_TITLE_LINES and _title_like(para)
              and index + 1 < len(paras) and not (lines and lines[-1].endswith(_TITLE_WORDS))):
            # A title needs something after it (a lone short line is text), and a line that ends
            # in 提纲/报告/清单 ends it: short lines after it are an outline's, not more title.
            lines.append(para.text)
        else:
            break
        index += 1
    return index, [line.strip() for line in lines], subtitle, name_line


def _signer_like(para: SourcePara) -> bool:
    text = para.text
    if para.hint is Hint.SIGNATURE:
        return True
    label = _LABELLED_SIGNER.match(text)
    if label is not None and para.hint in (Hint.NONE, Hint.CENTER):
        rest = text[label.end():]
        return len(rest) >= 2 and _width(rest) <= _MAX_SIGNER_WIDTH and not any(ch in rest for ch in _TITLE_STOP)
    return (para.hint in (Hint.NONE, Hint.CENTER)
            and _width(text) <= _MAX_SIGNER_WIDTH
            and not any(ch in text for ch in _TITLE_STOP)
            and ordinals.match(text) is None
            and official_date(text) is None
            and not any(ch.isdigit() for ch in text))


# How the name of a unit ends: 第二党支部, 柳河镇委员会, 农业综合服务中心.
_UNIT_ENDS = ("支部", "总支", "委员会", "党委", "党组", "班子", "政府", "办公室", "中心", "局", "镇", "乡", "村",
              "社区", "街道", "公司", "站", "所", "院", "校", "队")


def _unit_over_name(para: SourcePara, signer: SourcePara) -> bool:
    """A unit's name on the line above a person's signature: a signature of two lines, which the
    format cannot print (it signs one line), so the unit stays a paragraph and the user is told."""
    return (_is_person(signer.text) and _signer_like(para) and not _is_person(para.text)
            and para.text.endswith(_UNIT_ENDS))


def _signature_before_annex(paras: list[SourcePara], start: int, findings: list[Finding]) -> None:
    """A 落款 followed by 附件 lines: the format prints nothing after the signature, so the lines
    stay paragraphs in the order typed (moving the 附件 up would reorder the author's text)."""
    annex = next((i for i in range(len(paras) - 1, start, -1) if _ANNEX.match(paras[i].text)), None)
    if annex is None:
        return
    _, signer, _, date_para = _signature(paras[:annex], start)
    if signer is not None and date_para is not None:
        findings.append(Finding(paras[annex].location, f"落款“{signer.text}”之后还有“{paras[annex].text}”，"
                                "落款和附件都按正文段落原样导入；附件说明一般写在落款之前，请核对。", Severity.WARNING))


def _signature(paras: list[SourcePara], start: int) -> tuple[int, SourcePara | None, str, SourcePara | None]:
    """A trailing 落款: a name or organisation, then a date (name alone when marked as one)."""
    end = len(paras)
    if end - start < 2:
        return end, None, "", None
    last = paras[-1]
    date = official_date(last.text)
    if date is not None and end - start >= 3 and _signer_like(paras[-2]):
        return end - 2, paras[-2], date, last
    if last.hint is Hint.SIGNATURE and date is None:
        return end - 1, last, "", None
    return end, None, "", None


def _outline(body: list[SourcePara], findings: list[Finding]) -> tuple[list[SourcePara], list[_Sec],
                                                                        list[SourcePara]]:
    """Opening paragraphs, sections with their pieces, closing paragraphs."""
    first = next((i for i, p in enumerate(body) if _level1(p)), None)
    sections: list[_Sec] = []
    blocks: list[list[int]] = []  # per section: indices of its paragraphs
    if first is None:
        if not body:
            return [], [], []
        # No 一、 headings (第一，…第二，… or 首先/其次 materials): one part without a heading,
        # its paragraphs kept as they are, （一） or 1. items in it still recognised.
        findings.append(Finding(body[0].location, "没有找到“一、”这样的一级标题，正文按原有段落导入"
                                                  "（工作表“正文”，不加一级标题）。", Severity.WARNING))
        sections.append(_Sec("", 0, 0, "", bare=True))
        blocks.append([])
        first = 0
    opening = [p for p in body[:first] if p.hint is not Hint.TABLE]
    for para in body[:first]:
        if para.hint is Hint.TABLE:  # 开头 is text: a table there has no row to stand in
            first_row = "｜".join(para.rows[0])
            shown = f"，第一行“{first_row[:30]}{'…' if len(first_row) > 30 else ''}”"
            findings.append(Finding(para.location, f"表格（{len(para.rows)} 行{shown}）在第一个“一、”之前，"
                                                   "开头部分放不下表格，没有导入，合并后请手动补上。",
                                    Severity.WARNING))
    for index in range(first, len(body)):
        para = body[index]
        found = _level1(para)
        if found is not None:
            sections.append(_Sec(para.text[found.end:].strip(), index, found.number, para.text[:found.end].strip()))
            blocks.append([])
            if found.number != len(sections):
                findings.append(Finding(para.location, f"原文序号“{sections[-1].typed_form}”不连续，合并时按顺序编为"
                                                       f"“{ordinals.format(1, len(sections))}”。", Severity.WARNING))
            if para.text.startswith("第"):
                findings.append(Finding(para.location, f"“{para.text[:found.end].strip()}”合并时按公文格式写作"
                                                       f"“{ordinals.format(1, found.number)}”。", Severity.WARNING))
        else:
            blocks[-1].append(index)
    last_block = blocks[-1]
    # 附件：1.…  2.… after the text: kept as typed (its numbers are the annexes', not items).
    annex = next((pos for pos, index in enumerate(last_block) if _ANNEX.match(body[index].text)), None)
    tail: list[SourcePara] = []
    if annex is not None and (annex > 0 or not sections[-1].bare):
        tail = [body[i] for i in last_block[annex:]]
        del last_block[annex:]
    closing: list[SourcePara] = []
    for pos, index in enumerate(last_block):
        if _ordinal(body[index]) is None and body[index].text.startswith(_CLOSING_STARTS) and all(
                _ordinal(body[i]) is None and body[i].hint is not Hint.TABLE for i in last_block[pos:]):
            closing = [body[i] for i in last_block[pos:]]
            del last_block[pos:]
            break
    closing += tail
    for sec, block in zip(sections, blocks, strict=True):
        # A heading with nothing under it keeps an empty 段落 row, so that it is still printed.
        sec.pieces = _section_pieces(body, block) or [_Piece(sf.Level.PARA, "", "", sec.para, True)]
    return opening, sections, closing


#: A 一、 heading longer than this before its first sentence end is a sentence, not a heading.
_RUN_IN_HEAD = 30
_RUN_IN_STOP = "。！？：:"


def _split_run_in_headings(body: list[SourcePara], findings: list[Finding]) -> list[SourcePara]:
    """“一、存在的主要问题。一是……”: the heading stands on its own line, the text follows as a paragraph.

    A 一、 heading is printed alone in 黑体, so a paragraph that runs on after it would be printed
    wholly as a heading. The heading is cut after its first sentence end when what follows reads
    as text (ten characters or more, ending a sentence). The stop stays with the heading, as typed:
    the checks then say that a heading on its own line has none.
    """
    out: list[SourcePara] = []
    for para in body:
        found = _level1(para)
        if found is not None:
            rest = para.text[found.end:]
            stop = next((i for i, ch in enumerate(rest[:_RUN_IN_HEAD + 1]) if ch in _RUN_IN_STOP), None)
            after = rest[stop + 1:].strip() if stop is not None else ""
            if stop is not None and stop >= 2 and len(after) >= 10 and any(c in _SENTENCE_END for c in after):
                head = para.text[:found.end] + rest[:stop + 1]
                out += [replace(para, text=head), replace(para, text=after)]
                findings.append(Finding(para.location, f"一级标题“{head}”与正文在同一段，已把标题单独成行，"
                                                       "正文另起一段。", Severity.WARNING))
                continue
        out.append(para)
    return out


#: Where an item glued to the line before may start: after a sentence or clause end.
_GLUE_AFTER = "。！？!?；;：:”’）)】"


def _split_glued_items(body: list[SourcePara], findings: list[Finding]) -> list[SourcePara]:
    """“……问题。1、理论学习不够” then “2、……”: item 1 glued to the end of the line before (a paste).

    Where a paragraph starts with item n (n > 1) of a level and the paragraph before does not
    start with item n − 1 of it but has n − 1 after a sentence end, that item is cut off into a
    paragraph of its own (so the typed 2、3、… stay 2、3、… and no number is given twice).
    """
    out: list[SourcePara] = []
    for para in body:
        found = _ordinal(para)
        if found is not None and found.level != ordinals.POINT and found.number > 1 and out \
                and out[-1].hint is not Hint.TABLE:
            wanted = found.number - 1
            before = out[-1]
            start = ordinals.match(before.text, found.level)
            if (start is None or start.number != wanted) and not _ANNEX.match(before.text):
                cut = _glued_at(before.text, found.level, wanted, _typed_mark(para.text, found))
                if cut is not None:
                    head, tail = before.text[:cut].rstrip(), before.text[cut:]
                    out[-1] = replace(before, text=head)
                    out.append(replace(before, text=tail))
                    form = tail[:ordinals.match(tail, found.level).end].strip()
                    findings.append(Finding(before.location, f"序号“{form}”接在上一段末尾（多半是粘贴时断行丢了），"
                                            f"已另起一段，与后面的“{para.text[:found.end].strip()}”等连成一组。",
                                            Severity.WARNING))
        out.append(para)
    return out


def _typed_mark(text: str, found: ordinals.Ordinal) -> str:
    """The separator typed after an ordinal's number (、 . ．）), to find the same form glued."""
    typed = text[:found.end].rstrip(" \t\u3000")
    return typed[-1:] if typed else ""


def _glued_at(text: str, level: int, number: int, mark: str) -> int | None:
    """Where item ``number`` of ``level``, typed with the same mark, starts after a stop in ``text``."""
    for at in range(len(text) - 2, 0, -1):
        if text[at - 1] not in _GLUE_AFTER:
            continue
        found = ordinals.match(text[at:], level)
        if found is None or found.number != number or not text[at:at + found.end].rstrip(" \t\u3000").endswith(mark):
            continue
        if len(text) - at - found.end >= 2:
            return at
    return None


def _ordinal(para: SourcePara) -> ordinals.Ordinal | None:
    """The ordinal a paragraph starts with; a table has none (its first cell may look like one)."""
    return None if para.hint is Hint.TABLE else ordinals.match(para.text)


def _level1(para: SourcePara) -> ordinals.Ordinal | None:
    found = _ordinal(para)
    return found if found is not None and found.level == 1 else None


def _section_pieces(body: list[SourcePara], block: list[int]) -> list[_Piece]:
    """Pieces of one section: items at paragraph starts, points within each item's paragraphs."""
    groups: list[list[int]] = [[]]  # paragraphs under the section itself, then one group per item
    items: list[bool] = [False]  # whether each group starts with an item (else: plain paragraphs)
    for index in block:
        found = _ordinal(body[index])
        if found is not None and found.level in (2, 3, 4):
            groups.append([index])
            items.append(True)
        elif body[index].hint is Hint.TABLE:
            # A table is a row of its own; the paragraphs after it go on as plain paragraphs.
            groups += [[index], []]
            items += [False, False]
        else:
            groups[-1].append(index)
    pieces: list[_Piece] = []
    for group_no, group in enumerate(groups):
        if not group:
            continue
        if body[group[0]].hint is Hint.TABLE:
            pieces.append(_Piece(sf.Level.TABLE, "", "", group[0], True))
            continue
        item = items[group_no]
        segments = []
        for pos, index in enumerate(group):
            text = body[index].text
            segments.append(text[ordinals.match(text).end:] if item and pos == 0 else text)
        points = _find_points(segments)
        for pos, index in enumerate(group):
            text = segments[pos]
            cuts = points[pos]
            lead_text = text[:cuts[0][0]] if cuts else text
            if item and pos == 0:
                found = ordinals.match(body[index].text)
                level = {2: sf.Level.ITEM2, 3: sf.Level.ITEM3, 4: sf.Level.ITEM4}[found.level]
                following = next((g[0] for g in groups[group_no + 1:] if g), None)
                after = _ordinal(body[following]) if following is not None else None
                alone = len(group) == 1 and (after is None or after.level <= found.level)
                head, item_body = _item_parts(lead_text.strip(), bool(cuts), body[index].hint, alone)
                pieces.append(_Piece(level, head, item_body, index, True, rest=lead_text.strip(),
                                     typed=found.number, typed_form=body[index].text[:found.end].strip()))
            elif lead_text.strip():
                pieces.append(_Piece(sf.Level.PARA, "", lead_text.strip(), index, True, rest=lead_text.strip()))
            for cut_no, (at, text_at) in enumerate(cuts):
                stop = cuts[cut_no + 1][0] if cut_no + 1 < len(cuts) else len(text)
                lead, point_body = _split_lead(text[text_at:stop])
                starts = at == 0 and not (item and pos == 0)
                pieces.append(_Piece(sf.Level.POINT, lead, point_body, index, starts,
                                     rest=text[text_at:stop].strip(), typed=None))
    return pieces


def _item_parts(rest: str, points_follow: bool, hint: Hint, alone: bool = False) -> tuple[str, str]:
    """Heading and text of an item: run-in up to the first sentence end, else stand-alone or text only.

    ``alone``: nothing under the item before the next one; a sentence there is the item's text
    (1.理论学习不深不透，理想信念有所弱化。), not a heading over nothing.
    """
    if not rest:
        return "", ""
    end = _sentence_end(rest)
    colon = min((rest.find(mark) for mark in "：:" if mark in rest), default=-1)
    if 0 < colon < _SHORT_HEADING and (end is None or colon < end) and rest[colon + 1:].strip():
        return rest[:colon + 1].strip(), rest[colon + 1:].strip()  # 思想认识方面：text…
    if end is not None and rest[end:].strip():
        return rest[:end].strip(), rest[end:].strip()
    if points_follow or hint is Hint.HEADING:
        return rest, ""
    ended = rest.rstrip(_CLOSERS).endswith(tuple(_SENTENCE_END))
    if hint is Hint.BODY or (ended and (alone or _width(rest) > _SHORT_HEADING)):
        return "", rest
    if rest.endswith(tuple("；;，,、")) or any(mark in rest[:-1] for mark in "：:；;"):
        return "", rest  # a clause list reads as text, not as a heading
    return rest, ""


def _points_majority(sections: list[_Sec]) -> bool | None:
    points = [p for s in sections for p in s.pieces if p.level is sf.Level.POINT]
    if not points:
        return None
    run_on = sum(1 for p in points if not p.starts)
    return run_on * 2 >= len(points)


# ---------------------------------------------------------------- checking by laying out again


def _nodes(sec: _Sec, body: list[SourcePara], joins: dict[int, Join]) -> list[Node]:
    nodes = []
    for piece in sec.pieces:
        where = body[piece.para].location
        head, text = piece.head, piece.body
        level = piece.level
        if piece.mode >= 2:
            level, head, text = sf.Level.PARA, "", body[piece.para].text
        elif piece.mode == 1:
            head, text = "", piece.rest
        if level is sf.Level.TABLE:
            nodes.append(Node(level, Text((), where), Text((), where), where, table=body[piece.para].rows))
            continue
        head_text, body_text = Text((head,) if head else (), where), Text((text,) if text else (), where)
        if level is not sf.Level.PARA:
            # What the workbook reader will make of these cells (it drops typed ordinals), so
            # that the check below sees what a merge of the workbook gives.
            head_text, body_text = outline.strip_typed(level, head_text, body_text)
        nodes.append(Node(level, head_text, body_text, where, join=joins.get(id(piece), Join.DEFAULT)))
    return nodes


def _live(sec: _Sec) -> list[_Piece]:
    """Pieces after folding: a paragraph read verbatim is one piece."""
    out: list[_Piece] = []
    verbatim: set[int] = set()
    for piece in sec.pieces:
        if piece.para in verbatim:
            continue
        if piece.mode >= 2:
            verbatim.add(piece.para)
            out = [p for p in out if p.para != piece.para]
            first = next(p for p in sec.pieces if p.para == piece.para)
            out.append(replace(first, mode=2, starts=True))
            continue
        out.append(piece)
    return out


def _explicit(piece: _Piece) -> Join:
    if (piece.level.depth and piece.mode < 2) or piece.level is sf.Level.TABLE:
        return Join.DEFAULT
    return Join.NEW if piece.starts else Join.ON


def _settle(source: Path, info: dict[str, Text], body: list[SourcePara], sections: list[_Sec], kind: Kind,
            findings: list[Finding]) -> Document:
    """Choose readings and 排法 values so that merging gives back the source's paragraphs."""
    initial: dict[int, str] = {}
    bad: set[int] = set()
    owners: list[int] = []
    for attempt in range(8):
        live = [replace(s, pieces=_live(s)) for s in sections]
        joins = {id(p): _explicit(p) for s in live for p in s.pieces}
        doc = _document(source, info, body, live, joins)
        numbered = numbering.number(doc)
        expected, owners = _expected(numbered, body, live)
        got = [p.text for p in layout.plan(numbered, kind).paragraphs]
        ordinals_now = _ordinals(numbered, live)
        if attempt == 0:
            initial = {key: ordinal for key, (_, ordinal) in ordinals_now.items()}
            _report_numbering(ordinals_now, body, findings)
        moved = {piece.para for key, (piece, ordinal) in ordinals_now.items()
                 if initial.get(key, ordinal) != ordinal}
        bad = _mismatches(expected, got) | {i for i, owner in enumerate(owners) if owner in moved}
        if not bad:
            # A reading that merge would refuse (an item with no words of its own) is no reading.
            refused = _refused(doc, kind, body)
            bad = {i for i, owner in enumerate(owners) if owner in refused and any(
                p.para == owner and _plainer(p) for s in sections for p in s.pieces)}
        if not bad:
            for para in sorted({p.para for s in live for p in s.pieces if p.mode >= 2}):
                findings.append(Finding(body[para].location, "这一段的序号或层级无法按原样还原，"
                                        "已作为普通段落原文导入，请在工作簿中核对。", Severity.WARNING))
            return _minimise(source, info, body, live, joins, kind)
        escalated = False
        for i in sorted(bad):
            owner = owners[i]
            for sec in sections:
                for piece in sec.pieces:
                    if piece.para == owner and _plainer(piece):
                        piece.mode += 1
                        escalated = True
        if not escalated:
            break
    for i in sorted(bad):
        if owners[i] >= 0:
            findings.append(Finding(body[owners[i]].location,
                                    "这一段合并后可能与原文不完全一致，请核对。", Severity.WARNING))
    return doc


def _plainer(piece: _Piece) -> bool:
    """Whether a plainer reading of the piece exists (the empty row of a bare heading has none)."""
    return piece.mode < 2 and piece.level is not sf.Level.TABLE and (piece.level is not sf.Level.PARA
                                                                      or bool(piece.body))


def _refused(doc: Document, kind: Kind, body: list[SourcePara]) -> set[int]:
    """Source paragraphs whose rows ``check`` reports as errors (merge would stop there)."""

    where = {}
    for index, para in enumerate(body):
        where.setdefault(para.location, index)
    return {where[f.location] for f in checks.run(doc, kind) if f.is_error and f.location in where}


def _ordinals(numbered: Document, live: list[_Sec]) -> dict[int, tuple[_Piece, str]]:
    """The ordinal each numbered piece gets, to see renumbering that a plainer reading causes."""
    found: dict[int, tuple[_Piece, str]] = {}
    kept = [s for s in live if s.pieces]
    for sec, section in zip(kept, numbered.sections, strict=True):
        for piece, node in zip(sec.pieces, section.nodes, strict=True):
            if node.ordinal and piece.mode < 2:
                found[id(piece)] = (piece, node.ordinal)
    return found


def _report_numbering(ordinals_now: dict[int, tuple[_Piece, str]], body: list[SourcePara],
                      findings: list[Finding]) -> None:
    """Typed numbers out of order are renumbered; other forms are written the official way."""
    told = False
    for piece, ordinal in ordinals_now.values():
        if piece.typed is None:
            continue
        found = ordinals.match(ordinal)
        if found is not None and found.number != piece.typed:
            findings.append(Finding(body[piece.para].location,
                                    f"原文序号“{piece.typed_form}”不连续，合并时按顺序编为“{ordinal}”。",
                                    Severity.WARNING))
        elif piece.typed_form != ordinal and not told:
            told = True
            findings.append(Finding(body[piece.para].location,
                                    f"“{piece.typed_form}”等序号合并时统一写作“{ordinal}”这样的规范形式。",
                                    Severity.WARNING))


def _document(source: Path, info: dict[str, Text], body: list[SourcePara], live: list[_Sec],
              joins: dict[int, Join]) -> Document:
    sections = tuple(Section(Text(() if sec.bare else (sec.head,), body[sec.para].location),
                             tuple(_nodes(sec, body, joins))) for sec in live)
    return Document(source, dict(info), sections)


def _expected(numbered: Document, body: list[SourcePara], live: list[_Sec]) -> tuple[list[str], list[int]]:
    """The paragraphs a faithful merge gives: source text with ordinals in the official form."""
    texts: list[str] = []
    owners: list[int] = []
    opening = numbered.info.get(sf.FIELD_OPENING)
    for text in opening.paragraphs if opening else ():
        texts.append(text)
        owners.append(-1)
    kept = [s for s in live if s.pieces]
    for sec, section in zip(kept, numbered.sections, strict=True):
        if not sec.bare:
            texts.append(section.ordinal + sec.head)
            owners.append(sec.para)
        current = -1
        for piece, node in zip(sec.pieces, section.nodes, strict=True):
            # The source's own words (never the node's, which the reader may have trimmed).
            if piece.level is sf.Level.TABLE:
                text = layout.table_text(body[piece.para].rows)
            elif piece.mode >= 2:
                text = body[piece.para].text
            elif piece.mode == 1:
                text = node.ordinal + piece.rest
            else:
                text = node.ordinal + piece.head + piece.body
            if not text:
                continue  # the empty row of a heading with nothing under it
            if piece.starts or piece.para != current:
                texts.append(text)
                owners.append(piece.para)
                current = piece.para
            else:
                texts[-1] += text
    closing = numbered.info.get(sf.FIELD_CLOSING)
    for text in closing.paragraphs if closing else ():
        texts.append(text)
        owners.append(-1)
    return texts, owners


def _mismatches(expected: list[str], got: list[str]) -> set[int]:
    matcher = difflib.SequenceMatcher(a=expected, b=got, autojunk=False)
    good: set[int] = set()
    for block in matcher.get_matching_blocks():
        good.update(range(block.a, block.a + block.size))
    return set(range(len(expected))) - good


def _minimise(source: Path, info: dict[str, Text], body: list[SourcePara], live: list[_Sec],
              joins: dict[int, Join], kind: Kind) -> Document:
    """Leave 排法 empty wherever the default gives the same paragraphs: a workbook a person can read.

    A row's 排法 only decides which paragraph it and its neighbours fall into, so each row is tried
    on a window of rows around it (linear in the rows); each section is then laid out whole once,
    and a section whose paragraphs changed after all is tried row by row on the whole section.
    """
    doc = _document(source, info, body, live, joins)
    inline = kinds_mod.points_inline(doc, kind)
    numbered = numbering.number(doc)
    kept = [s for s in live if s.pieces]
    for sec, section in zip(kept, numbered.sections, strict=True):
        nodes = list(section.nodes)
        wanted = _shape(nodes, inline)
        for index, piece in enumerate(sec.pieces):
            before = joins[id(piece)]
            if before is Join.DEFAULT:
                continue
            if before is Join.NEW and (piece.level is sf.Level.PARA or (piece.level is sf.Level.POINT
                                                                        and not inline)) and piece.mode < 2:
                # The default starts these rows' own paragraph too (layout._lay_section, _runs_on).
                joins[id(piece)] = Join.DEFAULT
                nodes[index] = replace(nodes[index], join=Join.DEFAULT)
                continue
            low, high = max(0, index - _WINDOW), min(len(nodes), index + _WINDOW + 1)
            window = nodes[low:high]
            shape = _shape(window, inline)
            nodes[index] = replace(nodes[index], join=Join.DEFAULT)
            if _shape(nodes[low:high], inline) == shape:
                joins[id(piece)] = Join.DEFAULT
            else:
                nodes[index] = replace(nodes[index], join=before)
        if _shape(nodes, inline) != wanted:
            _minimise_whole(sec, section, joins, inline)
    return _document(source, info, body, live, joins)


_WINDOW = 4


def _shape(nodes: list[Node], inline: bool) -> list[tuple[str, str]]:
    paras: list[layout.Para] = []
    layout._lay_section(tuple(nodes), inline, paras)  # one section, as plan() lays it
    return [(p.text, p.kind) for p in paras]


def _minimise_whole(sec: _Sec, section: Section, joins: dict[int, Join], inline: bool) -> None:
    """The exact way for one section: each row tried against the whole section's paragraphs."""
    nodes = [replace(node, join=joins[id(piece)]) for piece, node in zip(sec.pieces, section.nodes, strict=True)]
    wanted = _shape(nodes, inline)
    for index, piece in enumerate(sec.pieces):
        before = joins[id(piece)]
        if before is Join.DEFAULT:
            continue
        nodes[index] = replace(nodes[index], join=Join.DEFAULT)
        if _shape(nodes, inline) == wanted:
            joins[id(piece)] = Join.DEFAULT
        else:
            nodes[index] = replace(nodes[index], join=before)


# ---------------------------------------------------------------- which kind


def guess_kind(title_lines: list[str], organisation: bool, text: str = "") -> Kind:
    """The kind from the title's words (and who signs, and how the text speaks); else the generic
    kind, else the default.

    A 民主生活会 (or 检视剖析) material of a 班子 says so in its title, its signature or its words
    (领导班子, 班子成员, 我们 far more than 我); 组织生活会 named in the title is the branch meeting.
    """
    title = _simplified("".join(title_lines))
    meeting = any(w in title for w in ("民主生活会", "mzshh", "对照检查", "检视剖析"))
    team = organisation or "班子" in title or (meeting and _speaks_as_team(_simplified(text)))
    if "组织生活会" in title or ("检视剖析" in title and not team):
        wanted: tuple[str, ...] = ("组织生活会",)
    elif any(w in title for w in ("民主生活会", "mzshh", "对照检查", "检视剖析")):
        wanted = ("班子民主生活会", "班子", "民主生活会") if team else ("民主生活会",)
    else:
        wanted = ("通用",)
    for name in wanted:
        try:
            return kinds_mod.find(name)
        except GwError:
            continue
    return kinds_mod.find(None)


_OUR_PLACE = re.compile(r"我(?:镇|县|乡|市|区|村|局|委|办|单位|部门|们)")


def _speaks_as_team(text: str) -> bool:
    """The body speaks for a 班子: 我们 and 班子 far more than a person's own 我 (我镇 is a place)."""
    team = text.count("我们") + text.count("班子")
    person = len(re.findall("我", text)) - len(_OUR_PLACE.findall(text))
    return team >= 3 and team >= 2 * person


def _simplified(text: str) -> str:
    """Traditional characters read as simplified, only to match words (the text is never changed)."""
    converter = _converter()
    return converter.convert(text) if converter is not None else text


@functools.cache
def _converter() -> Any:
    try:
        from opencc import OpenCC
    except ImportError:  # a broken install: traditional titles then fall back to the generic kind
        return None
    return OpenCC("t2s")
