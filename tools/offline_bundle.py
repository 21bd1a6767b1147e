"""Build the office's offline install package: gwmerge's wheel, every dependency's wheel, two scripts.

    python tools/offline_bundle.py --target win_amd64 --python 3.11 -o 离线包

makes the folder ``离线包`` (and ``离线包.zip``) holding ``wheels/``, ``安装.bat``/``install.sh``,
``启动网页.bat``/``start.sh``, ``使用说明.txt`` and the example workbooks. The install scripts make a
venv inside the folder and install with ``pip --no-index --find-links wheels``: no network at all.

Dependencies are read from pyproject.toml and resolved here, level by level, with ``pip download
--no-deps`` for the target's platform tags, because pip evaluates environment markers against the
machine it runs on (a Linux build for Windows would miss ``colorama; platform_system == "Windows"``).
Each wheel's ``Requires-Dist`` is evaluated with the target's markers instead. A dependency published
only as source is built once into a wheel; if that wheel is pure Python (``none-any``) it serves every
target, otherwise the build stops and names what has no wheel for the target.

Downloads are kept in a cache folder (``--cache``, default ``~/.cache/gwmerge-offline``) and reused: a
wheel already there that fits is taken without asking PyPI; ``--refresh`` asks again for the newest.
"""

from __future__ import annotations

import argparse
import email.message
import email.parser
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

try:
    from packaging import tags
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.utils import canonicalize_name, parse_wheel_filename
    from packaging.version import Version
except ImportError:  # a bare interpreter: pip carries its own copy
    from pip._vendor.packaging import tags  # type: ignore[no-redef]
    from pip._vendor.packaging.markers import default_environment  # type: ignore[no-redef]
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.specifiers import SpecifierSet  # type: ignore[no-redef]
    from pip._vendor.packaging.utils import canonicalize_name, parse_wheel_filename  # type: ignore[no-redef]
    from pip._vendor.packaging.version import Version  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]
PYTHONS = ("3.11", "3.12", "3.13")

# 统信 UOS 20 and 银河麒麟 V10 ship glibc 2.28: manylinux wheels up to 2_28 run there.
_GLIBC_MINORS = range(28, 4, -1)


def _manylinux(arch: str) -> list[str]:
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    platforms: list[str] = []
    for minor in _GLIBC_MINORS:
        platforms.append(f"manylinux_2_{minor}_{arch}")
        if minor in legacy and (arch == "x86_64" or minor == 17):
            platforms.append(f"{legacy[minor]}_{arch}")
    return platforms


@dataclass(frozen=True)
class Target:
    """A platform the package is built for: its wheel platform tags and its environment markers."""

    name: str
    platforms: tuple[str, ...]
    markers: dict[str, str] = field(default_factory=dict)
    windows: bool = False

    def environment(self, python: str) -> dict[str, str]:
        if self.name == "here":
            return {**default_environment(), "extra": ""}
        return {"implementation_name": "cpython", "platform_python_implementation": "CPython",
                "python_version": python, "python_full_version": f"{python}.0",
                "implementation_version": f"{python}.0", "platform_release": "", "platform_version": "",
                "extra": "", **self.markers}

    def tags(self, python: str) -> set[tags.Tag]:
        if self.name == "here":
            return set(tags.sys_tags())
        version = tuple(int(p) for p in python.split("."))
        interpreter = f"cp{version[0]}{version[1]}"
        return {*tags.cpython_tags(version, abis=[interpreter, "abi3", "none"], platforms=self.platforms),
                *tags.compatible_tags(version, interpreter, self.platforms)}


_LINUX = {"os_name": "posix", "sys_platform": "linux", "platform_system": "Linux"}
TARGETS: dict[str, Target] = {
    "win_amd64": Target("win_amd64", ("win_amd64",), {"os_name": "nt", "sys_platform": "win32",
                                                      "platform_system": "Windows", "platform_machine": "AMD64"},
                        windows=True),
    "manylinux_x86_64": Target("manylinux_x86_64", tuple(_manylinux("x86_64")),
                               {**_LINUX, "platform_machine": "x86_64"}),
    "manylinux_aarch64": Target("manylinux_aarch64", tuple(_manylinux("aarch64")),
                                {**_LINUX, "platform_machine": "aarch64"}),
    "here": Target("here", (), windows=sys.platform == "win32"),
}


