"""A township's batch: 汇总表, names, zip, bundle, determinism, permissions, hand edits, leftovers."""

from __future__ import annotations

import errno
import os
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import SHEETS, make_workbook, need_soffice
from process import run_gwmerge

from gwmerge import api, pipeline
from gwmerge.docx import render
from gwmerge.write.xlsx import SectionRows

pytestmark = pytest.mark.timeout(300)

GOOD_ROWS = [SectionRows("存在的主要问题", [("（一）", "在理论学习方面", "学习不够深入系统，满足于读原文、记笔记，"
                                                                   "联系实际思考不够，学用结合还有差距。" * 2)]),
             SectionRows("下步的改进措施", [("（一）", "加强学习", "坚持每周集中学习一次，认真撰写心得体会。" * 2)])]
EMPTY_ROWS = [SectionRows("存在的主要问题", [("（一）", "在理论学习方面", "")]),
              SectionRows("下步的改进措施", [("（一）", "加强学习", "")])]


def _report_rows(path: Path) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)["汇总"]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_report_lists_every_input_of_a_mixed_batch(tmp_path: Path) -> None:
    folder = tmp_path / "收集"
    folder.mkdir()
    make_workbook(folder / "张三.xlsx", GOOD_ROWS, 姓名="张三", 职务="副镇长")
    make_workbook(folder / "李四.xlsx", EMPTY_ROWS, 姓名="=HYPERLINK(\"http://x\")", 职务="@SUM(1)")
    (folder / "坏的.xlsx").write_bytes(b"PK\x03\x04 broken")
    (folder / "旧格式.xls").write_bytes(b"\xd0\xcf\x11\xe0 old excel")
    (folder / "~$张三.xlsx").write_bytes(b"lock")
    (folder / "子文件夹").mkdir()
    out = tmp_path / "输出"
    result = api.merge([folder], out, jobs=2)

    status = {o.source.name: o.status for o in result}
    assert status == {"坏的.xlsx": "失败", "张三.xlsx": "已生成", "李四.xlsx": "内容过少"}
    assert (result.written, result.nearly_empty, result.failed, len(result.skipped)) == (1, 1, 1, 3)
    assert result.exit_code == 1
    assert result.report == out / "汇总表.xlsx"

    rows = {row["文件"]: row for row in _report_rows(result.report)}
    assert set(rows) == {"张三.xlsx", "李四.xlsx", "坏的.xlsx", "旧格式.xls", "~$张三.xlsx", "子文件夹"}
    good = rows["张三.xlsx"]
    assert (good["状态"], good["姓名"], good["职务"], good["输出文件"]) == ("已生成", "张三", "副镇长", "张三.docx")
    assert isinstance(good["页数"], int) and good["页数"] >= 1 and good["页数来源"] == "估算"
    assert isinstance(good["字数"], int) and good["字数"] > 100
    assert rows["李四.xlsx"]["状态"] == "内容过少" and "几乎没有内容" in str(rows["李四.xlsx"]["说明"])
    assert rows["坏的.xlsx"]["状态"] == "失败" and "不是有效的 .xlsx 工作簿" in str(rows["坏的.xlsx"]["说明"])
    assert rows["坏的.xlsx"]["输出文件"] is None
    assert rows["旧格式.xls"]["状态"] == "跳过" and "另存为 .xlsx" in str(rows["旧格式.xls"]["说明"])
    assert rows["~$张三.xlsx"]["状态"] == "跳过" and "锁定文件" in str(rows["~$张三.xlsx"]["说明"])
    assert rows["子文件夹"]["状态"] == "跳过" and "子文件夹" in str(rows["子文件夹"]["说明"])

    # User text is text: a name that looks like a formula stays a text cell.
    ws = openpyxl.load_workbook(result.report)["汇总"]
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if cell.value is not None:
                assert cell.data_type in ("s", "n"), (cell.coordinate, cell.value)
    names = [c.value for c in ws["E"]]
    assert "=HYPERLINK(\"http://x\")" in names


def test_report_through_the_command_line(tmp_path: Path) -> None:
    folder = tmp_path / "收集"
    folder.mkdir()
    make_workbook(folder / "张三.xlsx", GOOD_ROWS, 姓名="张三", 职务="副镇长")
    make_workbook(folder / "李四.xlsx", EMPTY_ROWS, 姓名="李四", 职务="党员")
    (folder / "旧格式.xls").write_bytes(b"old")
    result = run_gwmerge("merge", folder, "-o", tmp_path / "输出")
    assert result.code == 1, result.output
    assert "完成：成功 1 个，内容过少 1 个，失败 0 个，跳过 1 个。" in result.stdout
    assert "旧格式.xls：跳过" in result.stdout
    assert "汇总表：" in result.stdout
    for header in ("文件", "姓名", "职务", "页数", "状态", "提醒"):
        assert header in result.stdout


