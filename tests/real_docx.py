"""Word drafts of the real-style materials in tests/data/real, typed the way Word/WPS users do.

The title is centred (its two lines broken with Shift+Enter), headings are set in 黑体 and
楷体 by hand (an item's run-in heading is a 楷体 run, its text a 仿宋 run in the same
paragraph), body paragraphs get a two-character first-line indent, and a signature with its date
is right-aligned. Fixtures typed with “　　” indents and blank lines keep them as typed.
"""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Pt

from gwmerge import ordinals
from gwmerge.text import official_date

REAL = Path(__file__).parent / "data" / "real"
_INDENTED = "\u3000\u3000"


def source_lines(name: str) -> list[str]:
    """The fixture's lines as typed (blank lines included)."""
    return (REAL / f"{name}.txt").read_text(encoding="utf-8").splitlines()


def _run(paragraph, text: str, font: str, size: float = 16, bold: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.name = font
    run.font.bold = bold
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip(" \u3000"):
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def build(name: str, dest: Path, *, table_after: str | None = None) -> Path:
    """A .docx of fixture ``name``; ``table_after``: a 2-row table after the line starting so."""
    lines = source_lines(name)
    typed_spaces = any(line.startswith(_INDENTED) for line in lines)
    blocks = _blocks(lines)
    title = blocks[0] if len(blocks) > 1 else blocks[0][:1]  # without blank lines: the first line
    last = blocks[-1]
    signature = last if len(blocks) > 1 and len(last) == 2 and official_date(last[1].strip(" \u3000")) else []
    doc = WordDocument()
    normal = doc.styles["Normal"]
    normal.font.name = "仿宋_GB2312"
    normal.font.size = Pt(16)
    # Title lines; a 副标题, a bracketed date or a name under them is its own centred paragraph.
    heads = [line for line in title if not line.strip(" \u3000").startswith(("——", "（"))
             and " " not in line.strip(" \u3000") and len(line.strip(" \u3000")) > 4]
    title_para = doc.add_paragraph()
    title_para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for number, line in enumerate(heads):
        if number:
            title_para.add_run().add_break(WD_BREAK.LINE)  # Shift+Enter between title lines
        _run(title_para, line.strip(" \u3000"), "方正小标宋简体", 22)
    for line in title[len(heads):]:
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(para, line.strip(" \u3000"), "楷体_GB2312")
    start = [i for i, line in enumerate(lines) if line.strip(" \u3000")][len(title)]
    body = lines[start:]
    if signature:
        kept = [i for i, line in enumerate(body) if line.strip(" \u3000")]
        body = body[:kept[-2]]
    for line in body:
        if not line.strip(" \u3000"):
            if typed_spaces:
                doc.add_paragraph()  # WPS users leave empty paragraphs between paragraphs
            continue
        text = line if typed_spaces else line.strip(" \u3000")
        para = doc.add_paragraph()
        if not typed_spaces:
            para.paragraph_format.first_line_indent = Pt(32)
        found = ordinals.match(text.strip(" \u3000"))
        if found is not None and found.level == 1:
            _run(para, text, "黑体")
        elif found is not None and found.level == 2:
            end = re.search(r"[。：]", text)
            if end is not None and text[end.end():].strip():
                _run(para, text[:end.end()], "楷体_GB2312")
                _run(para, text[end.end():], "仿宋_GB2312")
            else:
                _run(para, text, "楷体_GB2312")
        else:
            _run(para, text, "仿宋_GB2312")
        if table_after and text.strip(" \u3000").startswith(table_after):
            table = doc.add_table(rows=2, cols=3)
            for col, word in enumerate(("序号", "问题", "整改措施")):
                table.cell(0, col).text = word
            table.cell(1, 0).text = "1"
            table.cell(1, 1).text = "表格里的问题"
            table.cell(1, 2).text = "表格里的措施"
    if signature:
        doc.add_paragraph()
        for line in signature:
            para = doc.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(para, line.strip(" \u3000"), "仿宋_GB2312")
    doc.save(dest)
    return dest
