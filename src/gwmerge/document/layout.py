"""From a numbered outline to the paragraphs of the page: which text runs in which paragraph.

This is where the document kind's layout choices live (run-in headings, 一是 points inline or
as paragraphs); it knows nothing about Word, only paragraph kinds and run roles that the
template maps to styles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gwmerge.document import kinds, roles
from gwmerge.document import sheetformat as sf
from gwmerge.document.dates import official_date
from gwmerge.document.kinds import Kind
from gwmerge.document.model import Document, Join, Node
from gwmerge.document.titlebreak import break_title

# Paragraph kinds and run roles (roles.py), mapped to styles by the template and the renderer.
BODY, HEADING2, HEADING3, LEAD = roles.BODY, roles.HEADING2, roles.HEADING3, roles.LEAD
BODY_KEEP_NEXT = roles.BODY_KEEP
_ITEM_ROLE = {2: HEADING2, 3: HEADING3, 4: BODY}
_ITEM_HEADING = {2: roles.HEADING2, 3: roles.HEADING3, 4: roles.BODY}
# What counts as the writer's own end punctuation after a run-in heading or lead.
_PUNCTUATION = frozenset("。．.，,；;：:！!？?…—、")
_CLOSERS = "”’」』）)》〉】"


@dataclass(frozen=True)
class Run:
    text: str
    role: str = BODY


@dataclass
class Para:
    """One paragraph of the output; ``kind`` picks the template paragraph (style)."""

    kind: str
    runs: list[Run] = field(default_factory=list)
    rows: tuple[tuple[str, ...], ...] = ()  # a table (kind roles.TABLE): its rows of cell text

    @property
    def text(self) -> str:
        return table_text(self.rows) if self.rows else "".join(run.text for run in self.runs)


def table_text(rows: tuple[tuple[str, ...], ...]) -> str:
    """A table's text as one string (cells by ｜, rows by a line break), to compare and count."""
    return "\n".join("｜".join(row) for row in rows)


@dataclass(frozen=True)
class Signature:
    """Name and date lines of a signature without a seal, with right indents in characters."""

    name: str
    date: str
    name_indent: float
    date_indent: float


@dataclass(frozen=True)
class Plan:
    title: str
    title_lines: list[str]
    name_line: str
    paragraphs: list[Para]
    signature: Signature | None = None
    unit: str = ""
    name: str = ""
    position: str = ""
    date: str = ""
    subtitle: str = ""
    signer: str = ""
    year: str = ""


def width(text: str) -> float:
    """Width in body characters: half-width (ASCII) characters count one half."""
    return sum(0.5 if ord(ch) < 0x2000 else 1.0 for ch in text)


def signature(name: str, date: str) -> Signature:
    """GB/T 9704 7.3.5.2: name right-indented 2 chars, date starting 2 chars right of the name's
    first character; a date longer than that is right-indented 2 chars and the name moves left."""
    name_indent = 2.0
    date_indent = name_indent + width(name) - 2 - width(date)
    if date and date_indent < 2:
        date_indent = 2.0
        name_indent = date_indent + width(date) + 2 - width(name)
    return Signature(name, date, name_indent, max(date_indent, 2.0))


def _last_mark(text: str) -> str:
    """The last character that is not a closing quote or bracket (they follow what they close)."""
    return text.rstrip(_CLOSERS)[-1:] if text.rstrip(_CLOSERS) else ""


def run_in(text: str) -> str:
    """A run-in heading or lead sentence ends with 。 unless the writer ended it with punctuation.

    What was typed is kept: ``，`` stays ``，`` and ``。”`` stays ``。”`` (never ``，。`` or ``。”。``).
    """
    text = text.rstrip()
    return text if _last_mark(text) in _PUNCTUATION else text + "。"


def standalone(text: str) -> str:
    """A stand-alone heading is printed as typed (GB/T 9704 wants no end punctuation: check warns)."""
    return text.rstrip()


