"""Workbook format v2, typed cell by cell the way a person fills a sheet in WPS.

Every case of issue 6's "What went wrong" is a workbook written here with openpyxl (no gwmerge
helper writes the cells), merged, and the paragraphs a reader sees asserted: text and the
paragraph's style (its kind on the page).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import seed_paragraphs

from gwmerge import api
from gwmerge.docx.effective import EffectiveDoc

DATA = Path(__file__).parent / "data"
BODY, H1, H2, SUB, NAME = "GwBody", "GwHeading1", "GwHeading2", "GwSubtitle", "GwNameLine"


def book(path: Path, info: dict[str, str], sheets: dict[str, list[tuple[str, ...]]], *,
         join_column: bool = True) -> Path:
    """A workbook as a person types it: label/value rows, then one sheet per section."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本信息"
    ws.cell(row=1, column=1, value="项目")
    ws.cell(row=1, column=2, value="内容")
    for number, (label, value) in enumerate(info.items(), start=2):
        ws.cell(row=number, column=1, value=label)
        ws.cell(row=number, column=2, value=value)
    for title, rows in sheets.items():
        sheet = wb.create_sheet(title)
        header = ["层级", "标题或引导句", "正文", "排法", "备注（不输出）"] if join_column else \
            ["层级", "标题或引导句", "正文", "备注（不输出）"]
        for column, text in enumerate(header, start=1):
            sheet.cell(row=1, column=column, value=text)
        for number, row in enumerate(rows, start=2):
            for column, text in enumerate(row, start=1):
                if text:
                    sheet.cell(row=number, column=column, value=text)
    wb.save(path)
    return path


def merged(path: Path) -> list[tuple[str, str]]:
    """(style, text) of every non-empty paragraph of the merged document."""
    [outcome] = api.merge([path], path.parent / "out")
    assert outcome.ok, outcome.error or outcome.findings
    assert not [f for f in outcome.findings if f.is_error]
    return [(p.style_id, p.text) for p in EffectiveDoc(outcome.output).paragraphs() if p.text]


INFO = {"文种": "民主生活会", "姓名": "张三", "职务": "副镇长", "日期": "2025年1月15日"}


