"""verify takes any .docx: bombs and malicious XML end in one sentence, within a memory limit."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import SHEETS
from hostile import damaged
from process import MEMORY_LIMIT, run_gwmerge

from gwmerge import api

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    book = Path(shutil.copy(SHEETS / "示例-党员.xlsx", tmp_path / "示例-党员.xlsx"))
    [outcome] = api.merge([book], tmp_path / "good")
    assert outcome.ok
    return outcome.output


def _with_document(good: Path, dest: Path, write) -> Path:
    """``good`` with word/document.xml replaced by what ``write(stream)`` writes."""
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename != "word/document.xml":
                zout.writestr(item, zin.read(item))
        with zout.open("word/document.xml", "w", force_zip64=True) as f:
            write(f)
    return dest


def _verify_beside_good(bomb: Path, good: Path) -> str:
    result = run_gwmerge("verify", bomb, good, memory=MEMORY_LIMIT)
    assert result.code == 1
    assert "Traceback" not in result.output and "内部错误" not in result.output, result.output
    assert f"✓ {good.name}：符合公文格式" in result.stdout
    [line] = [line for line in result.stdout.splitlines() if bomb.name in line]
    assert line.startswith(f"错误 {bomb.name}："), line
    return line


def test_docx_bomb_is_refused_before_decompressing(good: Path, tmp_path: Path) -> None:
    """A few hundred KB on disk, hundreds of MB of XML inside (a 3.2 MB one took verify to 8 GB)."""
    def write(f) -> None:
        f.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
        chunk = b"<w:p/>" * (1 << 18)
        for _ in range(200):  # 300 MB: over the 256 MB a part may declare
            f.write(chunk)
        f.write(b"</w:body></w:document>")

    bomb = _with_document(good, tmp_path / "炸弹.docx", write)
    assert bomb.stat().st_size < 8 * 1024 * 1024
    line = _verify_beside_good(bomb, good)
    assert "压缩炸弹" in line and "为安全起见没有检查" in line


def test_docx_high_ratio_part(good: Path, tmp_path: Path) -> None:
    bomb = _with_document(good, tmp_path / "高压缩.docx", lambda f: f.write(
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + b"<w:p/>" * 3_000_000 + b"</w:body></w:document>"))
    assert "压缩炸弹" in _verify_beside_good(bomb, good)


def test_docx_entity_bomb(good: Path, tmp_path: Path) -> None:
    def write(f) -> None:
        f.write(b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
                b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>'
                b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                b"<w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>")

    bomb = _with_document(good, tmp_path / "实体.docx", write)
    assert "DTD/实体声明" in _verify_beside_good(bomb, good)


def test_docx_deep_nesting(good: Path, tmp_path: Path) -> None:
    bomb = _with_document(good, tmp_path / "深层.docx", lambda f: f.write(
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + b"<w:p>" * 100_000 + b"</w:p>" * 100_000 + b"</w:body></w:document>"))
    assert "无法读取" in _verify_beside_good(bomb, good)


def test_docx_with_large_picture_is_still_checked(good: Path, tmp_path: Path) -> None:
    """Pictures are never read: a large one is no reason to refuse."""
    import os

    doc = tmp_path / "大图.docx"
    shutil.copy(good, doc)
    with zipfile.ZipFile(doc, "a") as z:
        z.writestr("word/media/image1.png", os.urandom(30 * 1024 * 1024), compress_type=zipfile.ZIP_STORED)
    [outcome] = api.verify([doc])
    assert outcome.ok and outcome.error is None


@pytest.mark.parametrize("part", ["word/document.xml", "word/styles.xml"])
def test_docx_with_damaged_compressed_data(good: Path, tmp_path: Path, part: str) -> None:
    """zlib's "Error -3 while decompressing data" was 内部错误; it is a damaged file."""
    bad = damaged(Path(shutil.copy(good, tmp_path / "损坏.docx")), part)
    assert "无法读取，文件可能已损坏或不是 Word 文档" in _verify_beside_good(bad, good)


@pytest.mark.parametrize("value", ["inf", "1e999", "-inf", "9" * 400 + "mm"])
def test_docx_with_infinite_measures(good: Path, tmp_path: Path, value: str) -> None:
    """A page size of "inf" twips was 内部错误 (OverflowError); it is a value verify cannot use."""
    import re

    bad = tmp_path / "无穷.docx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                data = re.sub(rb'w:(w|h|top|left|line)="\d+"', f'w:\\1="{value}"'.encode(), data)
            zout.writestr(item, data)
    [outcome] = api.verify([bad])
    assert outcome.crash is None, outcome.crash
    assert outcome.error is None and outcome.findings, outcome.findings