def plan(doc: Document, kind: Kind) -> Plan:
    """Lay out a numbered, checked document for the given kind."""
    paras: list[Para] = [Para(roles.ADDRESSEE, [Run(p)]) for p in _paragraphs(doc, sf.FIELD_ADDRESSEE)]
    paras += [Para(BODY, [Run(p)]) for p in _paragraphs(doc, sf.FIELD_OPENING)]
    inline = kinds.points_inline(doc, kind)
    for section in doc.sections:
        if section.heading:  # a section without a heading (部分标题 “无”) starts with its rows
            paras.append(Para(roles.HEADING1, [Run(section.ordinal + standalone(section.heading.value))]))
        _lay_section(section.nodes, inline, paras)
    paras.extend(Para(BODY, [Run(p)]) for p in _paragraphs(doc, sf.FIELD_CLOSING))
    title, typed_lines = kinds.title_lines(doc, kind)
    date_text = doc.info.get(sf.FIELD_DATE)
    date = (official_date(date_text.value) or "") if date_text else ""
    name = doc.field(sf.FIELD_NAME)
    signer = kinds.signer(doc)
    sign = signature(signer, date) if kinds.wants_signature(doc, kind) and signer else None
    if sign and paras and paras[-1].kind == BODY:
        paras[-1].kind = BODY_KEEP_NEXT  # the signature never starts a page alone
    return Plan(
        title=title,
        title_lines=typed_lines or break_title(title),
        name_line=kinds.name_line(doc, kind),
        paragraphs=paras,
        signature=sign,
        unit=doc.field(sf.FIELD_UNIT),
        name=name,
        position=doc.field(sf.FIELD_POSITION),
        date=date,
        subtitle=doc.field(sf.FIELD_SUBTITLE).strip(),
        signer=signer,
        year=kinds.field_value(doc, sf.FIELD_YEAR),
    )


def _paragraphs(doc: Document, name: str) -> tuple[str, ...]:
    text = doc.info.get(name)
    return text.paragraphs if text else ()


def _lay_section(nodes: tuple[Node, ...], inline: bool, paras: list[Para]) -> None:
    """Paragraphs of one section; each row's 排法 (join) overrides the default layout.

    ``last`` is the paragraph before (what 接上段 runs on in); ``open_para`` is the item's or a
    point's paragraph, the only one a default 一是 point continues in inline layout.
    """
    last: Para | None = None
    open_para: Para | None = None

    def add(runs: list[Run], into: Para | None = None) -> Para:
        if into is not None:
            into.runs.extend(runs)
            return into
        para = Para(BODY, runs)
        paras.append(para)
        return para

    for index, node in enumerate(nodes):
        depth = node.level.depth
        body = list(node.body.paragraphs)
        on = last if node.join is Join.ON else None
        if depth:
            role = _ITEM_ROLE[depth]
            head = node.heading.value
            if not head:  # an item made of text only: ordinal + text
                runs = [Run(node.ordinal, role)] + ([Run(body.pop(0))] if body else [])
                last = open_para = add(runs, into=on)
            elif node.join is not Join.NEW and (body or on is not None or _runs_on(nodes, index, inline)):
                runs = [Run(node.ordinal + run_in(head), role)] + ([Run(body.pop(0))] if body else [])
                last = open_para = add(runs, into=on)
            else:
                # The paragraph style gives a stand-alone heading its font; a character style on
                # top would cancel toggles such as bold that both set.
                last = Para(_ITEM_HEADING[depth], [Run(node.ordinal + standalone(head))])
                paras.append(last)
                open_para = None
                if body:  # 另起段: the text starts the next paragraph
                    last = open_para = add([Run(body.pop(0))])
            for text in body:
                last = open_para = add([Run(text)])
        elif node.level is sf.Level.TABLE:
            if node.table:
                paras.append(Para(roles.TABLE, [], node.table))
            last = open_para = None
        elif node.level is sf.Level.POINT:
            runs = [Run(node.ordinal + run_in(node.heading.value), LEAD) if node.heading
                    else Run(node.ordinal)]
            if body:
                runs.append(Run(body.pop(0)))
            into = on
            if node.join is Join.DEFAULT and inline:
                into = open_para
            last = open_para = add(runs, into=into)
            for text in body:
                last = open_para = add([Run(text)])
        else:
            texts = [*node.heading.paragraphs, *body]
            for position, text in enumerate(texts):
                last = add([Run(text)], into=on if position == 0 else None)
            # A default 一是 point after a paragraph row starts its own paragraph, unless that row
            # only ran on inside the item's or a point's paragraph, which then stays open.
            if not (on is not None and on is open_para and len(texts) == 1):
                open_para = None


def _runs_on(nodes: tuple[Node, ...], index: int, inline: bool) -> bool:
    """Whether the row after ``index`` continues in its paragraph (then a heading runs in)."""
    following = nodes[index + 1] if index + 1 < len(nodes) else None
    if following is None or following.join is Join.NEW:
        return False
    if following.join is Join.ON:
        return True
    return inline and following.level is sf.Level.POINT
