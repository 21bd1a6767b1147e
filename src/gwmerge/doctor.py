"""`gwmerge doctor`: what this machine has for gwmerge, in Chinese, and what to do about each gap.

Word documents need only Python, gwmerge's own packages and a writable output folder; those decide
whether the machine is ready (``Report.ready``). Missing official fonts and a missing LibreOffice are
advice: the .docx still names the official fonts (and shows right on a machine that has them), and
PDFs can be saved from Word/WPS.

The fonts are the template's (the default profile's font fields); the PDF substitutes are pdf.py's,
the Word/WPS fallback names are the ones the template writes into fontTable.xml (``w:altName``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gwmerge.batch import pdf
from gwmerge.document.profile import DEFAULT, Profile
from gwmerge.docx.build import _ALT_NAMES as WORD_ALT_NAMES

__all__ = ["FontStatus", "Line", "Report", "examine"]

# Where each font field of the profile is used, in the words of docs/format.md.
_ROLES = {
    "font_title": "标题",
    "font_name_line": "署名行",
    "font_heading1": "一级标题",
    "font_heading2": "二级标题",
    "font_heading3": "三级标题",
    "font_body": "正文",
    "font_page_number": "页码",
    "latin_font": "数字和西文",
}

# Windows registers its own Chinese fonts under English names ("SimHei (TrueType)"); Chinese font
# packs usually under the Chinese one. Both names are the same font to Word.
_WINDOWS_ALIASES = {
    "SimHei": "黑体", "SimSun": "宋体", "NSimSun": "新宋体", "FangSong": "仿宋", "KaiTi": "楷体",
    "FangSong_GB2312": "仿宋_GB2312", "KaiTi_GB2312": "楷体_GB2312",
    "FZXiaoBiaoSong-B05S": "方正小标宋简体", "Microsoft YaHei": "微软雅黑",
}

# What Word and WPS show a missing Chinese font in when the document names no alternative.
_WORD_FALLBACK = "宋体"

SUPPORTED_PYTHON = (3, 11)


@dataclass(frozen=True)
class FontStatus:
    """One official font: whether it is installed, and what stands in for it where it is not."""

    name: str
    roles: tuple[str, ...]
    installed: bool
    office: str | None  # the font Word/WPS shows instead, named in the document (w:altName)
    usual: str | None  # otherwise what Word/WPS usually falls back to, when this machine has it
    pdf: str | None  # the font the PDF uses instead (None: none installed / left to LibreOffice)


@dataclass(frozen=True)
class Line:
    """One line a user reads; ``state`` is ok, warn (advice) or bad (Word documents cannot be made)."""

    text: str
    state: str = "ok"


@dataclass
class Report:
    python: str
    python_path: str
    gwmerge: str
    system: str
    fonts: list[FontStatus]
    fonts_known: bool  # False: no way to ask this machine which fonts it has
    fontconfig: bool  # the PDF's substitutes come from pdf.py's fontconfig rules
    soffice: Path | None
    soffice_version: str | None
    output: Path
    output_problem: str | None  # None: writable
    missing_packages: list[str] = field(default_factory=list)

    @property
    def python_ok(self) -> bool:
        return sys.version_info[:2] >= SUPPORTED_PYTHON

    @property
    def ready(self) -> bool:
        """Everything a .docx needs is here (fonts and LibreOffice are not needed for that)."""
        return self.python_ok and not self.missing_packages and self.output_problem is None

    def sections(self) -> list[tuple[str, list[Line]]]:
        """The report as the command line prints it and the page shows it."""
        return [("程序", self._program()), ("字体", self._fonts()), ("LibreOffice（生成 PDF 用）", self._soffice()),
                ("输出文件夹", self._output()), ("结论", self._verdict())]

    def advice(self) -> list[str]:
        """What to do, one sentence per missing piece."""
        todo: list[str] = []
        if not self.python_ok:
            todo.append(f"请安装 Python {SUPPORTED_PYTHON[0]}.{SUPPORTED_PYTHON[1]} 或更高版本，再重新安装 gwmerge。")
        if self.missing_packages:
            todo.append("程序组件不完整，请重新运行安装（离线包里的“安装.bat”或 sh install.sh）。")
        if self.output_problem:
            todo.append("请换一个能写入的输出文件夹（如“文档”或桌面下的文件夹），或请管理员开放写入权限。")
        missing = [f.name for f in self.fonts if not f.installed]
        if missing and self.fonts_known:
            todo.append(f"建议安装字体：{'、'.join(missing)}（向单位信息化部门索取；"
                        "Windows 右键字体文件选“为所有用户安装”，统信/麒麟双击字体文件安装）。"
                        "不装也能生成，文档里记的仍是规定字体，在装有这些字体的电脑上显示正常。")
        if self.fontconfig and any(not f.installed and f.pdf is None for f in self.fonts):
            todo.append("PDF 缺少可替代的免费中文字体：统信/麒麟/Debian 可安装 fonts-noto-cjk、fonts-arphic-ukai、"
                        "fonts-arphic-uming（sudo apt install fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming）。")
        if self.soffice is None:
            todo.append("需要 PDF 时请安装 LibreOffice（从单位内网共享或 https://zh-cn.libreoffice.org/ 获取）；"
                        f"装在别处的，可设置环境变量 {pdf.SOFFICE_ENV} 指向 soffice 程序。"
                        "不装也可在 Word/WPS 中另存为 PDF。")
        return todo

    # -- the sections --------------------------------------------------------------------------

    def _program(self) -> list[Line]:
        lines = [Line(f"Python 版本：{self.python}（{self.python_path}）",
                      "ok" if self.python_ok else "bad"),
                 Line(f"gwmerge 版本：{self.gwmerge}"),
                 Line(f"操作系统：{self.system}")]
        if self.missing_packages:
            lines.append(Line(f"缺少程序组件：{'、'.join(self.missing_packages)}", "bad"))
        return lines

    def _fonts(self) -> list[Line]:
        if not self.fonts_known:
            return [Line("无法查询本机已安装的字体（没有 fc-list）："
                         "请安装 fontconfig，或在 Word/WPS 的字体列表中查看。", "warn")]
        lines = []
        for font in self.fonts:
            where = f"{font.name}（{'、'.join(font.roles)}）"
            if font.installed:
                lines.append(Line(f"{where}：已安装"))
                continue
            if font.office:
                office = f"Word/WPS 中用“{font.office}”显示"
            else:
                usual = f"（通常是{font.usual}）" if font.usual else ""
                office = f"Word/WPS 会自行用相近的字体代替显示{usual}"
            if font.pdf:
                in_pdf = f"PDF 中用“{font.pdf}”代替"
            elif self.fontconfig:
                in_pdf = "PDF 中没有可替代的字体，由 LibreOffice 自行选择"
            else:
                in_pdf = "PDF 中由 LibreOffice 自行替代"
            lines.append(Line(f"{where}：未安装。{office}；{in_pdf}。", "warn"))
        return lines

    def _soffice(self) -> list[Line]:
        if self.soffice is None:
            return [Line("未找到 LibreOffice：不能生成 PDF 和打印合订本，Word 文档不受影响。", "warn")]
        version = self.soffice_version or "版本未知"
        return [Line(f"已找到：{self.soffice}（{version}），可以生成 PDF。")]

    def _output(self) -> list[Line]:
        if self.output_problem:
            return [Line(f"{self.output}：{self.output_problem}", "bad")]
        note = "可以写入" if self.output.is_dir() else "还不存在，生成时会自动创建（上级文件夹可以写入）"
        return [Line(f"{self.output}：{note}")]

    def _verdict(self) -> list[Line]:
        if not self.ready:
            return [Line("还不能生成 Word 文档，请按下面的提示处理。", "bad")]
        extras = []
        if any(not f.installed for f in self.fonts):
            extras.append("部分字体由相近字体代替")
        extras.append("可以生成 PDF" if self.soffice else "不能生成 PDF")
        return [Line(f"可以生成 Word 文档（{'；'.join(extras)}）。")]

    def to_json(self) -> dict[str, Any]:
        """What the page's 环境 panel shows: the same sections and advice, plus the facts behind them."""
        return {
            "ready": self.ready,
            "sections": [{"title": t, "lines": [dataclasses.asdict(line) for line in lines]}
                         for t, lines in self.sections()],
            "advice": self.advice(),
            "fonts": [dataclasses.asdict(f) for f in self.fonts],
            "libreoffice": {"path": str(self.soffice) if self.soffice else None, "version": self.soffice_version},
        }


