"""Property-based tests: any text a user can type reaches the document (or the terminal) intact.

Random Unicode cell text — control characters, XML specials, Jinja syntax, Excel escapes, emoji,
very long text — always yields a document that opens and holds the text as typed, minus only the
characters XML cannot hold (white space may be normalised: line breaks become paragraphs).
Each example builds its workbook in memory and renders to bytes, so thousands run in seconds:
the CI profile (``CI`` set) runs 1,000 document, 2,000 reader and 2,000 terminal examples.
"""

from __future__ import annotations

import functools
import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from hostile import EXAMPLE, SHEET, sheet_xml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gwmerge import pipeline
from gwmerge.core.safetext import for_markup, for_terminal
from gwmerge.document import kinds, layout, numbering, outline
from gwmerge.docx import render
from gwmerge.read.xlsx import read_grid

CI = bool(os.environ.get("CI"))
DOC_EXAMPLES = 1000 if CI else 200
READ_EXAMPLES = 2000 if CI else 400

# Characters XML 1.0 cannot hold: what Excel writes as _xHHHH_ and what may be lost.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIALS = ["{{", "}}", "{%", "%}", "{#", "#}", "{_{", "}_}", "{_%", "%_}",  # {_{: docxtpl's literal {{
             "{{ 7*7 }}", "{% for x in range(9) %}", "<", ">", "&", "&amp;",
             "]]>", "<w:t>", "'", '"', "_x0041_", "_x", "[/]", "[red]", "\x1b[2J", "=1+1", "😀", "👨‍👩‍👧", "\u200b",
             "\u202e", "\ufeff", "\r\n", "\n", "\t", "\x07", "\x0b", "\x00", "\ud800", "一是", "（一）", "。"]
_TEXT = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=60),
    st.lists(st.one_of(st.sampled_from(_SPECIALS), st.text(max_size=8)), max_size=20).map("".join),
)
# Mostly short, sometimes very long (up to Excel's 32,767 characters).
CELL_TEXT = st.one_of(
    _TEXT, _TEXT, _TEXT,
    st.builds(lambda piece, n: (piece * n)[:32767], _TEXT.filter(bool), st.integers(50, 3000)),
)


def _excel_escape(text: str) -> str:
    """How Excel stores cell text in XML: _x escapes for what XML cannot hold, and for _xHHHH_ itself."""
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\r\ud800-\udfff\ufffe\uffff]", lambda m: f"_x{ord(m[0]):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _workbook(text: str, tmp: Path, shared: bool = False) -> Path:
    """The example workbook with ``text`` in 存在的问题 › C2: inline, or (``shared``) as a shared string
    split into two formatted runs, as Excel writes text with mixed formatting."""
    head = ('<row r="1"><c r="A1" t="inlineStr"><is><t>层级</t></is></c><c r="C1" t="inlineStr"><is><t>正文</t>'
            '</is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>段落</t></is></c>')
    extra: dict[str, bytes] = {}
    if shared:
        cut = len(text) // 2
        runs = "".join(f'<r><rPr><b/></rPr><t xml:space="preserve">{_excel_escape(piece)}</t></r>'
                       for piece in (text[:cut], text[cut:]))
        rows = head + '<c r="C2" t="s"><v>0</v></c></row>'
        extra["xl/sharedStrings.xml"] = (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<si>{runs}<rPh sb=\"0\" eb=\"1\"><t>ㄅ</t></rPh></si></sst>").encode()
    else:
        rows = head + f'<c r="C2" t="inlineStr"><is><t xml:space="preserve">{_excel_escape(text)}</t></is></c></row>'
    data = sheet_xml(rows.encode())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zout:
        for name, part in {**_example_parts(), **extra}.items():
            zout.writestr(name, data if name == SHEET else part)
    tmp.write_bytes(buf.getvalue())
    return tmp


@functools.cache
def _example_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(EXAMPLE) as zin:
        return {item.filename: zin.read(item) for item in zin.infolist()}


def _visible(text: str) -> str:
    """The text as a reader sees it on paper: no characters XML cannot hold, no white space."""
    return "".join(ch for ch in _XML_ILLEGAL.sub("", text) if not ch.isspace() and ch != "\x85")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties") / "随机.xlsx"


@pytest.mark.timeout(300)
@settings(max_examples=READ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=CELL_TEXT, shared=st.booleans())
def test_reader_keeps_any_cell_text(scratch: Path, text: str, shared: bool) -> None:
    grid = read_grid(_workbook(text, scratch, shared))
    sheet = next(s for s in grid.sheets if s.title == "存在的问题")
    cells = [c.text for row in sheet.rows if row.number == 2 for c in row.cells if c]
    got = cells[1] if len(cells) > 1 else ""
    assert _visible(got) == _visible(text)
    assert not _XML_ILLEGAL.search(got)


@pytest.mark.timeout(600)
@settings(max_examples=DOC_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=CELL_TEXT, shared=st.booleans())
def test_any_cell_text_reaches_a_document_that_opens(scratch: Path, text: str, shared: bool) -> None:
    from docx import Document

    grid = read_grid(_workbook(text, scratch, shared))
    doc, _ = outline.build(grid)  # findings do not matter here: the text must survive
    kind = kinds.find(doc.info["文种"].value if "文种" in doc.info else None)
    plan = layout.plan(numbering.number(doc), kind)
    data = render.compiled(pipeline.kind_template(kind, ())).document(plan)
    opened = Document(io.BytesIO(data))  # opens as a Word document
    paragraphs = [p.text for p in opened.paragraphs]
    start = paragraphs.index("一、存在的问题") + 1
    end = next(i for i, p in enumerate(paragraphs) if p.startswith("二、"))
    assert _visible("".join(paragraphs[start:end])) == _visible(text)


@settings(max_examples=2000, deadline=None)
@given(text=st.one_of(st.text(st.characters(codec=None, exclude_categories=())),
                      st.lists(st.sampled_from(["[", "]", "\\", "/", "red", "b", "@", "#", "=", " ", ":smile:"]))
                      .map("".join)))
def test_terminal_text_is_one_inert_line(text: str) -> None:
    shown = for_terminal(text)
    assert "\n" not in shown and "\r" not in shown and "\x1b" not in shown
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in shown)
    from rich.console import Console

    console = Console(file=io.StringIO(), width=10_000, emoji=False, highlight=False, color_system=None,
                      soft_wrap=True)
    console.print(f"[green]✓[/] {for_markup(text)}")
    # rich doubles a final backslash so that it cannot escape markup after it
    assert console.file.getvalue() in (f"✓ {shown}\n", f"✓ {shown}\\\n")
