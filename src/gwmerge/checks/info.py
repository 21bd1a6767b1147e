"""Rules on the information sheet and the levels of rows: what generating the document needs."""

from __future__ import annotations

from collections.abc import Iterator

from gwmerge.checks.base import Context, Piece, excerpt, info_sheet, per_cell, rule
from gwmerge.core.errors import Finding, Severity
from gwmerge.document import ordinals
from gwmerge.document import sheetformat as sf
from gwmerge.document.dates import official_date
from gwmerge.document.kinds import fill_pattern, signer, title_pattern, wants_signature
from gwmerge.document.model import Node

__all__ = ["fill_pattern", "wants_signature"]  # kept importable from here for older callers


@rule("标题", "基本信息", "标题为空且无法按文种的标题格式生成", required=True)
def title_rule(ctx: Context) -> Iterator[Finding]:
    doc = ctx.doc
    if doc.field(sf.FIELD_TITLE):
        return
    where = doc.info.get(sf.FIELD_TITLE)
    pattern = title_pattern(doc, ctx.kind)
    if not pattern:
        yield Finding(where.location if where is not None else info_sheet(doc), "标题为空，请在“基本信息”中填写标题。")
        return
    _, missing = fill_pattern(pattern, doc)
    for name in missing:
        text = doc.info.get(name)
        yield Finding(text.location if text is not None else info_sheet(doc),
                      f"标题为空时要用“{name}”生成标题，请填写“{name}”或直接填写标题。")


@rule("标题留空", "基本信息", "标题和年度都留空时，文种的标题格式印不出年度：说明将印出的标题")
def pattern_title_rule(ctx: Context) -> Iterator[Finding]:
    doc = ctx.doc
    if doc.field(sf.FIELD_TITLE) or doc.field(sf.FIELD_YEAR):
        return
    if not any("{" + sf.FIELD_YEAR + "}" in p for p in ctx.kind.title_patterns):
        return  # the kind's titles name no year (组织生活会): nothing is left out
    title, missing = fill_pattern(title_pattern(doc, ctx.kind), doc)
    if not title or missing:
        return  # no title can be made: the 标题 rule says so
    where = doc.info.get(sf.FIELD_TITLE)
    yield Finding(where.location if where is not None else info_sheet(doc),
                  f"“标题”和“年度”都留空，文档将印出标题“{title}”，不写年度和主题；"
                  "请填写“年度”，或直接填写完整标题。", Severity.WARNING)


@rule("日期", "基本信息", "日期无法识别（只写到月份时提醒）", required=True)
def date_rule(ctx: Context) -> Iterator[Finding]:
    date = ctx.doc.info.get(sf.FIELD_DATE)
    if not date:
        return
    shown = official_date(date.value)
    if shown is None:
        yield Finding(date.location, f"日期“{date.value}”无法识别，请写成 2025-01-15 或 2025年1月15日。")
    elif not shown.endswith("日"):
        yield Finding(date.location, f"日期“{date.value}”只写到月份；成文日期一般写全年、月、日"
                                     "（如 2025年1月15日），材料本来只写到月份时可不改。", Severity.WARNING)


@rule("选项", "基本信息", "“落款”“标题下署名”“要点排法”填写的值无法识别", required=True)
def choices_rule(ctx: Context) -> Iterator[Finding]:
    doc = ctx.doc
    for name in (sf.FIELD_SIGNATURE, sf.FIELD_NAME_LINE):
        choice = doc.info.get(name)
        if choice and choice.value not in sf.YES_WORDS | sf.NO_WORDS:
            yield Finding(choice.location,
                          f"“{name}”填“{sf.YES}”或“{sf.NO}”（留空按文种默认），现在是“{choice.value}”。")
    points = doc.info.get(sf.FIELD_POINTS)
    if points and "".join(points.value.split()) not in sf.POINTS_ALIASES:
        yield Finding(points.location, f"“{sf.FIELD_POINTS}”填“{sf.POINTS_RUN_ON}”或“{sf.POINTS_OWN}”"
                                       f"（留空按文种默认），现在是“{points.value}”。")


