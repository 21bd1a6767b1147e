"""Hostile files at the import doors, through the installed command under a time and memory cap,
each beside a good material or workbook that still comes out: Word numbering with absurd values,
pipes and devices given as files, a full disk, a roster of 10,000 rows."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SHEETS
from docx import Document as WordDocument
from docx.oxml import parse_xml
from process import MEMORY_LIMIT, one_sentence, run_gwmerge
from test_import import plain_docx, seed_lines

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
GOOD_BOOK = SHEETS / "示例-党员.xlsx"
CAP = 60  # seconds: generous, against hangs; speed is measured in bench/


def numbered_docx(path: Path, fmt: str, start: str, level_text: str = "%1、") -> Path:
    """A few KB: three headings numbered by Word from ``start`` in format ``fmt``."""
    doc = WordDocument()
    numbering = doc.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {NS} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="{start}"/>'
        f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{level_text}"/><w:suff w:val="nothing"/></w:lvl>'
        "</w:abstractNum>"))
    numbering.append(parse_xml(f'<w:num {NS} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    doc.add_paragraph("副镇长2025年度民主生活会对照检查材料")
    for heading in ("存在的主要问题", "问题产生的原因", "下步的改进措施"):
        para = doc.add_paragraph(heading)
        para._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {NS}><w:ilvl w:val="0"/><w:numId w:val="90"/></w:numPr>'))
        doc.add_paragraph("学习还不够深入，需要加强。")
    doc.save(path)
    assert path.stat().st_size < 40_000
    return path


BOMBS = {
    "十亿起的字母编号": ("lowerLetter", "2000000000", "%1、"),
    "十亿起的罗马数字": ("upperRoman", "2000000000", "%1、"),
    "10的30次方起": ("decimal", str(10**30), "%1、"),
    "中文计数到10的18次方": ("chineseCounting", str(10**18), "%1、"),
    "重复两万次的%1": ("chineseCounting", "1", "%1" * 20000),
}


@pytest.mark.parametrize("name", BOMBS)
def test_word_numbering_with_absurd_values_is_bounded(tmp_path: Path, name: str) -> None:
    fmt, start, level_text = BOMBS[name]
    bomb = numbered_docx(tmp_path / "编号.docx", fmt, start, level_text)
    good = plain_docx(tmp_path / "好材料.docx", seed_lines())
    done = run_gwmerge("import", good, bomb, "-o", tmp_path / "books", memory=MEMORY_LIMIT, timeout=CAP)
    assert "内部错误" not in done.output and "Traceback" not in done.output, done.output
    assert done.code == 0, done.output
    assert (tmp_path / "books" / "好材料.xlsx").is_file()
    assert (tmp_path / "books" / "编号.xlsx").is_file()
    # Said once, in Chinese: the numbers were started again from 1 (or left out).
    assert "超出了 Word 自身的范围" in done.output, done.output
    # And the headings are still the document's: the import merges back.
    merged = run_gwmerge("merge", tmp_path / "books" / "编号.xlsx", "-o", tmp_path / "out",
                         memory=MEMORY_LIMIT, timeout=CAP)
    assert (tmp_path / "out" / "编号.docx").is_file(), merged.output


def test_word_numbering_within_bounds_is_read_as_shown(tmp_path: Path) -> None:
    """The clamp is no change for a real list: one that starts at 3 reads 三、四、五、."""
    from gwmerge.read import docx as read_docx

    paras, findings = read_docx.read(numbered_docx(tmp_path / "从三开始.docx", "chineseCounting", "3"))
    assert [p.text for p in paras if p.text.endswith(("问题", "原因", "措施"))] == [
        "三、存在的主要问题", "四、问题产生的原因", "五、下步的改进措施"]
    assert not any("超出了 Word 自身的范围" in f.message for f in findings)


# ---------------------------------------------------------------- only regular files are read

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _device_as(path: Path) -> Path:
    """``/dev/zero`` under a name the door accepts (a link, as a download folder might hold)."""
    path.symlink_to("/dev/zero")
    return path


@needs_fifo
@pytest.mark.parametrize("make", [_fifo, _device_as], ids=["管道", "设备"])
@pytest.mark.parametrize("command", ["import", "format"])
def test_a_pipe_or_device_as_material_is_one_sentence(tmp_path: Path, make, command: str) -> None:
    bad = make(tmp_path / "材料.docx")
    good = plain_docx(tmp_path / "好材料.docx", seed_lines())
    done = run_gwmerge(command, good, bad, "-o", tmp_path / "out", memory=MEMORY_LIMIT, timeout=CAP)
    assert done.code == 1
    line = next(line for line in done.output.splitlines() if "材料.docx：" in line and "好材料" not in line)
    assert "不是普通文件（可能是管道或设备）" in line, done.output
    assert "内部错误" not in done.output
    made = list((tmp_path / "out").iterdir())
    assert [p.name for p in made] == (["好材料.xlsx"] if command == "import" else ["好材料.docx"])


@needs_fifo
@pytest.mark.parametrize("make", [_fifo, _device_as], ids=["管道", "设备"])
def test_a_pipe_or_device_as_text_material_is_one_sentence(tmp_path: Path, make) -> None:
    bad = make(tmp_path / "材料.txt")
    good = tmp_path / "好材料.txt"
    good.write_text("\n".join(seed_lines()), encoding="utf-8")
    done = run_gwmerge("import", good, bad, "-o", tmp_path / "out", memory=MEMORY_LIMIT, timeout=CAP)
    assert "材料.txt：这不是普通文件（可能是管道或设备）" in done.output, done.output
    assert (tmp_path / "out" / "好材料.xlsx").is_file()


@needs_fifo
@pytest.mark.parametrize("make", [_fifo, _device_as], ids=["管道", "设备"])
def test_a_pipe_or_device_as_template_is_one_sentence(tmp_path: Path, make) -> None:
    bad = make(tmp_path / "模板.docx")
    book = Path(shutil.copy(GOOD_BOOK, tmp_path / "好.xlsx"))
    done = run_gwmerge("merge", book, "-t", bad, "-o", tmp_path / "out", memory=MEMORY_LIMIT, timeout=CAP)
    assert done.code != 0
    assert "模板.docx：这不是普通文件（可能是管道或设备），不能当作模板读取" in one_sentence(done)
    # The same workbook with its kind's own template still comes out.
    again = run_gwmerge("merge", book, "-o", tmp_path / "out", memory=MEMORY_LIMIT, timeout=CAP)
    assert again.code == 0 and (tmp_path / "out" / "好.docx").is_file(), again.output


@needs_fifo
@pytest.mark.parametrize("make", [_fifo, _device_as], ids=["管道", "设备"])
def test_a_pipe_or_device_as_roster_is_one_sentence(tmp_path: Path, make) -> None:
    bad = make(tmp_path / "名单.csv")
    done = run_gwmerge("new", "--roster", bad, "-o", tmp_path / "books", memory=MEMORY_LIMIT, timeout=CAP)
    assert done.code != 0
    assert "名单.csv：这不是普通文件（可能是管道或设备），不能当作名单读取" in one_sentence(done)
    good = tmp_path / "好名单.csv"
    good.write_text("姓名,职务\n张三,镇长\n李四,副镇长\n", encoding="utf-8")
    made = run_gwmerge("new", "--roster", good, "-o", tmp_path / "books", memory=MEMORY_LIMIT, timeout=CAP)
    assert made.code == 0, made.output
    assert sorted(p.name for p in (tmp_path / "books").iterdir()) == ["副镇长-李四.xlsx", "镇长-张三.xlsx"]


@needs_fifo
@pytest.mark.parametrize("make", [_fifo, _device_as], ids=["管道", "设备"])
def test_a_pipe_or_device_as_workbook_is_one_sentence(tmp_path: Path, make) -> None:
    bad = make(tmp_path / "坏.xlsx")
    book = Path(shutil.copy(GOOD_BOOK, tmp_path / "好.xlsx"))
    done = run_gwmerge("merge", book, bad, "-o", tmp_path / "out", memory=MEMORY_LIMIT, timeout=CAP)
    assert "坏.xlsx：这不是普通文件（可能是管道或设备）" in done.output, done.output
    assert (tmp_path / "out" / "好.docx").is_file()


@needs_fifo
@pytest.mark.parametrize("make", [_fifo, _device_as], ids=["管道", "设备"])
def test_a_pipe_or_device_given_to_verify_is_one_sentence(tmp_path: Path, make) -> None:
    bad = make(tmp_path / "坏.docx")
    book = Path(shutil.copy(GOOD_BOOK, tmp_path / "好.xlsx"))
    assert run_gwmerge("merge", book, "-o", tmp_path, memory=MEMORY_LIMIT, timeout=CAP).code == 0
    done = run_gwmerge("verify", tmp_path / "好.docx", bad, memory=MEMORY_LIMIT, timeout=CAP)
    assert "坏.docx：这不是普通文件（可能是管道或设备）" in done.output, done.output
    assert "好.docx：符合公文格式" in done.output


# ---------------------------------------------------------------- a full disk

def _tiny_disk_available() -> bool:
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-Urm", "sh", "-c", "mount -t tmpfs -o size=16k tmpfs /mnt || "
                            "mount -t tmpfs -o size=16k tmpfs /tmp"], capture_output=True, timeout=30)
    return probe.returncode == 0


def _on_tiny_disk(tmp_path: Path, size: str, *args: str | Path) -> tuple[int, str, list[str]]:
    """``gwmerge ARGS`` with a real full disk: a tmpfs of ``size`` mounted at ``tmp_path/disk`` in
    a private mount namespace (user namespaces, no root needed), under the memory cap. Returns the
    exit code, the output and what the disk holds afterwards."""
    import resource

    disk = tmp_path / "disk"
    disk.mkdir()
    script = (f'mount -t tmpfs -o size={size} tmpfs "$1" && shift && "$@"; code=$?; '
              'ls -A "$DISK" > "$LISTING"; exit $code')
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1", PYTHONIOENCODING="utf-8", DISK=str(disk),
               LISTING=str(tmp_path / "listing"))

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    done = subprocess.run(["unshare", "-Urm", "sh", "-c", script, "sh", str(disk), sys.executable, "-m", "gwmerge",
                           *map(str, args)], capture_output=True, env=env, timeout=CAP, preexec_fn=limit,
                          check=False)
    output = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
    return done.returncode, output, (tmp_path / "listing").read_text().split()


needs_tiny_disk = pytest.mark.skipif(not _tiny_disk_available(), reason="cannot mount a small tmpfs here")


@needs_tiny_disk
def test_disk_full_during_check_fix_is_one_sentence(tmp_path: Path) -> None:
    book = Path(shutil.copy(GOOD_BOOK, tmp_path / "好.xlsx"))
    code, output, left = _on_tiny_disk(tmp_path, "12k", "check", "--fix", book, "-o", tmp_path / "disk" / "改正.xlsx")
    assert code == 1
    assert "Exception ignored" not in output and "Traceback" not in output, output
    assert "改正.xlsx：无法写入：磁盘空间已满" in output, output
    assert left == []  # no half-written copy, no hidden temporary file


@needs_tiny_disk
def test_disk_full_during_import_is_one_sentence_and_the_first_workbook_stays(tmp_path: Path) -> None:
    """The first material fits on the disk, the second does not: it alone fails, in one sentence."""
    small = plain_docx(tmp_path / "短材料.docx", seed_lines()[:6])
    more = [f"第{i}项工作还需要加强，要进一步抓好落实，确保取得实效。" for i in range(600)]
    long = plain_docx(tmp_path / "长材料.docx", seed_lines() + more)
    code, output, left = _on_tiny_disk(tmp_path, "16k", "import", small, long, "-o", tmp_path / "disk")
    assert code == 1
    assert "Exception ignored" not in output and "Traceback" not in output, output
    assert "长材料.xlsx：无法写入：磁盘空间已满" in output, output
    assert left == ["短材料.xlsx"]


def test_disk_full_while_saving_leaves_no_exception_ignored(tmp_path: Path) -> None:
    """Where no small disk can be mounted: the write itself fails with ENOSPC in a child process
    (the file write is patched, openpyxl and zipfile run as they are)."""
    code = f"""
