"""`gwmerge doctor`, run as a user runs it: the installed command, with fonts and LibreOffice present or not.

Fontconfig is pointed at a folder the test fills (FONTCONFIG_FILE/FONTCONFIG_PATH and a fonts.conf written
here); an official font is "installed" by giving a free font the official name as fontconfig scans it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, need_soffice

from gwmerge import doctor
from gwmerge.batch import pdf
from gwmerge.document.profile import DEFAULT

GWMERGE = Path(sys.executable).with_name("gwmerge")
NEEDS_FC = pytest.mark.skipif(shutil.which("fc-list") is None, reason="没有 fontconfig（fc-list）")


def _font_file(family: str) -> Path:
    files = subprocess.run(["fc-list", "-f", "%{file}\n", family], capture_output=True, text=True,
                           check=True).stdout.split()
    if not files:
        pytest.skip(f"本机没有字体 {family}")
    return Path(files[0])


def _fonts_conf(tmp_path: Path, families: list[str], also_named: list[tuple[str, str]]) -> dict[str, str]:
    """Env for a fontconfig that knows only ``families`` (their files linked into a folder); ``also_named``
    gives a family a second name at scan time, as if the official font were installed."""
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    for family in families:
        source = _font_file(family)
        link = fonts / source.name
        if not link.exists():
            link.symlink_to(source)
    rules = "".join(
        f'<match target="scan"><test name="family"><string>{free}</string></test>'
        f'<edit name="family" mode="append_last"><string>{official}</string></edit></match>\n'
        for free, official in also_named)
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                    f"<fontconfig><dir>{fonts}</dir><cachedir>{tmp_path / 'cache'}</cachedir>\n{rules}</fontconfig>\n",
                    encoding="utf-8")
    return {"FONTCONFIG_FILE": str(conf), "FONTCONFIG_PATH": str(tmp_path)}


def _doctor(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ, NO_COLOR="1", COLUMNS="300", PYTHONIOENCODING="utf-8", **env)
    return subprocess.run([str(GWMERGE), "doctor", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", env=full, timeout=180, check=False)


def _lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.strip() for line in done.stdout.splitlines()]


@NEEDS_FC
def test_no_fonts_at_all_is_advice_not_failure(tmp_path: Path) -> None:
    done = _doctor("-o", tmp_path / "out", **_fonts_conf(tmp_path, [], []))
    lines = _lines(done)
    assert done.returncode == 0, done.stdout + done.stderr
    for name, roles in (("方正小标宋简体", "标题"), ("黑体", "一级标题"), ("仿宋_GB2312", "三级标题、正文"),
                        ("楷体_GB2312", "署名行、二级标题"), ("宋体", "页码")):
        assert (f"! {name}（{roles}）：未安装。Word/WPS 会自行用相近的字体代替显示；"
                "PDF 中没有可替代的字体，由 LibreOffice 自行选择。") in lines
    assert any(line.startswith("✓ 可以生成 Word 文档（部分字体由相近字体代替；") for line in lines)
    assert any("建议安装字体：方正小标宋简体、楷体_GB2312、黑体、仿宋_GB2312、宋体" in line for line in lines)
    assert any("sudo apt install fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming" in line for line in lines)


@NEEDS_FC
def test_installed_fonts_and_the_substitutes_of_the_missing_ones(tmp_path: Path) -> None:
    # 楷体_GB2312 and 宋体 "installed"; 仿宋 (the template's altName for 仿宋_GB2312) too; Noto Serif stands in.
    env = _fonts_conf(tmp_path, ["AR PL UKai CN", "Noto Serif CJK SC"],
                      [("AR PL UKai CN", "楷体_GB2312"), ("Noto Serif CJK SC", "仿宋"), ("Noto Serif CJK SC", "宋体")])
    done = _doctor("-o", tmp_path, **env)
    lines = _lines(done)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✓ 楷体_GB2312（署名行、二级标题）：已安装" in lines
    assert ("! 仿宋_GB2312（三级标题、正文）：未安装。Word/WPS 中用“仿宋”显示；"
            "PDF 中用“Noto Serif CJK SC”代替。") in lines
    assert "✓ 宋体（页码）：已安装" in lines
    assert ("! 方正小标宋简体（标题）：未安装。Word/WPS 会自行用相近的字体代替显示（通常是宋体）；"
            "PDF 中用“Noto Serif CJK SC”代替。") in lines
    assert ("! 黑体（一级标题）：未安装。Word/WPS 会自行用相近的字体代替显示（通常是宋体）；"
            "PDF 中没有可替代的字体，由 LibreOffice 自行选择。") in lines
    assert f"✓ {tmp_path}：可以写入" in lines
    advice = next(line for line in lines if "建议安装字体" in line)
    assert "楷体_GB2312" not in advice and "仿宋_GB2312" in advice


def test_without_libreoffice(tmp_path: Path) -> None:
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if not (Path(p) / "soffice").exists())
    done = _doctor("-o", tmp_path, PATH=path, GWMERGE_SOFFICE=str(tmp_path / "没有这个程序"))
    lines = _lines(done)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "! 未找到 LibreOffice：不能生成 PDF 和打印合订本，Word 文档不受影响。" in lines
    assert any(line.endswith("不能生成 PDF）。") and line.startswith("✓ 可以生成 Word 文档") for line in lines)
    assert any("需要 PDF 时请安装 LibreOffice" in line and "GWMERGE_SOFFICE" in line for line in lines)


def test_with_libreoffice_says_where_and_which_version(tmp_path: Path) -> None:
    need_soffice()
    done = _doctor("-o", tmp_path)
    found = next(line for line in _lines(done) if line.startswith("✓ 已找到："))
    assert str(pdf.find_soffice()) in found and "（LibreOffice " in found and found.endswith("，可以生成 PDF。")
    assert "gwmerge 版本：" in done.stdout and f"Python 版本：{sys.version.split()[0]}" in done.stdout


def test_output_folder_that_cannot_be_written_fails(tmp_path: Path) -> None:
    blocker = tmp_path / "文件.txt"
    blocker.write_text("x", encoding="utf-8")
    done = _doctor("-o", blocker / "输出")
    lines = _lines(done)
    assert done.returncode == 1
    assert f"✗ {blocker / '输出'}：文件.txt 是一个文件，不是文件夹" in lines
    assert "✗ 还不能生成 Word 文档，请按下面的提示处理。" in lines
    assert any("请换一个能写入的输出文件夹" in line for line in lines)
    assert not (blocker.parent / "输出").exists()


def test_the_fonts_listed_are_the_templates() -> None:
    """The list comes from the profile; every built-in template declares exactly those fonts."""
    listed = set(doctor.official_fonts(DEFAULT))
    assert {"方正小标宋简体", "仿宋_GB2312", "楷体_GB2312", "黑体", "宋体"} == listed
    for template in sorted((ROOT / "templates").glob("*/template.docx")):
        with zipfile.ZipFile(template) as zf:
            table = zf.read("word/fontTable.xml").decode("utf-8")
        for name in listed:
            assert f'w:name="{name}"' in table, template


def test_windows_registry_names() -> None:
    names = doctor.windows_font_names(["SimSun & NSimSun (TrueType)", "仿宋_GB2312 (TrueType)", "KaiTi (TrueType)",
                                       "FZXiaoBiaoSong-B05S (TrueType)", "Arial Bold (TrueType)"])
    assert {"宋体", "新宋体", "仿宋_GB2312", "楷体", "方正小标宋简体", "Arial Bold"} <= names
    statuses = {f.name: f for f in doctor.font_statuses(names, fontconfig=False)}
    assert statuses["宋体"].installed and statuses["方正小标宋简体"].installed
    assert not statuses["楷体_GB2312"].installed and statuses["楷体_GB2312"].office == "楷体"
    assert statuses["黑体"].office is None and statuses["黑体"].pdf is None and statuses["黑体"].usual == "宋体"
    assert statuses["宋体"].usual is None


def test_pdf_uses_an_installed_official_font_itself() -> None:
    xml = pdf.fontconfig_xml({"仿宋_GB2312", "Noto Serif CJK SC", "AR PL UKai CN"})
    assert "<string>仿宋_GB2312</string>" not in xml  # installed: no rule replaces it
    assert "<string>楷体_GB2312</string>" in xml and "<string>AR PL UKai CN</string>" in xml
