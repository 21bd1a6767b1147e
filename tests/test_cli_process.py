"""The command line run as a user runs it: a child process, its exit code, stdout and stderr.

User text (file names, cell text, levels, folder names) must print literally: never as rich
markup, never as terminal escapes, never as a forged extra line.
"""

from __future__ import annotations

import errno
import shutil
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import SHEETS
from process import one_sentence, run_gwmerge

from gwmerge import cli
from gwmerge.core.safetext import text_only

pytestmark = pytest.mark.timeout(120)


def _example(folder: Path, name: str = "示例-党员.xlsx") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(SHEETS / "示例-党员.xlsx", folder / name))


def test_help_runs() -> None:
    result = run_gwmerge("--help")
    assert result.code == 0 and "合并工作簿" in result.stdout and result.stderr == ""


def test_merge_folder_with_one_bad_workbook(sheets: Path, tmp_path: Path) -> None:
    (sheets / "坏的.xlsx").write_bytes(b"PK\x03\x04 broken")
    (sheets / "~$示例-副镇长.xlsx").write_bytes(b"lock file of an open workbook")
    out = tmp_path / "out"
    result = run_gwmerge("merge", sheets, "-o", out)
    assert result.code == 1
    assert "✗ 坏的.xlsx：不是有效的 .xlsx 工作簿" in result.stdout
    assert "完成：成功 2 个，失败 1 个，跳过 1 个。" in result.stdout
    assert "~$示例-副镇长.xlsx：跳过，是 Excel/WPS 打开工作簿时留下的锁定文件" in result.stdout
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["汇总表.xlsx", "示例-党员.docx", "示例-副镇长.docx"]


def test_unknown_kind_is_one_sentence(sheets: Path, tmp_path: Path) -> None:
    result = run_gwmerge("merge", sheets, "-o", tmp_path, "--kind", "不存在[/]")
    assert result.code == 1
    assert "没有名为“不存在[/]”的文种" in one_sentence(result)


@pytest.mark.parametrize("markup", ["[/]", "[/i]", "[red]", "[bold]粗[/bold]"])
def test_markup_in_a_level_prints_literally(tmp_path: Path, markup: str) -> None:
    book = _example(tmp_path / "in")
    wb = openpyxl.load_workbook(book)
    wb["存在的问题"]["A9"] = markup
    wb.save(book)
    result = run_gwmerge("check", book)
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert f"层级“{markup}”" in result.stdout


def test_markup_in_a_cell_and_in_the_output_folder(tmp_path: Path) -> None:
    book = _example(tmp_path / "in", "[bold]名单[red].xlsx")
    wb = openpyxl.load_workbook(book)
    wb["存在的问题"]["C5"] = "含有 [/] 与 [/i] 与 [link=http://x]链接[/link] 的正文。"
    wb.save(book)
    out = tmp_path / "输出[/]"  # a folder "输出[" holding "]": the printed path reads "输出[/]"
    result = run_gwmerge("merge", book, "-o", out)
    assert result.code == 0, result.output
    assert f"✓ [bold]名单[red].xlsx → {out / '[bold]名单[red].docx'}" in result.stdout
    result = run_gwmerge("check", book)
    assert result.code in (0, 1) and "Traceback" not in result.output


