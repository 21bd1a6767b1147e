"""The whole path: workbook → .docx, asserted on the text and effective formatting a user gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_workbook, seed_paragraphs

from gwmerge import api
from gwmerge.document import sheetformat as sf
from gwmerge.docx.effective import EffectiveDoc
from gwmerge.write.xlsx import SectionRows


def _texts(path: Path) -> list[str]:
    return [p.text for p in EffectiveDoc(path).paragraphs() if p.text.strip()]


def test_seed_example_reproduces_the_seed_exactly(sheets: Path, tmp_path: Path) -> None:
    [outcome] = api.merge([sheets / "示例-副镇长.xlsx"], tmp_path / "out")
    assert outcome.ok, outcome.error
    assert outcome.output == tmp_path / "out" / "示例-副镇长.docx"
    got = _texts(outcome.output)
    expected = seed_paragraphs()
    assert len(expected) == 17
    assert got == expected


def test_folder_gives_one_document_per_workbook(sheets: Path, tmp_path: Path) -> None:
    outcomes = api.merge([sheets], tmp_path / "out")
    assert [o.ok for o in outcomes] == [True, True]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["汇总表.xlsx", "示例-党员.docx", "示例-副镇长.docx"]


@pytest.fixture(scope="module")
def seed_doc(tmp_path_factory: pytest.TempPathFactory) -> EffectiveDoc:
    out = tmp_path_factory.mktemp("out")
    [outcome] = api.merge([Path(__file__).parents[1] / "sheets" / "示例-副镇长.xlsx"], out)
    return EffectiveDoc(outcome.output)


def _fonts(run) -> dict[str, str | None]:
    return {slot: run.font(slot) for slot in ("ascii", "hAnsi", "eastAsia", "cs")}


def test_title_effective_format(seed_doc: EffectiveDoc) -> None:
    title = next(seed_doc.paragraphs())
    assert title.text == "副镇长五个带头专题民主生活会对照检查材料"
    assert title.jc == "center"
    assert title.ppr("ind")["firstLine"] == "0"
    assert title.ppr("spacing")["line"] == "579" and title.ppr("spacing")["lineRule"] == "exact"
    assert title.flag("keepNext")
    run = next(r for r in title.runs if r.text)
    assert set(_fonts(run).values()) == {"方正小标宋简体"}
    assert run.sz == 44 and not run.bold
    assert not any(k.endswith("Theme") or k == "cstheme" for k in run.rfonts)


def test_blank_line_after_title(seed_doc: EffectiveDoc) -> None:
    paras = list(seed_doc.paragraphs())
    assert paras[1].text == ""
    assert paras[1].ppr("spacing")["line"] == "579"


def test_level1_heading_effective_format(seed_doc: EffectiveDoc) -> None:
    wanted = ("一、存在的主要问题", "二、产生问题的主要原因", "三、下步的改进措施")
    heads = [p for p in seed_doc.paragraphs() if p.text in wanted]
    assert len(heads) == 3
    for head in heads:
        assert head.flag("keepNext")
        assert head.ppr("ind")["firstLine"] == "640" and head.ppr("ind")["firstLineChars"] == "200"
        for run in (r for r in head.runs if r.text):
            assert set(_fonts(run).values()) == {"黑体"} and run.sz == 32


def test_run_in_level2_heading_is_kaiti_then_body_continues_in_fangsong(seed_doc: EffectiveDoc) -> None:
    items = [p for p in seed_doc.paragraphs() if p.text.startswith("（")]
    assert len(items) == 5 + 3 + 4
    for para in items:
        runs = [r for r in para.runs if r.text]
        heading, rest = runs[0], runs[1:]
        assert heading.text.startswith("（") and heading.text.endswith("。")
        assert heading.font("eastAsia") == "楷体_GB2312" and heading.font("ascii") == "楷体_GB2312"
        assert rest and all(r.font("eastAsia") == "仿宋_GB2312" for r in rest)
        assert para.jc == "both"
        assert para.ppr("ind")["firstLine"] == "640"
    first = items[0]
    assert next(r.text for r in first.runs if r.text) == (
        "（一）带头深刻感悟“两个确立”的决定性意义，坚持党的创新理论“两个结合”的非凡历程，"
        "全面贯彻习近平新时代中国特色社会主义思想方面。")


def test_body_effective_format(seed_doc: EffectiveDoc) -> None:
    for para in seed_doc.paragraphs():
        spacing = para.ppr("spacing")
        assert spacing["line"] == "579" and spacing["lineRule"] == "exact", para.text[:20]
        assert spacing.get("before", "0") == "0" and spacing.get("after", "0") == "0"
        assert not para.flag("widowControl")
        assert not para.has_numpr and para.br_count == 0
    opening = list(seed_doc.paragraphs())[2]
    assert opening.jc == "both"
    for run in (r for r in opening.runs if r.text):
        assert set(_fonts(run).values()) == {"仿宋_GB2312"}
        assert run.sz == 32 and run.sz_cs == 32 and run.spacing == -5
        assert run.lang.get("eastAsia") == "zh-CN"


def test_page_setup_and_page_numbers(seed_doc: EffectiveDoc) -> None:
    section = seed_doc.section
    assert (section.pg_sz["w"], section.pg_sz["h"]) == ("11906", "16838")
    assert {k: section.pg_mar[k] for k in ("top", "bottom", "left", "right")} == {
        "top": "2098", "bottom": "1984", "left": "1587", "right": "1474"}
    assert section.doc_grid == {"type": "lines", "linePitch": "579"}
    assert seed_doc.even_and_odd_headers
    odd, even = section.footers["default"], section.footers["even"]
    assert odd.text.startswith("— ") and odd.text.endswith(" —") and "PAGE" in " ".join(odd.instructions)
    assert odd.paragraphs[0].jc == "right" and odd.paragraphs[0].ppr("ind")["right"] == "280"
    assert even.paragraphs[0].jc == "left" and even.paragraphs[0].ppr("ind")["left"] == "280"


def test_points_as_separate_paragraphs_in_the_second_kind(sheets: Path, tmp_path: Path) -> None:
    [outcome] = api.merge([sheets / "示例-党员.xlsx"], tmp_path)
    texts = _texts(outcome.output)
    assert texts[0] == "组织生活会个人检视剖析材料"
    assert texts[1].startswith("按照支部关于召开组织生活会的通知要求")
    start = texts.index("一、存在的问题")
    assert texts[start + 1] == "（一）在学习贯彻党的创新理论方面。学习的主动性和系统性还不够。"
    assert texts[start + 2].startswith("一是学习不够系统。平时学习")
    assert texts[start + 3].startswith("二是学用结合不够紧密。")
    assert texts[start + 4].startswith("（二）在提高党性修养方面。")
    assert texts[start + 5].startswith("一是组织观念有所淡化。")  # numbering restarts per item


def test_user_text_comes_out_literally(tmp_path: Path) -> None:
    # Excel stores a pasted vertical tab (Word's manual line break) as _x000B_.
    nasty = "A&B <b>粗体</b> {{ title }} {% if x %} _x000B_下一段"
    book = make_workbook(tmp_path / "特殊字符.xlsx", [SectionRows("存在的问题", [("段落", "", nasty)])],
                         **{sf.FIELD_TITLE: "关于A&B<测试>的{{材料}}"})
    [outcome] = api.merge([book], tmp_path / "out")
    assert outcome.ok, outcome.error
    texts = _texts(outcome.output)
    assert texts[0] == "关于A&B<测试>的{{材料}}"
    assert "A&B <b>粗体</b> {{ title }} {% if x %}" in texts
    assert "下一段" in texts


def test_multi_line_cells_become_paragraphs_not_line_breaks(tmp_path: Path) -> None:
    book = make_workbook(tmp_path / "多段.xlsx", [SectionRows("存在的问题", [
        ("（一）", "第一方面", "第一段。\n第二段。"),
        ("段落", "", "另一段。"),
    ])], **{sf.FIELD_OPENING: "开头一。\n开头二。"})
    [outcome] = api.merge([book], tmp_path / "out")
    doc = EffectiveDoc(outcome.output)
    texts = [p.text for p in doc.paragraphs() if p.text]
    assert texts[1:] == ["开头一。", "开头二。", "一、存在的问题", "（一）第一方面。第一段。", "第二段。", "另一段。"]
    assert all(p.br_count == 0 for p in doc.paragraphs())


def test_typed_ordinals_are_not_doubled_and_numbering_passes_ten(tmp_path: Path) -> None:
    typed = {1: "（一）", 2: "(二) "}
    rows = [("（一）", typed.get(n, "") + f"第{n}条", "内容。") for n in range(1, 13)]
    book = make_workbook(tmp_path / "十二条.xlsx", [SectionRows("一、存在的问题", rows)])
    [outcome] = api.merge([book], tmp_path / "out")
    texts = _texts(outcome.output)
    assert "一、存在的问题" in texts
    assert "（一）第1条。内容。" in texts
    assert "（十一）第11条。内容。" in texts and "（十二）第12条。内容。" in texts


def test_standalone_heading_when_item_has_no_body(tmp_path: Path) -> None:
    book = make_workbook(tmp_path / "独立标题.xlsx", [SectionRows("存在的问题", [
        ("（一）", "思想方面。", ""),
        ("1.", "学习不够", "内容一。"),
        ("1.", "运用不够", "内容二。"),
    ])], **{sf.FIELD_KIND: "组织生活会"})
    [outcome] = api.merge([book], tmp_path / "out")
    paras = [p for p in EffectiveDoc(outcome.output).paragraphs() if p.text]
    heading = next(p for p in paras if p.text.startswith("（一）"))
    assert heading.text == "（一）思想方面。"  # stand-alone: punctuation kept as typed (v2)
    assert heading.style_id == "GwHeading2"
    assert heading.runs[-1].font("eastAsia") == "楷体_GB2312"
    level3 = [p.text for p in paras if p.text.startswith(("1.", "2."))]
    assert level3 == ["1.学习不够。内容一。", "2.运用不够。内容二。"]


def test_signature_without_seal(sheets: Path, tmp_path: Path) -> None:
    """GB/T 9704 7.3.5.2: blank line, name right-indented, date 2 chars right of the name's start."""
    [outcome] = api.merge([sheets / "示例-党员.xlsx"], tmp_path)
    paras = list(EffectiveDoc(outcome.output).paragraphs())
    last_body, blank, name, date = paras[-4:]
    assert last_body.text.startswith("（三）密切联系群众。") and last_body.flag("keepNext")
    assert blank.text == "" and blank.flag("keepNext")
    assert (name.text, date.text) == ("李四", "2025年1月20日")
    for para in (name, date):
        assert para.jc == "right" and para.flag("keepNext")
        assert para.ppr("ind")["firstLine"] == "0"
    # the date (6.5 chars) is longer than the name (2 chars): date right-indented 2 chars,
    # the name moved left so the date starts 2 chars right of the name's first character
    assert date.ppr("ind")["rightChars"] == "200"
    assert name.ppr("ind")["rightChars"] == "850"


