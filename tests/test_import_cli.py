"""gwmerge import / format through the installed command, as a person runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import SEED
from test_import import plain_docx, seed_lines, texts


def gwmerge(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "gwmerge", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def test_import_prints_what_it_recognised_and_never_overwrites(tmp_path: Path) -> None:
    source = tmp_path / "副镇长.txt"
    source.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    done = gwmerge("import", source, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    book = tmp_path / "副镇长.xlsx"
    assert book.is_file()
    assert "第 1 部分“存在的主要问题”（第 6 行）：条目 5 个，要点 15 个" in done.stdout
    assert "有拼音缩写“mzshh”" in done.stdout  # where to look, with the line
    assert "第 3 行" in done.stdout
    before = book.read_bytes()
    again = gwmerge("import", source, cwd=tmp_path)
    assert again.returncode == 1
    assert "--force" in again.stdout and "Traceback" not in again.stdout + again.stderr
    assert book.read_bytes() == before
    forced = gwmerge("import", source, "--force", cwd=tmp_path)
    assert forced.returncode == 0
    merged = gwmerge("merge", book, "-o", tmp_path / "out", cwd=tmp_path)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert texts(tmp_path / "out" / "副镇长.docx") == seed_lines()


def test_import_folder_gives_one_workbook_per_source(tmp_path: Path) -> None:
    folder = tmp_path / "材料"
    folder.mkdir()
    (folder / "甲.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="gb18030")
    plain_docx(folder / "乙.docx", seed_lines())
    (folder / "~$乙.docx").write_bytes(b"lock file of Word")
    (folder / "说明.pdf").write_bytes(b"%PDF")
    done = gwmerge("import", folder, "-o", tmp_path / "books", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in (tmp_path / "books").iterdir()) == ["乙.xlsx", "甲.xlsx"]


def test_format_writes_only_the_document_unless_asked(tmp_path: Path) -> None:
    source = plain_docx(tmp_path / "草稿.docx", seed_lines())
    done = gwmerge("format", source, "-o", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["草稿.docx"]
    assert texts(tmp_path / "out" / "草稿.docx") == seed_lines()
    verified = gwmerge("verify", tmp_path / "out" / "草稿.docx", cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout
    kept = gwmerge("format", source, "-o", tmp_path / "kept", "--keep-workbook", cwd=tmp_path)
    assert kept.returncode == 0
    assert sorted(p.name for p in (tmp_path / "kept").iterdir()) == ["草稿.docx", "草稿.xlsx"]


def test_source_names_windows_cannot_hold_give_safe_names(tmp_path: Path) -> None:
    """A material named on Linux with characters Windows forbids gets a workbook and a document
    Windows can open, as merge names its documents."""
    folder = tmp_path / "材料"
    folder.mkdir()
    (folder / "a:b?.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "CON.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    done = gwmerge("import", folder, "-o", tmp_path / "books", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in (tmp_path / "books").iterdir()) == ["_CON.xlsx", "ab.xlsx"]
    done = gwmerge("format", folder, "-o", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["_CON.docx", "ab.docx"]


def test_bad_sources_are_one_sentence_each(tmp_path: Path) -> None:
    (tmp_path / "坏.docx").write_bytes(b"not a zip")
    (tmp_path / "旧.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    done = gwmerge("import", tmp_path / "坏.docx", tmp_path / "旧.doc", tmp_path / "没有.txt", cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.count("✗") == 3
    assert "没有.txt：找不到这个文件或文件夹" in done.stdout
    (tmp_path / "空文件夹").mkdir()
    empty = gwmerge("import", tmp_path / "空文件夹", cwd=tmp_path)
    assert empty.returncode == 1 and "没有找到 .docx 或 .txt 文件" in empty.stderr


def test_help_is_chinese(tmp_path: Path) -> None:
    for command in ("import", "format"):
        done = gwmerge(command, "--help", cwd=tmp_path)
        assert done.returncode == 0
        assert "选项" in done.stdout