# --------------------------------------------------------------------------- the facts

def official_fonts(profile: Profile = DEFAULT) -> dict[str, tuple[str, ...]]:
    """The fonts the template uses, each with the roles it is used for, in the profile's order."""
    fonts: dict[str, list[str]] = {}
    for f in dataclasses.fields(profile):
        value = getattr(profile, f.name)
        if f.name in _ROLES and isinstance(value, str):
            fonts.setdefault(value, []).append(_ROLES[f.name])
    return {name: tuple(roles) for name, roles in fonts.items()}


def windows_font_names(registered: list[str]) -> set[str]:
    """Family names from the registry's font entries, e.g. ``SimSun & NSimSun (TrueType)``."""
    names: set[str] = set()
    for entry in registered:
        bare = re.sub(r"\s*\([^()]*\)\s*$", "", entry)
        for name in bare.split("&"):
            name = name.strip()
            if name:
                names.add(name)
                names.add(_WINDOWS_ALIASES.get(name, name))
    return names


def _windows_registered() -> list[str]:
    import winreg  # type: ignore[import-not-found,unused-ignore]

    entries: list[str] = []
    key = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\Fonts"
    for root in (winreg.HKEY_LOCAL_MACHINE, winreg.HKEY_CURRENT_USER):  # per-user fonts: Windows 10 1809+
        with contextlib.suppress(OSError), winreg.OpenKey(root, key) as handle:
            index = 0
            while True:
                try:
                    entries.append(winreg.EnumValue(handle, index)[0])
                except OSError:
                    break
                index += 1
    return entries


