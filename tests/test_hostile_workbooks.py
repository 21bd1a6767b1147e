"""Hostile and odd workbooks: each answered with one located sentence or a correct document.

Bombs run in a child process under a 500 MB address-space limit beside a good workbook: the good
one is still written, the bomb is one ✗ line (pytest-timeout bounds the time, not an assertion).
"""

from __future__ import annotations

import random
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import SHEETS
from hostile import EXAMPLE, SHEET, damaged, patched, section_rows, shared_strings, sheet_xml
from process import MEMORY_LIMIT, run_gwmerge

from gwmerge import api
from gwmerge.core.errors import GwError
from gwmerge.read.xlsx import read_grid

pytestmark = pytest.mark.timeout(120)


def _error(path: Path) -> str:
    [outcome] = api.check([path])
    assert outcome.error is not None and outcome.crash is None, (outcome.findings, outcome.crash)
    return str(outcome.error)


def _errors(path: Path) -> list[str]:
    [outcome] = api.check([path])
    assert outcome.error is None and outcome.crash is None, (outcome.error, outcome.crash)
    return [str(f) for f in outcome.findings if f.is_error]


def _beside_good(bomb: Path, tmp_path: Path) -> str:
    """Merge the bomb and a good workbook in a child process under the memory limit."""
    good = Path(shutil.copy(SHEETS / "示例-副镇长.xlsx", bomb.parent / "好的.xlsx"))
    result = run_gwmerge("merge", bomb, good, "-o", tmp_path / "out", memory=MEMORY_LIMIT)
    assert result.code == 1, result.output
    assert "Traceback" not in result.output and "内部错误" not in result.output, result.output
    assert "✓ 好的.xlsx → " in result.stdout
    assert (tmp_path / "out" / "好的.docx").is_file()
    [line] = [line for line in result.stdout.splitlines() if line.startswith("✗")]
    assert line.startswith((f"✗ {bomb.name}：", f"✗ {bomb.name} › ")), line
    assert not (tmp_path / "out" / f"{bomb.stem}.docx").exists()
    return line


# ---------------------------------------------------------------- bombs, under a memory limit

def test_zip_bomb_declared_size(tmp_path: Path) -> None:
    rows = b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"x" * (80 * 1024 * 1024) + b"</t></is></c></row>"
    bomb = patched(tmp_path / "炸弹.xlsx", replace={SHEET: sheet_xml(rows)})
    assert bomb.stat().st_size < 1024 * 1024
    line = _beside_good(bomb, tmp_path)
    assert "压缩炸弹" in line and "请检查文件来源" in line


def test_zip_bomb_that_lies_about_its_size(tmp_path: Path) -> None:
    """Declared sizes patched to look small: reading stops at the declared size (CRC fails)."""
    big = sheet_xml(b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"y" * (30 * 1024 * 1024) + b"</t></is></c></row>")
    bomb = patched(tmp_path / "说谎.xlsx", replace={SHEET: big})
    data = bytearray(bomb.read_bytes())
    with zipfile.ZipFile(bomb) as z:
        info = z.getinfo(SHEET)
    size = info.file_size.to_bytes(4, "little")
    data = data.replace(size, (1000).to_bytes(4, "little"))  # local header and central directory
    bomb.write_bytes(bytes(data))
    line = _beside_good(bomb, tmp_path)
    assert "不是有效的 .xlsx 工作簿" in line or "格式有误" in line


def test_shared_strings_bomb(tmp_path: Path) -> None:
    sst = shared_strings(b"<si><t>ab</t></si>" * 3_000_000)
    bomb = patched(tmp_path / "字符串炸弹.xlsx", add={"xl/sharedStrings.xml": sst})
    line = _beside_good(bomb, tmp_path)
    assert "压缩炸弹" in line


