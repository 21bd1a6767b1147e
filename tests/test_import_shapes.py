"""Shapes of real drafts that import used to get wrong, through import → merge and format → verify.

tests/data/shapes holds drafts written the way they arrive: item 1、 glued to the end of the line
before (a paste), 一是……；二是…… inside a 一是 point, PDF and WeChat pastes with every “ and ” on a
line of its own and page numbers, 来源/编辑 lines and a publish stamp, a byline and a 副标题 under
the title, and a 主送 line. NAME.expected holds the paragraphs of the document, ``style<TAB>text``
(a line break inside the title as ``\\n``). Each also goes through as a plain Word draft.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from test_import import import_and_merge, paragraphs, plain_docx

from gwmerge import api

SHAPES = Path(__file__).parent / "data" / "shapes"
NAMES = sorted(p.stem for p in SHAPES.glob("*.txt"))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def expected(name: str) -> list[tuple[str, str]]:
    rows = (SHAPES / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    return [(text.replace("\\n", "\n"), style) for style, text in (row.split("\t", 1) for row in rows)]


def lines(name: str) -> list[str]:
    return [line for line in (SHAPES / f"{name}.txt").read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_shape_is_here() -> None:
    assert {"glued_items", "glued_two_levels", "inner_points", "quote_lines_paste", "quote_lines_wechat",
            "byline_subtitle", "addressee_report"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_import_then_merge_gives_the_paragraphs(name: str, tmp_path: Path) -> None:
    out, imported = import_and_merge(SHAPES / f"{name}.txt", tmp_path)
    assert paragraphs(out) == expected(name)
    assert not [f for f in imported.findings if "无法按原样还原" in f.message or "不完全一致" in f.message]
    again, _ = import_and_merge(out, tmp_path / "again")
    assert paragraphs(again) == paragraphs(out)


@pytest.mark.parametrize("name", NAMES)
def test_format_then_verify_is_clean(name: str, tmp_path: Path) -> None:
    [outcome] = api.format_documents([SHAPES / f"{name}.txt"], tmp_path / "out")
    assert outcome.ok, outcome.error or outcome.crash
    assert paragraphs(outcome.output) == expected(name)
    [checked] = api.verify([outcome.output])
    assert checked.findings == []


@pytest.mark.parametrize("name", NAMES)
def test_as_a_word_draft(name: str, tmp_path: Path) -> None:
    source = plain_docx(tmp_path / f"{name}.docx", lines(name))
    [outcome] = api.format_documents([source], tmp_path / "out")
    assert outcome.ok, outcome.error or outcome.crash
    assert paragraphs(outcome.output) == expected(name)


def _findings(name: str, tmp_path: Path) -> list[str]:
    [outcome] = api.format_documents([SHAPES / f"{name}.txt"], tmp_path / "f")
    return [f.message for f in outcome.findings]


def test_a_glued_item_keeps_the_typed_numbers_and_is_said(tmp_path: Path) -> None:
    """“……问题。1、理论学习不够” then 2、3、4、: 1. to 4., never two items numbered 1."""
    body = [text for text, _ in expected("glued_items")]
    numbered = [text[:2] for text in body if text[:1].isdigit() and text[1] == "."]
    assert numbered == ["1.", "2.", "3.", "4.", "1.", "2."]  # two parts, each counting from 1
    assert "对照检查，主要存在以下问题。" in body
    messages = _findings("glued_items", tmp_path)
    assert any("序号“1、”接在上一段末尾" in m for m in messages), messages
    assert not any("不连续" in m for m in messages), messages


def test_a_list_inside_a_point_stays_in_its_point(tmp_path: Path) -> None:
    """一是 … 主要表现在：一是……；二是……。二是 …: three outer points; the lead sentences bolded are
    the outer points' (引导句加粗), and check says no 二是 is missing."""
    [outcome] = api.format_documents([SHAPES / "inner_points.txt"], tmp_path / "out", profiles=["引导句加粗"])
    assert outcome.ok
    assert outcome.recognised is not None
    assert outcome.recognised.sections[0] == ("存在的问题", 2, 5)
    with zipfile.ZipFile(outcome.output) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    leads = ["".join(t.text or "" for t in r.iter(f"{W}t")) for r in root.iter(f"{W}r")
             if (s := r.find(f"{W}rPr/{W}rStyle")) is not None and s.get(f"{W}val") == "GwLeadChar"]
    assert leads == ["一是学习不够系统。", "二是学用结合不够。", "三是学习氛围不浓。"]
    assert not [f for f in outcome.findings if "二是" in f.message]


