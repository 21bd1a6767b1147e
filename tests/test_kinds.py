"""Kinds as data: the built-in ones, their themes, their templates, and a user's broken kind.toml."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_workbook_v2 import INFO, book, merged

from gwmerge import api
from gwmerge.core.errors import GwError
from gwmerge.document import kinds
from gwmerge.docx.build import template_bytes

ROOT = Path(__file__).resolve().parents[1]


def test_builtin_kinds_live_in_the_top_level_templates_folder() -> None:
    assert kinds.BUILTIN_DIR == ROOT / "templates"
    assert {"民主生活会", "组织生活会", "班子民主生活会", "通用"} <= set(kinds.available())


@pytest.mark.parametrize("folder", sorted(p for p in (ROOT / "templates").iterdir() if (p / "kind.toml").is_file()),
                         ids=lambda p: p.name)
def test_every_template_is_its_kind_rebuilt_byte_for_byte(folder: Path) -> None:
    kind = kinds.load_kind(folder)
    assert kind.template.read_bytes() == template_bytes(kind.profile), "run: python tools/build_templates.py"


def _user_kind(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "templates" / "我的文种"
    folder.mkdir(parents=True)
    (folder / "kind.toml").write_text(text, encoding="utf-8")
    return folder


def test_unknown_key_is_named_with_its_line(tmp_path: Path) -> None:
    folder = _user_kind(tmp_path, 'name = "我的"\npoints = "inline"\nsignatur = true\n')
    with pytest.raises(GwError) as caught:
        kinds.load_kind(folder)
    assert str(caught.value) == "kind.toml › 第 3 行：有未知的设置项“signatur”，是不是“signature”？"


def test_unknown_key_in_a_section_or_theme(tmp_path: Path) -> None:
    folder = _user_kind(tmp_path, 'name = "我的"\n\n[[sections]]\nheading = "问题"\nhnit = "提示"\n')
    with pytest.raises(GwError, match="“hnit”"):
        kinds.load_kind(folder)
    other = _user_kind(tmp_path / "b", 'name = "我的"\n\n[[themes]]\nyear = 2025\nname = "主题"\naspect = {}\n')
    with pytest.raises(GwError) as caught:
        kinds.load_kind(other)
    assert "第 6 行" in str(caught.value) and "“aspect”" in str(caught.value)


def test_merge_names_a_broken_user_kind_without_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _user_kind(tmp_path, 'name = "我的"\nsignatur = true\n')
    monkeypatch.chdir(tmp_path)
    path = book(tmp_path / "a.xlsx", INFO, {"存在的主要问题": [("段落", "", "内容。")]})
    [outcome] = api.merge([path], tmp_path / "out")
    assert not outcome.ok and outcome.crash is None
    assert "“signatur”" in str(outcome.error)


def _sheet_rows(path: Path, sheet: str) -> list[tuple[object, ...]]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [row for row in ws.iter_rows(min_row=4, max_col=3, values_only=True) if any(row)]


def test_new_prefills_only_a_theme_the_user_picks(tmp_path: Path) -> None:
    [plain] = api.new(tmp_path / "a.xlsx")
    assert _sheet_rows(plain, "存在的主要问题") == []
    [themed] = api.new(tmp_path / "b.xlsx", theme="2021")
    rows = _sheet_rows(themed, "存在的主要问题")
    assert len(rows) == 5 and rows[0] == ("（一）", "在带头深刻感悟“两个确立”的决定性意义方面", None)
    [by_name] = api.new(tmp_path / "c.xlsx", theme="五个带头")
    assert _sheet_rows(by_name, "存在的主要问题") == rows
    with pytest.raises(GwError, match="没有主题“2030”，可选：“2021”（2021年 五个带头）"):
        api.new(tmp_path / "d.xlsx", theme="2030")


def test_kinds_command_lists_the_themes() -> None:
    result = subprocess.run([sys.executable, "-m", "gwmerge", "kinds"], capture_output=True, text=True,
                            encoding="utf-8", env={**os.environ, "COLUMNS": "200"}, check=False)
    assert result.returncode == 0, result.stderr
    assert "2021（五个带头）" in result.stdout and "班子民主生活会" in result.stdout and "通用" in result.stdout


def test_banzi_material_is_signed_by_the_organisation(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", {"文种": "班子民主生活会", "年度": "2025", "署名": "中共某某镇委员会领导班子",
                                       "日期": "2025年1月20日"},
                {"存在的主要问题": [("（一）", "在理论学习方面", "学习不够深入。")]})
    paras = merged(path)
    assert paras[0] == ("GwTitle", "中共某某镇委员会领导班子\n2025年度民主生活会对照检查材料") or \
        paras[0][1].replace("\n", "") == "中共某某镇委员会领导班子2025年度民主生活会对照检查材料"
    assert paras[-2:] == [("GwSignature", "中共某某镇委员会领导班子"), ("GwSignature", "2025年1月20日")]


def test_generic_kind_takes_free_sections_and_asks_for_a_title(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx", {"文种": "自查", "姓名": "张三", "日期": "2025年3月1日"},
                {"工作开展情况": [("段落", "", "按照要求开展了自查。")]})
    [outcome] = api.check([path])
    errors = [str(f) for f in outcome.findings if f.is_error]
    assert errors == ["a.xlsx › 基本信息：标题为空，请在“基本信息”中填写标题。"]
    path = book(tmp_path / "b.xlsx", {"文种": "自查", "标题": "关于某某工作的自查报告", "姓名": "张三",
                                       "日期": "2025年3月1日"},
                {"工作开展情况": [("段落", "", "按照要求开展了自查。")]})
    assert merged(path) == [("GwTitle", "关于某某工作的自查报告"), ("GwHeading1", "一、工作开展情况"),
                            ("GwBodyKeepNext", "按照要求开展了自查。"), ("GwSignature", "张三"),
                            ("GwSignature", "2025年3月1日")]


def test_the_wheel_ships_the_kinds(tmp_path: Path) -> None:
    """pip install . puts templates/ inside the package, where an installed gwmerge finds it."""
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                            "-q", "-w", str(tmp_path)], capture_output=True, text=True, check=False)
    if built.returncode != 0:
        pytest.skip(f"wheel could not be built here: {built.stderr[-200:]}")
    [wheel] = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for kind in ("民主生活会", "组织生活会", "班子民主生活会", "通用"):
        assert f"gwmerge/templates/{kind}/kind.toml" in names and f"gwmerge/templates/{kind}/template.docx" in names
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    probe = "from gwmerge.document import kinds; print(kinds.BUILTIN_DIR); print(sorted(kinds.available()))"
    shown = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(site)}, check=True).stdout.splitlines()
    assert shown == [str(site / "gwmerge" / "templates"), str(["民主生活会", "班子民主生活会", "组织生活会", "通用"])]
