"""Real-style materials nobody here structured for the tool, through import → merge.

tests/data/real holds materials of the genres people bring (班子 and 个人 对照检查材料,
组织生活会 发言提纲 and 检视剖析材料, 自查报告) typed the way they are typed: titles over two lines,
副标题, 二〇二五年 dates, 附件 lines, “　　” indents and blank lines, (1) and 1) ordinals, 第一，/首先
instead of 一、, equal-length parallel headings. Each NAME.txt has NAME.expected: the paragraphs the
merged document must have, one a line, as ``style<TAB>text`` (a line break inside the title as
``\\n``). Each source also goes through as a Word draft (tests/real_docx.py) and must give the
same paragraphs.

What may differ from the source, and nothing else (test_expected_keeps_every_word checks it):
ordinals in the official form (（1） for (1), 1. for １．), the date in the official form
(2025年1月20日 for 二〇二五年一月二十日), and a long title broken into lines by the merge.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from real_docx import REAL, build, source_lines
from test_import import import_and_merge, paragraphs

from gwmerge.document import ordinals
from gwmerge.document.dates import official_date

NAMES = sorted(p.stem for p in REAL.glob("*.txt"))
TABLE_AFTER = {"annex_and_table": "具体整改任务"}


def expected(name: str) -> list[tuple[str, str]]:
    rows = (REAL / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    return [(text.replace("\\n", "\n"), style) for style, text in (row.split("\t", 1) for row in rows)]


#: The table real_docx.build puts into a Word draft: it comes back as a table (header row, cells).
TABLE_CELLS = [*((cell, "GwTableHeader") for cell in ("序号", "问题", "整改措施")),
               *((cell, "GwTableText") for cell in ("1", "表格里的问题", "表格里的措施"))]


def expected_docx(name: str) -> list[tuple[str, str]]:
    """The paragraphs of the Word draft's document: the fixture's, with its table where it was."""
    rows = expected(name)
    after = TABLE_AFTER.get(name)
    if after is None:
        return rows
    at = next(i for i, (text, _) in enumerate(rows) if after in text)
    return [*rows[:at + 1], *TABLE_CELLS, *rows[at + 1:]]


def _words(lines: list[str]) -> str:
    """The text without ordinals, dates in the official form, line breaks and indents dropped."""
    out = []
    for line in lines:
        line = line.strip(" \t\u3000")
        found = ordinals.match(line)
        if found is not None:
            line = line[found.end:]
        out.append(official_date(line) or line)
    return "".join(out).replace("\n", "")


def test_there_are_enough_fixtures() -> None:
    assert len(NAMES) >= 8
    assert all((REAL / f"{name}.expected").is_file() for name in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_expected_keeps_every_word(name: str) -> None:
    """The expected paragraphs are the source's: nothing lost, merged away or re-punctuated."""
    assert _words([text for text, _ in expected(name)]) == _words(source_lines(name))


@pytest.mark.parametrize("name", NAMES)
def test_txt_imports_and_merges_back(name: str, tmp_path: Path) -> None:
    out, imported = import_and_merge(REAL / f"{name}.txt", tmp_path)
    assert paragraphs(out) == expected(name)
    # The merged document imports again to the very same paragraphs (text and kind).
    again, _ = import_and_merge(out, tmp_path / "again")
    assert paragraphs(again) == paragraphs(out)
    # Whatever could not be restored exactly is said; these materials need no such warning.
    assert not [f for f in imported.findings if "无法按原样还原" in f.message or "不完全一致" in f.message]


@pytest.mark.parametrize("name", NAMES)
def test_word_draft_imports_and_merges_back(name: str, tmp_path: Path) -> None:
    source = build(name, tmp_path / f"{name}.docx", table_after=TABLE_AFTER.get(name))
    out, _ = import_and_merge(source, tmp_path)
    assert paragraphs(out) == expected_docx(name)