def test_a_pdf_paste_with_quotes_on_their_own_lines_keeps_its_paragraphs(tmp_path: Path) -> None:
    """6 paragraphs with every “ and ” on a line of its own (30 lines) come out as 6, page furniture gone."""
    assert len(lines("quote_lines_paste")) == 30
    assert len(expected("quote_lines_paste")) == 7  # the title and the six paragraphs
    messages = _findings("quote_lines_paste", tmp_path)
    assert any("略去了页码、网址或来源、编辑" in m and "“来源：某某镇党委”" in m for m in messages), messages
    assert any("引号、括号单独成行" in m for m in messages), messages
    text = "".join(t for t, _ in expected("quote_lines_paste"))
    assert "mp.weixin" not in text and "— 1 —" not in text and "编辑" not in text


def test_a_byline_and_a_addressee_are_set_as_such() -> None:
    assert ("XX镇党委书记 张三", "GwNameLine") in expected("byline_subtitle")
    assert ("——在镇党委班子民主生活会上的发言", "GwSubtitle") in expected("byline_subtitle")
    assert expected("addressee_report")[1] == ("县委组织部：", "GwAddressee")


def test_the_addressee_is_flush_left_in_the_body_font(tmp_path: Path) -> None:
    [outcome] = api.format_documents([SHAPES / "addressee_report.txt"], tmp_path / "out")
    with zipfile.ZipFile(outcome.output) as z:
        styles = etree.fromstring(z.read("word/styles.xml"))
    style = next(s for s in styles.iter(f"{W}style") if s.get(f"{W}styleId") == "GwAddressee")
    ind = style.find(f"{W}pPr/{W}ind")
    assert ind is not None and ind.get(f"{W}firstLineChars") == "0"
    fonts = style.find(f"{W}rPr/{W}rFonts")
    assert fonts is not None and "仿宋" in fonts.get(f"{W}eastAsia")
    assert style.find(f"{W}rPr/{W}sz").get(f"{W}val") == "32"  # 三号