def test_shared_strings_too_many_entries_uncompressed(tmp_path: Path) -> None:
    sst = shared_strings(b"<si><t>ab</t></si>" * 600_000)
    bomb = patched(tmp_path / "条目太多.xlsx", add={"xl/sharedStrings.xml": sst}, stored=True)
    assert "文字条目异常多" in _error(bomb)


def test_cells_padded_to_column_xfd(tmp_path: Path) -> None:
    """One cell at XFD in each of 200,000 rows: a 54 KB file that padded to > 8 GB before."""
    rows = b"".join(b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (n, n) for n in range(1, 200_001))
    bomb = patched(tmp_path / "远列.xlsx", replace={SHEET: sheet_xml(rows)})
    line = _beside_good(bomb, tmp_path)
    assert "压缩炸弹" in line or "内容异常多" in line


def test_cells_padded_to_column_xfd_uncompressed(tmp_path: Path) -> None:
    rows = b"".join(b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (n, n) for n in range(1, 20_001))
    bomb = patched(tmp_path / "远列.xlsx", replace={SHEET: sheet_xml(rows)}, stored=True)
    message = _error(bomb)
    assert message.startswith("远列.xlsx › 存在的问题：工作表内容异常多"), message


def test_500k_rows_of_junk(tmp_path: Path) -> None:
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n) for n in range(1, 500_001))
    bomb = patched(tmp_path / "五十万行.xlsx", replace={SHEET: sheet_xml(rows)})
    line = _beside_good(bomb, tmp_path)
    assert "压缩炸弹" in line or "内容异常多" in line or "超出允许的大小" in line


def test_200k_columns_of_junk(tmp_path: Path) -> None:
    cells = b"".join(b"<c><v>1</v></c>" for _ in range(200_000))
    bomb = patched(tmp_path / "二十万列.xlsx", replace={SHEET: sheet_xml(b'<row r="1">' + cells + b"</row>")},
                   stored=True)
    assert "超出 Excel 最大列" in _error(bomb)


def test_text_of_thousands_of_pages_is_refused_while_reading(tmp_path: Path) -> None:
    """Within every byte budget, 20 million characters of cells took 40 s and 860 MB in the worker
    (one worker per CPU); now the reader stops at 4 million (over 6,000 pages)."""
    rows = section_rows(*[("段落", "", "文" * 32_000)] * 130)
    book = patched(tmp_path / "千页.xlsx", replace={SHEET: sheet_xml(rows)}, stored=True)
    message = _error(book)
    expected = "千页.xlsx › 存在的问题：工作簿里的文字异常多（到第 126 行已超过 400 万字，约六千页）"
    assert message.startswith(expected), message
    assert message.endswith("请删除多余的内容，或把内容复制到新建的工作簿中。")


def test_huge_declared_dimension_is_ignored(tmp_path: Path) -> None:
    book = patched(tmp_path / "尺寸.xlsx", replace={SHEET: lambda d: d.replace(
        b'<dimension ref="A1:D11"/>', b'<dimension ref="A1:XFD1048576"/>')})
    [outcome] = api.merge([book], tmp_path / "out")
    assert outcome.ok, outcome.error


def _random_cjk(n: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(n))


def test_cell_of_32767_characters_is_read_whole(tmp_path: Path) -> None:
    text = _random_cjk(32_766) + "。"
    book = patched(tmp_path / "长格.xlsx", replace={SHEET: sheet_xml(section_rows(("段落", "", text)))})
    [outcome] = api.merge([book], tmp_path / "out")
    assert outcome.ok, outcome.error
    from gwmerge.docx.effective import EffectiveDoc

    assert text in [p.text for p in EffectiveDoc(outcome.output).paragraphs()]


def test_cell_over_the_excel_limit_is_refused_not_cut(tmp_path: Path) -> None:
    sst = shared_strings(["层级", "段落", _random_cjk(40_000)])
    rows = (b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
            b'<row r="2"><c r="A2" t="s"><v>1</v></c><c r="C2" t="s"><v>2</v></c></row>')
    book = patched(tmp_path / "超长.xlsx", replace={SHEET: sheet_xml(rows)}, add={"xl/sharedStrings.xml": sst})
    assert _error(book) == ("超长.xlsx › 存在的问题 › C2：这一格有 40,000 个字，超过 Excel 一格 32767 字的上限"
                            "（文件可能被其他程序改动过）；请删减或分到几格后再试。")