def test_file_names_cannot_forge_lines_or_drive_the_terminal(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _example(folder, "a\n✓ fake.xlsx → 伪造.docx\n.xlsx")
    _example(folder, "\x1b[2J\x1b[31m清屏\x1b]0;标题\x07.xlsx")
    (folder / "坏\r✓ 假的.xlsx").write_bytes(b"not a workbook")
    result = run_gwmerge("merge", folder, "-o", tmp_path / "out")
    assert "\x1b" not in result.output and "\x07" not in result.output
    lines = result.stdout.splitlines()
    assert not any(line.startswith("✓ fake") for line in lines)
    assert "✓ a⏎✓ fake.xlsx → 伪造.docx⏎.xlsx → " in result.stdout
    assert any(line.startswith("✗ 坏⏎✓ 假的.xlsx：") for line in lines), result.stdout
    assert len([line for line in lines if line.startswith(("✓", "✗"))]) == 3


def test_new_with_control_characters_in_the_name(tmp_path: Path) -> None:
    result = run_gwmerge("new", "-o", tmp_path / "名单", "--name", "张\x07三\x1b[2J", "--position", "=1+1")
    assert result.code == 0, result.output
    (book,) = (tmp_path / "名单").iterdir()
    assert book.name == "=1+1-张三[2J.xlsx"
    info = openpyxl.load_workbook(book)["基本信息"]
    cells = {row[0].value: row[1] for row in info.iter_rows(min_row=3)}
    assert cells["姓名"].value == "张三[2J"
    assert cells["职务"].value == "=1+1" and cells["职务"].data_type == "s" and cells["职务"].quotePrefix


def _roster(path: Path, rows: list[list[str | None]], header: tuple[str, ...] = ("姓名", "职务")) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(list(header))
    for row in rows:
        wb.active.append(row)
    text_only(wb)  # typed in Excel as text ('=cmd…), not formulas
    wb.save(path)
    return path


def test_roster_with_hostile_and_duplicate_names(tmp_path: Path) -> None:
    long_name = "长" * 300
    roster = _roster(tmp_path / "名单.xlsx", [
        ["CON", None], ["NUL.txt", None], ['=cmd|\' /C calc\'!A0', None], [long_name, "党员"],
        ["张伟", "党员"], [None, "副镇长"], ["张伟", "党员"], ["@SUM(A1)", "-1"], ["+86", "委员"],
    ], header=("姓名：", "职 务"))
    out = tmp_path / "班子"
    result = run_gwmerge("new", "-o", out, "--roster", roster)
    assert result.code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["_CON.xlsx", "_NUL.txt.xlsx", "=cmd' C calc'!A0.xlsx", f"党员-{'长' * 77}.xlsx",
                            "党员-张伟.xlsx", "党员-张伟-2.xlsx", "-1-@SUM(A1).xlsx", "委员-+86.xlsx"])
    assert "第 7 行没有填写姓名，已跳过" in result.stdout
    assert "与第 6 行同名，两人都生成，此人的工作簿命名为“党员-张伟-2.xlsx”" in result.stdout
    assert "工作簿命名为“_CON.xlsx”" in result.stdout
    assert result.stdout.count("已生成") == 8
    for path in out.iterdir():
        info = openpyxl.load_workbook(path)["基本信息"]
        for row in info.iter_rows(min_row=3):
            cell = row[1]
            if isinstance(cell.value, str) and cell.value:
                assert cell.data_type == "s", (path.name, cell.value)
                if cell.value[0] in "=+-@":
                    assert cell.quotePrefix, (path.name, cell.value)
    info = openpyxl.load_workbook(out / "=cmd' C calc'!A0.xlsx")["基本信息"]
    assert any(row[1].value == "=cmd|' /C calc'!A0" for row in info.iter_rows(min_row=3))


def test_new_output_name_too_long_is_one_sentence(tmp_path: Path) -> None:
    result = run_gwmerge("new", "-o", tmp_path / ("很长" * 100) / "a.xlsx", "--name", "张三")
    assert result.code == 1
    assert "文件名或路径太长" in one_sentence(result)


def test_new_on_a_full_disk_reports_what_was_written(tmp_path: Path, monkeypatch, capsys) -> None:
    roster = _roster(tmp_path / "名单.xlsx", [["甲", "党员"], ["乙", "党员"], ["丙", "党员"]])
    from gwmerge.write import xlsx as workbook

    calls = []
    original = workbook._save_atomic

    def save(wb, dest):
        calls.append(dest)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        original(wb, dest)

    monkeypatch.setattr(workbook, "_save_atomic", save)
    monkeypatch.setattr(sys, "argv", ["gwmerge", "new", "-o", str(tmp_path / "out"), "--roster", str(roster)])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    assert stop.value.code == 1
    captured = capsys.readouterr()
    assert "已生成" in captured.out and "党员-甲.xlsx" in captured.out
    assert "磁盘空间已满" in captured.err and "已生成 1 个" in captured.err
    assert "No space" not in captured.err and "Traceback" not in captured.err
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["党员-甲.xlsx"]


def test_main_is_the_last_line_of_defence(monkeypatch, capsys) -> None:
    from gwmerge import api

    def boom() -> list:
        raise RuntimeError("意外 [/] \x1b[2J")

    monkeypatch.setattr(api, "list_kinds", boom)
    monkeypatch.setattr(sys, "argv", ["gwmerge", "kinds"])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    assert stop.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("内部错误：RuntimeError: 意外 [/] （加 --debug") or "意外 [/]" in err
    assert "Traceback" not in err and "\x1b" not in err

    monkeypatch.setattr(sys, "argv", ["gwmerge", "--debug", "kinds"])
    with pytest.raises(SystemExit):
        cli.main()
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError" in err and "\x1b" not in err


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16"])
def test_roster_as_csv_exported_from_a_system(tmp_path: Path, encoding: str) -> None:
    roster = tmp_path / "名单.csv"
    roster.write_bytes("人员名单\r\n姓名,职务,单位\r\n王芳,副镇长,某某镇\r\n,党委委员,\r\n\"李 强\",\"党委委员\"\r\n"
                      .encode(encoding))
    out = tmp_path / "班子"
    result = run_gwmerge("new", "-o", out, "--roster", roster)
    assert result.code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["党委委员-李 强.xlsx", "副镇长-王芳.xlsx"]
    assert "提醒 名单.csv › A4：第 4 行没有填写姓名，已跳过。" in result.stdout
    sheet = openpyxl.load_workbook(out / "副镇长-王芳.xlsx")["基本信息"]
    info = {row[0].value: row[1].value for row in sheet.iter_rows()}
    assert (info["姓名"], info["职务"], info["单位"]) == ("王芳", "副镇长", "某某镇")