@rule("落款", "基本信息", "要落款却没有姓名（或署名）或日期")
def signature_rule(ctx: Context) -> Iterator[Finding]:
    doc = ctx.doc
    choice = doc.info.get(sf.FIELD_SIGNATURE)
    if choice and choice.value not in sf.YES_WORDS | sf.NO_WORDS:
        return  # reported by 选项
    if not wants_signature(doc, ctx.kind):
        return
    if not signer(doc):
        where = doc.info.get(sf.FIELD_NAME)
        yield Finding(where.location if where is not None else info_sheet(doc), "要落款就要填写“姓名”（或“署名”）。")
    elif _team_kind(ctx) and not doc.field(sf.FIELD_SIGNER):
        # A 班子 material signed by one person: possible, but never without a word.
        where = doc.info.get(sf.FIELD_NAME)
        yield Finding(where.location if where is not None else info_sheet(doc),
                      f"这是班子的材料，“署名”却为空，落款将写个人姓名“{doc.field(sf.FIELD_NAME)}”；"
                      "以班子名义落款请在“署名”填写班子名称（如“中共某某镇委员会领导班子”）。", Severity.WARNING)
    if not doc.field(sf.FIELD_DATE):
        where = doc.info.get(sf.FIELD_DATE)
        yield Finding(where.location if where is not None else info_sheet(doc),
                      "要落款但“日期”为空，文末将没有成文日期；请填写日期（如 2025-01-15），"
                      "或把“落款”改为“否”。", Severity.WARNING)


def _team_kind(ctx: Context) -> bool:
    """A kind written in the name of a 班子 (its title is made from 署名, or it says 班子)."""
    kind = ctx.kind
    return "班子" in kind.id or "班子" in kind.name or any("{署名}" in p for p in kind.title_patterns)


@rule("层级", "结构", "空条目、层级跳级、手打的其他层级序号、“段落”行填了标题列、标题内换行")
def items_rule(ctx: Context) -> Iterator[Finding]:
    folded: list[tuple[Piece, str, str]] = []  # one finding per kind of slip, naming its cells
    for section in ctx.doc.sections:
        depth_seen = 1
        for index, node in enumerate(section.nodes):
            depth = node.level.depth
            if depth and not node.heading and not node.body:
                yield Finding(node.heading.location,
                              f"“{node.level.value}”条目是空的，请填写“{sf.COL_HEADING}”或“{sf.COL_BODY}”，"
                              "或删去这一行。")
            if depth > depth_seen + 1:
                parent = _parent_later(section.nodes, index, depth_seen)
                if parent is not None:
                    yield Finding(node.location,
                                  f"这一行选了“{node.level.value}”，但它的上一级“{parent.level.value}”"
                                  f"在后面的 {parent.location.cell} 才出现；请检查这一行的层级。",
                                  Severity.WARNING)
            if depth:
                depth_seen = depth
            heading = node.heading
            piece = Piece(heading.value, heading.location, "heading")
            if node.level is not sf.Level.PARA and heading and ordinals.match(heading.paragraphs[0]) is not None:
                folded.append((piece, "标题{}开头像是手打的其他层级序号，序号由程序自动编排，请删去或检查层级。",
                               excerpt(heading.paragraphs[0], 0, 0, 8)))
            if node.level is sf.Level.PARA and heading:
                folded.append((piece, f"“段落”行{{}}只需填“{sf.COL_BODY}”；“{sf.COL_HEADING}”中的文字"
                                      "也会作为一段正文输出。", excerpt(heading.value, 0, 0, 8)))
            if node.level is not sf.Level.PARA and len(heading.paragraphs) > 1:
                folded.append((piece, "标题或引导句{}只能是一段，请去掉单元格内的换行。",
                               excerpt(heading.value, 0, 0, 8)))
    yield from per_cell(folded)


def _parent_later(nodes: tuple[Node, ...], index: int, depth_seen: int) -> Node | None:
    """A skipped level is the author's choice (一、 then 1.; （一） then （1））) unless a level
    between comes later in the same part: then this row was given the wrong level (1. before
    the first （一）). Gives that later row."""
    depth = nodes[index].level.depth
    for later in nodes[index + 1:]:
        if depth_seen < later.level.depth < depth:
            return later
    return None
