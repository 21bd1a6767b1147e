"""The office's offline install package (tools/offline_bundle.py), built and used as the office would.

These tests download wheels from PyPI (kept in a cache folder reused across runs: GWMERGE_BUNDLE_CACHE or
~/.cache/gwmerge-offline), so they run in CI (CI set) or when GWMERGE_BUNDLE=1, and are skipped otherwise.
"""

from __future__ import annotations

import email.message
import email.parser
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import pytest
from packaging import tags
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "offline_bundle.py"

pytestmark = [
    pytest.mark.skipif(not (os.environ.get("CI") or os.environ.get("GWMERGE_BUNDLE")),
                       reason="下载 wheel 需要连 PyPI：CI 中运行，本地设 GWMERGE_BUNDLE=1 运行"),
    pytest.mark.timeout(1200),
]


def _cache() -> Path:
    base = os.environ.get("GWMERGE_BUNDLE_CACHE")
    return Path(base) if base else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gwmerge-offline"


def _run_tool(out: Path, target: str, *pythons: str, zip_: bool = True, project: Path | None = None,
              cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, str(TOOL), "--target", target, "-o", str(out), "--cache", str(cache or _cache())]
    for python in pythons:
        args += ["--python", python]
    if not zip_:
        args.append("--no-zip")
    if project is not None:
        args += ["--project", str(project)]
    return subprocess.run(args, capture_output=True, text=True, timeout=1100, check=False)


def _build(out: Path, target: str, *pythons: str, zip_: bool = True) -> Path:
    done = _run_tool(out, target, *pythons, zip_=zip_)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"已生成离线安装包：{out}" in done.stdout
    return out


def _offline_env(**extra: str) -> dict[str, str]:
    """No index, no pip configuration (this machine's points at local wheel folders), nowhere to fetch from."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_INDEX_URL="http://127.0.0.1:9/", PIP_CONFIG_FILE=os.devnull, PIP_NO_INPUT="1",
               http_proxy="http://127.0.0.1:9/", https_proxy="http://127.0.0.1:9/", NO_COLOR="1", COLUMNS="200",
               **extra)
    return env


def _no_network() -> list[str]:
    """A prefix that runs a command without any network (a new network namespace), where the machine allows it."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True, check=False).returncode == 0:
        return [unshare, "-rn"]
    return []


# --------------------------------------------------------------------------- this machine: install and use

@pytest.fixture(scope="module")
def here_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This machine's package, built once; each test installs a copy of it."""
    return _build(tmp_path_factory.mktemp("here") / "gwmerge离线包", "here")


