"""Content rules run on the outline before anything is generated; each returns findings."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from . import ordinals
from . import sheetformat as sf
from .errors import Finding, Location, Severity
from .kinds import Kind, fill_pattern, signer, title_pattern, wants_signature
from .model import Document, Text
from .text import official_date

Rule = Callable[[Document, Kind], Iterator[Finding]]
# Lower-case Latin words inside Chinese text are usually pinyin placeholders (mzshh, dangshi).
_PINYIN = re.compile(r"(?:(?<=[\u4e00-\u9fff])[a-z]{2,}|[a-z]{2,}(?=[\u4e00-\u9fff]))")


def title_rule(doc: Document, kind: Kind) -> Iterator[Finding]:
    if doc.field(sf.FIELD_TITLE):
        return
    where = doc.info.get(sf.FIELD_TITLE)
    pattern = title_pattern(doc, kind)
    if not pattern:
        yield Finding(where.location if where is not None else _sheet(doc), "标题为空，请在“基本信息”中填写标题。")
        return
    _, missing = fill_pattern(pattern, doc)
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
    elif wants_signature(doc, kind) and not signer(doc):
        where = doc.info.get(sf.FIELD_NAME)
        yield Finding(where.location if where is not None else _sheet(doc), "要落款就要填写“姓名”（或“署名”）。")
    choice = doc.info.get(sf.FIELD_NAME_LINE)
    if choice and choice.value not in sf.YES_WORDS | sf.NO_WORDS:
        yield Finding(choice.location, f"“{sf.FIELD_NAME_LINE}”填“{sf.YES}”或“{sf.NO}”（留空按文种默认），"
                                       f"现在是“{choice.value}”。")
    points = doc.info.get(sf.FIELD_POINTS)
    if points and "".join(points.value.split()) not in sf.POINTS_ALIASES:
        yield Finding(points.location, f"“{sf.FIELD_POINTS}”填“{sf.POINTS_RUN_ON}”或“{sf.POINTS_OWN}”"
                                       f"（留空按文种默认），现在是“{points.value}”。")


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
            if depth and not node.heading and not node.body:
                yield Finding(node.heading.location,
                              f"“{node.level.value}”条目是空的，请填写“{sf.COL_HEADING}”或“{sf.COL_BODY}”，"
                              "或删去这一行。")
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