def test_rerun_is_byte_identical_and_parallel_gives_the_same_bytes(tmp_path: Path) -> None:
    books = [Path(shutil.copy(SHEETS / name, tmp_path / name)) for name in ("示例-副镇长.xlsx", "示例-党员.xlsx")]
    first = api.merge(books, tmp_path / "一", jobs=1, report=False)
    second = api.merge(books, tmp_path / "二", jobs=2, report=False)
    again = api.merge(books, tmp_path / "一", jobs=1, report=False)  # our own output: regenerated
    assert again.exit_code == 0
    for a, b in zip(first, second, strict=True):
        assert a.output is not None and b.output is not None
        assert a.output.read_bytes() == b.output.read_bytes()
    with zipfile.ZipFile(first[0].output) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "<dc:identifier>gwmerge:sha256:" in core


def test_outputs_get_ordinary_permissions(tmp_path: Path) -> None:
    book = Path(shutil.copy(SHEETS / "示例-党员.xlsx", tmp_path / "a.xlsx"))
    old = os.umask(0o022)
    try:
        [outcome] = api.merge([book], tmp_path / "out")
        assert outcome.output is not None
        assert outcome.output.stat().st_mode & 0o777 == 0o644
        os.umask(0o002)
        result = api.merge([book, SHEETS / "示例-副镇长.xlsx"], tmp_path / "shared", zip=True)
        for path in (result[0].output, result.report, result.zip):
            assert path is not None and path.stat().st_mode & 0o777 == 0o664, path
    finally:
        os.umask(old)


def test_name_pattern_collisions_and_unknown_fields(tmp_path: Path) -> None:
    for i in (1, 2):
        make_workbook(tmp_path / f"收{i}.xlsx", GOOD_ROWS, 单位="某某镇", 姓名="王伟", 职务="副镇长")
    make_workbook(tmp_path / "收3.xlsx", GOOD_ROWS, 单位="", 姓名="CON", 职务="", 标题="发言")
    make_workbook(tmp_path / "收4.xlsx", GOOD_ROWS, 单位="某/镇", 姓名="李 四", 职务="", 标题="发言")
    books = sorted(tmp_path.glob("*.xlsx"))
    result = api.merge(books, tmp_path / "out", name_pattern="{单位}-{姓名}-{职务}", jobs=2)
    assert [o.output.name for o in result if o.output] == ["某某镇-王伟-副镇长.docx", "某某镇-王伟-副镇长-2.docx",
                                                           "_CON.docx", "某镇-李 四.docx"]
    assert any("收2.xlsx" in n and "某某镇-王伟-副镇长-2.docx" in n for n in result.notices)
    again = api.merge(books, tmp_path / "out", name_pattern="{单位}-{姓名}-{职务}", jobs=1)
    assert [o.output.name for o in again if o.output] == [o.output.name for o in result if o.output]
    with pytest.raises(api.GwError, match="姓命"):
        api.merge(books, tmp_path / "out", name_pattern="{姓命}")


def test_workbook_names_windows_cannot_hold_give_safe_document_names(tmp_path: Path) -> None:
    """A workbook named on Linux (统信/麒麟) with characters Windows forbids, a device name, or a
    right-to-left override gave a document of exactly that name ("a:b?.docx", "CON.docx", a name
    shown as "甲xcod.exe"), which breaks when the folder is copied to Windows and spoofs a suffix."""
    src = tmp_path / "收"
    src.mkdir()
    for name in ("a:b?.xlsx", "CON.xlsx", "甲\u202eexe.xlsx", "ab.xlsx"):
        shutil.copy(SHEETS / "示例-党员.xlsx", src / name)
    result = api.merge([src], tmp_path / "out")
    names = {o.source.name: o.output.name for o in result.outcomes}
    assert names == {"a:b?.xlsx": "ab.docx", "CON.xlsx": "_CON.docx", "甲\u202eexe.xlsx": "甲exe.docx",
                     "ab.xlsx": "ab-2.docx"}, names
    assert any("已命名为 ab-2.docx" in n for n in result.notices), result.notices