class BundleError(Exception):
    """The package cannot be built; the message says why, in Chinese."""


# --------------------------------------------------------------------------- the dependency list

def project_requirements(pyproject: Path = ROOT / "pyproject.toml") -> tuple[str, str, list[Requirement]]:
    """gwmerge's name, version and run-time dependencies, as pyproject.toml declares them today."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return project["name"], project["version"], [Requirement(r) for r in project.get("dependencies", [])]


@functools.cache
def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
        return email.parser.BytesParser().parsebytes(zf.read(name), headersonly=True)


def wheel_requirements(wheel: Path) -> list[Requirement]:
    """The ``Requires-Dist`` lines of a wheel's METADATA."""
    return [Requirement(r) for r in _metadata(wheel).get_all("Requires-Dist") or []]


def runs_on(wheel: Path, python_full_version: str) -> bool:
    """Whether the wheel's ``Requires-Python`` admits the target's Python (tags alone do not say, for py3 wheels)."""
    needed = _metadata(wheel).get("Requires-Python")
    return not needed or SpecifierSet(needed).contains(python_full_version, prereleases=True)


def applies(req: Requirement, env: dict[str, str], extras: Iterable[str]) -> bool:
    """Whether ``req`` is needed on the target, for the extras asked of the package that lists it."""
    if req.marker is None:
        return True
    return any(req.marker.evaluate({**env, "extra": extra}) for extra in ("", *extras))


# --------------------------------------------------------------------------- resolving

@dataclass
class _Wanted:
    specifier: SpecifierSet
    extras: set[str]
    wheel: Path | None = None
    done_extras: frozenset[str] | None = None  # the extras whose requirements were followed


