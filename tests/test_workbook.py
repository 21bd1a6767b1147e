"""Reading workbooks as a user sees them, and every bad input giving a located message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from conftest import make_workbook

from gwmerge import api
from gwmerge.write.xlsx import SectionRows


def _section_book(tmp_path: Path, name: str = "张三.xlsx") -> Path:
    return make_workbook(tmp_path / name, [SectionRows("存在的主要问题", [("（一）", "学习方面", "内容。")])])


def _edit(path: Path, sheet: str, **cells: object) -> Path:
    wb = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        wb[sheet][ref] = value
    wb.save(path)
    return path


def test_cells_read_as_displayed(tmp_path: Path) -> None:
    book = _section_book(tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["存在的主要问题"]
    ws["A5"], ws["C5"] = "段落", 3.0
    ws["A6"], ws["C6"] = "段落", 0.25
    ws["C6"].number_format = "0%"
    ws["A7"], ws["C7"] = "段落", dt.datetime(2025, 3, 8)
    ws["A8"], ws["C8"] = "段落", 1234567
    ws["A9"], ws["C9"] = "段落", 2.50
    ws["C9"].number_format = "0.00"
    wb.save(book)
    doc, _, findings = api.read(book)
    texts = [n.body.value for n in doc.sections[0].nodes]
    assert texts == ["内容。", "3", "25%", "2025年3月8日", "1234567", "2.50"]
    assert not [f for f in findings if f.is_error]


def test_excel_date_cell_in_info_sheet(tmp_path: Path) -> None:
    book = _section_book(tmp_path)
    doc, _, _ = api.read(book)
    assert doc.field("日期") == "2025年1月15日"


def test_uncalculated_formula_is_reported_at_its_cell(tmp_path: Path) -> None:
    book = _edit(_section_book(tmp_path), "存在的主要问题", A5="段落", C5='="甲"&"乙"')
    outcomes = api.check([book])
    messages = [str(f) for f in outcomes[0].findings if f.is_error]
    assert messages == ["张三.xlsx › 存在的主要问题 › C5：公式没有计算结果，请在 Excel 或 WPS 中打开并保存后再试。"]


def test_unknown_level_points_at_the_cell(tmp_path: Path) -> None:
    book = _edit(_section_book(tmp_path), "存在的主要问题", A7="第二级", B7="标题", C7="内容")
    [outcome] = api.check([book])
    [error] = [f for f in outcome.findings if f.is_error]
    assert str(error).startswith("张三.xlsx › 存在的主要问题 › A7：层级“第二级”无法识别")


def test_heading_without_level_and_item_without_heading(tmp_path: Path) -> None:
    book = _edit(_section_book(tmp_path), "存在的主要问题", B5="有标题没层级", A6="（一）", C6="只有正文",
                 A7="（一）", E7="只有备注")
    [outcome] = api.check([book])
    errors = [str(f) for f in outcome.findings if f.is_error]
    # in reading order: row 5 before row 7; row 6 (an item of text only) is fine
    assert len(errors) == 2
    assert errors[0].startswith("张三.xlsx › 存在的主要问题 › A5：")
    assert errors[1].startswith("张三.xlsx › 存在的主要问题 › B7：“（一）”条目是空的")


def test_pinyin_placeholders_are_flagged(tmp_path: Path) -> None:
    book = _edit(_section_book(tmp_path), "存在的主要问题", C4="召开专题mzshh的部署")
    [outcome] = api.check([book])
    warnings = [str(f) for f in outcome.warnings if "拼音" in f.message]
    assert warnings == ["张三.xlsx › 存在的主要问题 › C4：有拼音缩写“mzshh”，应改为汉字（如“民主生活会”；"
                        "如确需保留，可在“基本信息”的“不做的检查”中填写 拼音缩写）。"]
    assert outcome.ok


def test_bad_date_and_missing_title_source(tmp_path: Path) -> None:
    book = _edit(_section_book(tmp_path), "基本信息", B8="明年春天")
    wb = openpyxl.load_workbook(book)
    ws = wb["基本信息"]
    ws["B7"] = None  # 职务, needed by the title pattern since 标题 is empty
    wb.save(book)
    [outcome] = api.check([book])
    errors = [str(f) for f in outcome.findings if f.is_error]
    assert any(e.startswith("张三.xlsx › 基本信息 › B7：标题为空时要用“职务”生成标题，请填写“职务”") for e in errors)
    assert any(e.startswith("张三.xlsx › 基本信息 › B8：日期“明年春天”无法识别") for e in errors)


def test_not_a_workbook_and_missing_info_sheet(tmp_path: Path) -> None:
    fake = tmp_path / "假的.xlsx"
    fake.write_text("not a zip", encoding="utf-8")
    bare = tmp_path / "空白.xlsx"
    openpyxl.Workbook().save(bare)
    outcomes = api.check([fake, bare])
    assert str(outcomes[0].error).startswith("假的.xlsx：这是文本文件（如 CSV 或 TXT），只是扩展名为 .xlsx")
    assert str(outcomes[1].findings[0]).startswith("空白.xlsx：缺少“基本信息”工作表")


def test_hidden_sheet_is_not_a_section(tmp_path: Path) -> None:
    book = make_workbook(tmp_path / "隐藏.xlsx", [SectionRows("存在的问题", [("段落", "", "甲。")]),
                                                SectionRows("草稿", [("段落", "", "不要。")])])
    wb = openpyxl.load_workbook(book)
    wb["草稿"].sheet_state = "hidden"
    wb.save(book)
    doc, _, _ = api.read(book)
    assert [s.heading.value for s in doc.sections] == ["存在的问题"]


def test_findings_come_in_reading_order(tmp_path: Path) -> None:
    book = _edit(_section_book(tmp_path), "存在的主要问题", A9="乱填", AA5="备注", C5="强化dangshi学习", A5="段落")
    book = _edit(book, "基本信息", B8="下周")
    [outcome] = api.check([book], rules_off=("部分", "段末标点", "标题留空"))
    cells = [(f.location.sheet, f.location.cell) for f in outcome.findings]
    assert cells == [("基本信息", "B8"), ("存在的主要问题", "C5"), ("存在的主要问题", "A9")]


def test_wrong_declared_sheet_size_loses_nothing(tmp_path: Path) -> None:
    """Some tools write <dimension ref="A1"/>; read-only openpyxl would then see only A1."""
    import re
    import zipfile

    from conftest import SHEETS, seed_paragraphs

    book = tmp_path / "尺寸不对.xlsx"
    with zipfile.ZipFile(SHEETS / "示例-副镇长.xlsx") as src, zipfile.ZipFile(book, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            dst.writestr(item, data)
    [outcome] = api.merge([book], tmp_path / "out")
    assert outcome.ok, outcome.error
    from gwmerge.docx.effective import EffectiveDoc

    texts = [p.text for p in EffectiveDoc(outcome.output).paragraphs() if p.text]
    assert texts == seed_paragraphs()


def test_formula_whose_result_is_empty_is_not_an_error(tmp_path: Path) -> None:
    """=IF(…,"",…) calculated to an empty text is fine; only a missing cached value is reported."""
    import zipfile

    book = _edit(_section_book(tmp_path), "存在的主要问题", A5="段落", C5='=IF(1=1,"","x")', C6="=1+1", A6="段落")
    fixed = tmp_path / "已计算.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(fixed, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if b'<c r="C5">' in data:
                # what Excel stores after calculating to empty text: t="str" and an empty value
                data = data.replace(b'<c r="C5">', b'<c r="C5" t="str">')
            dst.writestr(item, data)
    [outcome] = api.check([fixed])
    errors = [str(f) for f in outcome.findings if f.is_error]
    assert errors == ["已计算.xlsx › 存在的主要问题 › C6：公式没有计算结果，请在 Excel 或 WPS 中打开并保存后再试。"]
