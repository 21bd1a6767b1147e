"""The README's set-up as a newcomer meets it: its first command on a stock Debian 12 / Ubuntu 24.04
(only ``python3``, pip refusing to install outside a venv, PEP 668), the same test command in CI, and
the clerk's guide the blank workbook points to."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from gwmerge import api
from gwmerge.document import sheetformat as sf

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDE = ROOT / sf.GUIDE


def quick_start() -> list[str]:
    """The commands of the README's 快速开始, in order (one per fenced block)."""
    section = README.split("## 快速开始", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```(?:bash|sh)?\n(.*?)```", section, re.S)]


def test_the_quick_start_is_two_commands_and_ci_runs_the_second() -> None:
    first, tests = quick_start()
    assert first == re.findall(r"```(?:bash|sh)?\n(.*?)```", README, re.S)[0].strip()  # the README's first
    assert "gwmerge merge sheets -o out" in first and "python3 -m venv" in first
    assert tests.endswith("-m pytest") and '".[test]"' in tests
    assert not re.search(r"(^|[\s&;])python\s", first + "\n" + tests), "a stock Debian has no `python` command"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci, "the CI script must run the README's test command as written"


def _system_python() -> str:
    """A python3 as the system has it (Debian's /usr/bin/python3 when it is new enough)."""
    check = "import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))"
    for candidate in ("/usr/bin/python3", getattr(sys, "_base_executable", ""), sys.executable):
        if candidate and Path(candidate).exists() and subprocess.run([candidate, "-c", check]).returncode == 0:
            return candidate
    pytest.fail("no python3 (3.11 or newer, with venv) to try the README's first command with")


@pytest.mark.timeout(1200)
@pytest.mark.skipif(not (os.environ.get("CI") or os.environ.get("GWMERGE_SETUP_TEST")),
                    reason="installs every dependency into a new venv: runs in CI (.ci/run) or with "
                           "GWMERGE_SETUP_TEST=1")
def test_the_readmes_first_command_on_a_stock_debian(tmp_path: Path) -> None:
    repo = Path(shutil.copytree(ROOT, tmp_path / "gwmerge", ignore=shutil.ignore_patterns(
        ".git", ".venv", "out", "__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache", ".hypothesis",
        "build", "dist")))
    bin_dir = tmp_path / "bin"  # a PATH with python3 and no python, as on Debian 12 / Ubuntu 24.04
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(_system_python())
    env = {"PATH": str(bin_dir), "HOME": os.environ.get("HOME", str(tmp_path)), "LANG": "C.UTF-8",
           "PIP_REQUIRE_VIRTUALENV": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.update({k: v for k, v in os.environ.items()  # how this machine reaches the package index
                if k.upper() in {"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"} or k.startswith("PIP_INDEX")
                or k in ("PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST", "PIP_FIND_LINKS", "PIP_CONFIG_FILE")})

    def shell(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, shell=True, cwd=repo, env=env, capture_output=True, text=True,
                              encoding="utf-8", errors="replace", timeout=1100)

    assert shell("command -v python").returncode != 0  # the premise: no `python` …
    assert shell("python3 -m pip install -e .").returncode != 0  # … and no pip install outside a venv
    first = quick_start()[0]
    done = shell(first)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert sorted(p.name for p in (repo / "out").glob("示例-*.docx")) == ["示例-党员.docx", "示例-副镇长.docx"]
    assert "完成：成功 2 个，失败 0 个。" in done.stdout


def test_the_blank_workbook_points_to_the_clerks_guide(tmp_path: Path) -> None:
    [book] = api.new(tmp_path / "张三.xlsx", name="张三")
    instruction = openpyxl.load_workbook(book)[sf.INFO_SHEET]["A2"].value
    assert f"《工作簿填写说明》（gwmerge 的 {sf.GUIDE}" in instruction
    assert GUIDE.is_file() and f"({sf.GUIDE.removeprefix('docs/')})" in README.replace("docs/", "")


def test_the_guide_covers_every_field_level_and_layout_choice() -> None:
    """The guide is the workbook format (v2) said for a clerk: nothing a workbook offers is missing."""
    guide = GUIDE.read_text(encoding="utf-8")
    for label in [*sf.INFO_FIELDS, sf.FORMAT_LABEL]:
        assert f"| {label} |" in guide, label
    for level in sf.LEVEL_CHOICES:
        assert f"| {level.value} |" in guide, level
    for choice in (*sf.JOIN_CHOICES, sf.POINTS_RUN_ON, sf.POINTS_OWN, sf.SECTION_TITLE, "Alt+Enter"):
        assert choice in guide, choice
    assert "| " + " | ".join(sf.SECTION_HEADER) + " |" in guide
    # …and the README's workbook section is the v2 one
    section = README.split("## 工作簿怎么填", 1)[1].split("\n## ", 1)[0]
    assert section.startswith("（格式 v2）") and "| 层级 | 标题或引导句 | 正文 | 排法 | 备注（不输出） |" in section
    for label in sf.INFO_FIELDS:
        assert f"| {label} |" in section, label