def test_documents_alike_on_paper_are_named(tmp_path: Path) -> None:
    for name in ("甲", "乙"):
        make_workbook(tmp_path / f"{name}.xlsx", GOOD_ROWS, 姓名=name, 职务="副镇长", 落款="否")
    result = api.merge(sorted(tmp_path.glob("*.xlsx")), tmp_path / "out")
    assert any("打印后无法区分" in n and "甲.docx" in n and "乙.docx" in n for n in result.notices)
    signed = tmp_path / "签"
    for name in ("甲", "乙"):
        make_workbook(signed / f"{name}.xlsx", GOOD_ROWS, 姓名=name, 职务="副镇长", 落款="是")
    assert not any("无法区分" in n for n in api.merge([signed], tmp_path / "out2").notices)


def test_zip_names_read_back_as_windows_does(tmp_path: Path) -> None:
    result = api.merge([SHEETS], tmp_path / "输出", zip=True)
    assert result.zip is not None
    expected = {"示例-党员.docx", "示例-副镇长.docx", "汇总表.xlsx"}
    raw = result.zip.read_bytes()
    # Every central-directory entry carries the UTF-8 flag (bit 11), which Windows Explorer honours.
    offset, flags = 0, []
    while (offset := raw.find(b"PK\x01\x02", offset)) >= 0:
        flags.append(struct.unpack_from("<H", raw, offset + 8)[0])
        offset += 4
    assert len(flags) == 3 and all(f & 0x800 for f in flags)
    # A reader with a Chinese code page (cp936) uses it only for names without the flag.
    with zipfile.ZipFile(result.zip, metadata_encoding="cp936") as z:
        assert set(z.namelist()) == expected
        assert z.testzip() is None