@pytest.mark.parametrize("data", [
    "姓名\t职务\r\n王芳\t副镇长\r\n李强\t党委委员\r\n".encode("utf-16"),  # Excel's “Unicode 文本”
    "姓名\t职务\n王芳\t副镇长\n李强\t党委委员\n".encode("gb18030"),
    "sep=;\r\n姓名;职务\r\n王芳;副镇长\r\n李强;党委委员\r\n".encode("utf-8-sig"),
    "姓名|职务\n王芳|副镇长\n李强|党委委员\n".encode(),
    "姓名，职务\n王芳，副镇长\n李强，党委委员\n".encode(),
    b"\xef\xbb\xbf" + "姓名,职务\n王芳,副镇长\n李强,党委委员\n".encode("gbk"),  # a BOM in front of GBK
], ids=["utf16-tab", "gbk-tab", "excel-sep-line", "bar", "full-width-comma", "bom-then-gbk"])
def test_roster_csv_with_other_separators_and_encodings(tmp_path: Path, data: bytes) -> None:
    """Each of these read as one column and ended in 名单第一张表的前几行应有一行表头."""
    roster = tmp_path / "名单.csv"
    roster.write_bytes(data)
    out = tmp_path / "班子"
    result = run_gwmerge("new", "-o", out, "--roster", roster)
    assert result.code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["党委委员-李强.xlsx", "副镇长-王芳.xlsx"]


@pytest.mark.parametrize(("data", "words"), [
    (("姓名,职务\n" + "张" * 200_000 + ",党员\n").encode(), "第 2 行格式有误（一格内容过长或引号不成对）"),
    (bytes(range(256)) * 8, "无法识别名单文件的文字编码"),
    (b"x" * (6 * 1024 * 1024), "超过 5 MB"),
    # one person was made, named with every later line ("张三,副镇长李四,委员.xlsx")
    ('姓名,职务\n"张三,副镇长\n李四,委员\n'.encode(), "名单文件第 2 行有一个引号没有配对，其后各行都会被读成一格"),
    # a workbook named "王�" was made
    ("姓名,职务\n王芳,副镇长\n".encode() + b"\xe6\x9d,\xe5\n", "名单文件中有 2 处文字无法识别（编码有误或文件已损坏）"),
], ids=["long-field", "binary", "too-large", "open-quote", "damaged-bytes"])
def test_a_broken_csv_roster_is_one_sentence(tmp_path: Path, data: bytes, words: str) -> None:
    roster = tmp_path / "名单.csv"
    roster.write_bytes(data)
    result = run_gwmerge("new", "-o", tmp_path / "out", "--roster", roster)
    assert result.code == 1
    line = one_sentence(result)
    assert line.startswith("错误：名单.csv：") and words in line, line


@pytest.mark.parametrize(("suffix", "words"), [(".xls", "另存为"), (".et", "WPS")])
def test_roster_in_another_format_is_one_sentence(tmp_path: Path, suffix: str, words: str) -> None:
    roster = tmp_path / f"名单{suffix}"
    roster.write_text("姓名,职务\n张三,党员\n", encoding="utf-8")
    result = run_gwmerge("new", "-o", tmp_path / "out", "--roster", roster)
    assert result.code == 1
    line = one_sentence(result)
    assert line.startswith(f"错误：名单{suffix}：") and words in line, line


def test_new_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    """A hidden half-written workbook of a run that was killed is gone after the next ``new``."""
    import subprocess

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a process id that no longer runs
    out = tmp_path / "名单"
    out.mkdir()
    left = out / f".~gwmerge-{dead.pid}-0badf00d.xlsx"
    left.write_bytes(b"PK\x03\x04half")
    result = run_gwmerge("new", "-o", out, "--name", "张三")
    assert result.code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["张三.xlsx"]