class Resolver:
    """Finds one wheel per dependency for one target and Python version, downloading into ``cache``."""

    def __init__(self, target: Target, python: str, cache: Path, universal: Path, log: list[str],
                 refresh: bool = False) -> None:
        self.target, self.python, self.log, self.refresh = target, python, log, refresh
        self.folder = cache / target.name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.universal = universal
        self.compatible = target.tags(python)
        self.env = target.environment(python)

    def _pip_flags(self) -> list[str]:
        flags = ["--only-binary=:all:", "--no-deps", "--find-links", str(self.universal)]
        if self.target.name != "here":
            digits = self.python.replace(".", "")
            flags += ["--python-version", self.python, "--implementation", "cp",
                      "--abi", f"cp{digits}", "--abi", "abi3", "--abi", "none"]
            for platform in self.target.platforms:
                flags += ["--platform", platform]
        return flags

    def _download(self, specs: Sequence[str]) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", *self._pip_flags(),
               "-d", str(self.folder), *specs]
        return subprocess.run(cmd, capture_output=True, text=True, check=False)

    def _best(self, name: str, specifier: SpecifierSet) -> Path | None:
        """The newest wheel of ``name`` on hand that fits the target and the specifier."""
        best: tuple[Version, Path] | None = None
        for folder in (self.folder, self.universal):
            for wheel in folder.glob("*.whl"):
                try:
                    wname, version, _, wtags = parse_wheel_filename(wheel.name)
                except ValueError:
                    continue
                if wname != name or not (wtags & self.compatible) or not specifier.contains(version):
                    continue
                if not runs_on(wheel, self.env["python_full_version"]):
                    continue
                if best is None or version > best[0]:
                    best = (version, wheel)
        return best[1] if best else None

    def _fetch(self, wanted: dict[str, _Wanted], names: list[str]) -> None:
        specs = [f"{n}{wanted[n].specifier}" for n in names]
        done = self._download(specs)
        if done.returncode == 0:
            return
        # Find which ones failed, and try to make a pure-Python wheel of each from its source.
        missing = []
        for spec in specs:
            if self._download([spec]).returncode == 0:
                continue
            if not self._build_universal(spec):
                missing.append(spec)
        if missing:
            raise BundleError(
                f"以下依赖没有适用于 {self.target.name}、Python {self.python} 的 wheel（也不是可自建的纯 Python 包）："
                f"{'、'.join(missing)}。请换用有该平台 wheel 的版本或别的库。\n{done.stderr.strip()[-800:]}")

    def _build_universal(self, spec: str) -> bool:
        """Build a source-only package into a wheel once; keep it if it is pure Python (py3-none-any)."""
        with tempfile.TemporaryDirectory() as tmp:
            # Only this package from source: its build requirements (setuptools …) may come as wheels.
            cmd = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-binary", Requirement(spec).name,
                   "-w", tmp, spec]
            if subprocess.run(cmd, capture_output=True, text=True, check=False).returncode != 0:
                return False
            built = list(Path(tmp).glob("*.whl"))
            pure = [w for w in built if w.name.endswith("-none-any.whl")]
            if not built or len(pure) != len(built):
                return False
            self.universal.mkdir(parents=True, exist_ok=True)
            for wheel in pure:
                shutil.copy2(wheel, self.universal / wheel.name)
                self.log.append(f"自建纯 Python wheel：{wheel.name}")
            return True

    def resolve(self, top: Sequence[Requirement]) -> list[Path]:
        """Every wheel needed on the target: the top requirements and what they need, transitively."""
        wanted: dict[str, _Wanted] = {}
        pending: list[tuple[Requirement, frozenset[str]]] = [(r, frozenset()) for r in top]
        while pending:
            for req, parent_extras in pending:
                if not applies(req, self.env, parent_extras):
                    continue
                name = canonicalize_name(req.name)
                entry = wanted.setdefault(name, _Wanted(SpecifierSet(), set()))
                entry.specifier &= req.specifier
                entry.extras |= set(req.extras)
                if entry.wheel is not None and not entry.specifier.contains(
                        parse_wheel_filename(entry.wheel.name)[1]):
                    raise BundleError(f"依赖版本冲突：{name} 需要 {entry.specifier}，"
                                      f"但已选了 {entry.wheel.name}。")
            to_fetch = sorted(n for n, w in wanted.items()
                              if w.wheel is None and (self.refresh or self._best(n, w.specifier) is None))
            if to_fetch:
                self._fetch(wanted, to_fetch)
            pending = []
            for name, entry in wanted.items():
                if entry.wheel is None:
                    entry.wheel = self._best(name, entry.specifier)
                    if entry.wheel is None:
                        raise BundleError(f"下载后仍找不到 {name}{entry.specifier} 适用于 {self.target.name}、"
                                          f"Python {self.python} 的 wheel。")
                if entry.done_extras != frozenset(entry.extras):
                    entry.done_extras = frozenset(entry.extras)
                    pending += [(r, entry.done_extras) for r in wheel_requirements(entry.wheel)]
        return sorted({w.wheel for w in wanted.values() if w.wheel is not None})


# --------------------------------------------------------------------------- the package

def build_own_wheel(dest: Path, project: Path = ROOT) -> Path:
    """gwmerge's own wheel, built from this checkout."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp, str(project)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BundleError(f"无法构建 {project.name} 的 wheel：\n{done.stderr.strip()[-1500:]}")
        wheel = next(Path(tmp).glob("*.whl"))
        dest.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(wheel, dest / wheel.name))


def _bat(text: str) -> bytes:
    """A .bat file cmd.exe reads: CRLF line ends, UTF-8 without BOM, ``chcp 65001`` before any Chinese."""
    lines = text.strip("\n").split("\n")
    head = "\n".join(lines[:2])
    if not head.isascii() or "chcp 65001" not in head:
        raise AssertionError("a .bat file must switch to UTF-8 in its first two (ASCII) lines")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _sh(text: str) -> bytes:
    return (text.strip("\n") + "\n").encode("utf-8")


def _version_range(pythons: Sequence[str]) -> str:
    return pythons[0] if len(pythons) == 1 else f"{pythons[0]}～{pythons[-1]}"


def install_bat(name: str, version: str, pythons: Sequence[str]) -> bytes:
    tries = " ".join(reversed(pythons))
    low, high = (tuple(int(x) for x in pythons[i].split(".")) for i in (0, -1))
    return _bat(f"""