def test_hand_edited_symlinked_or_foreign_outputs_are_kept(tmp_path: Path) -> None:
    book = Path(shutil.copy(SHEETS / "示例-党员.xlsx", tmp_path / "a.xlsx"))
    out = tmp_path / "out"
    [first] = api.merge([book], out)
    dest = first.output
    assert dest is not None and render.is_own_output(dest)
    # An editor rewrites the text part: the recorded hash no longer matches, whatever the properties say.
    with zipfile.ZipFile(dest) as src:
        parts = {i.filename: src.read(i) for i in src.infolist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace("李四".encode(), "李四（改）".encode(), 1)
    with zipfile.ZipFile(dest, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    edited = dest.read_bytes()
    [again] = api.merge([book], out)
    assert not again.ok and "修改过" in str(again.error) and dest.read_bytes() == edited
    # A symbolic link at the output's place is not ours either.
    target = tmp_path / "别处.docx"
    target.write_bytes(b"someone else's file")
    dest.unlink()
    dest.symlink_to(target)
    [linked] = api.merge([book], out)
    assert not linked.ok and target.read_bytes() == b"someone else's file"
    [forced] = api.merge([book], out, force=True)
    assert forced.ok and not dest.is_symlink() and target.read_bytes() == b"someone else's file"


def test_output_saved_by_libreoffice_is_not_overwritten(tmp_path: Path) -> None:
    need_soffice()
    from gwmerge.batch.pdf import find_soffice

    book = Path(shutil.copy(SHEETS / "示例-党员.xlsx", tmp_path / "a.xlsx"))
    [first] = api.merge([book], tmp_path / "out")
    assert first.output is not None
    saved = tmp_path / "saved"
    subprocess.run([str(find_soffice()), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(saved), str(first.output)],
                   check=True, capture_output=True, timeout=180)
    shutil.copy(saved / "a.docx", first.output)
    edited = first.output.read_bytes()
    [again] = api.merge([book], tmp_path / "out")
    assert not again.ok and "--force" in str(again.error)
    assert first.output.read_bytes() == edited


def test_stale_temporary_files_of_ours_are_removed_others_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    dead = 4_000_000  # above any pid_max: no such process
    ours = out / f".~gwmerge-{dead}-0123abcd.docx"
    ours.write_bytes(b"PK\x03\x04 half a document")
    empty = out / f".~gwmerge-{dead}-89abcdef.pdf"
    empty.write_bytes(b"")
    foreign = out / f".~gwmerge-{dead}-deadbeef.docx"
    foreign.write_bytes(b"not a document of ours")
    users = out / ".~我的笔记.docx"
    users.write_bytes(b"PK\x03\x04")
    api.merge([SHEETS / "示例-党员.xlsx"], out)
    assert not ours.exists() and not empty.exists()
    assert foreign.exists() and users.exists()


def test_one_system_error_for_many_files_is_said_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(folder: Path, data: bytes, suffix: str) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pipeline, "write_temp", full)  # forked workers inherit the full disk
    result = api.merge([SHEETS], tmp_path / "out", jobs=1, report=False)
    assert result.failed == 2
    [notice] = result.notices
    assert notice.startswith("2 个文件因同一原因未能写入") and "磁盘" in notice
    assert "No space" not in notice
    assert all("原因见下方说明" in str(o.error) for o in result)


def test_jobs_zero_is_one_chinese_sentence(tmp_path: Path) -> None:
    result = run_gwmerge("merge", SHEETS, "-o", tmp_path / "out", "-j", "0")
    assert result.code == 2  # a usage error, said before anything is read
    assert "选项 -j, --jobs 的值不对：应为 1 或更大的整数，不能是 0" in result.stderr
    assert "Invalid value" not in result.output and "Traceback" not in result.output
    with pytest.raises(api.GwError, match="-j"):
        api.merge([SHEETS], tmp_path / "out", jobs=0)


def test_bundle_starts_every_document_on_an_odd_page(tmp_path: Path) -> None:
    need_soffice()
    from pypdf import PdfReader

    folder = tmp_path / "收集"
    folder.mkdir()
    shutil.copy(SHEETS / "示例-副镇长.xlsx", folder / "1-副镇长.xlsx")
    shutil.copy(SHEETS / "示例-党员.xlsx", folder / "2-党员.xlsx")
    make_workbook(folder / "3-张三.xlsx", GOOD_ROWS, 姓名="张三", 职务="委员", 标题="张三的发言材料")
    roster = tmp_path / "名单.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "职务"])
    for row in (["张三", "委员"], ["李四", "党员"], ["王某某", "副镇长"], ["赵六", "党员"]):
        wb.active.append(row)
    wb.save(roster)
    result = api.merge([folder], tmp_path / "输出", pdf=True, bundle=True, order=roster, jobs=2)
    assert result.exit_code == 0, (result.notices, result.pdf_log)
    assert result.bundle is not None
    order = [o for o in result if o.output]
    names = [o.summary.name for o in order if o.summary]
    assert set(names) == {"张三", "李四", "王某某"}
    counts = {o.summary.name: len(PdfReader(o.pdf).pages) for o in order if o.summary and o.pdf}
    assert all(o.summary and o.summary.pages_exact for o in order)

    bundle = PdfReader(result.bundle)
    cover = bundle.pages[0].extract_text()
    assert "目" in cover and "张三" in cover and "王某某" in cover
    expected_total = 2  # one contents page and a blank back
    for name in ("张三", "李四", "王某某"):  # roster order
        page = bundle.pages[expected_total]
        assert expected_total % 2 == 0  # 0-based even = an odd page number: a front side
        text = page.extract_text()
        wanted = {"张三": "张三的发言材料", "李四": "党员", "王某某": "副镇长"}[name]
        assert wanted in text.replace("\n", ""), (name, text[:80])
        expected_total += counts[name] + counts[name] % 2
    assert len(bundle.pages) == expected_total
    rows = {row["姓名"]: row for row in _report_rows(result.report)}
    assert rows["赵六"]["状态"] == "未提交"
    assert rows["张三"]["页数来源"] == "PDF" and rows["张三"]["页数"] == counts["张三"]


def test_debug_shows_why_libreoffice_made_no_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cliinvoke import invoke

    from gwmerge.batch import pdf

    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 81\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(pdf, "find_soffice", lambda: fake)
    args = ["merge", str(SHEETS / "示例-党员.xlsx"), "-o", str(tmp_path / "out"), "--pdf"]
    plain = invoke(args)
    assert plain.exit_code == 1 and "PDF 未能生成" in plain.output
    assert "退出码" not in plain.output
    debug = invoke(["--debug", *args])
    assert debug.exit_code == 1
    assert "LibreOffice 退出码 81：Error: source file could not be loaded" in debug.output


def test_new_workbooks_and_single_documents_get_ordinary_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        written = api.new(tmp_path / "张三.xlsx", name="张三", position="副镇长")
        assert [p.stat().st_mode & 0o777 for p in written] == [0o644]
        from gwmerge.document import layout, numbering

        doc, kind, _ = api.read(SHEETS / "示例-党员.xlsx")
        dest = tmp_path / "单份.docx"
        render.render(layout.plan(numbering.number(doc), kind), kind.template, dest)
        assert dest.stat().st_mode & 0o777 == 0o644
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    finally:
        os.umask(old)
