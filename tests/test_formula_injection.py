"""Every workbook the tool writes holds user text as text: never a live formula (issue 10)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from gwmerge import api

PREFIXED = ("=", "+", "-", "@")


def _text_cells(path: Path) -> list[openpyxl.cell.cell.Cell]:
    wb = openpyxl.load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def _assert_all_text(path: Path, expected: list[str]) -> None:
    cells = _text_cells(path)
    assert all(c.data_type == "s" for c in cells), [(c.coordinate, c.value) for c in cells if c.data_type != "s"]
    for c in cells:
        if c.value.startswith(PREFIXED):
            assert c.quotePrefix, (c.coordinate, c.value)
    values = [c.value for c in cells]
    for text in expected:
        assert any(text in v for v in values), text


@pytest.mark.parametrize("prefix", PREFIXED)
def test_new_name_position_unit(tmp_path: Path, prefix: str) -> None:
    name, position, unit = f'{prefix}WEBSERVICE("http://evil/")', f"{prefix}1+1", f"{prefix}SUM(A1:A9)"
    [path] = api.new(tmp_path / "a.xlsx", name=name, position=position, unit=unit)
    _assert_all_text(path, [name, position, unit])


def test_import_of_a_text_with_formula_like_lines(tmp_path: Path) -> None:
    source = tmp_path / "材料.txt"
    lines = ["=1+1领导班子对照检查材料", "一、存在的问题", "（一）在学习方面", "+86 电话 -1 @某人 =HYPERLINK(\"x\")。",
             "二、产生问题的原因", "原因。", "三、下步的改进措施", "措施。"]
    source.write_text("\n".join(lines), encoding="utf-8")
    outcomes = api.import_documents([source], tmp_path / "out")
    written = [o.output for o in outcomes if o.output is not None]
    assert written, [str(o.error) for o in outcomes]
    _assert_all_text(written[0], ['+86 电话 -1 @某人 =HYPERLINK("x")'])