def test_twelve_megabyte_cell(tmp_path: Path) -> None:
    sst = shared_strings(["段落", _random_cjk(4_200_000)])  # 12.6 MB of UTF-8 in one text node
    rows = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>'
    bomb = patched(tmp_path / "大格.xlsx", replace={SHEET: sheet_xml(rows)}, add={"xl/sharedStrings.xml": sst})
    line = _beside_good(bomb, tmp_path)
    assert "千万字" in line or "32767" in line


def test_one_gigabyte_cell_is_refused_before_reading(tmp_path: Path) -> None:
    """1.1 GB of text in one cell, written in a stream (the file itself is about 1 MB)."""
    bomb = tmp_path / "一G.xlsx"
    with zipfile.ZipFile(EXAMPLE) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for item in zin.infolist():
            if item.filename != SHEET:
                zout.writestr(item.filename, zin.read(item))
        with zout.open(SHEET, "w", force_zip64=True) as f:
            f.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    b'<row r="1"><c r="C1" t="inlineStr"><is><t>')
            chunk = b"z" * (1 << 20)
            for _ in range(1100):
                f.write(chunk)
            f.write(b"</t></is></c></row></sheetData></worksheet>")
    line = _beside_good(bomb, tmp_path)
    assert "GB" in line and "压缩炸弹" in line


# ---------------------------------------------------------------- malformed and malicious XML

def test_xxe_is_refused(tmp_path: Path) -> None:
    head = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    rows = b'<row r="1"><c r="C1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
    book = patched(tmp_path / "外部实体.xlsx", replace={SHEET: sheet_xml(rows, head=head)})
    message = _error(book)
    assert message.startswith("外部实体.xlsx：文件含有 DTD/实体声明") and "root:" not in message


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    entities = b'<!ENTITY a "aaaaaaaaaa">' + b"".join(
        b'<!ENTITY %s "%s">' % (chr(98 + i).encode(), b"&" + chr(97 + i).encode() + b";" * 1) * 1 for i in range(8))
    head = b"<!DOCTYPE worksheet [" + entities + b"]>"
    book = patched(tmp_path / "实体膨胀.xlsx", replace={SHEET: sheet_xml(b"", head=head)})
    assert "DTD/实体声明" in _error(book)


def test_entity_in_shared_strings_utf16(tmp_path: Path) -> None:
    sst = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE sst [<!ENTITY a "x">]>'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&a;</t></si></sst>')
    book = patched(tmp_path / "十六位.xlsx", add={"xl/sharedStrings.xml": sst.encode("utf-16")})
    assert "DTD/实体声明" in _error(book)


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("坏字符引用", b'<row r="1"><c r="C1" t="inlineStr"><is><t>&#0;</t></is></c></row>'),
        ("代理字符引用", b'<row r="1"><c r="C1" t="inlineStr"><is><t>&#xD800;</t></is></c></row>'),
        ("没闭合", b'<row r="1"><c r="C1" t="inlineStr"><is><t>x</t></is></c>'),
        ("坏编码", b'<row r="1"><c r="C1" t="inlineStr"><is><t>\xff\xfe</t></is></c></row>'),
    ],
)
def test_malformed_sheet_xml_is_one_sentence(tmp_path: Path, name: str, rows: bytes) -> None:
    book = patched(tmp_path / f"{name}.xlsx", replace={SHEET: sheet_xml(rows)})
    message = _error(book)
    assert message.startswith(f"{name}.xlsx › 存在的问题：文件内部的 XML 格式有误（xl/worksheets/sheet2.xml，第 1 行）")
    assert "请用 Excel 或 WPS 打开并另存为 .xlsx 后再试" in message


