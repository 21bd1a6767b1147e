"""The web page in a real browser (headless system Chromium via Playwright), as an office clerk uses it.

The screenshots in docs/ come from these tests (1366×768, the common office screen):
``GWMERGE_SCREENSHOTS=docs python -m pytest tests/test_web_browser.py`` writes them there.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, SEED, SHEETS, seed_paragraphs
from docx import Document
from webserver import CHROMIUM_ARGS, chromium, running, settings

from gwmerge import api
from gwmerge.web import work

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
    assert offered[1:] == [t.label + ("" if t.aspects else "（不预填条目）") for t in kind.themes]
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
    printed = [f"{f.severity.value}{f}" + ("（可一键改正）" if work.fixable(f) else "")
               + (f"〔{f.rule}〕" if f.rule else "") + ("这一批不再提醒这一条" if work.can_switch_off(f) else "")
               for f in api.check([broken, EXAMPLE])[0].findings]
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
    for name in ("草稿（排版）.docx", "初稿（排版）.docx"):
        with page.expect_download() as done:
            page.locator("#format-rows a", has_text=name).click()
        assert done.value.suggested_filename == name
        paragraphs = [p.text for p in Document(done.value.path()).paragraphs if p.text.strip()]
        assert paragraphs == raw
    _shot(page, "一键排版")
    # Once the job's files are gone, its links say so in a sentence instead of a failed download.
    page.evaluate("url => fetch(url, {method: 'DELETE'})", "/api/jobs/" + page.url.rsplit("format=", 1)[1])
    page.locator("#format-rows a").first.click()
    pw.expect(page.locator("#format-message")).to_have_text(
        "这个下载链接已失效（文件处理完一段时间后会自动删除），请重新生成后再下载。")



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


# -- the clerk's day, walked as a person meets it (issue 16) ----------------------------------------

def _open(browser, url: str, width: int = 1366, height: int = 768):
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True,
                                  locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    return page


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus, as a keyboard user does."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_shared_server_login_through_the_real_form(browser, tmp_path: Path) -> None:
    """`gwmerge serve --host 0.0.0.0`: the printed password logs in through the login form in Chromium."""
    import re
    import subprocess
    import sys
    import time

    import httpx
    from webserver import free_port

    from gwmerge.web.addresses import lan_addresses

    port = free_port()
    command = shutil.which("gwmerge")
    args = [command] if command else [sys.executable, "-m", "gwmerge"]
    proc = subprocess.Popen([*args, "serve", "--host", "0.0.0.0", "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, encoding="utf-8", cwd=tmp_path,
                            env={**os.environ, "TMPDIR": str(tmp_path)})
    try:
        said = ""
        while "访问密码" not in said:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            assert line, said
            said += line
        password = re.search(r"访问密码：(\S+)", said).group(1)  # type: ignore[union-attr]
        # The addresses colleagues type: this machine's own, with the port; never 0.0.0.0 or loopback.
        shared = next(line for line in said.splitlines() if "局域网共享" in line)
        typed = re.findall(r"http://(\d+\.\d+\.\d+\.\d+):(\d+)/", shared)
        if lan_addresses():
            assert [a for a, _ in typed] == lan_addresses() and {p for _, p in typed} == {str(port)}, said
        else:  # a machine with no network but loopback says so
            assert "没有找到本机的局域网地址" in shared, said
        assert "0.0.0.0" not in said
        url = f"http://127.0.0.1:{port}/"
        pw.expect.set_options(timeout=30_000)
        for _ in range(300):  # the server is starting
            try:
                httpx.get(url, timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None, said
                time.sleep(0.1)
        page = _open(browser, url)
        pw.expect(page).to_have_url(re.compile(r"/login$"))
        # A wrong password: a Chinese page saying so, not JSON.
        page.fill("input[name=password]", password + "x")
        page.keyboard.press("Enter")
        pw.expect(page.get_by_role("alert")).to_have_text("密码不对，请重新输入。")
        assert "拒绝" not in page.content() and "{" not in page.inner_text("body")
        unreadable = [t for t in page.evaluate(CONTRAST) if t["ratio"] < 4.5 or t["size"] < 14]
        assert not unreadable, unreadable
        # The right one, typed and sent with Enter: the page with its steps.
        page.fill("input[name=password]", password)
        page.keyboard.press("Enter")
        pw.expect(page.get_by_role("tab", name="准备")).to_have_attribute("aria-selected", "true")
        pw.expect(page).to_have_url(url)
        # The page's own posts go through (the session and the origin are accepted)…
        page.get_by_role("tab", name="检查").click()
        with page.expect_file_chooser() as chooser:
            page.locator("#check-choose").click()
        chooser.value.set_files(str(EXAMPLE))
        pw.expect(page.locator("#check-files > li")).to_contain_text("没有发现问题")
        page.context.close()
        # …while a post from another site is still refused, with a Chinese page for a form.
        other = httpx.post(url + "login", data={"password": password}, timeout=10,
                           headers={"origin": "http://evil.example", "accept": "text/html"})
        assert other.status_code == 403 and "拒绝来自其他网站的请求" in other.text
        assert other.headers["content-type"].startswith("text/html")
        assert httpx.get(url + "login", timeout=10).headers["referrer-policy"] == "same-origin"
    finally:
        pw.expect.set_options(timeout=120_000)
        proc.terminate()
        proc.wait(30)


def test_whole_flow_with_the_keyboard_only(page, tmp_path: Path) -> None:
    """Blank workbook, check, generate, download: Tab, Enter and Space only; files through the chooser."""
    # Playwright intercepts file choosers only once something listens for them, and switching that on
    # is not awaited: listen from the start, so a key press can never beat it (a click waits for it).
    page.on("filechooser", lambda chooser: None)
    _tab_to(page, "#new-form select[name=kind]")
    this_year = str(__import__("datetime").date.today().year)
    chosen = page.locator("#new-form select[name=theme]").input_value()
    assert chosen == max((str(t.year) for t in api.list_kinds()[0].themes if t.year and str(t.year) <= this_year),
                         default="")
    _tab_to(page, "#new-form button[type=submit]")
    with page.expect_download() as blank:
        page.keyboard.press("Enter")
    assert blank.value.suggested_filename.endswith(".xlsx")
    # To 检查: the tab, then the focusable 选择文件 button opens the file chooser.
    _tab_to(page, "#tab-check")
    page.keyboard.press("Enter")
    pw.expect(page.locator("#tab-check")).to_have_attribute("aria-selected", "true")
    _tab_to(page, "#check-choose")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(EXAMPLE))
    pw.expect(page.locator("#check-files > li").first).to_contain_text("示例-副镇长.xlsx：没有发现问题")
    _tab_to(page, "#check-next button")
    page.keyboard.press("Enter")
    pw.expect(page.locator("#tab-merge")).to_have_attribute("aria-selected", "true")
    # The {字段} picker: Enter on a field puts it into the name.
    _tab_to(page, "button.field[data-field='{姓名}']")
    page.keyboard.press("Enter")
    pw.expect(page.locator("#name-pattern")).to_have_value("{姓名}")
    _tab_to(page, "#merge-form button[type=submit]")
    page.keyboard.press("Enter")
    pw.expect(page.locator("#merge-summary")).to_have_text("完成：成功 1 个，失败 0 个。")
    _tab_to(page, "#merge-zip")
    with page.expect_download() as everything:
        page.keyboard.press("Enter")
    with zipfile.ZipFile(everything.value.path()) as zf:
        names = zf.namelist()
    person = api.read(EXAMPLE)[0].field("姓名")
    assert f"{person}.docx" in names and "汇总表.xlsx" in names
    # Focus is always visible: the focused button draws an outline.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")


def test_a_job_survives_reload_back_forward_and_a_second_tab(browser, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The job lives in the address: reload in the middle shows it running (with 取消), then its result."""
    import threading

    gate = threading.Event()
    real_merge = work.api.merge

    def held_merge(*args, **kwargs):  # the job stays running until the test lets it go
        assert gate.wait(120)
        return real_merge(*args, **kwargs)

    monkeypatch.setattr(work.api, "merge", held_merge)
    with running(settings(tmp_path)) as url:
        page = _open(browser, url)
        page.get_by_role("tab", name="检查").click()
        with page.expect_file_chooser() as chooser:
            page.locator("#check-choose").click()
        chooser.value.set_files(str(EXAMPLE))
        pw.expect(page.locator("#check-files > li")).to_contain_text("没有发现问题")
        page.locator("#check-next button").click()
        page.locator("#merge-form button[type=submit]").click()
        pw.expect(page.locator("#merge-progress")).to_be_visible()
        address = page.url
        assert address.split("#")[1].startswith("merge&check=")
        page.reload()
        pw.expect(page.locator("#tab-merge")).to_have_attribute("aria-selected", "true")
        pw.expect(page.locator("#merge-progress")).to_be_visible()
        pw.expect(page.locator("#merge-progress [data-cancel]")).to_be_visible()
        pw.expect(page.locator("#check-files > li")).to_contain_text("示例-副镇长.xlsx")
        gate.set()
        pw.expect(page.locator("#merge-summary")).to_have_text("完成：成功 1 个，失败 0 个。")
        # Back to 准备 and Forward again: the result is still there.
        page.get_by_role("tab", name="准备").click()
        page.go_back()
        pw.expect(page.locator("#tab-merge")).to_have_attribute("aria-selected", "true")
        pw.expect(page.locator("#merge-summary")).to_have_text("完成：成功 1 个，失败 0 个。")
        page.go_forward()
        pw.expect(page.locator("#tab-prepare")).to_have_attribute("aria-selected", "true")
        page.reload()  # on another step, the address still holds the batch
        page.locator("#tab-merge").click()
        pw.expect(page.locator("#merge-summary")).to_have_text("完成：成功 1 个，失败 0 个。")
        page.go_back()
        page.go_back()
        pw.expect(page.locator("#merge-summary")).to_be_visible()
        # A second tab with the same address shows the same job.
        second = page.context.new_page()
        second.goto(address)
        pw.expect(second.locator("#merge-summary")).to_have_text("完成：成功 1 个，失败 0 个。")
        pw.expect(second.locator("#merge-rows tr.ok")).to_contain_text("示例-副镇长.docx")
        # Cleared: the address now names a job that is gone, and the page says what to do.
        second.locator("#tab-check").click()
        second.locator("#check-clear").click()
        pw.expect(second.locator("#check-files > li")).to_have_count(0)
        page.reload()
        pw.expect(page.locator("#merge-message")).to_contain_text("这项任务已不存在")
        pw.expect(page.locator("#merge-message")).to_contain_text("请重新上传")
        page.context.close()