@pytest.mark.parametrize(("name", "date", "name_indent", "date_indent"), [
    ("李四", "2025年1月20日", 8.5, 2),
    ("中共某某镇委员会办公室", "2025年1月5日", 2, 5),
])
def test_signature_indents(name: str, date: str, name_indent: float, date_indent: float) -> None:
    from gwmerge.document.layout import signature, width

    sign = signature(name, date)
    assert (sign.name_indent, sign.date_indent) == (name_indent, date_indent)
    # the date's first character stands 2 characters right of the name's first character
    assert (sign.name_indent + width(name)) - (sign.date_indent + width(date)) == 2


def test_long_title_breaks_inside_one_paragraph(tmp_path: Path) -> None:
    title = "中共某某镇委员会领导班子2024年度专题民主生活会对照检查材料"
    book = make_workbook(tmp_path / "长标题.xlsx", [SectionRows("存在的问题", [("段落", "", "内容。")])],
                         **{sf.FIELD_TITLE: title})
    [outcome] = api.merge([book], tmp_path / "out")
    first = next(EffectiveDoc(outcome.output).paragraphs())
    assert first.style_id == "GwTitle"
    assert first.text.split("\n") == ["中共某某镇委员会领导班子2024年度", "专题民主生活会对照检查材料"]
    assert first.br_count == 1  # a trapezoid: two lines, the upper longer, in one paragraph


