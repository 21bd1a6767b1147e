"""What a new user tripped on, walking the README with no knowledge of the code (each a test now).

Through the installed command, with workbooks written by openpyxl as Excel would.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
from docx import Document


def gwmerge(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["gwmerge", *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                          timeout=180, cwd=cwd)


def _fill(book: Path, sheet: str, rows: list[tuple[str, str, str]]) -> None:
    """Type rows into the first empty rows of a sheet, leaving every layout setting at its default."""
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    start = next(r for r in range(2, 200) if not ws.cell(r, 1).value and not ws.cell(r, 3).value)
    for i, (level, lead, text) in enumerate(rows):
        ws.cell(start + i, 1).value, ws.cell(start + i, 2).value, ws.cell(start + i, 3).value = level, lead, text
    wb.save(book)


def test_points_typed_without_a_full_stop_are_named_before_they_run_together(tmp_path: Path) -> None:
    book = tmp_path / "周七.xlsx"
    assert gwmerge("new", "-o", book, "--name", "周七", "--position", "副镇长").returncode == 0
    _fill(book, "存在的主要问题", [
        ("（一）", "在学习方面", "学习还不够深入，存在一些差距"),
        ("一是", "学习不系统", "平时学习碎片化，没有形成系统的学习计划"),
        ("一是", "学用脱节", "理论联系实际不够，解决实际问题的能力不强。"),
    ])
    said = gwmerge("check", book).stdout
    glued = [line for line in said.splitlines() if "会与它连成一句" in line]
    assert len(glued) == 1, said
    assert "存在的主要问题 › C" in glued[0] and "另见 C" in glued[0] and "〔段末标点〕" in glued[0]
    assert "“…有形成系统的学习计划”" in glued[0]


def test_a_workbook_made_for_a_years_theme_is_titled_with_that_year(tmp_path: Path) -> None:
    book = tmp_path / "王五.xlsx"
    assert gwmerge("new", "-o", book, "--name", "王五", "--position", "镇长", "--theme", "2024").returncode == 0
    _fill(book, "存在的主要问题", [("段落", "", "平时学习碎片化，没有形成系统的学习计划。")])
    done = gwmerge("merge", book, "-o", tmp_path / "out")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    title = Document(tmp_path / "out" / "王五.docx").paragraphs[0].text
    assert title == "镇长2024年度民主生活会对照检查材料"


def test_without_a_year_the_title_names_no_other_years_theme(tmp_path: Path) -> None:
    book = tmp_path / "赵六.xlsx"
    assert gwmerge("new", "-o", book, "--name", "赵六", "--position", "副镇长").returncode == 0
    _fill(book, "存在的主要问题", [("段落", "", "平时学习碎片化，没有形成系统的学习计划。")])
    gwmerge("merge", book, "-o", tmp_path / "out")
    title = Document(tmp_path / "out" / "赵六.docx").paragraphs[0].text
    assert title == "副镇长民主生活会对照检查材料"


def test_a_file_of_the_other_kind_is_named_for_what_it_is(tmp_path: Path) -> None:
    draft = tmp_path / "草稿.docx"
    Document().save(draft)
    checked = gwmerge("check", draft)
    assert checked.returncode == 1 and "这是文字稿，不是工作簿" in checked.stdout + checked.stderr
    book = tmp_path / "张三.xlsx"
    assert gwmerge("new", "-o", book).returncode == 0
    verified = gwmerge("verify", book)
    assert verified.returncode == 1 and "这是工作簿，不是 Word 文档" in verified.stdout + verified.stderr