def installed_families() -> tuple[set[str], bool]:
    """The font families this machine has, and whether it could be asked at all."""
    if sys.platform == "win32":
        return windows_font_names(_windows_registered()), True
    families = pdf.installed_font_families()
    return families, bool(families) or shutil.which("fc-list") is not None


def font_statuses(installed: set[str], fontconfig: bool, profile: Profile = DEFAULT) -> list[FontStatus]:
    statuses = []
    for name, roles in official_fonts(profile).items():
        alt = WORD_ALT_NAMES.get(name)
        choice = pdf.substitute(name, installed) if fontconfig else None
        statuses.append(FontStatus(name=name, roles=roles, installed=name in installed,
                                   office=alt if alt and alt in installed else None,
                                   usual=_WORD_FALLBACK if name != _WORD_FALLBACK and _WORD_FALLBACK in installed
                                   else None,
                                   pdf=choice[0] if choice else None))
    return statuses


def soffice_version(soffice: Path) -> str | None:
    """``LibreOffice 7.6.4.1`` as the program says; on Windows the console twin soffice.com answers."""
    program = soffice
    twin = soffice.with_suffix(".com")
    if sys.platform == "win32" and twin.is_file():
        program = twin
    try:
        done = subprocess.run([str(program), "--version"], capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL, check=False, encoding="utf-8", errors="replace")
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"LibreOffice\S*\s+[\d.]+", done.stdout)
    return match.group(0) if match else None


def output_problem(folder: Path) -> str | None:
    """None when gwmerge can write into ``folder`` (or create it); else why not, in Chinese."""
    probe = folder
    while not probe.exists():
        if probe.parent == probe:
            return "找不到这个文件夹所在的磁盘"
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe.name} 是一个文件，不是文件夹"
    try:
        with tempfile.NamedTemporaryFile(prefix=".~gwmerge-doctor-", dir=probe):
            pass
    except OSError:
        return "不能写入（没有权限或磁盘只读）"
    return None


def missing_packages() -> list[str]:
    """gwmerge's declared dependencies that are not installed (a broken or partial install)."""
    try:
        requires = importlib.metadata.requires("gwmerge") or []
    except importlib.metadata.PackageNotFoundError:
        return []
    missing = []
    for line in requires:
        spec, _, marker = line.partition(";")
        if "extra" in marker:  # the extras (tests, benchmarks) are not needed to run
            continue
        name = re.split(r"[\s<>=!~\[(]", spec.strip(), maxsplit=1)[0]
        try:
            importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    return missing


def _gwmerge_version() -> str:
    try:
        return importlib.metadata.version("gwmerge")
    except importlib.metadata.PackageNotFoundError:
        return "未知（未安装，从源码运行）"


def examine(output: Path) -> Report:
    """Look at this machine: Python, gwmerge, fonts, LibreOffice and the output folder."""
    installed, known = installed_families()
    fontconfig = sys.platform != "win32" and known
    soffice = pdf.find_soffice()
    output = Path(os.path.abspath(output))
    return Report(
        python=platform.python_version(), python_path=sys.executable, gwmerge=_gwmerge_version(),
        system=f"{platform.system()} {platform.release()} {platform.machine()}".strip(),
        fonts=font_statuses(installed, fontconfig), fonts_known=known, fontconfig=fontconfig,
        soffice=soffice, soffice_version=soffice_version(soffice) if soffice else None,
        output=output, output_problem=output_problem(output), missing_packages=missing_packages())