def test_through_the_command_with_pdf(tmp_path: Path) -> None:
    """gwmerge format DRAFT --pdf, as merge --pdf: the document and its PDF."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "gwmerge", "format", SHAPES / "glued_items.txt", "--pdf",
                           "-o", tmp_path / "out"], capture_output=True, text=True, env=env, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "out" / "glued_items.docx").is_file()
    pdf = tmp_path / "out" / "glued_items.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    assert "glued_items.pdf" in done.stdout


# ---------------------------------------------------------------- the smaller ones


def test_a_numbered_1_with_half_bracket_is_no_unpaired_bracket(tmp_path: Path) -> None:
    """1） 2） ordinals (as typed in many drafts) are not reported as a “）” without its “（”."""
    source = tmp_path / "材料.txt"
    source.write_text("关于整改落实情况的报告\n一、整改情况\n1）理论学习得到加强。2）工作作风有所转变。\n"
                      "二、下步打算\n继续抓好整改（见附表）。\n", encoding="utf-8")
    [outcome] = api.format_documents([source], tmp_path / "out")
    assert outcome.ok
    assert not [f for f in outcome.findings if "没有配对" in f.message]
    # A real half pair is still found.
    source.write_text("关于整改落实情况的报告\n一、整改情况\n理论学习得到加强）。\n二、下步打算\n继续抓好整改。\n",
                      encoding="utf-8")
    [outcome] = api.format_documents([source], tmp_path / "again")
    assert [f for f in outcome.findings if "没有配对" in f.message]


def test_a_team_material_is_known_by_its_words(tmp_path: Path) -> None:
    """A 班子 material whose title does not say 班子 is still the 班子 kind: it speaks as 我们/班子."""
    source = tmp_path / "检视剖析材料.txt"
    source.write_text("2024年度民主生活会检视剖析材料\n"
                      "按照要求，我们认真查摆问题。\n一、存在的问题\n"
                      "我们班子学习不够深入，班子成员之间谈心谈话不够。我们抓落实的力度还不够。\n"
                      "二、整改措施\n我们将加强班子自身建设。\n", encoding="utf-8")
    [outcome] = api.format_documents([source], tmp_path / "out")
    assert outcome.ok and outcome.recognised is not None
    assert outcome.recognised.kind.id == "班子民主生活会"
    personal = tmp_path / "个人.txt"
    personal.write_text("2024年度民主生活会个人对照检查材料\n按照要求，我认真查摆问题。\n一、存在的问题\n"
                        "我学习不够深入，我作为班子成员，有时对自己要求不严。\n二、整改措施\n我将加强学习。\n",
                        encoding="utf-8")
    [outcome] = api.format_documents([personal], tmp_path / "out")
    assert outcome.recognised is not None and outcome.recognised.kind.id == "民主生活会"


def test_a_long_opening_is_content(tmp_path: Path) -> None:
    """657 characters, most of them in the opening: merge writes it as 已生成, not 内容过少."""
    from conftest import make_workbook

    from gwmerge.write.xlsx import SectionRows

    opening = "按照要求，" + "我认真学习了有关文件精神，对照检查了自身存在的问题，" * 24
    book = make_workbook(tmp_path / "材料.xlsx", [SectionRows("存在的主要问题", [("段落", "", "学习不够。")],
                                                                 example=None)], **{"开头": opening})
    [merged] = api.merge([book], tmp_path / "out")
    assert merged.ok, merged.error
    assert merged.status == "已生成"


def test_an_empty_signer_in_a_team_kind_is_said(tmp_path: Path) -> None:
    from conftest import make_workbook

    from gwmerge.write.xlsx import SectionRows

    book = make_workbook(tmp_path / "班子.xlsx", [SectionRows("存在的主要问题", [("段落", "", "学习不够深入。")],
                                                               example=None)], **{"文种": "班子民主生活会"})
    [merged] = api.merge([book], tmp_path / "out")
    assert merged.ok
    said = [f.message for f in merged.findings if f.rule == "落款"]
    assert any("班子的材料，“署名”却为空，落款将写个人姓名“张三”" in m for m in said), said
    book = make_workbook(tmp_path / "班子2.xlsx", [SectionRows("存在的主要问题", [("段落", "", "学习不够深入。")],
                                                                example=None)],
                         **{"文种": "班子民主生活会", "署名": "中共某某镇委员会领导班子"})
    [merged] = api.merge([book], tmp_path / "out2")
    assert not [f for f in merged.findings if f.rule == "落款"]


def _gwmerge(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "gwmerge", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=90)


def test_ten_thousand_headings_finish_in_time(tmp_path: Path) -> None:
    """A long 汇编 is no attack: 10,000 一、 headings (一万、 included, not taken for lines cut from a
    PDF) are refused by import in one sentence (one sheet a part, at most 200), within a generous
    cap; format lays out 5,000 parts of one paragraph each (10,000 paragraphs)."""
    from gwmerge.document import ordinals

    source = tmp_path / "汇编.txt"
    source.write_text("\n".join(["学习资料汇编", *(f"{ordinals.format(1, n)}第{n}篇学习资料" for n in
                                                   range(1, 10_001))]) + "\n", encoding="utf-8")
    done = _gwmerge("import", source, "-o", tmp_path / "books")
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert "材料有 10000 个“一、”这样的部分" in done.stdout and "最多 200 个" in done.stdout
    assert "Traceback" not in done.stderr and "PDF" not in done.stdout
    assert not (tmp_path / "books" / "汇编.xlsx").exists()
    long = tmp_path / "长汇编.txt"
    long.write_text("\n".join(["学习资料汇编", *(f"{ordinals.format(1, n)}第{n}篇学习资料\n第{n}篇的内容摘要。"
                                                  for n in range(1, 5_001))]) + "\n", encoding="utf-8")
    done = _gwmerge("format", long, "-o", tmp_path / "docs")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "不连续" not in done.stdout
    assert len(paragraphs(tmp_path / "docs" / "长汇编.docx")) == 1 + 10_000


def test_a_hundred_thousand_paragraphs_are_refused_in_one_sentence(tmp_path: Path) -> None:
    """100,000 paragraphs in a .docx: one sentence naming the stated size, well within the cap."""
    body = "".join(f"<w:p><w:r><w:t>第{n}段。</w:t></w:r></w:p>" for n in range(100_000))
    source = tmp_path / "巨长.docx"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                   f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
    done = _gwmerge("format", source, "-o", tmp_path / "out")
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert "材料有 100000 段，超过 20000 段" in done.stdout
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "巨长.docx").exists()


# ---------------------------------------------------------------- tables


TABLE = [("序号", "问题", "整改措施", "完成情况"),
         ("1", "理论学习不够深入", "制定学习计划，每周学习不少于4小时", "已完成"),
         ("2", "作风不够扎实", "每月下基层不少于5天", "持续推进")]


def table_draft(dest: Path) -> Path:
    """A 整改 report typed in Word with its 问题清单 as a table in the middle of a part."""
    from docx import Document as WordDocument

    doc = WordDocument()
    for line in ("关于2024年度民主生活会问题整改情况的报告", "县纪委监委：", "按照要求，现将整改情况报告如下。",
                 "一、整改落实情况", "对照查摆的问题，逐项整改，具体见下表。"):
        doc.add_paragraph(line)
    table = doc.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    for r, row in enumerate(TABLE):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    for line in ("以上问题均已建立台账，逐项销号。", "二、下步打算", "持续巩固整改成果，防止问题反弹。",
                 "中共柳河镇委员会", "2025年3月10日"):
        doc.add_paragraph(line)
    doc.save(dest)
    return dest


TABLE_EXPECTED = [
    ("关于2024年度民主生活会\n问题整改情况的报告", "GwTitle"), ("县纪委监委：", "GwAddressee"),
    ("按照要求，现将整改情况报告如下。", "GwBody"), ("一、整改落实情况", "GwHeading1"),
    ("对照查摆的问题，逐项整改，具体见下表。", "GwBody"),
    *((cell, "GwTableHeader") for cell in TABLE[0]), *((cell, "GwTableText") for row in TABLE[1:] for cell in row),
    ("以上问题均已建立台账，逐项销号。", "GwBody"), ("二、下步打算", "GwHeading1"),
    ("持续巩固整改成果，防止问题反弹。", "GwBodyKeepNext"), ("中共柳河镇委员会", "GwSignature"),
    ("2025年3月10日", "GwSignature")]


def test_a_table_comes_back_through_the_workbook(tmp_path: Path) -> None:
    """import → workbook (a 表格 row naming the sheet 表格1, whose rows are the table's) → merge."""
    from openpyxl import load_workbook

    out, imported = import_and_merge(table_draft(tmp_path / "整改报告.docx"), tmp_path)
    assert paragraphs(out) == TABLE_EXPECTED
    assert not [f for f in imported.findings if "表格" in f.message]
    book = load_workbook(tmp_path / "books" / "整改报告.xlsx")
    assert [tuple(c.value for c in row) for row in book["表格1"].iter_rows()] == TABLE
    part = [tuple(c.value for c in row) for row in book["整改落实情况"].iter_rows(min_row=3)]
    assert part[1][:3] == ("表格", None, "表格1")
    # check reads the workbook with its table: no paragraph without end punctuation among the cells.
    [checked] = api.check([imported.output])
    assert not [f for f in checked.findings if "段落末尾没有标点" in f.message or "表格" in f.message]


def test_a_table_in_format_is_set_the_official_way(tmp_path: Path) -> None:
    """format: the same document, verify clean; the table spans the text block, its header row is
    黑体 and repeats on each page, its cells 仿宋."""
    [outcome] = api.format_documents([table_draft(tmp_path / "整改报告.docx")], tmp_path / "out")
    assert outcome.ok, outcome.error or outcome.crash
    assert paragraphs(outcome.output) == TABLE_EXPECTED
    [checked] = api.verify([outcome.output])
    assert checked.findings == []
    with zipfile.ZipFile(outcome.output) as z:
        root = etree.fromstring(z.read("word/document.xml"))
        styles = etree.fromstring(z.read("word/styles.xml"))
    [table] = list(root.iter(f"{W}tbl"))
    width = table.find(f"{W}tblPr/{W}tblW")
    assert (width.get(f"{W}w"), width.get(f"{W}type")) == ("5000", "pct")  # 100 % of the text block
    assert sum(int(col.get(f"{W}w")) for col in table.iter(f"{W}gridCol")) <= 8845  # 156 mm
    rows = table.findall(f"{W}tr")
    assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
    assert all(row.find(f"{W}trPr/{W}tblHeader") is None for row in rows[1:])

    def font(style_id: str) -> str:
        style = next(s for s in styles.iter(f"{W}style") if s.get(f"{W}styleId") == style_id)
        return style.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia")

    assert "黑体" in font("GwTableHeader") and "仿宋" in font("GwTableText")


def test_a_table_in_a_hand_filled_workbook(tmp_path: Path) -> None:
    """The documented way: a row of 层级 “表格” whose 正文 names a sheet 表格1; a missing sheet is one
    sentence naming the cell."""
    from conftest import make_workbook
    from openpyxl import load_workbook

    from gwmerge.write.xlsx import SectionRows

    book = make_workbook(tmp_path / "清单.xlsx", [SectionRows("存在的主要问题", [
        ("段落", "", "问题清单如下。"), ("表格", "", "表格1"), ("段落", "", "以上问题要逐项整改。")], example=None)])
    wb = load_workbook(book)
    sheet = wb.create_sheet("表格1")
    for row in TABLE:
        sheet.append(list(row))
    wb.save(book)
    [merged] = api.merge([book], tmp_path / "out")
    assert merged.ok, merged.error
    got = paragraphs(merged.output)
    start = got.index(("问题清单如下。", "GwBody"))
    assert got[start + 1:start + 1 + 12] == [*((c, "GwTableHeader") for c in TABLE[0]),
                                             *((c, "GwTableText") for row in TABLE[1:] for c in row)]
    assert got[start + 13] == ("以上问题要逐项整改。", "GwBody")
    # The table's sheet is no part of the document (no 二、表格1).
    assert not [text for text, _ in got if "表格1" in text]
    wrong = make_workbook(tmp_path / "缺表.xlsx", [SectionRows("存在的主要问题", [
        ("段落", "", "问题清单如下。"), ("表格", "", "表格3")], example=None)])
    [failed] = api.merge([wrong], tmp_path / "out2")
    assert not failed.ok
    assert "没有找到工作表“表格3”" in str(failed.error)