def test_deep_nesting_is_not_called_a_long_text(tmp_path: Path) -> None:
    """libxml2's depth limit says "use XML_PARSE_HUGE" too; it was reported as 一段文字长达千万字."""
    rows = b'<row r="1">' + b"<x>" * 300 + b"</x>" * 300 + b"</row>"
    book = patched(tmp_path / "深层.xlsx", replace={SHEET: sheet_xml(rows)})
    message = _error(book)
    assert message == ("深层.xlsx › 存在的问题：文件内部的结构嵌套过深（xl/worksheets/sheet2.xml），"
                       "正常的工作簿不会这样，可能已损坏或是恶意构造的文件；请检查文件来源，或把内容复制到新建的工作簿中。")


def test_broken_styles_part_is_named_not_the_sheet(tmp_path: Path) -> None:
    """The styles part is read when the first number needs its format; its syntax error named the
    sheet's part (xl/worksheets/sheet2.xml) and the sheet, both of which are fine."""
    rows = section_rows(("段落", "", "甲。")) + b'<row r="3"><c r="C3" s="1"><v>45678</v></c></row>'
    book = patched(tmp_path / "坏样式.xlsx", replace={SHEET: sheet_xml(rows), "xl/styles.xml": b"<styleSheet"})
    assert _error(book) == ("坏样式.xlsx：文件内部的 XML 格式有误（xl/styles.xml，第 1 行），文件可能已损坏或被改动过；"
                            "请用 Excel 或 WPS 打开并另存为 .xlsx 后再试。")


def test_bad_shared_string_index_names_the_cell(tmp_path: Path) -> None:
    rows = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>99</v></c></row>'
    book = patched(tmp_path / "索引.xlsx", replace={SHEET: sheet_xml(rows)},
                   add={"xl/sharedStrings.xml": shared_strings(["段落"])})
    assert _error(book).startswith("索引.xlsx › 存在的问题 › C1：这一格引用的文字在文件中不存在（文件已损坏）")


def test_less_than_in_a_sheet_name(tmp_path: Path) -> None:
    raw = patched(tmp_path / "尖括号.xlsx", replace={"xl/workbook.xml": lambda d: d.replace(
        'name="存在的问题"'.encode(), 'name="存在<的问题"'.encode())})
    assert "文件内部的 XML 格式有误（xl/workbook.xml" in _error(raw)
    escaped = patched(tmp_path / "转义.xlsx", replace={"xl/workbook.xml": lambda d: d.replace(
        'name="存在的问题"'.encode(), 'name="存在&lt;的问题"'.encode())})
    [outcome] = api.merge([escaped], tmp_path / "out")
    assert outcome.ok, outcome.error


# ---------------------------------------------------------------- formats that are not .xlsx

def _ole(payload: bytes) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + payload + b"\x00" * 1024


def test_encrypted_workbook_says_password(tmp_path: Path) -> None:
    book = tmp_path / "加密.xlsx"
    book.write_bytes(_ole("EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le")))
    message = _error(book)
    assert "密码" in message and "请去掉密码后另存" in message


def test_xls_renamed_to_xlsx(tmp_path: Path) -> None:
    book = tmp_path / "旧版.xlsx"
    book.write_bytes(_ole("Workbook".encode("utf-16-le")))
    assert "旧版 .xls" in _error(book)


@pytest.mark.parametrize(("suffix", "words"), [(".xls", "另存为"), (".et", "WPS"), (".csv", "空白工作簿"),
                                               (".ods", "另存为")])
def test_other_formats_say_what_to_do(tmp_path: Path, suffix: str, words: str) -> None:
    path = tmp_path / f"名单{suffix}"
    path.write_bytes(b"a,b\n1,2\n")
    message = _error(path)
    assert message.startswith(f"名单{suffix}：") and words in message


