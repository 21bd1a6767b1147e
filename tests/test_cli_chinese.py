"""The command line speaks Chinese: every help screen and every usage error, through the installed
``gwmerge`` command in a child process, as a user meets it. No click/typer/argparse English, and each
error says what to do."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import SHEETS

from gwmerge import cli

pytestmark = pytest.mark.timeout(300)

# What a Chinese screen may still hold in Latin letters: product and format names, and examples.
ALLOWED = {"gwmerge", "GB", "T", "Word", "WPS", "Excel", "LibreOffice", "PDF", "CPU", "docxtpl", "traceback",
           "Python", "Windows", "GBK", "out", "sheets"}
ENGLISH = ("Usage", "usage:", "[OPTIONS]", "<list", "<bool>", "<path>", "Try ", "No such", "Missing", "Error",
           "error:", "argument", "invalid", "expected", "required", "unrecognized", "Options", "Commands",
           "Arguments", "Possible", "Got unexpected")


def gwmerge(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = shutil.which("gwmerge", path=str(Path(sys.executable).parent)) or shutil.which("gwmerge")
    assert command, "the gwmerge command is not installed"
    return subprocess.run([command, *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                          timeout=240, cwd=cwd, env={"COLUMNS": "100", "PATH": str(Path(command).parent)})


def latin_words(text: str) -> set[str]:
    """Latin words left once options, file names, command names and the allowed names are set aside."""
    text = re.sub(r"(?<![\w-])--?[A-Za-z][\w-]*(=\S*)?", " ", text)  # -o, --name-pattern
    text = re.sub(r"[\w\-{}.]*\.(xlsx|xlsm|xls|csv|docx|doc|txt|zip|pdf|et|wps|toml)\b", " ", text)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"“[^”]*”", " ", text)  # the user's own words, quoted back
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED and w not in cli.COMMANDS}


def assert_chinese(text: str) -> None:
    assert not [w for w in ENGLISH if w in text], text
    assert not latin_words(text), (latin_words(text), text)


def test_every_help_screen_is_chinese() -> None:
    for args in (["--help"], ["-h"], []):
        shown = gwmerge(*args)
        assert shown.returncode == 0 and shown.stderr == "", shown.stderr
        assert shown.stdout.startswith("用法：gwmerge") and "命令：" in shown.stdout
        assert_chinese(shown.stdout)
    assert len(cli.COMMANDS) >= 8
    for name in cli.COMMANDS:
        for flag in ("--help", "-h"):
            shown = gwmerge(name, flag)
            assert shown.returncode == 0 and shown.stderr == "", (name, shown.stderr)
            assert shown.stdout.startswith(f"用法：gwmerge {name}") and "选项：" in shown.stdout
            assert "-h, --help" in shown.stdout
            assert_chinese(shown.stdout)


def test_version() -> None:
    shown = gwmerge("--version")
    assert shown.returncode == 0 and re.fullmatch(r"gwmerge \d+\.\d+\.\d+\S*\n", shown.stdout), shown.stdout


USAGE_ERRORS = {
    ("merge", "sheets", "--bogus"): "merge 命令没有“--bogus”这个选项",
    ("merge", "sheets", "--jbos", "2"): "merge 命令没有“--jbos”这个选项，是不是要写 --jobs？",
    ("merge",): "缺少工作簿或文件夹…（工作簿文件或文件夹，可写多个）",
    ("verify",): "缺少文档或文件夹…",
    ("import",): "缺少文档或文件夹…",
    ("format",): "缺少文档或文件夹…",
    ("merge", "sheets", "-j", "abc"): "选项 -j, --jobs 的值不对：应为正整数（如 2），不能是“abc”",
    ("merge", "sheets", "-j", "0"): "选项 -j, --jobs 的值不对：应为 1 或更大的整数，不能是 0",
    ("merge", "sheets", "-o"): "选项 -o, --output 后面要写文件夹，用空格隔开，如 -o 文件夹",
    ("merge", "sheets", "--pdf=是"): "选项 --pdf 是开关，后面不带值",
    ("serve", "--port", "七十"): "选项 --port 的值不对：应为 1 到 65535 之间的整数",
    ("kinds", "多余"): "kinds 命令不用写文件或其他参数，多了“多余”",
    ("mrege", "sheets"): "没有“mrege”这个命令。是不是要写 merge？",
    ("--bogus",): "gwmerge 后面应先写命令（如 merge、check），不认识“--bogus”",
    ("-o", "out", "merge", "sheets"): "它是 merge、check、new、doctor、import、format 命令的选项，要写在命令之后",
}


@pytest.mark.parametrize("args", list(USAGE_ERRORS), ids=[" ".join(a) for a in USAGE_ERRORS])
def test_usage_errors_are_chinese_and_say_what_to_do(args: tuple[str, ...], tmp_path: Path) -> None:
    shown = gwmerge(*args, cwd=tmp_path)
    assert shown.returncode == 2 and shown.stdout == "", shown.stdout
    first, then = shown.stderr.splitlines()
    assert first.startswith("错误：") and USAGE_ERRORS[args] in first, first
    assert re.fullmatch(r"用 gwmerge( \w+)? -h 查看.*。", then), then
    assert_chinese(shown.stderr)


def test_unknown_kind_profile_and_paths_that_do_not_exist(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for args, said in ((("-k", "不存在"), "没有名为“不存在”的文种，可选：民主生活会"),
                       (("-p", "不存在"), "没有名为“不存在”的格式方案，可选：标准"),
                       (("-t", "没有的模板.docx"), "没有的模板.docx：找不到这个文件，请检查路径。"),
                       (("--roster", "没有的名单.xlsx"), "没有的名单.xlsx：找不到这个文件，请检查路径。")):
        shown = gwmerge("merge", SHEETS, "-o", out, *args)
        assert shown.returncode == 1 and said in shown.stderr, shown.stderr
        assert_chinese(shown.stderr)
        assert not out.exists()
    missing = gwmerge("merge", tmp_path / "没有这个文件夹", "-o", out)
    assert missing.returncode == 1 and "✗ 没有这个文件夹：找不到这个文件或文件夹，请检查路径。" in missing.stdout
    for command, name in (("verify", "没有.docx"), ("check", "没有.xlsx")):
        shown = gwmerge(command, tmp_path / name)
        assert shown.returncode == 1 and f"{name}：找不到这个文件或文件夹，请检查路径。" in shown.stdout, shown.stdout
    for command, name in (("import", "没有.docx"), ("format", "没有.txt")):
        shown = gwmerge(command, tmp_path / name, "-o", out)
        assert shown.returncode == 1 and f"{name}：找不到这个文件或文件夹" in shown.stdout, shown.stdout
    shown = gwmerge("new", "--roster", tmp_path / "没有.csv", "-o", tmp_path / "班子")
    assert shown.returncode == 1 and "没有.csv：找不到这个文件，请检查路径。" in shown.stderr


def _roster(path: Path, *rows: tuple[str, str]) -> Path:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(list(row))
    wb.save(path)
    return path


def test_a_broken_roster_stops_the_run_before_any_document(tmp_path: Path) -> None:
    out = tmp_path / "out"
    no_header = _roster(tmp_path / "名单.xlsx", ("编号", "备注"), ("1", "张三"))
    shown = gwmerge("merge", SHEETS, "-o", out, "--roster", no_header)
    assert shown.returncode == 1 and "名单.xlsx：名单第一张表的前几行应有一行表头，含“姓名”" in shown.stderr
    assert not out.exists()
    garbage = tmp_path / "坏名单.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not a workbook")
    shown = gwmerge("merge", SHEETS, "-o", out, "--roster", garbage, "--bundle")
    assert shown.returncode == 1 and shown.stderr.startswith("错误：坏名单.xlsx：") and "Traceback" not in shown.stderr
    assert not out.exists()


def test_the_closing_table_lists_who_has_not_handed_in(tmp_path: Path) -> None:
    roster = _roster(tmp_path / "名单.xlsx", ("姓名", "职务"), ("王某某", "副镇长"), ("赵六", "组织委员"),
                     ("李四", "党员"))
    shown = gwmerge("merge", SHEETS, "-o", tmp_path / "out", "--roster", roster)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    row = next(line for line in shown.stdout.splitlines() if "赵六" in line)
    assert "组织委员" in row and "未提交" in row
    assert "名单上未提交 1 人" in shown.stdout
    report = openpyxl.load_workbook(tmp_path / "out" / "汇总表.xlsx")["汇总"]
    assert [r[4] for r in report.iter_rows(values_only=True) if r[2] == "未提交"] == ["赵六"]
