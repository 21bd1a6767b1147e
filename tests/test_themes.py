"""Years and their themes: the built-in ones up to the latest, and a clerk's own in 主题.toml."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl

from gwmerge import api


def _gwmerge(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = shutil.which("gwmerge")
    head = [command] if command else [sys.executable, "-m", "gwmerge"]
    return subprocess.run([*head, *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=120,
                          env={**os.environ, "COLUMNS": "200"})


def _cells(path: Path) -> set[str]:
    book = openpyxl.load_workbook(path)
    return {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value}


def test_built_in_themes_reach_the_latest_years() -> None:
    for kind_id in ("民主生活会", "班子民主生活会"):
        themes = {t.year: t for t in api.list_kinds() if t.id == kind_id for t in t.themes}
        assert {2023, 2024, 2025} <= set(themes)
        assert themes[2023].name == "学习贯彻习近平新时代中国特色社会主义思想主题教育"
        assert themes[2024].name == "党纪学习教育"
        assert themes[2025].name == "深入贯彻中央八项规定精神学习教育"
        assert "在带头严守政治纪律和政治规矩，维护党的团结统一方面" in themes[2024].aspects["存在的主要问题"]


def test_a_theme_file_beside_the_workbooks_adds_a_year(tmp_path: Path) -> None:
    (tmp_path / "主题.toml").write_text('''
# 本单位补充的年度主题
[[themes]]
kind = "民主生活会"
year = 2026
name = "新的学习教育"
aspects = { "存在的主要问题" = ["在第一个新方面", "在第二个新方面"] }

[[themes]]
kind = "mz"
year = 2024
name = "本地的提法"
aspects = { "存在的主要问题" = ["在本地方面"] }
''', encoding="utf-8")
    made = _gwmerge(tmp_path, "new", "-o", "张三.xlsx", "--theme", "2026")
    assert made.returncode == 0, made.stdout + made.stderr
    assert {"在第一个新方面", "在第二个新方面"} <= _cells(tmp_path / "张三.xlsx")
    # Same year as a built-in theme: the file's wording wins.
    assert _gwmerge(tmp_path, "new", "-o", "李四.xlsx", "--theme", "2024").returncode == 0
    cells = _cells(tmp_path / "李四.xlsx")
    assert "在本地方面" in cells and "在带头严守政治纪律和政治规矩，维护党的团结统一方面" not in cells


def test_a_mistake_in_the_theme_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "主题.toml").write_text('[[themes]]\nkind = "民主生活会"\nyear = 2026\nname = "新"\n'
                                      'aspects = { "没有这部分" = ["在某方面"] }\n', encoding="utf-8")
    result = _gwmerge(tmp_path, "new", "-o", "张三.xlsx", "--theme", "2026")
    said = result.stdout + result.stderr
    assert result.returncode != 0
    assert "主题.toml" in said and "第 1 个 [[themes]]" in said and "没有“没有这部分”这一部分" in said
    assert "Traceback" not in said and not (tmp_path / "张三.xlsx").exists()
