"""The command line in this process (cliinvoke); see test_cli_process.py for the command run as a
child process, where exit codes, stdout/stderr and tracebacks are what the user sees."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
from cliinvoke import invoke

from gwmerge.docx.effective import EffectiveDoc


def _run(*args: str):
    return invoke(list(args))


def _crashed(result) -> bool:
    """An exception that escaped a command (main() would have said it in one sentence)."""
    return result.exception is not None and not isinstance(result.exception, SystemExit)


def test_no_arguments_shows_help() -> None:
    result = _run()
    assert "merge" in result.output and "合并工作簿" in result.output


def test_failed_workbook_leaves_no_file(sheets: Path, tmp_path: Path) -> None:
    book = sheets / "示例-副镇长.xlsx"
    wb = openpyxl.load_workbook(book)
    wb["存在的主要问题"]["A9"] = "乱填"
    wb.save(book)
    out = tmp_path / "out"
    result = _run("merge", str(book), "-o", str(out))
    assert result.exit_code == 1
    assert "示例-副镇长.xlsx › 存在的主要问题 › A9：层级“乱填”无法识别" in result.output
    assert not out.exists() or list(out.iterdir()) == []


def test_check_reports_every_problem_and_exit_codes(sheets: Path) -> None:
    # The examples are clean; a 提醒 alone already makes the exit code 1, as for any finding.
    clean = _run("check", str(sheets))
    assert clean.exit_code == 0, clean.output
    assert "✓ 示例-副镇长.xlsx：没有发现问题" in clean.output and "✓ 示例-党员.xlsx：没有发现问题" in clean.output
    member = sheets / "示例-党员.xlsx"
    wb = openpyxl.load_workbook(member)
    wb["存在的问题"].delete_rows(9)  # the 二是 under （二）: a lone 一是 is left
    wb.save(member)
    lone = _run("check", str(member))
    assert lone.exit_code == 1
    assert "提醒 示例-党员.xlsx › 存在的问题 › A8：这一条下只有一个“一是”" in lone.output
    assert "共 0 处错误、1 处提醒" in lone.output
    book = sheets / "示例-副镇长.xlsx"
    wb = openpyxl.load_workbook(book)
    wb["存在的主要问题"]["A9"] = "乱填"
    wb["下步的改进措施"]["C5"] = "强化dangshi学习"
    wb.save(book)
    result = _run("check", str(book))
    assert result.exit_code == 1
    assert "示例-副镇长.xlsx › 存在的主要问题 › A9" in result.output
    assert "示例-副镇长.xlsx › 下步的改进措施 › C5：有拼音缩写“dangshi”，应改为汉字（如“党史”" in result.output
    assert "共 1 处错误、2 处提醒" in result.output


def test_hand_edited_output_is_not_overwritten_without_force(sheets: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    book = sheets / "示例-党员.xlsx"
    assert _run("merge", str(book), "-o", str(out)).exit_code == 0
    assert _run("merge", str(book), "-o", str(out)).exit_code == 0  # our own output: regenerated
    target = out / "示例-党员.docx"
    _mark_edited(target)
    result = _run("merge", str(book), "-o", str(out))
    assert result.exit_code == 1 and "修改过" in result.output and "--force" in result.output
    assert _last_modified_by(target) == "李四的电脑"
    assert _run("merge", str(book), "-o", str(out), "--force").exit_code == 0
    assert _last_modified_by(target) == "gwmerge"


def _last_modified_by(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        core = z.read("docProps/core.xml").decode()
    return core.split("<cp:lastModifiedBy>")[1].split("</cp:lastModifiedBy>")[0]


def _mark_edited(path: Path) -> None:
    """What Word does on save: its user becomes lastModifiedBy."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "docProps/core.xml":
                data = data.replace(b">gwmerge<", ">李四的电脑<".encode())
            dst.writestr(item, data)
    shutil.move(tmp, path)


def test_kinds_lists_both(tmp_path: Path) -> None:
    result = _run("kinds")
    assert result.exit_code == 0
    assert "民主生活会" in result.output and "组织生活会" in result.output