import builtins, errno, os, sys
from pathlib import Path
real_fdopen = os.fdopen
class Full:
    def __init__(self, f): self.f = f
    def __enter__(self): return self
    def __exit__(self, *a): self.f.close()
    def write(self, data):
        if len(data) > 0: raise OSError(errno.ENOSPC, "No space left on device")
def fdopen(fd, mode='r', *a, **k):
    f = real_fdopen(fd, mode, *a, **k)
    return Full(f) if 'w' in mode else f
os.fdopen = fdopen
sys.argv = ["gwmerge", "check", "--fix", {str(GOOD_BOOK)!r}, "-o", {str(tmp_path / "改正.xlsx")!r}]
from gwmerge.cli import main
main()
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=CAP,
                          env=dict(os.environ, COLUMNS="200", NO_COLOR="1"))
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert "磁盘空间已满" in done.stdout + done.stderr
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- rosters

def test_a_roster_of_ten_thousand_rows_is_read_and_named_in_seconds(tmp_path: Path) -> None:
    """10,000 people of one name (the -2 … -10000 suffixes were quadratic): the roster is read and
    every file named before the existing first workbook stops the run in one sentence."""
    roster = tmp_path / "名单.csv"
    roster.write_text("姓名,职务,单位\n" + "张三,副镇长,某镇\n" * 10_000, encoding="utf-8")
    books = tmp_path / "books"
    books.mkdir()
    (books / "副镇长-张三-10000.xlsx").write_bytes(b"")
    done = run_gwmerge("new", "--roster", roster, "-o", books, memory=MEMORY_LIMIT, timeout=30)
    assert "副镇长-张三-10000.xlsx：已存在" in one_sentence(done)
    good = tmp_path / "好名单.csv"
    good.write_text("姓名,职务\n张三,镇长\n张三,镇长\n", encoding="utf-8")
    made = run_gwmerge("new", "--roster", good, "-o", tmp_path / "good", memory=MEMORY_LIMIT, timeout=CAP)
    assert made.code == 0, made.output
    assert sorted(p.name for p in (tmp_path / "good").iterdir()) == ["镇长-张三-2.xlsx", "镇长-张三.xlsx"]