def test_cancel_a_running_check_and_a_closed_server(browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    gate = threading.Event()
    real_check = work.api.check

    def held_check(*args, **kwargs):
        assert gate.wait(120)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(work.api, "check", held_check)
    with running(settings(tmp_path)) as url:
        page = _open(browser, url)
        page.get_by_role("tab", name="检查").click()
        with page.expect_file_chooser() as chooser:
            page.locator("#check-choose").click()
        chooser.value.set_files(str(EXAMPLE))
        pw.expect(page.locator("#check-busy")).to_be_visible()
        page.locator("#check-busy [data-cancel]").click()
        pw.expect(page.locator("#check-message")).to_have_text("已取消，上传的文件已删除。")
        pw.expect(page.locator("#check-busy")).to_be_hidden()
        gate.set()
    # The server is gone now: the page says so in Chinese, never "Failed to fetch".
    with page.expect_file_chooser() as chooser:
        page.locator("#check-choose").click()
    chooser.value.set_files(str(EXAMPLE))
    pw.expect(page.locator("#offline")).to_contain_text("连不上 gwmerge")
    pw.expect(page.locator("#check-message")).to_contain_text("gwmerge serve")
    assert "Failed to fetch" not in page.inner_text("body")
    page.context.close()


def test_an_oversized_file_is_refused_alone_and_uploads_accumulate(browser, tmp_path: Path) -> None:
    from gwmerge.web.settings import Limits

    big = tmp_path / "大.xlsx"
    big.write_bytes(b"PK\x03\x04" + bytes(300_000))
    with running(settings(tmp_path, limits=Limits(file_bytes=200_000))) as url:
        page = _open(browser, url)
        page.get_by_role("tab", name="检查").click()
        with page.expect_file_chooser() as chooser:
            page.locator("#check-choose").click()
        chooser.value.set_files([str(big), str(EXAMPLE)])
        items = page.locator("#check-files > li")
        pw.expect(items).to_have_count(2)
        pw.expect(page.locator("#check-files > li.passed")).to_contain_text("示例-副镇长.xlsx：没有发现问题")
        pw.expect(page.locator("#check-files > li.failed")).to_contain_text("“大.xlsx”超过 195 KB，没有接收")
        pw.expect(page.locator("#check-next")).to_be_visible()
        # A second upload joins the batch; one can be removed; 清空 empties it.
        other = tmp_path / "李四.xlsx"
        shutil.copy(EXAMPLE, other)
        with page.expect_file_chooser() as chooser:
            page.locator("#check-choose").click()
        chooser.value.set_files(str(other))
        pw.expect(items).to_have_count(3)
        page.get_by_role("button", name="从这一批中移除“大.xlsx”").click()
        pw.expect(items).to_have_count(2)
        pw.expect(page.locator("#check-files")).not_to_contain_text("大.xlsx")
        page.locator("#tab-merge").click()
        pw.expect(page.locator("#merge-inputs")).to_contain_text("2 个工作簿")
        page.locator("#tab-check").click()
        page.locator("#check-clear").click()
        pw.expect(items).to_have_count(0)
        pw.expect(page.locator("#check-next")).to_be_hidden()  # no stale 下一步
        page.locator("#tab-merge").click()
        pw.expect(page.locator("#merge-none")).to_be_visible()
        pw.expect(page.locator("#merge-form")).to_be_hidden()
        page.context.close()


def test_one_click_fix_gives_a_corrected_copy(page, tmp_path: Path) -> None:
    """一键改正 does what `check --fix` does, into a copy to download; the batch goes on with it."""
    book = tmp_path / "错字.xlsx"
    wb = openpyxl.load_workbook(EXAMPLE)
    wb["下步的改进措施"]["C5"] = "考虑个人厉害关系多了,要改正。"
    wb.save(book)
    page.get_by_role("tab", name="检查").click()
    with page.expect_file_chooser() as chooser:
        page.locator("#check-choose").click()
    chooser.value.set_files(str(book))
    pw.expect(page.locator(".finding.warning").first).to_be_visible()
    assert "--fix" not in page.inner_text("#check-files") and "gwmerge" not in page.inner_text("#check-files")
    pw.expect(page.locator("#check-files")).to_contain_text("（可一键改正）")
    page.locator("#check-fix").click()
    link = page.locator("#fix-result a", has_text="错字（已改正）.xlsx")
    pw.expect(link).to_be_visible()
    with page.expect_download() as fixed:
        link.click()
    saved = tmp_path / "fixed.xlsx"
    fixed.value.save_as(saved)
    assert openpyxl.load_workbook(saved)["下步的改进措施"]["C5"].value == "考虑个人利害关系多了，要改正。"
    pw.expect(page.locator("#check-files")).not_to_contain_text("厉害关系")


def test_a_reminder_is_switched_off_for_the_batch_with_a_click(page, tmp_path: Path) -> None:
    """Each 提醒 names its way out; on the page it is a button, and the batch is checked again without it."""
    book = tmp_path / "半角.xlsx"
    wb = openpyxl.load_workbook(EXAMPLE)
    wb["下步的改进措施"]["C5"] = "要加强学习,提高本领。"
    wb.save(book)
    page.get_by_role("tab", name="检查").click()
    with page.expect_file_chooser() as chooser:
        page.locator("#check-choose").click()
    chooser.value.set_files(str(book))
    finding = page.locator(".finding.warning", has_text="〔半角标点〕")
    pw.expect(finding).to_have_count(1)
    button = finding.get_by_role("button", name="这一批不再提醒这一条")
    button.focus()
    page.keyboard.press("Enter")
    pw.expect(page.locator("#check-message")).to_contain_text("这一批已不再提醒〔半角标点〕")
    pw.expect(page.locator(".finding", has_text="〔半角标点〕")).to_have_count(0)
    pw.expect(page.locator("#check-files > li").first).to_contain_text("半角.xlsx：没有发现问题")


def _column_widths(page) -> list[tuple[str, float]]:
    """Each visible result-table cell's width in characters of its own font size."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('table.result th, table.result td'))
        .filter(c => c.offsetParent !== null && c.getBoundingClientRect().width > 0)
        .map(c => [c.dataset.label || c.textContent.slice(0, 12),
                   c.getBoundingClientRect().width / parseFloat(getComputedStyle(c).fontSize)])""")