def test_xlsm_is_read_and_macros_ignored(tmp_path: Path) -> None:
    book = patched(tmp_path / "宏.xlsm", add={"xl/vbaProject.bin": b"\x00macro"})
    [outcome] = api.merge([book], tmp_path / "out")
    assert outcome.ok, outcome.error


def test_not_a_zip_at_all(tmp_path: Path) -> None:
    book = tmp_path / "文本.xlsx"
    book.write_bytes(b"\x13\x37garbage\x00\x01\x02" * 10)
    assert "不是有效的 .xlsx 工作簿" in _error(book)


@pytest.mark.parametrize("part", [SHEET, "xl/workbook.xml"])
@pytest.mark.parametrize("command", ["check", "merge"])
def test_damaged_compressed_data_is_a_damaged_file(tmp_path: Path, part: str, command: str) -> None:
    """zlib's "Error -3 while decompressing data" was 内部错误 in English; it is a damaged file."""
    book = damaged(patched(tmp_path / "损坏.xlsx", replace={SHEET: lambda d: d * 3}), part)
    args = ("-o", tmp_path / "out") if command == "merge" else ()
    result = run_gwmerge(command, book, *args)
    assert result.code == 1, result.output
    assert "内部错误" not in result.output and "Error -3" not in result.output, result.output
    assert "损坏.xlsx：不是有效的 .xlsx 工作簿（可能已损坏" in result.stdout, result.output


def _docx(path: Path) -> Path:
    from docx import Document

    doc = Document()
    doc.add_paragraph("对照检查材料")
    doc.save(path)
    return path


@pytest.mark.parametrize(("make", "words"), [
    (lambda p: p.write_bytes(b""), "文件是空的（0 字节）"),
    (lambda p: p.write_text("姓名,职务\n张三,副镇长\n", encoding="utf-8"), "这是文本文件（如 CSV 或 TXT）"),
    (lambda p: p.write_bytes("一、存在的问题\r\n（一）学习不够深入。".encode("gb18030")), "这是文本文件"),
    (lambda p: p.write_bytes("姓名\t职务".encode("utf-16")), "这是文本文件"),
    (lambda p: p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "这是 PDF 文件"),
    (_docx, "这是 Word 文档（.docx），只是扩展名为 .xlsx；从 Word 文档开始请用 gwmerge import"),
])
def test_a_file_that_is_something_else_says_what_it_is(tmp_path: Path, make, words: str) -> None:
    book = tmp_path / "材料.xlsx"
    make(book)
    result = run_gwmerge("check", book)
    assert result.code == 1 and "Traceback" not in result.output
    assert f"错误 材料.xlsx：{words}" in result.stdout, result.output


# ---------------------------------------------------------------- silent losses

def test_missing_worksheet_part_is_an_error(tmp_path: Path) -> None:
    book = patched(tmp_path / "缺表.xlsx", replace={SHEET: None})
    assert _error(book).startswith("缺表.xlsx › 存在的问题：这张工作表的内容在文件中缺失")


def test_sheet_named_with_spaces_only(tmp_path: Path) -> None:
    book = patched(tmp_path / "空名.xlsx", replace={"xl/workbook.xml": lambda d: d.replace(
        'name="产生问题的原因"'.encode(), b'name="   "')})
    errors = _errors(book)
    assert any(e.startswith("空名.xlsx › 第 3 张工作表：工作表名称只有空格") for e in errors), errors


def test_cached_error_values_are_located_errors(tmp_path: Path) -> None:
    rows = section_rows(("段落", "", "甲。")) + (
        '<row r="3"><c r="A3" t="inlineStr"><is><t>段落</t></is></c><c r="C3" t="e"><f>VLOOKUP(1,B:B,2)</f>'
        '<v>#N/A</v></c></row><row r="4"><c r="C4" t="e"><f>A1+#REF!</f><v>#REF!</v></c></row>').encode()
    book = patched(tmp_path / "错误值.xlsx", replace={SHEET: sheet_xml(rows)})
    errors = _errors(book)
    assert ("错误值.xlsx › 存在的问题 › C3：这一格显示错误值 #N/A（公式出错），"
            "请在 Excel 或 WPS 中改正公式，或直接填写文字。") in errors
    assert any(e.startswith("错误值.xlsx › 存在的问题 › C4：这一格显示错误值 #REF!") for e in errors)