# ---------------------------------------------------------------- killed while importing

def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (read from /proc: what a worker pool would have started)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize("command", ["import", "format"])
def test_kill_9_during_import_or_format_leaves_no_process_and_no_half_file(tmp_path: Path, command: str) -> None:
    """Killed mid-run (the terminal closed, the task manager): nothing of it stays alive, no half
    file is left, and the next run into the same folder works."""
    import signal
    import time

    long = tmp_path / "长材料.txt"
    long.write_text("\n".join(["副镇长2025年度民主生活会对照检查材料", "一、存在的问题"]
                              + [f"（{i}）第{i}项工作还需要加强，要进一步抓好落实。" for i in range(1, 4000)]),
                    encoding="utf-8")
    out = tmp_path / "out"
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1", PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "gwmerge", command, long, "-o", out],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        time.sleep(3)  # well into reading and recognising
        below = _descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in below) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [p for p in below if _alive(p)]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    left = [p.name for p in out.iterdir()] if out.exists() else []
    assert [name for name in left if not name.startswith(".~gwmerge-")] in ([], ["长材料.xlsx"], ["长材料.docx"])
    good = plain_docx(tmp_path / "好材料.docx", seed_lines())
    done = run_gwmerge(command, good, "-o", out, memory=MEMORY_LIMIT, timeout=CAP)
    assert done.code == 0, done.output
    assert not [p.name for p in out.iterdir() if p.name.startswith(".~gwmerge-")]  # the killed run's temp swept