def _merged_two(page, tmp_path: Path) -> None:
    long_one = tmp_path / "长名字.xlsx"
    wb = openpyxl.load_workbook(EXAMPLE)
    wb["基本信息"]["B5"] = "某某县某某镇人民政府"
    wb.save(long_one)
    page.get_by_role("tab", name="检查").click()
    with page.expect_file_chooser() as chooser:
        page.locator("#check-choose").click()
    chooser.value.set_files([str(EXAMPLE), str(long_one)])
    pw.expect(page.locator("#check-next")).to_be_visible()
    page.locator("#check-next button").click()
    page.locator("#merge-form button[type=submit]").click()
    pw.expect(page.locator("#merge-summary")).to_contain_text("完成：成功 2 个")


@pytest.mark.parametrize(("width", "height", "name"), [(1366, 768, "结果"), (390, 844, "手机")])
def test_result_table_is_readable_on_office_screens_and_phones(browser, tmp_path: Path, width: int, height: int,
                                                               name: str) -> None:
    with running(settings(tmp_path)) as url:
        page = _open(browser, url, width, height)
        _merged_two(page, tmp_path)
        widths = _column_widths(page)
        print("narrowest column", min(w for _, w in widths), "cells", len(widths))
        narrow = [(label, round(w, 1)) for label, w in widths if w < 4]
        assert not narrow, narrow
        # Nothing spills sideways: every step fits the window.
        for step in ("prepare", "check", "format", "merge"):
            page.locator(f"#tab-{step}").click()
            assert page.evaluate("document.documentElement.scrollWidth") <= width, step
        page.locator("#merge-result").evaluate("e => e.scrollIntoView()")
        _shot(page, name)
        page.context.close()