def test_hidden_things_are_exposed_not_dropped(tmp_path: Path) -> None:
    book = tmp_path / "隐藏.xlsx"
    shutil.copy(EXAMPLE, book)
    wb = openpyxl.load_workbook(book)
    ws = wb["存在的问题"]
    ws.row_dimensions[5].hidden = True
    ws.column_dimensions["D"].hidden = True
    ws.merge_cells("B8:C8")
    wb["产生问题的原因"].sheet_state = "hidden"
    other = wb["努力方向和整改措施"]
    other.auto_filter.ref = "A1:D20"
    other.row_dimensions[4].hidden = True
    wb.save(book)
    grid = read_grid(book)
    assert [s.title for s in grid.sheets] == ["基本信息", "存在的问题", "努力方向和整改措施"]
    assert [s.title for s in grid.hidden_sheets] == ["产生问题的原因"]
    assert grid.hidden_sheets[0].hidden and grid.hidden_sheets[0].rows
    problems = grid.sheets[1]
    assert [r.number for r in problems.rows if r.hidden] == [5]
    assert not any(r.filtered for r in problems.rows)
    assert problems.hidden_columns == frozenset({3})
    assert "B8:C8" in problems.merged
    measures = grid.sheets[2]
    assert measures.autofilter == "A1:D20"
    assert [r.number for r in measures.rows if r.filtered] == [4]


def test_control_zero_width_and_surrogate_characters(tmp_path: Path) -> None:
    text = "甲_x0001_乙\u200b丙_xD800_丁\x0b戊"
    rows = section_rows(("段落", "", text.replace("\x0b", "_x000B_")))
    book = patched(tmp_path / "字符.xlsx", replace={SHEET: sheet_xml(rows)})
    doc, _, _ = api.read(book)
    assert doc.sections[0].nodes[0].body.paragraphs == ("甲乙\u200b丙丁", "戊")


# ---------------------------------------------------------------- as shown in Excel

def test_number_formats_as_shown(tmp_path: Path) -> None:
    import datetime as dt

    book = tmp_path / "格式.xlsx"
    shutil.copy(EXAMPLE, book)
    wb = openpyxl.load_workbook(book)
    ws = wb["存在的问题"]
    values = [(1234.5, "#,##0.00", "1,234.50"), (0.256, "0.00%", "25.60%"), (3, '"第"0"次"', "第3次"),
              (dt.time(9, 30), "h:mm", "9:30"), (dt.datetime(2025, 3, 8), "yyyy-mm-dd", "2025年3月8日"),
              (2.675, "0.00", "2.68"), (1234567, "General", "1234567"), (0.1 + 0.2, "General", "0.3"),
              (12, '0"人"', "12人"), (-5, "0.0;(0.0)", "(5.0)")]
    for n, (value, fmt, _) in enumerate(values, start=20):
        ws[f"A{n}"], ws[f"C{n}"] = "段落", value
        ws[f"C{n}"].number_format = fmt
    wb.save(book)
    grid = read_grid(book)
    shown = {r.number: r.get(2).text for r in grid.sheets[1].rows if r.number >= 20}
    assert [shown[n] for n in range(20, 20 + len(values))] == [s for _, _, s in values]


def test_reader_errors_are_gwerrors_with_the_file(tmp_path: Path) -> None:
    with pytest.raises(GwError) as caught:
        read_grid(tmp_path / "没有.xlsx")
    assert str(caught.value) == "没有.xlsx：找不到这个文件，请检查路径。"


# ---------------------------------------------------------------- long titles, end to end