def test_here_bundle_installs_without_network_and_merges_the_examples(here_bundle: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(here_bundle.with_name("gwmerge离线包.zip")) as zf:
        zf.extractall(tmp_path)  # as the office gets it: unzipped from the share
    bundle = tmp_path / "gwmerge离线包"
    names = {p.name for p in bundle.iterdir()}
    assert {"wheels", "安装.bat", "install.sh", "启动网页.bat", "start.sh", "使用说明.txt", "示例工作簿"} <= names
    with zipfile.ZipFile(here_bundle.with_name("gwmerge离线包.zip")) as zf:
        listed = set(zf.namelist())
    assert {"gwmerge离线包/安装.bat", "gwmerge离线包/使用说明.txt", "gwmerge离线包/示例工作簿/示例-党员.xlsx"} <= listed
    assert {f"gwmerge离线包/wheels/{w.name}" for w in (bundle / "wheels").iterdir()} <= listed

    env = _offline_env(PYTHON=sys.executable)
    install = subprocess.run([*_no_network(), "sh", str(bundle / "install.sh")], capture_output=True, text=True,
                             env=env, timeout=600, check=False)
    said = install.stdout + install.stderr
    assert install.returncode == 0, said
    assert "安装完成" in said
    assert "Python 版本" in said  # the install ends with gwmerge doctor's report
    gwmerge = bundle / "venv" / "bin" / "gwmerge"
    where = subprocess.run([str(bundle / "venv" / "bin" / "python"), "-c", "import gwmerge; print(gwmerge.__file__)"],
                           capture_output=True, text=True, env=env, check=True).stdout
    assert Path(where.strip()).is_relative_to(bundle / "venv"), where  # the bundle's copy, not this checkout

    out = tmp_path / "输出"
    merged = subprocess.run([*_no_network(), str(gwmerge), "merge", str(bundle / "示例工作簿"), "-o", str(out)],
                            capture_output=True, text=True, env=env, timeout=300, check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "完成：成功 2 个" in merged.stdout
    assert sorted(p.name for p in out.glob("*.docx")) == ["示例-党员.docx", "示例-副镇长.docx"]

    doctor = subprocess.run([*_no_network(), str(gwmerge), "doctor", "-o", str(out)], capture_output=True, text=True,
                            env=env, timeout=120, check=False)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert f"gwmerge 版本：{version}" in doctor.stdout
    assert "可以生成 Word 文档" in doctor.stdout

    # A broken install (a dependency gone) is what doctor fails on, and it says what to do.
    subprocess.run([str(bundle / "venv" / "bin" / "python"), "-m", "pip", "uninstall", "-y", "-q", "pypdf"],
                   env=env, capture_output=True, check=True, timeout=120)
    broken = subprocess.run([str(gwmerge), "doctor", "-o", str(out)], capture_output=True, text=True, env=env,
                            timeout=120, check=False)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "✗ 缺少程序组件：pypdf" in broken.stdout
    assert "程序组件不完整，请重新运行安装（离线包里的“安装.bat”或 sh install.sh）。" in broken.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_start_script_serves_the_page_and_says_how_to_stop(here_bundle: Path, tmp_path: Path) -> None:
    bundle = Path(shutil.copytree(here_bundle, tmp_path / "包"))
    not_yet = subprocess.run(["sh", str(bundle / "start.sh")], capture_output=True, text=True, timeout=60, check=False)
    assert not_yet.returncode == 1 and "还没有安装：请先运行 sh install.sh。" in not_yet.stdout
    subprocess.run(["sh", str(bundle / "install.sh")], capture_output=True, env=_offline_env(PYTHON=sys.executable),
                   timeout=600, check=True)

    port = _free_port()
    # BROWSER=true: webbrowser "opens" the page with /bin/true instead of a real browser.
    proc = subprocess.Popen(["sh", str(bundle / "start.sh"), "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=_offline_env(BROWSER="true"), text=True)
    try:
        deadline = time.monotonic() + 90
        page = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.5)
        assert "一键排版" in page
    finally:
        proc.terminate()
        said, _ = proc.communicate(timeout=60)
    assert "用完后按 Ctrl+C（或关闭窗口）即停止。" in said


# --------------------------------------------------------------------------- other platforms: a wheel for everything

_TARGETS = {
    "win_amd64": ({"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
                   "platform_machine": "AMD64"}, ["win_amd64"]),
    "manylinux_aarch64": ({"os_name": "posix", "sys_platform": "linux", "platform_system": "Linux",
                           "platform_machine": "aarch64"},
                          [f"manylinux_2_{m}_aarch64" for m in range(28, 16, -1)] + ["manylinux2014_aarch64"]),
}
_PYTHONS = ("3.11", "3.12", "3.13")


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        return email.parser.BytesParser().parsebytes(zf.read(name), headersonly=True)


def missing_wheels(wheels: Path, target: str, python: str) -> list[str]:
    """Requirements (gwmerge's, transitively, as the target evaluates markers) with no fitting wheel in ``wheels``."""
    markers, platforms = _TARGETS[target]
    major, minor = (int(x) for x in python.split("."))
    interpreter = f"cp{major}{minor}"
    fits = {*tags.cpython_tags((major, minor), abis=[interpreter, "abi3", "none"], platforms=platforms),
            *tags.compatible_tags((major, minor), interpreter, platforms)}
    env = {"implementation_name": "cpython", "platform_python_implementation": "CPython",
           "python_version": python, "python_full_version": f"{python}.0", "implementation_version": f"{python}.0",
           "platform_release": "", "platform_version": "", **markers}
    on_hand: dict[str, list[tuple[Path, object]]] = {}
    for wheel in wheels.glob("*.whl"):
        name, version, _, wtags = parse_wheel_filename(wheel.name)
        needs = _metadata(wheel).get("Requires-Python")
        if wtags & fits and (not needs or SpecifierSet(needs).contains(f"{python}.0")):
            on_hand.setdefault(name, []).append((wheel, version))

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    queue = [(Requirement(project["name"]), ("",))]
    queue += [(Requirement(r), ("",)) for r in project["dependencies"]]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    missing: list[str] = []
    while queue:
        req, extras = queue.pop()
        if req.marker is not None and not any(req.marker.evaluate({**env, "extra": e}) for e in extras):
            continue
        name = canonicalize_name(req.name)
        key = (name, tuple(sorted(req.extras)))
        if key in seen:
            continue
        seen.add(key)
        found = [w for w, v in on_hand.get(name, []) if req.specifier.contains(v)]
        if not found:
            missing.append(f"{req.name}{req.specifier}")
            continue
        requires = _metadata(found[0]).get_all("Requires-Dist") or []
        queue += [(Requirement(r), ("", *sorted(req.extras))) for r in requires]
    return sorted(missing)


@pytest.fixture(scope="module")
def other_bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("bundles")
    return {t: _build(base / t, t, "3.11-3.13", zip_=False) for t in _TARGETS}


@pytest.mark.parametrize("target", sorted(_TARGETS))
def test_bundle_has_a_wheel_for_every_dependency(other_bundles: dict[str, Path], target: str) -> None:
    wheels = other_bundles[target] / "wheels"
    for python in _PYTHONS:
        assert missing_wheels(wheels, target, python) == [], f"{target} Python {python}"
    assert "gwmerge" in {parse_wheel_filename(w.name)[0] for w in wheels.glob("*.whl")}


def test_windows_scripts_are_bytes_cmd_exe_reads(other_bundles: dict[str, Path]) -> None:
    bundle = other_bundles["win_amd64"]
    for name in ("安装.bat", "启动网页.bat"):
        raw = (bundle / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), f"{name}: a BOM breaks the first command"
        assert b"\n" not in raw.replace(b"\r\n", b""), f"{name}: every line must end in CRLF"
        lines = raw.split(b"\r\n")
        assert lines[0] == b"@echo off" and lines[1] == b"chcp 65001 >nul", f"{name}: UTF-8 first"
        text = raw.decode("utf-8")  # and it is UTF-8 throughout
        assert "%~dp0" in text
    start = (bundle / "启动网页.bat").read_bytes().decode("utf-8")
    assert "serve --open" in start
    assert "用完后直接关闭本窗口，或按 Ctrl+C 停止。" in start
    install = (bundle / "安装.bat").read_bytes().decode("utf-8")
    assert "--no-index --find-links wheels" in install and "gwmerge doctor" not in install  # runs the exe
    assert '"venv\\Scripts\\gwmerge.exe" doctor' in install
    guide = (bundle / "使用说明.txt").read_bytes()
    assert guide.startswith(b"\xef\xbb\xbf") and b"\r\n" in guide
    text = guide.decode("utf-8-sig")
    for needed in ("Python 3.11", "LibreOffice", "方正小标宋简体", "仿宋_GB2312", "安装.bat", "启动网页.bat"):
        assert needed in text


def test_the_check_catches_a_missing_platform_wheel(other_bundles: dict[str, Path], tmp_path: Path) -> None:
    wheels = Path(shutil.copytree(other_bundles["manylinux_aarch64"] / "wheels", tmp_path / "wheels"))
    for wheel in wheels.glob("lxml-*cp312*.whl"):
        wheel.unlink()
    assert [m.split(">")[0] for m in missing_wheels(wheels, "manylinux_aarch64", "3.12")] == ["lxml"]
    assert missing_wheels(wheels, "manylinux_aarch64", "3.11") == []


# --------------------------------------------------------------------------- dependencies without a platform wheel

def _project(folder: Path, dependencies: list[str]) -> Path:
    """A one-module project with the given dependencies, standing in for gwmerge."""
    (folder / "fakeoffice").mkdir(parents=True)
    (folder / "fakeoffice" / "__init__.py").write_text("", encoding="utf-8")
    deps = ", ".join(json.dumps(d) for d in dependencies)  # a JSON string is a TOML basic string
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n'
        f'[project]\nname = "fakeoffice"\nversion = "1.0"\ndependencies = [{deps}]\n'
        '[tool.setuptools]\npackages = ["fakeoffice"]\n', encoding="utf-8")
    return folder


def test_a_source_only_pure_python_dependency_is_built_into_a_universal_wheel(tmp_path: Path) -> None:
    project = _project(tmp_path / "p", ["docopt==0.6.2"])  # published only as source, pure Python
    done = _run_tool(tmp_path / "out", "manylinux_aarch64", "3.11", zip_=False, project=project,
                     cache=tmp_path / "cache")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "自建纯 Python wheel：docopt-0.6.2-" in done.stdout
    built = [w.name for w in (tmp_path / "out" / "wheels").glob("docopt-*.whl")]
    assert len(built) == 1 and built[0].endswith("-none-any.whl")
    assert (tmp_path / "cache" / "universal" / built[0]).is_file()  # built once, kept for the next target


def test_a_dependency_without_a_wheel_for_the_target_is_named(tmp_path: Path) -> None:
    project = _project(tmp_path / "p", ["pywin32>=306"])  # Windows wheels only, no source to build
    done = _run_tool(tmp_path / "out", "manylinux_aarch64", "3.11", project=project, cache=tmp_path / "cache")
    assert done.returncode == 1
    assert ("错误：以下依赖没有适用于 manylinux_aarch64、Python 3.11 的 wheel（也不是可自建的纯 Python 包）："
            "pywin32>=306。") in done.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.zip").exists()


def test_markers_are_the_targets_not_this_machines(tmp_path: Path) -> None:
    """A Windows-only dependency is in the Windows package, though the package is built on Linux."""
    project = _project(tmp_path / "p", ['colorama>=0.4; platform_system == "Windows"'])
    for target, wanted in (("win_amd64", True), ("manylinux_aarch64", False)):
        done = _run_tool(tmp_path / target, target, "3.11", zip_=False, project=project)
        assert done.returncode == 0, done.stdout + done.stderr
        names = {parse_wheel_filename(w.name)[0] for w in (tmp_path / target / "wheels").glob("*.whl")}
        assert ("colorama" in names) is wanted, (target, names)
