"""A batch under fire: a worker killed, the batch interrupted, its parent killed (Linux /proc).

Each test runs the real command (``python -m gwmerge merge``) in a child process and acts on it
from outside, as the out-of-memory killer, Ctrl+C, closing the terminal or ``kill`` would.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import SHEETS, make_workbook
from process import children, descendants

from gwmerge.docx import render
from gwmerge.write.xlsx import SectionRows

pytestmark = [
    pytest.mark.timeout(300),
    pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to find the workers"),
]
COPIES = 40


@pytest.fixture(scope="module")
def slow_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A long workbook (several seconds to merge), so the batch is surely running when we act."""
    path = tmp_path_factory.mktemp("slow") / "000-长篇.xlsx"
    text = "这是一段比较长的文字，用来让这一份的合并多花一些时间。" * 3
    return make_workbook(path, [SectionRows("存在的主要问题", [("段落", "", text)] * 8000)])


@pytest.fixture
def folder(tmp_path: Path, slow_book: Path) -> Path:
    folder = tmp_path / "收集"
    folder.mkdir()
    shutil.copy(slow_book, folder / slow_book.name)
    for i in range(COPIES):
        shutil.copy(SHEETS / "示例-党员.xlsx", folder / f"{i + 1:03d}.xlsx")
    return folder


def _start(folder: Path, out: Path, *args: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1", PYTHONIOENCODING="utf-8")
    return subprocess.Popen([sys.executable, "-m", "gwmerge", "merge", str(folder), "-o", str(out), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return "\nState:\tZ" not in status


def _wait_until_working(proc: subprocess.Popen[bytes], out: Path, workers: int) -> list[int]:
    """The worker pids, once they exist and one has written a temporary document."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        kids = children(proc.pid)
        if len(kids) >= workers and out.is_dir() and any(p.name.startswith(".~gwmerge-") for p in out.iterdir()):
            return kids
        time.sleep(0.02)
    pytest.fail("the batch never started")


def _wait_gone(pids: list[int], seconds: float = 30) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_running(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if _running(p)]


def _finish(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    stdout, stderr = proc.communicate(timeout=240)
    return proc.returncode, stdout.decode("utf-8", "replace") + stderr.decode("utf-8", "replace")


def _documents_are_complete(out: Path) -> list[Path]:
    docs = sorted(out.glob("[!.]*.docx"))
    for doc in docs:
        with zipfile.ZipFile(doc) as z:
            assert z.testzip() is None
        assert render.is_own_output(doc), doc
    return docs


def _no_temporary_files(out: Path) -> None:
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_killed_worker_costs_only_its_workbook(folder: Path, tmp_path: Path, jobs: str) -> None:
    out = tmp_path / "out"
    proc = _start(folder, out, "-j", jobs)
    workers = _wait_until_working(proc, out, int(jobs))
    for pid in workers:  # as the out-of-memory killer would
        os.kill(pid, signal.SIGKILL)
    code, output = _finish(proc)
    assert code == 1, output
    died = [line for line in output.splitlines() if "处理时进程意外终止（可能内存不足）" in line]
    assert 1 <= len(died) <= len(workers), output
    assert all(line.startswith("✗ ") and ".xlsx" in line for line in died)
    docs = _documents_are_complete(out)
    assert len(docs) == COPIES + 1 - len(died)
    assert f"失败 {len(died)} 个" in output and "汇总表" in output
    assert "BrokenProcessPool" not in output and "Traceback" not in output
    _no_temporary_files(out)
    assert _wait_gone(workers) == []


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_stops_the_batch_cleanly(folder: Path, tmp_path: Path, sig: signal.Signals, code: int) -> None:
    out = tmp_path / "out"
    proc = _start(folder, out, "-j", "2")
    workers = _wait_until_working(proc, out, 2)
    proc.send_signal(sig)
    got, output = _finish(proc)
    assert got == code, output
    assert "已中止" in output and "Traceback" not in output
    _documents_are_complete(out)
    _no_temporary_files(out)
    assert _wait_gone(workers) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_killing_the_parent_leaves_no_worker(folder: Path, tmp_path: Path, sig: signal.Signals) -> None:
    out = tmp_path / "out"
    proc = _start(folder, out, "-j", "2")
    workers = _wait_until_working(proc, out, 2)
    proc.send_signal(sig)
    proc.communicate(timeout=120)
    assert _wait_gone(workers) == []
    _documents_are_complete(out)
    if sig == signal.SIGTERM:
        _no_temporary_files(out)
    # Whatever a killed run left behind, the next run tidies up.
    rerun = subprocess.run([sys.executable, "-m", "gwmerge", "merge", str(SHEETS / "示例-党员.xlsx"), "-o", str(out)],
                           capture_output=True, timeout=120, check=False)
    assert rerun.returncode == 0
    _no_temporary_files(out)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
    except (FileNotFoundError, ProcessLookupError):
        return ""


def _start_converting(folder: Path, out: Path, converters: int) -> subprocess.Popen[bytes]:
    """``merge --pdf -j 2`` started, once ``converters`` LibreOffice converters of it are running."""
    from conftest import need_soffice

    need_soffice()
    proc = _start(folder, out, "-j", "2", "--pdf")
    deadline = time.monotonic() + 200
    while len([p for p in descendants(proc.pid) if "--convert-to" in _cmdline(p)]) < converters:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    return proc


def test_a_signal_during_pdf_conversion_stops_the_converters(folder: Path, tmp_path: Path) -> None:
    """Ctrl+C while two LibreOffice converters run: both are stopped with the batch, nothing half-made stays."""
    out = tmp_path / "out"
    proc = _start_converting(folder, out, 2)
    everything = descendants(proc.pid)
    proc.send_signal(signal.SIGINT)
    code, output = _finish(proc)
    assert code == 130, output
    assert "已中止" in output and "Traceback" not in output
    # The closing lines say it stopped, not that it finished, and why the PDFs are missing.
    assert "完成：" not in output and "（PDF 未能生成）" not in output, output
    # Gone when the command returns (a moment for the kernel to tear them down), not when done converting.
    assert _wait_gone(everything, seconds=3) == []
    assert len(_documents_are_complete(out)) == COPIES + 1
    assert list(out.glob("*.pdf")) == []
    _no_temporary_files(out)


def test_a_killed_pdf_run_leaves_a_work_folder_the_next_run_removes(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _start_converting(folder, out, 1)
    orphans = descendants(proc.pid)
    proc.kill()  # as a power cut or the task manager would: nothing of gwmerge runs afterwards
    proc.communicate(timeout=60)
    for pid in orphans:  # the converters run in sessions of their own and outlive it; stop them
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert _wait_gone(orphans) == []
    left = [p.name for p in out.iterdir() if p.is_dir() and p.name.startswith(".~gwmerge-")]
    assert left and all(f"-{proc.pid}-pdf" in name for name in left), left
    rerun = subprocess.run([sys.executable, "-m", "gwmerge", "merge", str(SHEETS / "示例-党员.xlsx"), "-o", str(out)],
                           capture_output=True, timeout=120, check=False)
    assert rerun.returncode == 0, rerun.stderr.decode("utf-8", "replace")
    _no_temporary_files(out)
