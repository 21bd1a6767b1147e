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

from gwmerge.document import ordinals
from gwmerge.document.dates import official_date

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


# ---------------------------------------------------------------- Word's own XML, written out

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Style ids as Chinese Word writes them: 1 and 2 are "heading 1/2", a3 is "Title".
_WORD_STYLES = f"""<w:styles xmlns:w="{_W}">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:eastAsia="仿宋_GB2312"/><w:sz w:val="32"/></w:rPr></w:rPrDefault>
</w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/><w:pPr><w:jc w:val="both"/></w:pPr>
</w:style>
<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="a"/><w:next w:val="a"/>
<w:pPr><w:keepNext/><w:numPr><w:numId w:val="1"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr>
<w:rPr><w:rFonts w:eastAsia="黑体"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/><w:basedOn w:val="a"/><w:next w:val="a"/>
<w:pPr><w:keepNext/><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr><w:outlineLvl w:val="1"/></w:pPr>
<w:rPr><w:rFonts w:eastAsia="楷体_GB2312"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="3"><w:name w:val="heading 3"/><w:basedOn w:val="a"/><w:next w:val="a"/>
<w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="a3"><w:name w:val="Title"/><w:basedOn w:val="a"/><w:pPr><w:jc w:val="center"/>
</w:pPr><w:rPr><w:rFonts w:eastAsia="方正小标宋简体"/><w:sz w:val="44"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="a5"><w:name w:val="List Paragraph"/><w:basedOn w:val="a"/>
<w:pPr><w:ind w:firstLineChars="200" w:firstLine="640"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="a7"><w:name w:val="footer"/><w:basedOn w:val="a"/></w:style>
<w:style w:type="table" w:styleId="a9"><w:name w:val="Table Grid"/></w:style>
</w:styles>"""


def _word_level(ilvl: int, fmt: str, text: str, suffix: str = "nothing") -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
            f'<w:suff w:val="{suffix}"/><w:lvlJc w:val="left"/></w:lvl>')


# List 1 (abstract 0): the heading styles' 一、 and （一）. Lists 2 and 3 (abstract 1): 1. with a
# tab after it and （1） under it; list 3 is Word's "restart at 1" (a startOverride), list 4 is
# "continue numbering" (the same abstract, no override).
_WORD_NUMBERING = f"""<w:numbering xmlns:w="{_W}">
<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="multilevel"/>
{_word_level(0, "chineseCounting", "%1、")}{_word_level(1, "chineseCounting", "（%2）")}</w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="hybridMultilevel"/>
{_word_level(0, "decimal", "%1.", "tab")}{_word_level(1, "decimal", "（%2）")}</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>
</w:num>
<w:num w:numId="4"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>"""

# "— 1 —" with a PAGE field, as a page number is put in a footer.
_WORD_FOOTER = (f'<w:ftr xmlns:w="{_W}"><w:p><w:pPr><w:pStyle w:val="a7"/><w:jc w:val="right"/></w:pPr>'
                '<w:r><w:t xml:space="preserve">— </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                '<w:r><w:instrText xml:space="preserve"> PAGE   \\* MERGEFORMAT </w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
                '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p>'
                '</w:ftr>')


def word_xml(body: str, dest: Path) -> Path:
    """A .docx whose body is ``body`` (w:p and w:tbl elements), with Word's styles, lists and a
    footer page number: the parts and relationships Word itself writes."""
    document = (f'<w:document xmlns:w="{_W}" xmlns:r="{_R}"><w:body>{body}'
                '<w:sectPr><w:footerReference w:type="default" r:id="rId9"/>'
                '<w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="{rid}" Type="{_R}/{kind}" Target="{target}"/>'
                      for rid, kind, target in (("rId1", "styles", "styles.xml"),
                                                ("rId2", "numbering", "numbering.xml"),
                                                ("rId9", "footer", "footer1.xml")))
            + "</Relationships>")
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    types = ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/word/document.xml" ContentType="{main}.document.main+xml"/>'
             f'<Override PartName="/word/styles.xml" ContentType="{main}.styles+xml"/>'
             f'<Override PartName="/word/numbering.xml" ContentType="{main}.numbering+xml"/>'
             f'<Override PartName="/word/footer1.xml" ContentType="{main}.footer+xml"/></Types>')
    package_rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    f'<Relationship Id="rId1" Type="{_R}/officeDocument" Target="word/document.xml"/>'
                    '</Relationships>')
    import zipfile

    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", package_rels)
        z.writestr("word/document.xml", document)
        z.writestr("word/_rels/document.xml.rels", rels)
        z.writestr("word/styles.xml", _WORD_STYLES)
        z.writestr("word/numbering.xml", _WORD_NUMBERING)
        z.writestr("word/footer1.xml", _WORD_FOOTER)
    return dest


def wp(*runs: str, style: str = "", num: tuple[int, int] | None = None, jc: str = "", indent: bool = False) -> str:
    """A w:p: ``runs`` are run XML (see :func:`wr`) or plain text (one run each)."""
    ppr = (f'<w:pStyle w:val="{style}"/>' if style else "")
    ppr += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>' if num else ""
    ppr += '<w:ind w:firstLineChars="200" w:firstLine="640"/>' if indent else ""
    ppr += f'<w:jc w:val="{jc}"/>' if jc else ""
    body = "".join(run if run.startswith("<") else wr(run) for run in runs)
    return f"<w:p><w:pPr>{ppr}</w:pPr>{body}</w:p>"


def wr(text: str = "", *, font: str = "", br: bool = False, tab: bool = False) -> str:
    """A w:r as Word writes one: its own font, a line break or a tab before the text."""
    rpr = f'<w:rPr><w:rFonts w:hint="eastAsia" w:eastAsia="{font}"/></w:rPr>' if font else ""
    inner = ("<w:br/>" if br else "") + ("<w:tab/>" if tab else "")
    inner += f'<w:t xml:space="preserve">{text}</w:t>' if text else ""
    return f"<w:r>{rpr}{inner}</w:r>"


# Bits Word leaves between the runs of one word: a spelling mark, a bookmark, a page break mark.
PROOF = '<w:proofErr w:type="spellStart"/>'
PROOF_END = '<w:proofErr w:type="spellEnd"/>'
BOOKMARK = '<w:bookmarkStart w:id="0" w:name="_GoBack"/><w:bookmarkEnd w:id="0"/>'
PAGE_MARK = "<w:r><w:lastRenderedPageBreak/></w:r>"


def field(instruction: str, result: str) -> str:
    """A complex field (a DATE, a cross reference): its result is what Word shows."""
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r><w:t>{result}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')


def table(rows: list[list[str]]) -> str:
    """A w:tbl of plain cells."""
    cells = "".join("<w:tr>" + "".join(f"<w:tc><w:tcPr/>{wp(cell)}</w:tc>" for cell in row) + "</w:tr>"
                    for row in rows)
    return f'<w:tbl><w:tblPr><w:tblStyle w:val="a9"/></w:tblPr>{cells}</w:tbl>'