def gwmerge(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "gwmerge", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


@pytest.mark.parametrize(("name", "suffix"), [("county_team_review", ".txt"), ("first_second_style", ".docx"),
                                              ("annex_and_table", ".docx"), ("fullwidth_blank_lines", ".txt")])
def test_through_the_command(name: str, suffix: str, tmp_path: Path) -> None:
    """gwmerge import FILE -o DIR, then gwmerge merge DIR/FILE.xlsx -o OUT, as a person runs them."""
    if suffix == ".docx":
        source = build(name, tmp_path / f"{name}.docx", table_after=TABLE_AFTER.get(name))
    else:
        source = tmp_path / f"{name}.txt"
        source.write_bytes((REAL / f"{name}.txt").read_bytes())
    imported = gwmerge("import", source, "-o", tmp_path / "books", cwd=tmp_path)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    merged = gwmerge("merge", tmp_path / "books" / f"{name}.xlsx", "-o", tmp_path / "out", cwd=tmp_path)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "Traceback" not in imported.stderr + merged.stderr
    assert paragraphs(tmp_path / "out" / f"{name}.docx") == (expected_docx(name) if suffix == ".docx"
                                                             else expected(name))
    if name == "annex_and_table":
        # The draft's table is kept: a sheet 表格1 in the workbook, a table in the document.
        assert "没有导入" not in imported.stdout
        assert ("表格里的问题", "GwTableText") in paragraphs(tmp_path / "out" / f"{name}.docx")
    if name == "county_team_review":
        assert "日期“二〇二五年一月二十日”合并时按公文格式写作“2025年1月20日”" in imported.stdout
    if name == "first_second_style":
        assert "没有找到“一、”这样的一级标题" in imported.stdout


def test_what_the_reader_sees_in_particular() -> None:
    """A few paragraphs a clerk would look at first, said plainly (the .expected files hold all)."""
    county = expected("county_team_review")
    assert county[-2:] == [("中共青山县委常委班子", "GwSignature"), ("2025年1月20日", "GwSignature")]
    personal = dict(expected("personal_review_subtitle"))
    assert personal["——在县委常委班子2024年度民主生活会上的发言"] == "GwSubtitle"
    assert dict(expected("colon_lists"))["（2025年1月）"] == "GwSubtitle"
    assert dict(expected("org_life_outline"))["第三党支部 李红梅"] == "GwNameLine"
    # A sentence item with nothing under it is text with its number, not a heading over nothing.
    assert dict(expected("org_life_outline"))["1.理论学习不深不透，理想信念有所弱化。"] == "GwBody"
    # 第一，/首先 materials: no 一、 heading is made up, every paragraph stays as it was.
    first = expected("first_second_style")
    assert not [text for text, style in first if style == "GwHeading1"]
    assert len(first) == len([line for line in source_lines("first_second_style") if line.strip()])
    # 附件：1.… 2.… keep their own numbers.
    annex = [text for text, _ in expected("annex_and_table")]
    assert "2.中共青山县教育局党组2024年度民主生活会问题整改清单" in annex
    # 1) is no official ordinal: kept as typed; (1) and (一) are written the official way.
    fullwidth = [text for text, _ in expected("fullwidth_blank_lines")]
    assert sum(text.startswith("1)") for text in fullwidth) == 2
    assert "（一）关于理论学习方面的问题" in fullwidth


def test_parallel_headings_are_not_taken_for_a_pdf_copy(tmp_path: Path) -> None:
    """Equal-length headings one after another look like lines cut at a fixed width: they are not."""
    out, imported = import_and_merge(REAL / "parallel_headings_outline.txt", tmp_path)
    assert not [f for f in imported.findings if "PDF" in f.message]
    assert len(paragraphs(out)) == len([line for line in source_lines("parallel_headings_outline") if line.strip()])


def test_a_hand_typed_part_without_heading(tmp_path: Path) -> None:
    """部分标题 “无”: the part prints no 一、 line and takes no ordinal; the next part is 一、."""
    from conftest import make_workbook

    from gwmerge import api
    from gwmerge.write.xlsx import SectionRows

    book = make_workbook(tmp_path / "无标题.xlsx", [
        SectionRows("正文", [("部分标题", "无", ""), ("段落", "", "第一，学习不够深入。"),
                             ("（一）", "作风方面", "深入基层不够。")], example=None),
        SectionRows("整改措施", [("段落", "", "加强学习。")], example=None)])
    [merged] = api.merge([book], tmp_path / "out")
    assert merged.ok, merged.error
    assert paragraphs(merged.output)[1:5] == [
        ("开头一段。", "GwBody"), ("第一，学习不够深入。", "GwBody"), ("（一）作风方面。深入基层不够。", "GwBody"),
        ("一、整改措施", "GwHeading1")]
    # The part without a heading is no part of the kind's to question (整改措施 is one to question).
    parts = [str(f) for f in merged.findings if f.rule == "部分"]
    assert any("另有“整改措施”" in m for m in parts), parts
    assert not any("“”" in m or "› 正文" in m for m in parts), parts
