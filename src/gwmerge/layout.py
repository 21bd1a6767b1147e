"""From a numbered outline to the paragraphs of the page: which text runs in which paragraph.

This is where the document kind's layout choices live (run-in headings, 一是 points inline or
as paragraphs); it knows nothing about Word, only paragraph kinds and run roles that the
template maps to styles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import sheetformat as sf
from .checks import fill_pattern, wants_signature
from .kinds import Kind
from .model import Document, Node
from .text import official_date
from .titlebreak import break_title

# Run roles, mapped to character styles by the renderer.
BODY, HEADING2, HEADING3, LEAD = "body", "heading2", "heading3", "lead"
BODY_KEEP_NEXT = "body_keep"  # paragraph kind: body kept on the page of what follows
_ITEM_ROLE = {2: HEADING2, 3: HEADING3, 4: BODY}
_KEEP_END = "。！？!?；;：:…"
_DROP_END = "。.．，,；;：:、"


@dataclass(frozen=True)
class Run:
    text: str
    role: str = BODY


@dataclass
class Para:
    """One paragraph of the output; ``kind`` picks the template paragraph (style)."""

    kind: str
    runs: list[Run] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


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


def run_in(text: str) -> str:
    """A run-in heading or lead sentence ends with 。 unless the writer ended it otherwise."""
    text = text.rstrip()
    if text.endswith((".", "．")):
        return text[:-1] + "。"
    return text if text.endswith(tuple(_KEEP_END)) else text + "。"


def standalone(text: str) -> str:
    """A stand-alone heading carries no end punctuation (GB/T 9704)."""
    return text.rstrip().rstrip(_DROP_END)


def plan(doc: Document, kind: Kind) -> Plan:
    """Lay out a numbered, checked document for the given kind."""
    paras: list[Para] = [Para(BODY, [Run(p)]) for p in _paragraphs(doc, sf.FIELD_OPENING)]
    for section in doc.sections:
        paras.append(Para("heading1", [Run(section.ordinal + standalone(section.heading.value))]))
        _lay_section(section.nodes, kind.points_inline, paras)
    paras.extend(Para(BODY, [Run(p)]) for p in _paragraphs(doc, sf.FIELD_CLOSING))
    title = doc.field(sf.FIELD_TITLE) or fill_pattern(kind.title_pattern, doc)[0]
    date_text = doc.info.get(sf.FIELD_DATE)
    date = (official_date(date_text.value) or "") if date_text else ""
    name = doc.field(sf.FIELD_NAME)
    sign = signature(name, date) if wants_signature(doc, kind) and name else None
    if sign and paras and paras[-1].kind == BODY:
        paras[-1].kind = BODY_KEEP_NEXT  # the signature never starts a page alone
    return Plan(
        title=title,
        title_lines=break_title(title),
        name_line=fill_pattern(kind.name_line_pattern, doc)[0].strip() if kind.name_line_pattern else "",
        paragraphs=paras,
        signature=sign,
        unit=doc.field(sf.FIELD_UNIT),
        name=name,
        position=doc.field(sf.FIELD_POSITION),
        date=date,
    )


def _paragraphs(doc: Document, name: str) -> tuple[str, ...]:
    text = doc.info.get(name)
    return text.paragraphs if text else ()


def _lay_section(nodes: tuple[Node, ...], points_inline: bool, paras: list[Para]) -> None:
    open_para: Para | None = None  # the paragraph an inline 一是 point continues
    for index, node in enumerate(nodes):
        depth = node.level.depth
        body = list(node.body.paragraphs)
        if depth:
            head = node.heading.value
            if body or (points_inline and _points_follow(nodes, index)):
                para = Para(BODY, [Run(node.ordinal + run_in(head), _ITEM_ROLE[depth])])
                if body:
                    para.runs.append(Run(body.pop(0)))
                paras.append(para)
                paras.extend(Para(BODY, [Run(p)]) for p in body)
                open_para = paras[-1]
            else:
                # The paragraph style gives a stand-alone heading its font; a character style on
                # top would cancel toggles such as bold that both set.
                kind = f"heading{depth}" if depth < 4 else BODY
                paras.append(Para(kind, [Run(node.ordinal + standalone(head))]))
                open_para = None
        elif node.level is sf.Level.POINT:
            runs = [Run(node.ordinal + run_in(node.heading.value), LEAD) if node.heading
                    else Run(node.ordinal)]
            if body:
                runs.append(Run(body.pop(0)))
            if points_inline and open_para is not None:
                open_para.runs.extend(runs)
            else:
                paras.append(Para(BODY, runs))
            paras.extend(Para(BODY, [Run(p)]) for p in body)
            open_para = paras[-1] if points_inline else None
        else:
            paras.extend(Para(BODY, [Run(p)]) for p in (*node.heading.paragraphs, *body))
            open_para = paras[-1] if points_inline and paras else None


def _points_follow(nodes: tuple[Node, ...], index: int) -> bool:
    following = nodes[index + 1] if index + 1 < len(nodes) else None
    return following is not None and following.level is sf.Level.POINT
