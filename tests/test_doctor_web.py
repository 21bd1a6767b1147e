"""The page's 环境 panel says what `gwmerge doctor` says, in a real browser (system Chromium)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from webserver import CHROMIUM_ARGS, chromium, running, settings

if os.environ.get("GWMERGE_REQUIRE_BROWSER"):  # in CI a missing Playwright fails instead of skipping
    import playwright.sync_api as pw
else:
    pw = pytest.importorskip("playwright.sync_api")

GWMERGE = Path(sys.executable).with_name("gwmerge")


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    monkeypatch.setenv("GWMERGE_SOFFICE", str(tmp_path / "没有"))  # LibreOffice "absent", for a known line
    conf = settings(tmp_path)
    with running(conf) as url:
        yield url, conf.root


def _cli_lines(root: Path, tmp_path: Path) -> list[str]:
    env = dict(os.environ, NO_COLOR="1", COLUMNS="300", GWMERGE_SOFFICE=str(tmp_path / "没有"))
    done = subprocess.run([str(GWMERGE), "doctor", "-o", str(root)], capture_output=True, text=True, env=env,
                          encoding="utf-8", timeout=120, check=False)
    return [line.strip() for line in done.stdout.splitlines()]


def test_endpoint_says_what_the_command_says(server: tuple[str, Path], tmp_path: Path) -> None:
    url, root = server
    with urllib.request.urlopen(f"{url}/api/environment", timeout=120) as response:
        report = json.loads(response.read().decode("utf-8"))
        assert response.headers["cache-control"] == "no-store"
    marks = {"ok": "✓", "warn": "!", "bad": "✗"}
    page_lines = [f"{marks[line['state']]} {line['text']}" for s in report["sections"] for line in s["lines"]]
    cli = _cli_lines(root, tmp_path)
    assert page_lines == [line for line in cli if line[:1] in marks.values()]
    titles = ["程序", "字体", "LibreOffice（生成 PDF 用）", "输出文件夹", "结论"]
    assert [s["title"] for s in report["sections"]] == titles
    assert report["ready"] is True and report["libreoffice"]["path"] is None


def test_panel_shows_the_report_when_opened(server: tuple[str, Path]) -> None:
    url, _ = server
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            page.set_default_timeout(60_000)
            page.goto(url)
            panel = page.locator("#env")
            pw.expect(panel.locator("summary")).to_contain_text("环境")
            assert not page.locator("#env-body").is_visible()  # closed until asked
            panel.locator("summary").click()
            body = page.locator("#env-body")
            pw.expect(body).to_contain_text("未找到 LibreOffice：不能生成 PDF 和打印合订本，Word 文档不受影响。")
            pw.expect(body.locator("h3")).to_have_text(["程序", "字体", "LibreOffice（生成 PDF 用）", "输出文件夹",
                                                        "结论", "建议"])
            pw.expect(body.locator("li.env-ok").filter(has_text="可以生成 Word 文档")).to_have_count(1)
            pw.expect(body).to_contain_text("需要 PDF 时请安装 LibreOffice")
        finally:
            browser.close()
