"""User text at the boundaries: terminal, spreadsheet cells, file names, system errors."""

from __future__ import annotations

import errno

import openpyxl
import pytest

from gwmerge.core.errors import os_message
from gwmerge.core.safetext import for_cell, for_markup, for_terminal, put_text, safe_filename, text_only


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("普通.xlsx", "普通.xlsx"),
        ("a\nb.xlsx", "a⏎b.xlsx"),
        ("a\r\n✓ fake.xlsx → 伪造.docx", "a⏎✓ fake.xlsx → 伪造.docx"),
        ("\x1b[2J\x1b[H清屏.xlsx", "清屏.xlsx"),
        ("\x1b]0;title\x07名.xlsx", "名.xlsx"),
        ("\x1b]8;;http://evil\x1b\\链接\x1b]8;;\x1b\\", "链接"),
        ("\u202eexlsx.exe", "exlsx.exe"),
        ("tab\there", "tab here"),
        ("bell\x07\x00", "bell"),
        ("bad\udcff.xlsx", "bad\ufffd.xlsx"),
        ("[/] [/i] [red]", "[/] [/i] [red]"),
    ],
)
def test_for_terminal(raw: str, shown: str) -> None:
    assert for_terminal(raw) == shown


@pytest.mark.parametrize("text", ["[/]", "[/i]", "[red]红[/red]", "[bold", "a[/]b", ":smile:", "\\[x]"])
def test_for_markup_prints_literally(text: str) -> None:
    from rich.console import Console

    console = Console(record=True, width=200, emoji=False, highlight=False)
    console.print(f"[green]✓[/] {for_markup(text)}")
    assert console.export_text().rstrip("\n") == f"✓ {text}"


def test_for_cell_drops_only_what_xml_cannot_hold() -> None:
    assert for_cell("a\x00b\x07c\td\ne\ud800f") == "abc\td\nef"
    assert for_cell("😀 <&> {{ x }}") == "😀 <&> {{ x }}"
    assert len(for_cell("长" * 40000)) == 32767
    assert for_cell(None) == ""


@pytest.mark.parametrize("text", ["=1+1", '=WEBSERVICE("http://evil/")', "+1", "-1", "@SUM(A1)", "=cmd|' /C calc'!A0",
                                  "\t=1", "普通文字"])
def test_user_text_is_never_a_formula(text: str, tmp_path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    put_text(ws["A1"], text)
    ws.append([text])  # what a writer does without the helper
    text_only(wb)
    path = tmp_path / "t.xlsx"
    wb.save(path)
    back = openpyxl.load_workbook(path).active
    for ref in ("A1", "A2"):
        assert back[ref].data_type == "s"
        assert back[ref].value == text
        assert back[ref].quotePrefix == text.startswith(("=", "+", "-", "@", "\t"))


@pytest.mark.parametrize(
    ("stem", "safe"),
    [
        ("张三", "张三"),
        ("CON", "_CON"),
        ("nul", "_nul"),
        ("NUL.txt", "_NUL.txt"),
        ("COM1", "_COM1"),
        ("LPT9 ", "_LPT9"),
        ("CONSOLE", "CONSOLE"),
        ('a<b>c:d"e/f\\g|h?i*j', "abcdefghij"),
        ("=cmd|' /C calc'!A0", "=cmd' C calc'!A0"),
        ("结尾点..  ", "结尾点"),
        ("...隐藏", "隐藏"),
        ("~$锁定", "锁定"),
        ("控制\x07字符\n换行", "控制字符 换行"),
        ("零\u200b宽", "零宽"),
        ("", "未命名"),
        ("???", "未命名"),
    ],
)
def test_safe_filename(stem: str, safe: str) -> None:
    assert safe_filename(stem) == safe


def test_safe_filename_long_names_fit_every_file_system(tmp_path) -> None:
    name = safe_filename("很长的名字" * 60)
    assert len(name) == 80
    (tmp_path / f"{name}.xlsx").write_bytes(b"")  # 240 bytes + suffix: under the 255-byte limit


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "磁盘空间已满"),
        (errno.ENAMETOOLONG, "太长"),
        (errno.EACCES, "没有权限"),
        (errno.EROFS, "只读"),
        (errno.ENOENT, "找不到"),
    ],
)
def test_os_message_is_chinese(code: int, words: str) -> None:
    message = os_message(OSError(code, "English text"))
    assert words in message and "English" not in message


def test_os_message_unknown_keeps_the_system_text() -> None:
    assert "Weird" in os_message(OSError(errno.ECHILD, "Weird"))