CONTRAST = """() => {
  const rgba = (s) => {
    const m = s.match(/[\\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
  };
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const over = (top, below) => [0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3])).concat(1);
  const background = (el) => {
    const layers = [];
    for (let n = el; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] === 1) break;
    }
    let color = [255, 255, 255, 1];
    for (const layer of layers.reverse()) color = over(layer, color);
    return color;
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement;
    if (!t.textContent.trim() || !el || !el.getClientRects().length || el.closest('[hidden]') || el.disabled) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== 'visible' || parseFloat(style.opacity) === 0) continue;
    const bg = background(el);
    const fg = over(rgba(style.color), bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    out.push({ text: t.textContent.trim().slice(0, 20), ratio, size: parseFloat(style.fontSize) });
  }
  return out;
}"""


def test_every_text_has_contrast_and_size(page, tmp_path: Path) -> None:
    """Every visible text on every step: contrast at least 4.5:1 (WCAG AA) and at least 14 px."""
    book = tmp_path / "有问题.xlsx"
    wb = openpyxl.load_workbook(EXAMPLE)
    wb["存在的主要问题"]["A9"] = "乱填"
    wb["下步的改进措施"]["C5"] = "厉害关系,"
    wb.save(book)
    seen: list[dict] = []
    seen += page.evaluate(CONTRAST)
    page.get_by_role("tab", name="检查").click()
    with page.expect_file_chooser() as chooser:
        page.locator("#check-choose").click()
    chooser.value.set_files([str(book), str(EXAMPLE)])
    pw.expect(page.locator(".finding.error")).to_have_count(1)
    page.locator("#tab-check").focus()
    seen += page.evaluate(CONTRAST)
    page.locator("#check-next button").click()
    page.locator("#merge-form button[type=submit]").click()
    pw.expect(page.locator("#merge-summary")).to_contain_text("完成")
    seen += page.evaluate(CONTRAST)
    page.get_by_role("tab", name="一键排版").click()
    seen += page.evaluate(CONTRAST)
    assert len(seen) > 100
    print("lowest contrast", min(s["ratio"] for s in seen), "smallest text", min(s["size"] for s in seen))
    low = [(s["text"], round(s["ratio"], 2)) for s in seen if s["ratio"] < 4.5]
    small = [(s["text"], s["size"]) for s in seen if s["size"] < 14]
    assert not low, low
    assert not small, small
