"""Hostile kind folders and workbooks, through the installed command under a time and memory cap,
each beside a good workbook that still comes out: kind.toml nested thousands deep or broken in a
local templates/ folder, TOML errors said in Chinese, two sheets of one name, one huge merged or
linked range before check --fix, and the merged-cell check over a large workbook."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import SHEETS
from hostile import SHEET, patched, sheet_xml
from process import MEMORY_LIMIT, one_sentence, run_gwmerge

CAP = 120  # seconds, against hangs; speed is measured in bench/
EXAMPLE = SHEETS / "示例-党员.xlsx"  # its 文种 is 组织生活会


def _with_kind(tmp_path: Path, name: str, definition: str) -> Path:
    folder = tmp_path / "templates" / name
    folder.mkdir(parents=True)
    (folder / "kind.toml").write_text(definition, encoding="utf-8")
    return folder


def _asking_for(tmp_path: Path, kind: str) -> Path:
    """The example workbook with its 文种 cell (基本信息 › B3) set to ``kind``."""
    import openpyxl

    path = Path(shutil.copy(EXAMPLE, tmp_path / f"要{kind}.xlsx"))
    wb = openpyxl.load_workbook(path)
    assert wb["基本信息"]["A3"].value == "文种"
    wb["基本信息"]["B3"] = kind
    wb.save(path)
    return path


BROKEN_KINDS = {
    "嵌套过深": ('name = "深"\nx = ' + "[" * 5000 + "]" * 5000 + "\n", "kind.toml：文种定义文件中的括号嵌套过深"),
    "写法有误": ('name = "坏"\n中文 键 = 1\n',
             "kind.toml › 第 2 行第 1 列：文种定义文件格式有误：这一行不是“名称 = 值”的写法"),
    "引号不成对": ('name = "坏\n', "kind.toml › 第 1 行第 10 列：文种定义文件格式有误：引号没有成对"),
    "重复的键": ('name = "坏"\nname = "又"\n', "文种定义文件格式有误：同一个设置项写了两次"),
}


@pytest.mark.parametrize("case", BROKEN_KINDS)
def test_a_broken_local_kind_is_named_and_other_merges_go_on(tmp_path: Path, case: str) -> None:
    definition, said = BROKEN_KINDS[case]
    _with_kind(tmp_path, "我的文种", definition)
    good = Path(shutil.copy(EXAMPLE, tmp_path / "好.xlsx"))
    wants = _asking_for(tmp_path, "我的文种")
    done = run_gwmerge("merge", good, wants, "-o", tmp_path / "out", cwd=tmp_path, memory=MEMORY_LIMIT, timeout=CAP)
    assert "Traceback" not in done.output and "内部错误" not in done.output and "RecursionError" not in done.output
    assert (tmp_path / "out" / "好.docx").is_file(), done.output
    line = next(line for line in done.output.splitlines() if "要我的文种.xlsx" in line)
    assert said in line, line
    assert "基本信息 › B3" not in line  # the kind.toml is named, not the cell asking for it
    assert not re.search(r"Invalid|Unterminated|Cannot|line \d|column", line), line
    # `gwmerge kinds` lists the good kinds and names the broken one.
    listed = run_gwmerge("kinds", cwd=tmp_path, memory=MEMORY_LIMIT, timeout=CAP)
    assert listed.code == 0 and "民主生活会" in listed.output
    assert "文种“我的文种”（我的文种/kind.toml" in listed.output, listed.output


def test_asking_for_a_kind_that_is_not_there_mentions_the_broken_one(tmp_path: Path) -> None:
    _with_kind(tmp_path, "我的文种", 'name = "坏"\n中文 键 = 1\n')
    book = Path(shutil.copy(EXAMPLE, tmp_path / "好.xlsx"))
    done = run_gwmerge("merge", book, "-k", "没有这个", "-o", tmp_path / "out", cwd=tmp_path,
                       memory=MEMORY_LIMIT, timeout=CAP)
    line = one_sentence(done)
    assert "没有名为“没有这个”的文种" in line and "另有文种定义有误，未能读取：我的文种/kind.toml" in line, line


# ---------------------------------------------------------------- two sheets of one name

@pytest.mark.parametrize(("first", "second"), [("存在的问题", "存在的问题"), ("Problems", "PROBLEMS")])
def test_two_sheets_of_one_name_are_one_sentence(tmp_path: Path, first: str, second: str) -> None:
    def rename(data: bytes) -> bytes:
        data = data.replace('name="存在的问题"'.encode(), f'name="{first}"'.encode())
        return data.replace('name="产生问题的原因"'.encode(), f'name="{second}"'.encode())

    bad = patched(tmp_path / "同名.xlsx", replace={"xl/workbook.xml": rename})
    good = Path(shutil.copy(EXAMPLE, tmp_path / "好.xlsx"))
    for command in ("merge", "check"):
        args = (command, good, bad, "-o", tmp_path / "out") if command == "merge" else (command, good, bad)
        done = run_gwmerge(*args, memory=MEMORY_LIMIT, timeout=CAP)
        assert "内部错误" not in done.output and "zip()" not in done.output, done.output
        assert f"第 2 张和第 3 张工作表同名（“{second}”，Excel 不区分大小写）" in done.output, done.output
    assert (tmp_path / "out" / "好.docx").is_file()


# ---------------------------------------------------------------- check --fix within the reader's budgets

HUGE = {
    "超链接": b'<hyperlinks><hyperlink ref="A3:XFD1048576" location="A1" display="x"/></hyperlinks>',
    "合并单元格": b'<mergeCells count="1"><mergeCell ref="A3:XFD1048576"/></mergeCells>',
}


@pytest.mark.parametrize("what", HUGE)
def test_check_fix_refuses_one_huge_range_quickly(tmp_path: Path, what: str) -> None:
    bad = patched(tmp_path / "大范围.xlsx", replace={SHEET: lambda d: d.replace(b"</sheetData>",
                                                                             b"</sheetData>" + HUGE[what], 1)})
    assert bad.stat().st_size < 20_000
    good = Path(shutil.copy(EXAMPLE, tmp_path / "好.xlsx"))
    done = run_gwmerge("check", "--fix", good, bad, "-o", tmp_path / "fixed", memory=MEMORY_LIMIT, timeout=60)
    assert "Traceback" not in done.output and "内部错误" not in done.output, done.output
    assert (f"大范围.xlsx › 存在的问题：{what}的范围 A3:XFD1048576 覆盖了约 17,179,836,416 个单元格"
            in done.output), done.output
    assert sorted(p.name for p in (tmp_path / "fixed").iterdir()) == ["好.xlsx"]
    # merge reads the same file as it always did.
    merged = run_gwmerge("merge", bad, "-o", tmp_path / "out", memory=MEMORY_LIMIT, timeout=60)
    assert (tmp_path / "out" / "大范围.docx").is_file(), merged.output


def test_the_merged_cell_check_over_a_large_workbook(tmp_path: Path) -> None:
    """30,000 rows and 10,000 merged ranges (the reader's limit): each range is looked up once,
    not by scanning every row (108 s before, a fraction of that now; figures in the report)."""
    rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>层级</t></is></c><c r="B1" t="inlineStr"><is><t>标题或引导句'
            '</t></is></c><c r="C1" t="inlineStr"><is><t>正文</t></is></c></row>']
    rows += [f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>段落</t></is></c><c r="C{r}" t="inlineStr"><is>'
             f"<t>第{r}行的内容。</t></is></c></row>" for r in range(3, 30003)]
    merges = "".join(f'<mergeCell ref="A{r}:B{r}"/>' for r in range(20003, 30003))
    xml = sheet_xml("".join(rows).encode(), tail=f'<mergeCells count="10000">{merges}</mergeCells>'.encode())
    big = patched(tmp_path / "大.xlsx", replace={SHEET: xml})
    good = Path(shutil.copy(EXAMPLE, tmp_path / "好.xlsx"))
    done = run_gwmerge("check", good, big, memory=MEMORY_LIMIT, timeout=CAP)
    assert "Traceback" not in done.output, done.output
    assert "大.xlsx › 存在的问题 › A20003：A20003:B20003 是合并单元格" in done.output
    assert "大.xlsx › 存在的问题 › A30002：A30002:B30002 是合并单元格" in done.output