@echo off
chcp 65001 >nul
setlocal
cd /d "%~dp0"
title 安装 {name}
echo 正在安装 {name} {version}（只用本文件夹里的文件，不连网）……
set "PY="
for %%V in ({tries}) do if not defined PY (py -%%V -c "pass" >nul 2>nul && set "PY=py -%%V")
set "CHECK=import sys; raise SystemExit(not {low} <= sys.version_info[:2] <= {high})"
if not defined PY python -c "%CHECK%" >nul 2>nul && set "PY=python"
if not defined PY goto nopython
echo 使用的 Python：%PY%
%PY% -m venv venv
if errorlevel 1 goto failed
set "PIP_CONFIG_FILE=nul"
set "PIP_FIND_LINKS="
"venv\\Scripts\\python.exe" -m pip install --disable-pip-version-check --no-index --find-links wheels {name}=={version}
if errorlevel 1 goto failed
echo.
"venv\\Scripts\\gwmerge.exe" doctor
echo.
echo 安装完成。以后双击“启动网页.bat”即可使用。
pause
exit /b 0
:nopython
echo 没有找到 Python {_version_range(pythons)}。
echo 请先安装 Python：从单位内网共享下载 Python {pythons[0]}（64 位）安装程序，
echo 安装时勾选“Add python.exe to PATH”，装好后再双击本文件。
pause
exit /b 1
:failed
echo 安装没有完成，请把这个窗口的内容截图发给管理员。
pause
exit /b 1
""")


def install_sh(name: str, version: str, pythons: Sequence[str]) -> bytes:
    tries = " ".join(f"python{v}" for v in reversed(pythons))
    low, high = (tuple(int(x) for x in pythons[i].split(".")) for i in (0, -1))
    return _sh(f"""
#!/bin/sh
# {name} 离线安装：在本文件夹里建一个 Python 虚拟环境（venv），只用 wheels/ 里的文件，不连网。
set -eu
cd "$(dirname "$0")"
echo "正在安装 {name} {version}（只用本文件夹里的文件，不连网）……"
PY="${{PYTHON:-}}"
if [ -z "$PY" ]; then
  for candidate in {tries} python3; do
    if command -v "$candidate" >/dev/null 2>&1 && \\
       "$candidate" -c 'import sys; raise SystemExit(not {low} <= sys.version_info[:2] <= {high})' 2>/dev/null; then
      PY="$candidate"
      break
    fi
  done
fi
if [ -z "$PY" ]; then
  echo "没有找到 Python {_version_range(pythons)}：请先按《使用说明.txt》安装 Python，再运行 sh install.sh。"
  exit 1
fi
echo "使用的 Python：$PY"
if ! "$PY" -m venv venv; then
  echo "无法创建虚拟环境：统信 UOS / 银河麒麟上请先安装 python3-venv"
  echo "（sudo apt install python3-venv），再运行 sh install.sh。"
  exit 1
fi
unset PIP_FIND_LINKS
PIP_CONFIG_FILE=/dev/null venv/bin/python -m pip install --disable-pip-version-check --no-index \\
  --find-links wheels "{name}=={version}"
echo
venv/bin/gwmerge doctor || true
echo
echo "安装完成。以后运行 sh start.sh（或在文件管理器中双击 start.sh 选择“运行”）即可使用。"
""")


def start_bat(name: str) -> bytes:
    return _bat(f"""
@echo off
chcp 65001 >nul
cd /d "%~dp0"
title {name} 网页（关闭本窗口即停止）
if not exist "venv\\Scripts\\gwmerge.exe" goto notinstalled
echo 正在启动 {name} 网页，浏览器会自动打开。
echo 使用期间请不要关闭这个窗口。用完后直接关闭本窗口，或按 Ctrl+C 停止。
"venv\\Scripts\\gwmerge.exe" serve --open %*
echo.
echo 网页已停止。
pause
exit /b 0
:notinstalled
echo 还没有安装：请先双击“安装.bat”。
pause
exit /b 1
""")


def start_sh(name: str) -> bytes:
    return _sh(f"""
#!/bin/sh
# 启动 {name} 网页：浏览器会自动打开；按 Ctrl+C 或关闭终端窗口即停止。
cd "$(dirname "$0")"
if [ ! -x venv/bin/gwmerge ]; then
  echo "还没有安装：请先运行 sh install.sh。"
  exit 1