def test_new_workbook_once_filled_merges(tmp_path: Path) -> None:
    book = tmp_path / "张三.xlsx"
    result = _run("new", "-o", str(book), "--name", "张三", "--position", "副镇长", "--theme", "2021")
    assert result.exit_code == 0 and book.exists()
    wb = openpyxl.load_workbook(book)
    info, first = wb["基本信息"], wb["存在的主要问题"]
    # self-explaining: header, instruction line, example row, drop-downs, wrapping, frozen panes
    assert [c.value for c in first[1]] == ["层级", "标题或引导句", "正文", "排法", "备注（不输出）"]
    assert first["A2"].value.startswith("填写说明：")
    assert first["A3"].value == "示例"
    assert first.freeze_panes == "A3"
    assert any("A4" in str(dv.sqref) and "（一）" in dv.formula1 for dv in first.data_validations.dataValidation)
    assert first.column_dimensions["C"].alignment.wrap_text  # rows filled later wrap too
    assert first.column_dimensions["C"].width >= 60
    assert first["B4"].value == "在带头深刻感悟“两个确立”的决定性意义方面"  # the kind's aspects pre-filled
    # fill it as a user would
    info["B9"] = "根据安排，现对照检查如下："
    for row, text in zip(range(4, 9), ("甲", "乙", "丙", "丁", "戊"), strict=True):
        first[f"C{row}"] = f"{text}方面的内容。"
    first["A9"], first["B9"], first["C9"] = "一是", "学习不够", "具体表现。"
    wb["产生问题的主要原因"]["A4"], wb["产生问题的主要原因"]["C4"] = "段落", "原因。"
    wb["下步的改进措施"]["A4"], wb["下步的改进措施"]["C4"] = "段落", "措施。"
    wb.save(book)
    result = _run("merge", str(book), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    texts = [p.text for p in EffectiveDoc(tmp_path / "out" / "张三.docx").paragraphs() if p.text]
    assert texts[0] == "副镇长2021年度民主生活会对照检查材料"
    assert texts[7] == "（五）在带头深刻汲取党史中正反两方面经验方面。戊方面的内容。一是学习不够。具体表现。"
    assert texts[-1] == "措施。"


def test_new_with_roster_makes_one_per_person(tmp_path: Path) -> None:
    roster = tmp_path / "名单.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "职务"])
    wb.active.append(["张三", "镇长"])
    wb.active.append(["李四", "副书记"])
    wb.save(roster)
    result = _run("new", "-o", str(tmp_path / "班子"), "--roster", str(roster))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "班子").iterdir()) == ["副书记-李四.xlsx", "镇长-张三.xlsx"]
    info = openpyxl.load_workbook(tmp_path / "班子" / "镇长-张三.xlsx")["基本信息"]
    assert (info["B6"].value, info["B7"].value) == ("张三", "镇长")
    # a second run must not wipe workbooks people may have filled in meanwhile
    result = _run("new", "-o", str(tmp_path / "班子"), "--roster", str(roster))
    assert result.exit_code == 1 and "已存在" in result.output and "--force" in result.output
    assert _run("new", "-o", str(tmp_path / "班子"), "--roster", str(roster), "--force").exit_code == 0


def test_verify_examples_and_a_wrong_document(sheets: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run("merge", str(sheets), "-o", str(out)).exit_code == 0
    result = _run("verify", str(out))
    assert result.exit_code == 0, result.output
    assert "✓ 示例-副镇长.docx：符合公文格式" in result.output
    wrong = tmp_path / "手工.docx"
    with zipfile.ZipFile(out / "示例-副镇长.docx") as src, zipfile.ZipFile(wrong, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b'w:line="579"', b'w:line="600"')
            if item.filename == "word/styles.xml":
                data = data.replace(b'w:line="579"', b'w:line="600"')
            dst.writestr(item, data)
    result = _run("verify", str(wrong))
    assert result.exit_code == 1
    assert "手工.docx" in result.output and "行距" in result.output and not _crashed(result)
    broken = tmp_path / "坏.docx"
    broken.write_bytes(b"not a zip")
    result = _run("verify", str(broken))
    assert result.exit_code == 1 and "坏.docx：无法读取" in result.output


def _template(path: Path, *lines: str) -> Path:
    from docx import Document

    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    doc.save(path)
    return path


def test_own_template_with_t(sheets: Path, tmp_path: Path) -> None:
    tpl = _template(tmp_path / "我的模板.docx", "{{ title_text }}", "{%p for p in paragraphs %}", "{{r p.rich }}",
                    "{%p endfor %}", "{{ name }} {{ date }}")
    result = _run("merge", str(sheets / "示例-党员.xlsx"), "-o", str(tmp_path / "out"), "-t", str(tpl))
    assert result.exit_code == 0, result.output
    texts = [p.text for p in EffectiveDoc(tmp_path / "out" / "示例-党员.docx").paragraphs() if p.text]
    assert texts[0] == "组织生活会个人检视剖析材料"
    assert texts[2] == "一、存在的问题"
    assert texts[-1] == "李四 2025年1月20日"


def test_broken_or_hostile_template_is_one_sentence(sheets: Path, tmp_path: Path) -> None:
    broken = _template(tmp_path / "坏模板.docx", "{% for p in paragraphs %}")
    result = _run("merge", str(sheets / "示例-党员.xlsx"), "-o", str(tmp_path / "out"), "-t", str(broken))
    assert result.exit_code == 1 and "坏模板.docx：模板有误" in result.output
    hostile = _template(tmp_path / "越权.docx", "{{ title_text.__class__.__mro__[1].__subclasses__() }}",
                        "{%p for p in paragraphs %}", "{{r p.rich }}", "{%p endfor %}")
    result = _run("merge", str(sheets / "示例-党员.xlsx"), "-o", str(tmp_path / "out"), "-t", str(hostile))
    assert result.exit_code == 1 and "越权.docx：模板试图执行不允许的操作" in result.output
    assert not _crashed(result) and not (tmp_path / "out" / "示例-党员.docx").exists()


def test_output_folder_that_is_a_file(sheets: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("x", encoding="utf-8")
    result = _run("merge", str(sheets), "-o", str(blocker))
    assert result.exit_code == 1 and "无法创建输出文件夹" in result.output and not _crashed(result)
