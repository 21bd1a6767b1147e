"""The web page in a real browser (headless system Chromium via Playwright), as an office clerk uses it.

The screenshots in docs/ come from these tests (1366×768, the common office screen):
``GWMERGE_SCREENSHOTS=docs python -m pytest tests/test_web_browser.py`` writes them there.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, SEED, SHEETS, seed_paragraphs
from docx import Document
from webserver import CHROMIUM_ARGS, chromium, running, settings

from gwmerge import api

if os.environ.get("GWMERGE_REQUIRE_BROWSER"):  # in CI a missing Playwright fails instead of skipping
    import playwright.sync_api as pw
else:
    pw = pytest.importorskip("playwright.sync_api")
pw.expect.set_options(timeout=120_000)  # generating PDFs through LibreOffice takes a while
EXAMPLE = SHEETS / "示例-副镇长.xlsx"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium()
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, tmp_path: Path) -> Iterator[object]:
    with running(settings(tmp_path)) as url:
        context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True,
                                      locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(url)
        yield page
        context.close()


def _shot(page, step: str) -> None:
    """A screenshot of the step; kept in $GWMERGE_SCREENSHOTS (relative to the repository) when set."""
    folder = os.environ.get("GWMERGE_SCREENSHOTS")
    path = ROOT / folder / f"web-{step}.png" if folder else None
    png = page.screenshot(path=str(path) if path else None)
    assert png.startswith(b"\x89PNG")


def test_example_workbook_checked_generated_downloaded(page, tmp_path: Path) -> None:
    # 准备: a blank workbook of the chosen kind comes back as an .xlsx.
    page.fill("#new-form input[name=name]", "张三")
    page.fill("#new-form input[name=position]", "副镇长")
    # Only the chosen kind's themes are offered; the chosen one pre-fills its aspects.
    kind = api.list_kinds()[0]
    theme = kind.themes[0]
    page.select_option("#new-form select[name=kind]", kind.id)
    page.select_option("#new-form select[name=theme]", label=theme.label)
    offered = page.locator("#new-form select[name=theme] option:not([hidden])").all_inner_texts()
    assert offered[1:] == [t.label for t in kind.themes]
    with page.expect_download() as blank:
        page.click("#new-form button[type=submit]")
    assert blank.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / "blank.xlsx"
    blank.value.save_as(saved)
    book = openpyxl.load_workbook(saved)
    assert "基本信息" in book.sheetnames
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value}
    for aspects in theme.aspects.values():
        assert set(aspects) <= cells
    # …and with a roster, one workbook per person in a zip.
    roster = tmp_path / "名单.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "职务"])
    wb.active.append(["李四", "镇长"])
    wb.active.append(["王五", "副书记"])
    wb.save(roster)
    with page.expect_download() as per_person:
        page.set_input_files("#roster-form input[type=file]", str(roster))
    with zipfile.ZipFile(per_person.value.path()) as zf:
        names = zf.namelist()
    assert len(names) == 2 and all(n.endswith(".xlsx") for n in names)
    assert any("李四" in n for n in names) and any("王五" in n for n in names)
    pw.expect(page.locator("#roster-form .note")).to_contain_text("每人一个工作簿")
    # A roster exported from a personnel system as CSV (GB18030, as Chinese Windows saves it).
    csv_roster = tmp_path / "名单.csv"
    csv_roster.write_bytes("姓名,职务\r\n赵六,委员\r\n".encode("gb18030"))
    with page.expect_download() as from_csv:
        page.set_input_files("#roster-form input[type=file]", str(csv_roster))
    with zipfile.ZipFile(from_csv.value.path()) as zf:
        assert zf.namelist() == ["委员-赵六.xlsx"]
    _shot(page, "准备")

    # 检查: what the page says is what `gwmerge check` says.
    page.click("nav.steps button[data-step=check]")
    page.set_input_files("#check-form input[type=file]", str(EXAMPLE))
    expected = api.check([EXAMPLE])[0]
    item = page.locator("#check-files > li").first
    if expected.findings:
        for finding in expected.findings:
            assert page.get_by_text(finding.message).first.is_visible()
    else:
        pw.expect(item).to_contain_text("示例-副镇长.xlsx：没有发现问题")

    # 生成: the result table, then the zip with the document.
    page.click("#check-next button")
    page.check("input[name=pdf]")
    page.check("input[name=bundle]")
    page.click("#merge-form button[type=submit]")
    pw.expect(page.locator("#merge-progress")).to_be_visible()  # LibreOffice takes seconds: the bar shows
    pw.expect(page.locator("#merge-summary")).to_have_text("完成：成功 1 个，失败 0 个。")
    pw.expect(page.locator("#merge-progress")).to_be_hidden()
    pw.expect(page.locator("#merge-rows tr.ok")).to_contain_text("示例-副镇长.docx")
    pw.expect(page.locator("#merge-bundle")).to_be_visible()
    pw.expect(page.locator("#merge-report")).to_be_visible()
    with page.expect_download() as everything:
        page.click("#merge-zip")
    data = Path(everything.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        docx = [n for n in zf.namelist() if n.endswith(".docx")]
        assert docx == ["示例-副镇长.docx"]
        assert "汇总表.xlsx" in zf.namelist()
        assert any(n.endswith(".pdf") for n in zf.namelist())
        doc = Document(io.BytesIO(zf.read(docx[0])))
    paragraphs = [p.text for p in doc.paragraphs if p.text.strip()]
    for expected_text in seed_paragraphs():
        assert expected_text in paragraphs
    assert len(seed_paragraphs()) == 17
    if page.locator("#previews img").count():
        page.locator("#previews img").first.evaluate("img => img.decode()")
    _shot(page, "生成")


def test_broken_and_good_workbook(page, tmp_path: Path) -> None:
    broken = tmp_path / "坏的.xlsx"
    wb = openpyxl.load_workbook(EXAMPLE)
    wb["存在的主要问题"]["A9"] = "乱填"
    wb["下步的改进措施"]["C5"] = "强化dangshi学习"
    wb.save(broken)
    page.click("nav.steps button[data-step=check]")
    page.set_input_files("#check-form input[type=file]", [str(broken), str(EXAMPLE)])
    errors = page.locator(".finding.error")
    pw.expect(errors).to_have_count(1)
    pw.expect(errors).to_contain_text("错误坏的.xlsx › 存在的主要问题 › A9：层级“乱填”无法识别")
    # Each finding reads as the line `gwmerge check` prints for it, warnings (提醒) styled apart.
    # (checked together, the copy is also reported as 雷同 with the example it was made from)
    printed = [f"{f.severity.value}{f}" for f in api.check([broken, EXAMPLE])[0].findings]
    shown = page.locator("#check-files .finding").all_inner_texts()
    assert [s.replace(" ", "") for s in shown] == [p.replace(" ", "") for p in printed]
    warnings = [p for p in printed if p.startswith("提醒")]
    pw.expect(page.locator(".finding.warning")).to_have_count(len(warnings))
    assert warnings, "the broken workbook should also show a 提醒"
    pw.expect(page.locator("#check-files > li").nth(1)).to_contain_text("示例-副镇长.xlsx：没有发现问题")
    _shot(page, "检查")
    page.click("#check-next button")
    page.click("#merge-form button[type=submit]")
    pw.expect(page.locator("#merge-summary")).to_have_text("完成：成功 1 个，失败 1 个。")
    pw.expect(page.locator("#merge-rows tr.failed")).to_contain_text("坏的.xlsx › 存在的主要问题 › A9")
    links = page.locator("#merge-rows a[href]")
    pw.expect(links).to_have_count(1)
    pw.expect(links).to_have_text("示例-副镇长.docx")


def test_one_click_format_of_a_draft(page, tmp_path: Path) -> None:
    """一键排版: a plain-text draft and a Word draft come back as official-format documents, same text."""
    raw = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    text_draft = tmp_path / "草稿.txt"
    text_draft.write_text("\n".join(raw), encoding="gb18030")  # as saved by Notepad on Chinese Windows
    word_draft = tmp_path / "初稿.docx"
    draft = Document()
    for line in raw:
        draft.add_paragraph(line)
    draft.save(word_draft)
    page.click("nav.steps button[data-step=format]")
    page.set_input_files("#format-form input[type=file]", [str(text_draft), str(word_draft)])
    pw.expect(page.locator("#format-summary")).to_have_text("完成：成功 2 个，失败 0 个。")
    for name in ("草稿.docx", "初稿.docx"):
        with page.expect_download() as done:
            page.locator("#format-rows a", has_text=name).click()
        assert done.value.suggested_filename == name
        paragraphs = [p.text for p in Document(done.value.path()).paragraphs if p.text.strip()]
        assert paragraphs == raw
    _shot(page, "一键排版")



def test_user_text_is_shown_as_text(page, tmp_path: Path) -> None:
    """Markup typed into a workbook is shown literally, never run as part of the page."""
    hostile = '<img src=x onerror="window.pwned=1">'
    book = tmp_path / "标记.xlsx"
    wb = openpyxl.load_workbook(EXAMPLE)
    wb["存在的主要问题"]["A9"] = hostile
    wb.save(book)
    page.click("nav.steps button[data-step=check]")
    page.set_input_files("#check-form input[type=file]", str(book))
    pw.expect(page.locator(".finding.error")).to_contain_text(hostile)
    assert page.locator("#check-files img").count() == 0
    assert page.evaluate("window.pwned") is None


def test_eleven_identical_workbooks_are_reported_as_copied(page, tmp_path: Path) -> None:
    """A township pasting one 范文: however many copies are uploaded, 检查 shows 雷同 (issue 16)."""
    import shutil

    copies = [Path(shutil.copy(EXAMPLE, tmp_path / f"人员{i:02d}.xlsx")) for i in range(1, 12)]
    expected = [f for o in api.check(copies) for f in o.findings if f.rule == "雷同"]
    assert len(expected) == 11 and expected[0].message.startswith("以下 11 份材料有")
    page.click("nav.steps button[data-step=check]")
    page.set_input_files("#check-form input[type=file]", [str(p) for p in copies])
    group = page.get_by_text(expected[0].message).first
    pw.expect(group).to_be_visible()
    for finding in expected[1:]:  # every copy carries a 提醒 pointing to the group, none shows as clean
        pw.expect(page.get_by_text(finding.message).first).to_be_attached()
    assert page.get_by_text("没有发现问题").count() == 0