def test_format_profiles_on_the_command_line(sheets: Path, tmp_path: Path) -> None:
    [outcome] = api.merge([sheets / "示例-副镇长.xlsx"], tmp_path, profiles=["系统字体", "28磅行距", "引导句加粗"])
    doc = EffectiveDoc(outcome.output)
    paras = [p for p in doc.paragraphs() if p.text]
    assert all(p.ppr("spacing")["line"] == "560" for p in paras)
    assert doc.section.doc_grid["linePitch"] == "560"
    item = next(p for p in paras if p.text.startswith("（一）"))
    runs = [r for r in item.runs if r.text]
    assert runs[0].font("eastAsia") == "楷体"  # run-in heading
    assert runs[1].font("eastAsia") == "仿宋" and not runs[1].bold  # body
    lead = next(r for r in runs if r.text.startswith("一是"))
    assert lead.text == "一是学深悟透、把握精髓还有差距。" and lead.bold
    assert next(doc.paragraphs()).runs[0].font("eastAsia") == "方正小标宋简体"


def test_kind_profile_from_its_definition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's kind in ./templates with another profile and no template file: built from the definition."""

    from gwmerge.document import kinds

    folder = tmp_path / "templates" / "我的文种"
    folder.mkdir(parents=True)
    definition = (kinds.BUILTIN_DIR / "民主生活会" / "kind.toml").read_text(encoding="utf-8")
    definition = definition.replace('profile = "标准"', 'profile = "系统字体"').replace(
        "[profile_overrides]", '[profile_overrides]\nfont_title = "方正小标宋_GBK"')
    (folder / "kind.toml").write_text(definition, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    book = make_workbook(tmp_path / "甲.xlsx", [SectionRows("存在的问题", [("段落", "", "内容。")])],
                         **{sf.FIELD_KIND: "我的文种"})
    [outcome] = api.merge([book], tmp_path / "out")
    assert outcome.ok, outcome.error
    paras = list(EffectiveDoc(outcome.output).paragraphs())
    assert paras[0].runs[0].font("eastAsia") == "方正小标宋_GBK"
    assert paras[-1].runs[0].font("eastAsia") == "仿宋"


def test_parallel_jobs_give_the_same_documents_in_input_order(sheets: Path, tmp_path: Path) -> None:
    (sheets / "坏的.xlsx").write_bytes(b"broken")
    outcomes = api.merge([sheets], tmp_path / "par", jobs=2)
    assert [o.source.name for o in outcomes] == ["坏的.xlsx", "示例-党员.xlsx", "示例-副镇长.xlsx"]
    assert [o.ok for o in outcomes] == [False, True, True]
    assert str(outcomes[0].error).startswith("坏的.xlsx：这是文本文件（如 CSV 或 TXT）")
    serial = api.merge([sheets], tmp_path / "ser")
    for a, b in zip(outcomes[1:], serial[1:], strict=True):
        assert _texts(a.output) == _texts(b.output)


def test_workbook_asks_for_a_signature_with_an_excel_date(tmp_path: Path) -> None:
    """The 民主生活会 kind has no signature by default; the workbook's 落款=是 adds one."""
    import datetime as dt

    book = make_workbook(tmp_path / "落款.xlsx", [SectionRows("存在的问题", [("段落", "", "内容。")])],
                         **{sf.FIELD_SIGNATURE: "是", sf.FIELD_NAME: "张三", sf.FIELD_DATE: dt.date(2025, 1, 15)})
    [outcome] = api.merge([book], tmp_path / "out")
    texts = _texts(outcome.output)
    assert texts[-3:] == ["内容。", "张三", "2025年1月15日"]
    no = make_workbook(tmp_path / "不落款.xlsx", [SectionRows("存在的问题", [("段落", "", "内容。")])],
                       **{sf.FIELD_SIGNATURE: "否", sf.FIELD_KIND: "组织生活会"})
    [outcome] = api.merge([no], tmp_path / "out")
    assert _texts(outcome.output)[-1] == "内容。"
    bad = make_workbook(tmp_path / "乱填.xlsx", [SectionRows("存在的问题", [("段落", "", "内容。")])],
                        **{sf.FIELD_SIGNATURE: "也许"})
    [outcome] = api.check([bad])
    assert [str(f) for f in outcome.findings if f.is_error] == [
        "乱填.xlsx › 基本信息 › B11：“落款”填“是”或“否”（留空按文种默认），现在是“也许”。"]
