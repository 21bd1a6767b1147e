""".docx sources as Word and WPS make them: list numbering, tables, pictures, line breaks, and
files that are not documents at all (each one sentence, never a traceback)."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

from docx import Document as WordDocument
from docx.oxml import parse_xml
from test_import import import_and_merge, plain_docx, seed_lines, texts

from gwmerge import api
from gwmerge.read import docx as read_docx

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
TITLE = "副镇长2025年度民主生活会对照检查材料"


def _level(ilvl: int, fmt: str, text: str) -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:suff w:val="nothing"/></w:lvl>')


def _numbered(doc, num_id: int, ilvl: int, text: str) -> None:
    para = doc.add_paragraph(text)
    ppr = para._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {NS}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def word_numbered_docx(path: Path) -> Path:
    """Headings numbered by Word itself (一、 and （一） from numbering.xml), no typed ordinals."""
    doc = WordDocument()
    numbering = doc.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {NS} w:abstractNumId="90">'
        + _level(0, "chineseCounting", "%1、") + _level(1, "chineseCounting", "（%2）")
        + _level(2, "decimal", "%3.") + "</w:abstractNum>"))
    numbering.append(parse_xml(f'<w:num {NS} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    doc.add_paragraph(TITLE)
    doc.add_paragraph("按照镇党委部署，现对照检查如下：")
    _numbered(doc, 90, 0, "存在的主要问题")
    _numbered(doc, 90, 1, "在理论学习方面。学习还不够深入。")
    _numbered(doc, 90, 2, "学习不系统。零敲碎打。")
    _numbered(doc, 90, 1, "在担当作为方面。担当还不够。")
    _numbered(doc, 90, 0, "下步的改进措施")
    _numbered(doc, 90, 1, "加强学习。制定学习计划。")
    doc.save(path)
    return path


def test_word_list_numbering_is_read_as_shown(tmp_path: Path) -> None:
    source = word_numbered_docx(tmp_path / "自动编号.docx")
    out, imported = import_and_merge(source, tmp_path)
    assert texts(out) == [TITLE, "按照镇党委部署，现对照检查如下：", "一、存在的主要问题",
                          "（一）在理论学习方面。学习还不够深入。", "1.学习不系统。零敲碎打。",
                          "（二）在担当作为方面。担当还不够。", "二、下步的改进措施", "（一）加强学习。制定学习计划。"]
    assert any("自动编号" in f.message for f in imported.findings)


def test_tables_and_pictures_are_reported_with_their_place(tmp_path: Path) -> None:
    doc = WordDocument()
    for line in seed_lines()[:4]:
        doc.add_paragraph(line)
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "表格里的字"
    para = doc.add_paragraph("图片下面的说明。")
    para.runs[0]._r.append(parse_xml(f'<w:drawing {NS}/>'))
    for line in seed_lines()[4:]:
        doc.add_paragraph(line)
    source = tmp_path / "表格.docx"
    doc.save(source)
    out, imported = import_and_merge(source, tmp_path)
    messages = [str(f) for f in imported.findings]
    assert any("第 6 段" in m and "图片" in m for m in messages), messages
    # The table is the material's: it comes back as a table where it was.
    assert not any("表格" in f.message for f in imported.findings), messages
    assert texts(out)[4] == "表格里的字"
    # The caption beside the picture is text and is kept as its own paragraph.
    assert "图片下面的说明。" in texts(out)


def test_manual_line_breaks_split_paragraphs_and_are_reported(tmp_path: Path) -> None:
    doc = WordDocument()
    lines = seed_lines()
    doc.add_paragraph(lines[0])
    para = doc.add_paragraph(lines[1])
    para.add_run().add_break()
    para.add_run(lines[2])
    for line in lines[3:]:
        doc.add_paragraph(line)
    source = tmp_path / "换行.docx"
    doc.save(source)
    out, imported = import_and_merge(source, tmp_path)
    assert texts(out) == lines
    assert any("换行" in f.message for f in imported.findings)


def test_not_a_document_is_one_sentence(tmp_path: Path) -> None:
    fake = tmp_path / "坏.docx"
    fake.write_bytes(b"PK\x03\x04 not really")
    ole = tmp_path / "加密.docx"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    pdf = tmp_path / "材料.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    outcomes = api.import_documents([fake, ole, pdf], tmp_path / "books")
    assert [o.ok for o in outcomes] == [False, False, False]
    assert all(o.crash is None for o in outcomes)
    assert "另存为 .docx" in str(outcomes[0].error)
    assert "加密" in str(outcomes[1].error)
    assert ".txt" in str(outcomes[2].error)
    assert not (tmp_path / "books").exists() or not any((tmp_path / "books").iterdir())


def test_a_workbook_named_docx_says_so(tmp_path: Path) -> None:
    book = tmp_path / "填好的.docx"
    book.write_bytes((Path(__file__).parents[1] / "sheets" / "示例-党员.xlsx").read_bytes())
    done = subprocess.run([sys.executable, "-m", "gwmerge", "import", str(book), "-o", str(tmp_path / "books")],
                          capture_output=True, text=True, encoding="utf-8", timeout=60, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "✗ 填好的.docx：这是 Excel 工作簿，只是扩展名为 .docx；工作簿请用 gwmerge merge 生成文档。" in done.stdout


def test_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    good = plain_docx(tmp_path / "good.docx", seed_lines())
    buffer = io.BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                # Valid XML start, then a gigabyte of spaces (compresses to about a megabyte).
                head = data[: data.index(b"<w:body>")]
                with dst.open("word/document.xml", "w", force_zip64=True) as fh:
                    fh.write(head)
                    chunk = b" " * (1 << 20)
                    for _ in range(1024):
                        fh.write(chunk)
            else:
                dst.writestr(item, data)
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(buffer.getvalue())
    code = ("import resource,sys;resource.setrlimit(resource.RLIMIT_AS,(600*1024*1024,)*2);"
            "from pathlib import Path;from gwmerge import api;"
            f"o=api.import_documents([Path({str(bomb)!r})],Path({str(tmp_path / 'books')!r}));"
            "print(o[0].error)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "压缩炸弹" in done.stdout or "过大" in done.stdout


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    good = plain_docx(tmp_path / "good.docx", seed_lines())
    evil = tmp_path / "evil.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(evil, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1)
            dst.writestr(item, data)
    [outcome] = api.import_documents([evil], tmp_path / "books")
    assert not outcome.ok and outcome.crash is None
    assert "DTD" in str(outcome.error)


def test_list_number_formats() -> None:
    numbering = read_docx._read_numbering(parse_xml(
        f'<w:numbering {NS}><w:abstractNum w:abstractNumId="1">'
        + _level(0, "chineseCountingThousand", "第%1部分") + _level(1, "decimalEnclosedCircle", "%2")
        + '</w:abstractNum><w:num w:numId="5"><w:abstractNumId w:val="1"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="11"/></w:lvlOverride></w:num></w:numbering>'))
    assert numbering.render("5", 0) == "第十一部分"
    assert numbering.render("5", 1) == "①"
    assert numbering.render("5", 1) == "②"
    assert numbering.render("5", 0) == "第十二部分"
    assert numbering.render("5", 1) == "①"
    assert numbering.render("7", 0) == ""


def test_hidden_and_deleted_text_is_not_imported(tmp_path: Path) -> None:
    doc = WordDocument()
    lines = seed_lines()
    for index, line in enumerate(lines):
        para = doc.add_paragraph(line)
        if index == 1:
            hidden = para.add_run("（隐藏的批注）")
            hidden.font.hidden = True
            para._p.append(parse_xml(
                f'<w:del {NS} w:id="1" w:author="a"><w:r><w:delText>删掉的字</w:delText></w:r></w:del>'))
            para._p.append(parse_xml(f'<w:ins {NS} w:id="2" w:author="a"><w:r><w:t>补上的字。</w:t></w:r></w:ins>'))
    source = tmp_path / "修订.docx"
    doc.save(source)
    out, _ = import_and_merge(source, tmp_path)
    expected = list(lines)
    expected[1] += "补上的字。"
    assert texts(out) == expected
