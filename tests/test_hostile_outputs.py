"""Last run's outputs, through the installed command under a time and memory cap: an unedited
document is recognised by its content hash whatever its modification time; the 汇总表, zip and
print bundle are replaced knowingly (said in the closing lines), an edited 汇总表 is kept."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
from conftest import SHEETS
from process import MEMORY_LIMIT, run_gwmerge

CAP = 120


def _batch(tmp_path: Path) -> list[Path]:
    return [Path(shutil.copy(SHEETS / name, tmp_path / name)) for name in ("示例-党员.xlsx", "示例-副镇长.xlsx")]


def _notices(output: str) -> list[str]:
    return [line.removeprefix("提醒：") for line in output.splitlines() if line.startswith("提醒：")]


def test_an_unedited_output_is_updated_whatever_its_time(tmp_path: Path) -> None:
    books = _batch(tmp_path)
    out = tmp_path / "out"
    assert run_gwmerge("merge", *books, "-o", out, memory=MEMORY_LIMIT, timeout=CAP).code == 0
    doc = out / "示例-党员.docx"
    # Copied back from a USB stick or touched by a sync tool: a new time, the same content.
    copy = tmp_path / "copy.docx"
    shutil.copy(doc, copy)
    doc.unlink()
    shutil.copy(copy, doc)
    os.utime(doc, (1_000_000_000, 1_000_000_000))
    wb = openpyxl.load_workbook(books[0])
    wb["基本信息"]["B4"] = "新的标题"
    wb.save(books[0])
    again = run_gwmerge("merge", *books, "-o", out, memory=MEMORY_LIMIT, timeout=CAP)
    assert again.code == 0, again.output
    from test_import import texts

    assert texts(doc)[0] == "新的标题"  # updated, not kept as "edited"


def test_an_edited_report_is_kept_and_the_zip_replaced_knowingly(tmp_path: Path) -> None:
    books = _batch(tmp_path)
    out = tmp_path / "out"
    first = run_gwmerge("merge", *books, "-o", out, "--zip", memory=MEMORY_LIMIT, timeout=CAP)
    assert first.code == 0 and _notices(first.output) == [], first.output
    report = out / "汇总表.xlsx"
    os.utime(report, (1_000_000_000, 1_000_000_000))  # its time alone is no edit
    second = run_gwmerge("merge", *books, "-o", out, "--zip", memory=MEMORY_LIMIT, timeout=CAP)
    assert _notices(second.output) == ["已用本次的结果替换上次的 汇总表.xlsx。",
                                       "已用本次的结果替换上次的 合并结果.zip。"]
    assert not (out / "汇总表-上次.xlsx").exists()
    # The office adds a remark in Excel and saves: the next run keeps it, says so, and writes anew.
    wb = openpyxl.load_workbook(report)
    wb["汇总"]["D2"] = "已电话催交"
    wb.save(report)
    third = run_gwmerge("merge", *books, "-o", out, "--zip", memory=MEMORY_LIMIT, timeout=CAP)
    assert third.code == 0, third.output
    assert _notices(third.output)[0] == ("汇总表.xlsx 在上次生成后被修改过，已改名保留为 汇总表-上次.xlsx；"
                                         "本次生成了新的 汇总表.xlsx。")
    kept = openpyxl.load_workbook(out / "汇总表-上次.xlsx")
    assert kept["汇总"]["D2"].value == "已电话催交"
    fresh = openpyxl.load_workbook(report)
    assert fresh["汇总"]["D2"].value != "已电话催交"
    assert "汇总表-上次.xlsx" in fresh["说明"]["A2"].value  # the report says it too
    # Merging the folder itself does not take the kept report for a workbook.
    shutil.copy(books[0], out / books[0].name)
    folder = run_gwmerge("merge", out, "-o", tmp_path / "again", memory=MEMORY_LIMIT, timeout=CAP)
    assert folder.code == 0, folder.output
    assert not (tmp_path / "again" / "汇总表-上次.docx").exists()