fi
echo "正在启动 {name} 网页，浏览器会自动打开。"
echo "使用期间请不要关闭这个终端窗口。用完后按 Ctrl+C（或关闭窗口）即停止。"
exec venv/bin/gwmerge serve --open "$@"
""")


def official_fonts() -> str:
    """The fonts the format uses, from gwmerge's default profile (a module that needs only the standard library)."""
    sys.path.insert(0, str(ROOT / "src"))
    try:
        from gwmerge.document.profile import DEFAULT
    finally:
        sys.path.remove(str(ROOT / "src"))
    names = [getattr(DEFAULT, f) for f in dir(DEFAULT) if f.startswith("font_")]
    return "、".join(dict.fromkeys(n for n in sorted(names, key=_font_rank) if isinstance(n, str)))


def _font_rank(name: str) -> int:  # the weightiest first: title, headings, body, page number
    return next((i for i, key in enumerate(("小标宋", "黑体", "楷体", "仿宋", "宋体")) if key in name), 9)


def guide(name: str, version: str, target: Target, pythons: Sequence[str]) -> bytes:
    """使用说明.txt: UTF-8 with BOM and CRLF, so Notepad on any Windows shows it right."""
    if target.windows:
        steps = f"""\
一、先装 Python（每台电脑只需一次）
    从单位内网共享下载 Python {pythons[0]}（64 位，Windows installer）并安装，安装第一页勾选“Add python.exe to PATH”。
    本安装包支持 Python {_version_range(pythons)}。Windows 10 或 11。

二、安装 {name}
    把整个文件夹（或解压后的文件夹）放到一个固定的位置，例如 D:\\{name}，双击“安装.bat”。
    安装只用本文件夹 wheels 里的文件，不连网，约一分钟；装完窗口里会列出本机的字体和 LibreOffice 情况。

三、使用
    双击“启动网页.bat”，浏览器会打开操作页面。使用期间不要关闭那个黑色窗口；用完关闭它即可。
    想先试试：页面“检查”一步里上传“示例工作簿”文件夹中的工作簿。"""
    else:
        steps = f"""\
一、先装 Python（每台电脑只需一次）
    统信 UOS、银河麒麟一般已自带 Python 3。在终端运行 python3 --version 查看版本，需为 {_version_range(pythons)}；
    还需要 venv 组件：sudo apt install python3-venv（内网软件源里一般都有）。
    本安装包适用于 {'x86_64（兆芯、海光、英特尔等）' if 'x86_64' in target.name else 'aarch64（鲲鹏、飞腾等）'} 电脑，
    glibc 2.28 及以上（统信 UOS 20、银河麒麟 V10 均可）。

二、安装 {name}
    把文件夹放到固定位置，在此文件夹中打开终端，运行：sh install.sh
    安装只用本文件夹 wheels 里的文件，不连网；装完会列出本机的字体和 LibreOffice 情况。

三、使用
    运行 sh start.sh，浏览器会打开操作页面。使用期间不要关闭终端窗口；用完按 Ctrl+C 停止。
    命令行用法：venv/bin/{name} --help"""
    text = f"""\
{name} {version} 离线安装包（{target.name}）

{name} 把 Excel 工作簿合并为符合 GB/T 9704《党政机关公文格式》的 Word 文档。

{steps}

四、字体（建议安装，不装也能用）
    公文格式用到：{official_fonts()}。
    没装的字体，Word/WPS 会用相近的字体代替显示，文档里记的仍是规定的字体名，送到装有这些字体的电脑上就显示正常。
    需要本机显示、打印与规定一致时，请向单位信息化部门索取这些字体安装。
    运行“{name} doctor”（或安装窗口、网页上的“环境”一栏）可看到本机缺哪些字体、用什么代替。

五、PDF（可选）
    生成 PDF、打印合订本需要 LibreOffice（免费），可从内网共享安装；不装时仍可生成 Word 文档，
    在 Word/WPS 中“另存为 PDF”即可。

六、遇到问题
    运行 {name} doctor，把显示的内容发给管理员。
"""
    return "\ufeff".encode() + text.replace("\n", "\r\n").encode("utf-8")


