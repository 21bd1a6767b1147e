"""docs/checks.md is the test data: each rule's incorrect examples are found by that rule, its
correct examples are not. The examples are written into workbooks as Excel would hold them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, make_workbook

from gwmerge import api, checks
from gwmerge.write.xlsx import SectionRows

DOC = ROOT / "docs" / "checks.md"
OTHER = [SectionRows("产生问题的主要原因", [("（一）", "思想上有差距", "理论学习不够深入。")]),
         SectionRows("下步的改进措施", [("（一）", "加强学习", "每周固定时间学习原著。")])]
DEFAULT_SHEET = "存在的主要问题"
ANOTHER = "=== 另一份工作簿"


@dataclass
class Example:
    rule: str
    wrong: bool
    lines: list[str]
    number: int

    @property
    def id(self) -> str:
        return f"{self.rule}-{'错误' if self.wrong else '正确'}{self.number}"


def examples() -> list[Example]:
    """Every fenced 错误/正确 block under its ### 〔rule〕 heading."""
    found: list[Example] = []
    rule = ""
    block: list[str] | None = None
    wrong = False
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.fullmatch(r"### 〔(.+)〕", line.strip())
        if heading:
            rule = heading.group(1)
        elif block is None and line.startswith("```") and line[3:].strip() in ("错误", "正确"):
            block, wrong = [], line[3:].strip() == "错误"
        elif block is not None and line.startswith("```"):
            found.append(Example(rule, wrong, block, sum(e.rule == rule and e.wrong == wrong for e in found) + 1))
            block = None
        elif block is not None:
            block.append(line)
    return found


@dataclass
class Book:
    info: dict[str, str] = field(default_factory=dict)
    sheets: list[tuple[str, list[tuple[str, ...]]]] = field(default_factory=list)
    edits: list[tuple[str, str, str]] = field(default_factory=list)
    named: bool = False  # the example names its sheets: only those

    def sheet(self) -> list[tuple[str, ...]]:
        if not self.sheets:
            self.sheets.append((DEFAULT_SHEET, []))
        return self.sheets[-1][1]


def parse(lines: list[str]) -> list[Book]:
    books = [Book()]
    for line in lines:
        if line.strip() == ANOTHER:
            books.append(Book())
            continue
        book = books[-1]
        if line.startswith("基本信息 "):
            key, _, value = line.removeprefix("基本信息 ").partition("=")
            book.info[key.strip()] = value.strip()
        elif line.startswith("工作表 "):
            book.named = True
            book.sheets.append((line.removeprefix("工作表 ").strip(), []))
        elif line.startswith(("隐藏行 ", "合并 ")):
            action, _, where = line.partition(" ")
            book.sheet()
            book.edits.append((action, book.sheets[-1][0], where.strip()))
        elif "｜" in line:
            book.sheet().append(tuple(line.split("｜")))
        elif line.strip():
            book.sheet().append(("（一）", "在学习方面", line.strip()))
    return books


def write(book: Book, path: Path) -> Path:
    sections = [SectionRows(title, rows) for title, rows in book.sheets]
    if not book.named:
        sections = [*sections, *OTHER]
    make_workbook(path, sections, **book.info)
    if book.edits:
        wb = openpyxl.load_workbook(path)
        for action, sheet, where in book.edits:
            ws = wb[sheet]
            if action == "隐藏行":
                ws.row_dimensions[int(where)].hidden = True
            else:
                ws.merge_cells(where)
        wb.save(path)
    return path


EXAMPLES = examples()


def test_every_rule_has_its_entry_with_both_kinds_of_example() -> None:
    documented = {(e.rule, e.wrong) for e in EXAMPLES}
    for r in checks.rules():
        assert (r.id, True) in documented, f"docs/checks.md: 〔{r.id}〕 has no 错误 example"
        assert (r.id, False) in documented, f"docs/checks.md: 〔{r.id}〕 has no 正确 example"
    assert {e.rule for e in EXAMPLES} <= set(checks.REGISTRY)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_each_example_is_found_or_left_alone_by_its_rule(tmp_path: Path, example: Example) -> None:
    books = [write(book, tmp_path / f"例{n}.xlsx") for n, book in enumerate(parse(example.lines), 1)]
    outcomes = api.check(books)
    for outcome in outcomes:
        assert outcome.error is None or example.rule in ("标题", "日期", "选项"), outcome.error
        assert outcome.crash is None, outcome.crash
    said = [str(f) for o in outcomes for f in o.findings if f.rule == example.rule]
    if example.wrong:
        assert said, f"〔{example.rule}〕 did not find its incorrect example: {example.lines}"
        assert all(line.startswith("例") for line in said), said  # located: file › sheet › cell
    else:
        assert said == [], f"〔{example.rule}〕 reported its correct example: {said}"