@pytest.mark.parametrize("length", [201, 32767])
def test_paragraph_pasted_into_the_title(tmp_path: Path, length: int) -> None:
    """201 characters took 139 s in titlebreak; 32,767 overflowed the stack. Now: a document or a
    located sentence, in well under the test's time limit."""
    book = Path(shutil.copy(EXAMPLE, tmp_path / "长标题.xlsx"))
    wb = openpyxl.load_workbook(book)
    info = wb["基本信息"]
    row = next(r for r in info.iter_rows() if r[0].value == "标题")
    row[1].value = (_random_cjk(length - 1) + "。")[:length]
    wb.save(book)
    [outcome] = api.merge([book], tmp_path / "out")
    assert outcome.crash is None, outcome.crash
    if outcome.error is not None:
        assert str(outcome.error).startswith("长标题.xlsx › 基本信息"), outcome.error


@pytest.mark.timeout(20)
def test_a_pipe_named_like_a_workbook(tmp_path: Path) -> None:
    import os

    pipe = tmp_path / "管道.xlsx"
    os.mkfifo(pipe)
    assert "不是普通文件" in _error(pipe)


# ---------------------------------------------------------------- check --fix: a second reader (openpyxl)

_NO_COPY = "未能生成改正后的副本；请用 Excel 或 WPS 打开后另存为 .xlsx 再试，或按检查列出的问题手工改正。"


@pytest.mark.parametrize("change", [
    # a cell styled beyond the stylesheet (a third-party writer), or with no stylesheet at all
    {SHEET: sheet_xml(section_rows(("段落", "", "甲。")).replace(b'<c r="C2"', b'<c r="C2" s="99"'))},
    {SHEET: sheet_xml(section_rows(("段落", "", "甲。")).replace(b'<c r="C2"', b'<c r="C2" s="1"')),
     "xl/styles.xml": None},
    # no sheet left visible: Excel cannot save one, openpyxl cannot either
    {"xl/workbook.xml": lambda d: d.replace(b'state="visible"', b'state="hidden"')},
], ids=["style-index", "no-stylesheet", "all-hidden"])
def test_fix_of_a_workbook_openpyxl_cannot_copy(tmp_path: Path, change: dict) -> None:
    """These were 内部错误 (IndexError inside openpyxl); now one sentence naming the workbook."""
    book = patched(tmp_path / "怪.xlsx", replace=change)
    result = run_gwmerge("check", "--fix", book, "-o", tmp_path / "改正.xlsx")
    assert result.code == 1, result.output
    assert "内部错误" not in result.output and "Traceback" not in result.output, result.output
    expected = f"错误 怪.xlsx：工作簿的内部结构与 Excel 保存的不同（可能由其他软件生成或被改动过），{_NO_COPY}"
    assert expected in result.stdout, result.output
    assert not (tmp_path / "改正.xlsx").exists()
    assert not list(tmp_path.glob(".~gwmerge-*"))


def test_fix_prints_no_english_warnings(tmp_path: Path) -> None:
    """A drop-down list of Excel 2010+ (an x14 extension) made openpyxl print an English UserWarning."""
    ext = (b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
           b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations count="1" '
           b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:dataValidation type="list">'
           b"<x14:formula1><xm:f>Sheet2!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>A3:A200</xm:sqref>"
           b"</x14:dataValidation></x14:dataValidations></ext></extLst>")
    book = patched(tmp_path / "下拉.xlsx", replace={SHEET: lambda d: d.replace(b"</worksheet>", ext + b"</worksheet>")})
    result = run_gwmerge("check", "--fix", book, "-o", tmp_path / "改正.xlsx")
    assert result.code == 0, result.output
    assert result.stderr == "", result.stderr
    assert (tmp_path / "改正.xlsx").is_file()