def parse_pythons(values: Sequence[str] | None) -> list[str]:
    """``3.11``, ``3.11,3.12`` or ``3.11-3.13`` (repeatable); default: all of 3.11–3.13."""
    chosen: list[str] = []
    for value in values or [f"{PYTHONS[0]}-{PYTHONS[-1]}"]:
        for part in value.split(","):
            part = part.strip()
            if "-" in part:
                low, high = part.split("-", 1)
                if low not in PYTHONS or high not in PYTHONS:
                    raise BundleError(f"不支持的 Python 版本范围：{part}（可选 {'、'.join(PYTHONS)}）。")
                chosen += list(PYTHONS[PYTHONS.index(low):PYTHONS.index(high) + 1])
            elif part in PYTHONS:
                chosen.append(part)
            else:
                raise BundleError(f"不支持的 Python 版本：{part}（可选 {'、'.join(PYTHONS)}）。")
    return sorted(set(chosen), key=PYTHONS.index)


def build(target: Target, pythons: Sequence[str], out: Path, cache: Path, *, make_zip: bool = True,
          project: Path = ROOT, refresh: bool = False, say: Callable[[str], None] = print) -> Path:
    """Build the package folder ``out`` (replaced if present) and, with ``make_zip``, ``out``.zip."""
    name, version, requirements = project_requirements(project / "pyproject.toml")
    if target.name == "here":
        pythons = [f"{sys.version_info.major}.{sys.version_info.minor}"]
    log: list[str] = []
    wheels: set[Path] = set()
    for python in pythons:
        say(f"解析依赖：{target.name}，Python {python} ……")
        resolver = Resolver(target, python, cache, cache / "universal", log, refresh=refresh)
        wheels |= set(resolver.resolve(requirements))
    for line in log:
        say(line)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".~bundle-", dir=out.parent))  # same disk: os.replace moves it
    try:
        folder = staging / out.name
        (folder / "wheels").mkdir(parents=True)
        build_own_wheel(folder / "wheels", project)
        for wheel in sorted(wheels):
            shutil.copy2(wheel, folder / "wheels" / wheel.name)
        (folder / "安装.bat").write_bytes(install_bat(name, version, pythons))
        (folder / "启动网页.bat").write_bytes(start_bat(name))
        for script, body in (("install.sh", install_sh(name, version, pythons)), ("start.sh", start_sh(name))):
            (folder / script).write_bytes(body)
            (folder / script).chmod(0o755)
        (folder / "使用说明.txt").write_bytes(guide(name, version, target, pythons))
        examples = folder / "示例工作簿"
        examples.mkdir()
        for sheet in sorted((project / "sheets").glob("*.xlsx")):
            shutil.copy2(sheet, examples / sheet.name)
        if out.exists():
            shutil.rmtree(out)
        os.replace(folder, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if make_zip:
        archive = out.with_name(out.name + ".zip")
        partial = archive.with_name(archive.name + ".part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(out.rglob("*")):
                zf.write(path, Path(out.name) / path.relative_to(out))
        os.replace(partial, archive)
    count = len(list((out / "wheels").glob("*.whl")))
    say(f"已生成离线安装包：{out}（{count} 个 wheel，Python {'、'.join(pythons)}）")
    return out


def default_cache() -> Path:
    base = os.environ.get("GWMERGE_BUNDLE_CACHE")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gwmerge-offline"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成离线安装包（gwmerge 与全部依赖的 wheel、安装和启动脚本）。")
    parser.add_argument("--target", required=True, choices=sorted(TARGETS), help="目标平台；here 为本机。")
    parser.add_argument("--python", action="append",
                        help="目标 Python 版本，如 3.11、3.11,3.12 或 3.11-3.13（可写多次）；默认 3.11-3.13。")
    parser.add_argument("-o", "--output", type=Path, required=True, help="输出文件夹（旁边另生成同名 .zip）。")
    parser.add_argument("--cache", type=Path, default=default_cache(), help="下载缓存文件夹，可反复使用。")
    parser.add_argument("--no-zip", action="store_true", help="不生成 .zip。")
    parser.add_argument("--refresh", action="store_true",
                        help="向 PyPI 重新查询每个依赖的最新版本（默认直接用缓存中已有且符合要求的版本）。")
    parser.add_argument("--project", type=Path, default=ROOT, help=argparse.SUPPRESS)  # tests: another project
    args = parser.parse_args(argv)
    try:
        build(TARGETS[args.target], parse_pythons(args.python), args.output.resolve(), args.cache.resolve(),
              make_zip=not args.no_zip, project=args.project.resolve(), refresh=args.refresh)
    except BundleError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
