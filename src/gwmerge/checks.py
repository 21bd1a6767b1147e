"""Content rules run on the outline before anything is generated; each returns findings."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from . import ordinals
from . import sheetformat as sf
from .errors import Finding, Location, Severity
from .kinds import Kind
from .model import Document, Text
from .text import official_date

Rule = Callable[[Document, Kind], Iterator[Finding]]
_FIELD = re.compile(r"\{(\w+)\}")
# Lower-case Latin words inside Chinese text are usually pinyin placeholders (mzshh, dangshi).
_PINYIN = re.compile(r"(?:(?<=[\u4e00-\u9fff])[a-z]{2,}|[a-z]{2,}(?=[\u4e00-\u9fff]))")


def fill_pattern(pattern: str, doc: Document) -> tuple[str, list[str]]:
    """Fill {字段} placeholders from the information sheet; also return the empty ones."""
    missing = [name for name in _FIELD.findall(pattern) if not doc.field(name)]
    return _FIELD.sub(lambda m: doc.field(m.group(1)), pattern), missing


def title_rule(doc: Document, kind: Kind) -> Iterator[Finding]:
    if doc.field(sf.FIELD_TITLE):
        return
    where = doc.info.get(sf.FIELD_TITLE)
    if not kind.title_pattern:
        yield Finding(where.location if where is not None else _sheet(doc), "标题为空，请在“基本信息”中填写标题。")
        return
    _, missing = fill_pattern(kind.title_pattern, doc)
    for name in missing:
        text = doc.info.get(name)
        yield Finding(text.location if text is not None else _sheet(doc),
                      f"标题为空时要用“{name}”生成标题，请填写“{name}”或直接填写标题。")


def date_rule(doc: Document, kind: Kind) -> Iterator[Finding]:
    date = doc.info.get(sf.FIELD_DATE)
    if date and official_date(date.value) is None:
        yield Finding(date.location, f"日期“{date.value}”无法识别，请写成 2025-01-15 或 2025年1月15日。")


def signature_rule(doc: Document, kind: Kind) -> Iterator[Finding]:
    choice = doc.info.get(sf.FIELD_SIGNATURE)
    if choice and choice.value not in sf.YES_WORDS | sf.NO_WORDS:
        yield Finding(choice.location, f"“落款”填“{sf.YES}”或“{sf.NO}”（留空按文种默认），现在是“{choice.value}”。")
    elif wants_signature(doc, kind) and not doc.field(sf.FIELD_NAME):
        where = doc.info.get(sf.FIELD_NAME)
        yield Finding(where.location if where is not None else _sheet(doc), "要落款就要填写“姓名”。")


def wants_signature(doc: Document, kind: Kind) -> bool:
    """The workbook's 落款 choice, else the kind's default."""
    choice = doc.field(sf.FIELD_SIGNATURE)
    return choice in sf.YES_WORDS or (choice not in sf.NO_WORDS and kind.signature)


def sections_rule(doc: Document, kind: Kind) -> Iterator[Finding]:
    for section in doc.sections:
        if not section.nodes:
            yield Finding(section.heading.location, "这一部分没有内容，不会输出；如需输出请填写内容。",
                          Severity.WARNING)
    if doc.info and doc.sections and not any(s.nodes for s in doc.sections):
        yield Finding(_sheet(doc), "所有正文工作表都是空的，请先填写内容。")


def items_rule(doc: Document, kind: Kind) -> Iterator[Finding]:
    for section in doc.sections:
        depth_seen = 1
        for node in section.nodes:
            depth = node.level.depth
            if depth and not node.heading:
                yield Finding(node.heading.location,
                              f"“{node.level.value}”条目缺少小标题，请填写“{sf.COL_HEADING}”；"
                              "如果只是一段正文，请把层级改为“段落”。")
            if depth > depth_seen + 1:
                yield Finding(node.location,
                              f"“{node.level.value}”前面没有上一级条目，层级跳过了一级，请检查层级。",
                              Severity.WARNING)
            if depth:
                depth_seen = depth
            if node.level is not sf.Level.PARA and node.heading:
                typed = ordinals.match(node.heading.paragraphs[0])
                if typed is not None:
                    yield Finding(node.heading.location,
                                  "开头像是手打的其他层级序号，序号由程序自动编排，请删去或检查层级。",
                                  Severity.WARNING)
            if node.level is sf.Level.PARA and node.heading:
                yield Finding(node.heading.location,
                              f"“段落”行只需填“{sf.COL_BODY}”；“{sf.COL_HEADING}”中的文字也会作为一段正文输出。",
                              Severity.WARNING)
            if node.level is not sf.Level.PARA and len(node.heading.paragraphs) > 1:
                yield Finding(node.heading.location, "标题或引导句只能是一段，请去掉单元格内的换行。",
                              Severity.WARNING)


def placeholder_rule(doc: Document, kind: Kind) -> Iterator[Finding]:
    for text in _texts(doc):
        for paragraph in text.paragraphs:
            for word in dict.fromkeys(_PINYIN.findall(paragraph)):
                yield Finding(text.location, f"“{word}”像是拼音缩写占位，请改为汉字。", Severity.WARNING)


RULES: tuple[Rule, ...] = (title_rule, date_rule, signature_rule, sections_rule, items_rule, placeholder_rule)


def run(doc: Document, kind: Kind) -> list[Finding]:
    return [finding for rule in RULES for finding in rule(doc, kind)]


def _texts(doc: Document) -> Iterator[Text]:
    yield from doc.info.values()
    for section in doc.sections:
        yield section.heading
        for node in section.nodes:
            yield node.heading
            yield node.body


def _sheet(doc: Document) -> Location:
    return Location(doc.source, sf.INFO_SHEET)