def body_of(paras: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Paragraphs after the first 一、 heading (title, opening left out)."""
    start = next(i for i, (style, _) in enumerate(paras) if style == H1)
    return paras[start:]


def test_points_as_paragraphs_in_a_minshenghuohui_material(tmp_path: Path) -> None:
    """要点排法 per workbook: points on their own without changing kind, title or 落款."""
    path = book(tmp_path / "a.xlsx", {**INFO, "要点排法": "单独成段"}, {"存在的主要问题": [
        ("（一）", "在理论学习方面", "学习不够深入。"),
        ("一是", "学习不系统", "满足于读原文。"),
        ("一是", "运用不够", "联系实际不紧。"),
    ]})
    paras = merged(path)
    assert paras[0] == ("GwTitle", "副镇长民主生活会对照检查材料")
    assert body_of(paras) == [
        (H1, "一、存在的主要问题"),
        (BODY, "（一）在理论学习方面。学习不够深入。"),
        (BODY, "一是学习不系统。满足于读原文。"),
        (BODY, "二是运用不够。联系实际不紧。"),
    ]
    assert paras[-1][0] == BODY  # no 落款: the kind's choice stays


def test_paragraph_row_does_not_swallow_the_points_after_it(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", INFO, {"存在的主要问题": [
        ("（一）", "在理论学习方面", "学习不够深入。"),
        ("段落", "", "具体表现在以下几个方面："),
        ("一是", "学习不系统", "满足于读原文。"),
        ("二是", "运用不够", "联系实际不紧。"),
    ]})
    assert body_of(merged(path)) == [
        (H1, "一、存在的主要问题"),
        (BODY, "（一）在理论学习方面。学习不够深入。"),
        (BODY, "具体表现在以下几个方面："),
        (BODY, "一是学习不系统。满足于读原文。二是运用不够。联系实际不紧。"),
    ]


def test_mixed_layouts_two_points_together_and_the_third_alone(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", INFO, {"存在的主要问题": [
        ("（一）", "在理论学习方面", "学习不够深入。"),
        ("一是", "学习不系统", "满足于读原文。"),
        ("一是", "运用不够", "联系实际不紧。"),
        ("一是", "成效不明显", "转化不够。", "另起段"),
    ]})
    assert body_of(merged(path)) == [
        (H1, "一、存在的主要问题"),
        (BODY, "（一）在理论学习方面。学习不够深入。一是学习不系统。满足于读原文。二是运用不够。联系实际不紧。"),
        (BODY, "三是成效不明显。转化不够。"),
    ]


def test_points_on_their_own_with_two_joined(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", {**INFO, "要点排法": "单独成段"}, {"存在的主要问题": [
        ("（一）", "在理论学习方面", ""),
        ("一是", "学习不系统", "满足于读原文。"),
        ("一是", "运用不够", "联系实际不紧。", "接上段"),
        ("一是", "成效不明显", "转化不够。"),
    ]})
    assert body_of(merged(path)) == [
        (H1, "一、存在的主要问题"),
        (H2, "（一）在理论学习方面"),
        (BODY, "一是学习不系统。满足于读原文。二是运用不够。联系实际不紧。"),
        (BODY, "三是成效不明显。转化不够。"),
    ]


def test_intro_clause_and_first_lead_in_one_paragraph_body_in_the_next(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", INFO, {"存在的主要问题": [
        ("（一）", "在理论学习方面", "", "另起段"),
        ("段落", "", "主要表现在："),
        ("一是", "学习不系统", "", "接上段"),
        ("段落", "", "平时满足于读原文，学用结合不够。"),
    ]})
    assert body_of(merged(path)) == [
        (H1, "一、存在的主要问题"),
        (H2, "（一）在理论学习方面"),
        (BODY, "主要表现在：一是学习不系统。"),
        (BODY, "平时满足于读原文，学用结合不够。"),
    ]


def test_item_heading_alone_and_its_text_in_the_next_paragraph(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", INFO, {"存在的主要问题": [
        ("（一）", "在理论学习方面", "学习不够深入。", "另起段"),
        ("一是", "学习不系统", "满足于读原文。"),
    ]})
    assert body_of(merged(path)) == [
        (H1, "一、存在的主要问题"),
        (H2, "（一）在理论学习方面"),
        (BODY, "学习不够深入。一是学习不系统。满足于读原文。"),
    ]


def test_lead_punctuation_is_kept_as_typed(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", INFO, {"存在的主要问题": [
        ("（一）", "在理论学习方面", "学习不够深入。"),
        ("一是", "学习不系统，", "满足于读原文。"),
        ("一是", "正如群众所说“说得多、做得少。”", "要引以为戒。"),
        ("一是", "坚持“四个意识”", "还不够。"),
        ("一是", "为什么学不深？", "值得反思。"),
    ]})
    [_, item] = body_of(merged(path))
    assert item == (BODY, "（一）在理论学习方面。学习不够深入。一是学习不系统，满足于读原文。"
                          "二是正如群众所说“说得多、做得少。”要引以为戒。三是坚持“四个意识”。还不够。"
                          "四是为什么学不深？值得反思。")
    assert "，。" not in item[1] and "。”。" not in item[1]


def test_standalone_heading_keeps_its_stop_and_items_of_text_only(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", {**INFO, "文种": "组织生活会", "落款": "否"}, {"存在的问题": [
        ("（一）", "思想上有所放松。", ""),
        ("（1）", "", "学习的主动性不强，满足于完成规定动作。"),
        ("（1）", "", "学习的系统性不够。"),
        ("（一）", "", "作风上不够扎实。"),
    ]})
    assert body_of(merged(path)) == [
        (H1, "一、存在的问题"),
        (H2, "（一）思想上有所放松。"),
        (BODY, "（1）学习的主动性不强，满足于完成规定动作。"),
        (BODY, "（2）学习的系统性不够。"),
        (BODY, "（二）作风上不够扎实。"),
    ]


def test_typed_ordinals_at_the_start_of_the_text_are_not_doubled(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", {**INFO, "要点排法": "单独成段"}, {"下步的改进措施": [
        ("（一）", "加强理论学习", "（一）加强理论学习。每周集中学习一次。"),
        ("一是", "", "二是坚持读原著。"),
        ("一是", "", "(3) 坚持学原文。"),
        ("（一）", "", "(二) 改进工作作风。"),
    ]})
    assert body_of(merged(path)) == [
        (H1, "一、下步的改进措施"),
        (BODY, "（一）加强理论学习。每周集中学习一次。"),
        (BODY, "一是坚持读原著。"),
        (BODY, "二是(3) 坚持学原文。"),  # a different level's ordinal is text: check warns
        (BODY, "（二）改进工作作风。"),
    ]


def test_natural_level_words_in_the_level_column(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", INFO, {"存在的主要问题": [
        ("（一）", "在理论学习方面", ""),
        ("1.", "学习不够", "内容一。"),
        ("2.", "运用不够", "内容二。"),
        ("(3)", "", "细节。"),
        ("（二）", "在工作作风方面", "作风不实。"),
        ("一是", "调研少", "下基层不多。"),
        ("二是", "办法少", "创新不够。"),
        ("其三", "担当少", "怕担责任。"),
    ]})
    assert body_of(merged(path)) == [
        (H1, "一、存在的主要问题"),
        (H2, "（一）在理论学习方面"),
        (BODY, "1.学习不够。内容一。"),
        (BODY, "2.运用不够。内容二。"),
        (BODY, "（1）细节。"),
        (BODY, "（二）在工作作风方面。作风不实。一是调研少。下基层不多。二是办法少。创新不够。三是担当少。怕担责任。"),
    ]


def test_title_lines_subtitle_and_year(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", {**INFO, "标题": "中共某某镇委员会领导班子\n2025年度民主生活会对照检查材料",
                                       "副标题": "——在2025年度民主生活会上的发言"},
                {"存在的主要问题": [("段落", "", "内容。")]})
    paras = merged(path)
    assert paras[:2] == [("GwTitle", "中共某某镇委员会领导班子\n2025年度民主生活会对照检查材料"),
                         (SUB, "——在2025年度民主生活会上的发言")]
    path = book(tmp_path / "b.xlsx", {**INFO, "年度": "2025"}, {"存在的主要问题": [("段落", "", "内容。")]})
    assert merged(path)[0] == ("GwTitle", "副镇长2025年度民主生活会对照检查材料")


def test_an_organisation_signs(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", {**INFO, "姓名": "", "职务": "", "标题": "班子对照检查材料",
                                       "署名": "中共某某镇委员会领导班子", "落款": "是", "标题下署名": "是"},
                {"存在的主要问题": [("段落", "", "内容。")]})
    paras = merged(path)
    assert paras[1] == (NAME, "中共某某镇委员会领导班子")
    assert paras[-2:] == [("GwSignature", "中共某某镇委员会领导班子"), ("GwSignature", "2025年1月15日")]


def test_bad_join_word_is_located(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", INFO, {"存在的主要问题": [("段落", "", "内容。", "下一段")]})
    [outcome] = api.check([path])
    assert [str(f) for f in outcome.findings if f.is_error] == [
        "a.xlsx › 存在的主要问题 › D2：排法“下一段”无法识别，请从下拉列表选择“接上段”或“另起段”，或留空。"]


def test_v1_workbook_without_join_column_still_reads(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", INFO, {"存在的主要问题": [
        ("（一）", "在理论学习方面", "学习不够深入。", "不输出的备注"),
        ("一是", "学习不系统", "满足于读原文。"),
    ]}, join_column=False)
    assert body_of(merged(path)) == [
        (H1, "一、存在的主要问题"),
        (BODY, "（一）在理论学习方面。学习不够深入。一是学习不系统。满足于读原文。"),
    ]


@pytest.mark.parametrize("name", ["副镇长", "党员"])
def test_v1_examples_merge_exactly_as_before(tmp_path: Path, name: str) -> None:
    """The v1 workbooks (kept in tests/data) and the v2 examples give the same document body."""
    [old, new] = api.merge([DATA / f"v1-{name}.xlsx", Path(__file__).parents[1] / "sheets" / f"示例-{name}.xlsx"],
                           tmp_path)
    assert old.ok and new.ok
    bodies = [zipfile.ZipFile(o.output).read("word/document.xml") for o in (old, new)]
    assert bodies[0] == bodies[1]
    if name == "副镇长":
        texts = [p.text for p in EffectiveDoc(old.output).paragraphs() if p.text.strip()]
        assert texts == seed_paragraphs() and len(texts) == 17


def test_subtitle_and_name_line_pass_verify(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", {**INFO, "副标题": "——在2025年度民主生活会上的发言", "标题下署名": "是",
                                       "署名": "中共某某镇委员会领导班子"},
                {"存在的主要问题": [("（一）", "在理论学习方面", "学习不够深入。")]})
    [outcome] = api.merge([path], tmp_path / "out")
    paras = [(p.style_id, p.text) for p in EffectiveDoc(outcome.output).paragraphs()][:4]
    assert paras == [("GwTitle", "副镇长民主生活会对照检查材料"), (SUB, "——在2025年度民主生活会上的发言"),
                     (NAME, "中共某某镇委员会领导班子"), (BODY, "")]
    [checked] = api.verify([outcome.output])
    assert checked.ok and checked.findings == []


def test_every_template_variable_is_known_to_the_sandbox() -> None:
    from gwmerge.document import layout
    from gwmerge.docx import render, sandbox

    plan = layout.Plan(title="标题", title_lines=["标题"], name_line="", paragraphs=[])
    assert set(render.context(plan)) <= sandbox.KNOWN_VARIABLES


def test_new_workbook_explains_v2_and_fills_like_a_person(tmp_path: Path) -> None:
    """Start from `new`, pick 排法 from its drop-down and fill the v2 fields by their labels."""
    [path] = api.new(tmp_path / "张三.xlsx", name="张三", position="副镇长")
    wb = openpyxl.load_workbook(path)
    info, sheet = wb["基本信息"], wb["存在的主要问题"]
    labels = {row[0].value: row[0].row for row in info.iter_rows(min_row=3, max_col=1)}
    assert {"年度", "副标题", "署名", "要点排法", "标题下署名", "格式版本"} <= set(labels)
    assert info.cell(row=labels["格式版本"], column=2).value == "2"
    assert [c.value for c in sheet[1]] == ["层级", "标题或引导句", "正文", "排法", "备注（不输出）"]
    instruction = sheet["A2"].value
    assert instruction.startswith("填写说明：按本年度主题逐条查摆")
    assert "接上段" in instruction and "另起段" in instruction
    joins = [dv for dv in sheet.data_validations.dataValidation if "D4" in str(dv.sqref)]
    assert joins and joins[0].formula1 == '"接上段,另起段"'
    info.cell(row=labels["年度"], column=2, value=2025)
    info.cell(row=labels["要点排法"], column=2, value="单独成段")
    for row, values in enumerate([("（一）", "在理论学习方面", "学习不够深入。"),
                                  ("二是", "学习不系统", "满足于读原文。"),
                                  ("二是", "运用不够", "联系实际不紧。", "接上段")], start=4):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row, column=column, value=value)
    wb.save(path)
    paras = merged(path)
    assert paras[0] == ("GwTitle", "副镇长2025年度民主生活会对照检查材料")
    assert body_of(paras) == [
        (H1, "一、存在的主要问题"),
        (BODY, "（一）在理论学习方面。学习不够深入。"),
        (BODY, "一是学习不系统。满足于读原文。二是运用不够。联系实际不紧。"),
    ]


def test_text_run_on_inside_a_point_paragraph_keeps_it_open(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", INFO, {"存在的主要问题": [
        ("（一）", "在理论学习方面", "学习不够深入。"),
        ("一是", "学习不系统", "满足于读原文。"),
        ("段落", "", "这一点群众意见较多。", "接上段"),
        ("一是", "运用不够", "联系实际不紧。"),
        ("段落", "", "此外，还存在以下情况。"),
        ("一是", "调研少", "下基层不多。"),
    ]})
    assert body_of(merged(path)) == [
        (H1, "一、存在的主要问题"),
        (BODY, "（一）在理论学习方面。学习不够深入。一是学习不系统。满足于读原文。这一点群众意见较多。"
               "二是运用不够。联系实际不紧。"),
        (BODY, "此外，还存在以下情况。"),
        (BODY, "三是调研少。下基层不多。"),
    ]