def test_fix_that_cannot_write_one_copy_goes_on_and_fails(tmp_path: Path) -> None:
    """A copy that cannot be written (here: a folder in its place; on Windows: the copy open in
    Excel) stopped the whole run with the name of a hidden temporary file; when the other copies
    were clean the run even ended with 0. Now: that workbook named, the others fixed, exit 1."""
    first = Path(shutil.copy(EXAMPLE, tmp_path / "甲.xlsx"))
    second = Path(shutil.copy(SHEETS / "示例-副镇长.xlsx", tmp_path / "乙.xlsx"))
    out = tmp_path / "改正"
    (out / "甲.xlsx").mkdir(parents=True)
    result = run_gwmerge("check", "--fix", first, second, "-o", out, "--force")
    assert result.code == 1, result.output
    assert "错误 甲.xlsx：无法写入：这是一个文件夹，不是文件，请检查路径。" in result.stdout, result.output
    assert ".~gwmerge-" not in result.output
    assert "✓ 乙.xlsx → " in result.stdout and (out / "乙.xlsx").is_file()
    assert "另有 1 个工作簿没有生成改正后的副本（原因见上）。" in result.stdout
    assert not list(out.glob(".~gwmerge-*"))


def test_hidden_information_sheet_is_still_read(tmp_path: Path) -> None:
    """Hiding 基本信息 (settings, not text to print) made the workbook fail with 缺少“基本信息”
    工作表 — it is there, only hidden — and a second error about the title. Now it is read."""
    book = tmp_path / "甲.xlsx"
    shutil.copy(EXAMPLE, book)
    wb = openpyxl.load_workbook(book)
    wb["基本信息"].sheet_state = "hidden"
    wb.active = 1
    wb.save(book)
    result = run_gwmerge("check", book)
    assert result.code == 0, result.output
    assert "缺少" not in result.output and "隐藏" not in result.output, result.output
    [outcome] = api.merge([book], tmp_path / "out")
    assert outcome.ok, outcome.error
    [plain] = api.merge([EXAMPLE], tmp_path / "plain")
    assert outcome.output.read_bytes() == plain.output.read_bytes()


# ---------------------------------------------------------------- messages stay one readable line

def test_text_pasted_into_the_level_column_is_quoted_cut(tmp_path: Path) -> None:
    """Body text pasted one column too far left: the message quoted all 32,767 characters."""
    text = _random_cjk(32_766) + "。"
    book = patched(tmp_path / "错列.xlsx", replace={SHEET: sheet_xml(section_rows((text, "", "")))})
    result = run_gwmerge("check", book)
    assert result.code == 1
    [line] = [line for line in result.stdout.splitlines() if "层级“" in line]
    assert line.startswith(f"错误 错列.xlsx › 存在的问题 › A2：层级“{text[:29]}…{text[-29:]}”无法识别，"), line[:200]
    assert len(line) < 200


def test_long_error_value_and_sheet_name(tmp_path: Path) -> None:
    """A cached error value and a sheet name are a few characters in Excel; a hand-made file had
    one of 50,000 (printed whole) and one of 100,000 (printed in every message's location)."""
    rows = section_rows(("段落", "", "甲。")) + b'<row r="3"><c r="C3" t="e"><v>#' + b"E" * 50_000 + b"</v></c></row>"
    book = patched(tmp_path / "错误值.xlsx", replace={SHEET: sheet_xml(rows)})
    assert "这一格显示错误值 #EEEEEEEEEEEEEEEEEEE…（公式出错）" in _errors(book)[0]
    book = patched(tmp_path / "长表名.xlsx", replace={"xl/workbook.xml": lambda d: d.replace(
        'name="存在的问题"'.encode(), ('name="' + "问" * 100_000 + '"').encode())})
    assert _error(book) == ("长表名.xlsx：第 2 张工作表的名称长达 100,000 个字（Excel 最多 31 个字），"
                            "文件可能被其他程序改动过；请用 Excel 或 WPS 打开并另存为 .xlsx 后再试，"
                            "并把工作表改为简短的名称。")
