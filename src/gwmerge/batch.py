"""A whole batch: workers, names, signals, leftovers, and the township layer around the documents.

Every workbook is merged in a worker process (also with ``-j 1``), so a workbook that kills its
process (the out-of-memory killer, a crash in a library) costs that workbook only: the batch goes
on with a new worker, and the report names the file. Workers write complete documents to hidden
temporary files (``.~gwmerge-<pid>-<token>.docx``); the main process gives each its final name in
input order (so names and collision suffixes never depend on timing) and moves it into place.

Signals (SIGINT, SIGTERM, SIGHUP) stop the batch: workers are stopped, temporary files removed,
complete documents stay, and the result says which signal stopped it (exit 128 + signal).
Workers watch their parent and leave when it dies, even when it was killed outright.
"""

from __future__ import annotations

import contextlib
import gc
import math
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import sheetformat as sf
from .errors import GwError, InputInvalid, InternalError, Location

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from .api import Outcome
    from .layout import Plan
    from .model import Document

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
#: Spreadsheet files a folder may hold that gwmerge cannot read; they are listed as skipped.
OTHER_SHEETS = (".xls", ".et", ".xlsb", ".ods", ".csv", ".ett", ".xltx")
REPORT_NAME = "汇总表.xlsx"
ZIP_NAME = "合并结果.zip"
BUNDLE_NAME = "打印合订本.pdf"
TEMP_PREFIX = ".~gwmerge-"
_TEMP = re.compile(r"\.~gwmerge-(\d+)-[0-9a-f]{8}\.(docx|pdf|xlsx|zip)")
#: A PDF work folder (pdf.work_folder): converter profiles, PDFs not yet in place, a contents page.
_TEMP_FOLDER = re.compile(r"\.~gwmerge-(\d+)-(pdf|pdfs|cover)-[a-z0-9_]{8}")
#: A document whose sections hold fewer characters than this beyond their headings is "nearly empty".
NEARLY_EMPTY_CHARS = 50
#: Page estimate from the layout: GB/T 9704 gives 22 lines of 28 characters.
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
DIED = "处理时进程意外终止（可能内存不足），已跳过此文件，其余文件照常处理。"
#: Fields a name pattern may use (any field of the information sheet, and the workbook's name);
#: the ones worth suggesting come first.
PATTERN_HINT = ("单位", "姓名", "职务", "文种", "年度", "日期", "标题", "署名", "文件名")
PATTERN_FIELDS = tuple(dict.fromkeys((*PATTERN_HINT, *sf.INFO_FIELDS, "年度", "副标题", "署名")))


# ---------------------------------------------------------------- results


@dataclass
class DocSummary:
    """What the report says about one written document."""

    title: str = ""
    name: str = ""
    position: str = ""
    unit: str = ""
    chars: int = 0  #: characters of text on the page (title included, spaces not)
    content_chars: int = 0  #: characters in the sections beyond their headings
    pages: int = 0  #: estimated from the layout, or counted in the PDF when one was made
    pages_exact: bool = False  #: True once ``pages`` comes from the PDF
    named_on_page: bool = False  #: the person's name is printed (name line or signature)

    @property
    def nearly_empty(self) -> bool:
        return self.content_chars < NEARLY_EMPTY_CHARS


@dataclass(frozen=True)
class Skipped:
    """An entry of a given folder that was not merged, and why (in Chinese)."""

    path: Path
    reason: str


@dataclass
class BatchResult:
    """The outcome of ``api.merge``; iterating over it gives the per-workbook outcomes.

    Fields:

    * ``outcomes`` — one :class:`~gwmerge.api.Outcome` per input workbook, in input order. An
      outcome's ``status`` is 已生成, 内容过少 (written, but nothing beyond headings), 失败, or
      未处理 (the batch was stopped before it).
    * ``skipped`` — folder entries not merged (``.xls``, lock files ``~$…``, subfolders), with why.
    * ``out_dir`` — the output folder.
    * ``report`` — the 汇总表.xlsx written into the output folder, or None.
    * ``zip`` — the archive of documents, PDFs and the 汇总表 (``--zip``), or None.
    * ``bundle`` — the print bundle PDF (``--bundle``), or None.
    * ``notices`` — batch-wide remarks, each one Chinese sentence: documents that cannot be told
      apart on paper, outputs renamed because of a name collision, one system error that hit many
      files (reported once), PDFs that could not be made.
    * ``pdf_problem`` — why no PDF at all could be made (LibreOffice missing), or None.
    * ``pdf_log`` — LibreOffice's exit codes and error output, for ``--debug``.
    * ``interrupted`` — the signal number that stopped the batch, or None.
    * ``pdf_wanted`` — whether PDFs were asked for.

    The exit policy is :attr:`exit_code`: 128 + signal when interrupted; 1 when any workbook failed,
    any document is nearly empty, or a PDF/bundle asked for is missing; otherwise 0.
    """

    outcomes: list[Outcome]
    skipped: list[Skipped] = field(default_factory=list)
    out_dir: Path = Path()
    report: Path | None = None
    zip: Path | None = None
    bundle: Path | None = None
    notices: list[str] = field(default_factory=list)
    pdf_problem: str | None = None
    pdf_log: list[str] = field(default_factory=list)
    interrupted: int | None = None
    pdf_wanted: bool = False
    bundle_wanted: bool = False

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.outcomes)

    def __len__(self) -> int:
        return len(self.outcomes)

    def __getitem__(self, index: int) -> Outcome:
        return self.outcomes[index]

    @property
    def written(self) -> int:
        """Documents written with content (not counting nearly empty ones)."""
        return sum(o.status == "已生成" for o in self.outcomes)

    @property
    def nearly_empty(self) -> int:
        return sum(o.status == "内容过少" for o in self.outcomes)

    @property
    def unprocessed(self) -> int:
        """Workbooks not reached because the batch was stopped."""
        return sum(o.status == "未处理" for o in self.outcomes)

    @property
    def failed(self) -> int:
        return sum(not o.ok for o in self.outcomes)

    @property
    def missing_pdfs(self) -> int:
        return sum(o.ok and o.output is not None and o.pdf is None for o in self.outcomes) if self.pdf_wanted else 0

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 128 + self.interrupted
        if self.failed or self.nearly_empty or self.missing_pdfs or (self.bundle_wanted and self.bundle is None):
            return 1
        return 0


# ---------------------------------------------------------------- inputs


def scan(paths: Iterable[Path]) -> tuple[list[Path], list[Skipped]]:
    """Expand folders into their workbooks (sorted) and list what a folder holds but is not merged."""
    found: list[Path] = []
    skipped: list[Skipped] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        for entry in sorted(path.iterdir()):
            name, suffix = entry.name, entry.suffix.lower()
            if name.startswith(".~") or name.startswith("."):
                continue  # our own temporary files and hidden files
            if entry.is_dir():
                skipped.append(Skipped(entry, "是子文件夹，未处理（只合并所给文件夹里的工作簿）"))
            elif name.startswith("~$"):
                if suffix in WORKBOOK_SUFFIXES or suffix in OTHER_SHEETS:
                    skipped.append(Skipped(entry, "是 Excel/WPS 打开工作簿时留下的锁定文件，不是工作簿"))
            elif name == REPORT_NAME:
                skipped.append(Skipped(entry, "是本工具生成的汇总表"))
            elif suffix in WORKBOOK_SUFFIXES:
                found.append(entry)
            elif suffix in OTHER_SHEETS:
                skipped.append(Skipped(entry, f"是 {suffix} 文件，请用 Excel 或 WPS 另存为 .xlsx 后再合并"))
    return list(dict.fromkeys(found)), skipped


# ---------------------------------------------------------------- names


def check_pattern(pattern: str) -> None:
    """A name pattern may use the information sheet's fields and {文件名}; anything else is a typo."""
    unknown = [f for f in re.findall(r"\{([^{}]*)\}", pattern) if f not in PATTERN_FIELDS]
    fields = "、".join("{" + f + "}" for f in PATTERN_HINT)
    if unknown:
        raise GwError(f"--name-pattern 中的“{{{unknown[0]}}}”不是可用的字段；可用：{fields}。")
    if not re.search(r"\{[^{}]+\}", pattern):
        raise GwError("--name-pattern 至少要用一个字段，否则每份文件同名，如 \"{单位}-{姓名}-{职务}\"；"
                      f"可用：{fields}。")


def name_from_pattern(pattern: str, doc: Document, stem: str) -> str:
    """The output name a pattern gives for one document; empty fields drop out with their dashes."""
    from .safetext import safe_filename
    from .text import one_line

    def value(m: re.Match[str]) -> str:
        key = m.group(1)
        return stem if key == "文件名" else one_line(doc.field(key))

    name = re.sub(r"\{([^{}]*)\}", value, pattern)
    name = re.sub(r"([-_ ·—])\1+", r"\1", name).strip("-_ ·—")
    return safe_filename(name) if name else stem


# ---------------------------------------------------------------- one workbook (in a worker)


@dataclass(frozen=True)
class Settings:
    """What every worker needs to know; picklable (Windows starts workers fresh)."""

    out_dir: Path
    kind: str | None = None
    template: Path | None = None
    profiles: tuple[str, ...] = ()
    name_pattern: str | None = None
    rules_off: tuple[str, ...] = ()  # check rules switched off for this run


def _width(text: str) -> float:
    """Width in body characters (half-width counts one half), from the UTF-8 length: fast enough
    for an estimate (characters of 1 and 3 bytes; the rare 2-byte ones count as 3-byte)."""
    wide = (len(text.encode("utf-8")) - len(text)) / 2
    return wide + (len(text) - wide) / 2


def summarise(doc: Document, plan: Plan) -> DocSummary:
    """Character counts, the page estimate and whether the person is named on the page."""
    content = 0
    for section in doc.sections:
        for node in section.nodes:
            content += len(node.body.value)
            if node.level in (sf.Level.POINT, sf.Level.PARA):
                content += len(node.heading.value)
    lines = len(plan.title_lines) + 1 + (1 if plan.name_line else 0)
    for para in plan.paragraphs:
        lines += max(1, math.ceil((_width(para.text) + 2) / CHARS_PER_LINE))
    if plan.signature is not None:
        lines += 3
    chars = sum(len("".join(p.text.split())) for p in plan.paragraphs) + len("".join(plan.title.split()))
    return DocSummary(title=plan.title, name=plan.name, position=plan.position, unit=plan.unit, chars=chars,
                      content_chars=content, pages=max(1, math.ceil(lines / LINES_PER_PAGE)),
                      named_on_page=bool(plan.name_line) or plan.signature is not None)


def merge_to_temp(path: Path, settings: Settings) -> tuple[Outcome, str]:
    """Merge one workbook into a temporary file in the output folder.

    Returns the outcome (``output`` is the temporary file) and the name the output should get.
    """
    from . import api, checks, layout, numbering, render
    from .safetext import safe_filename

    outcome = api.Outcome(path)
    # The workbook's own name, made safe like a pattern's: a name Linux allows and Windows does not
    # (a:b?, CON, a trailing space) or one with a right-to-left override (U+202E, to spoof a suffix)
    # must not become the document's name in a folder that is copied to Windows or shared.
    wanted = safe_filename(path.stem)
    try:
        doc, doc_kind, outcome.findings = api.read(path, settings.kind, settings.rules_off)
        outcome.paragraphs = checks.batch_input(doc, doc_kind, settings.rules_off)  # for 雷同
        if any(f.is_error for f in outcome.findings):
            raise InputInvalid(outcome.findings)
        tpl = settings.template or api._kind_template(doc_kind, settings.profiles)
        if isinstance(tpl, Path) and not tpl.is_file():
            raise GwError("模板文件不存在。", Location(tpl))
        plan = layout.plan(numbering.number(doc), doc_kind)
        data = render.compiled(tpl).document(plan)
        outcome.summary = summarise(doc, plan)
        if settings.name_pattern:
            wanted = name_from_pattern(settings.name_pattern, doc, wanted)
        outcome.output = write_temp(settings.out_dir, data, ".docx")
    except GwError as exc:
        outcome.error = exc
    except OSError as exc:
        outcome.error, outcome.os_errno = os_error(exc, settings.out_dir), exc.errno
    except Exception as exc:  # reported per input, the batch goes on
        outcome.crash = InternalError.wrap(exc)
    return outcome, wanted


def os_error(exc: OSError, where: Path) -> GwError:
    """A system error as one Chinese sentence."""
    from .errors import os_message

    return GwError(f"无法写入：{os_message(exc)}。", Location(where))


def write_temp(folder: Path, data: bytes, suffix: str) -> Path:
    """Write ``data`` to a new hidden temporary file with ordinary permissions (the user's umask)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}{suffix}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            if os.name == "nt":  # hidden on Windows too
                import ctypes

                ctypes.windll.kernel32.SetFileAttributesW(str(path), 0x2)  # type: ignore[attr-defined]
            f.write(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def publish(temp: Path, dest: Path) -> None:
    """Move a finished temporary file to its final name (visible again on Windows)."""
    if os.name == "nt":  # a renamed file keeps its attributes: the hidden flag must go first
        import ctypes

        ctypes.windll.kernel32.SetFileAttributesW(str(temp), 0x80)  # type: ignore[attr-defined]
    os.replace(temp, dest)


def sweep_temps(folder: Path, pids: set[int] | None = None, keep: set[Path] | frozenset[Path] = frozenset()) -> None:
    """Remove temporary files of ours: those of ``pids``, or (None) those whose process is gone,
    with the PDF work folders of a run that was killed.

    A file counts as ours by its name pattern and its content (empty, a zip or a PDF); ``keep``
    are complete documents a worker handed over before it died.
    """
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        m = _TEMP.fullmatch(entry.name)
        if not m:
            folder_m = _TEMP_FOLDER.fullmatch(entry.name)
            if folder_m and pids is None and not _alive(int(folder_m.group(1)), entry):
                with contextlib.suppress(OSError):
                    if entry.is_dir() and not entry.is_symlink():
                        shutil.rmtree(entry, ignore_errors=True)
            continue
        pid = int(m.group(1))
        if entry in keep or (pids is not None and pid not in pids):
            continue
        if pids is None and _alive(pid, entry):
            continue
        with contextlib.suppress(OSError):
            if entry.is_symlink() or not entry.is_file():
                continue
            with entry.open("rb") as f:
                head = f.read(4)
            if head in (b"", b"PK\x03\x04", b"%PDF") or len(head) < 4:
                entry.unlink()


def _alive(pid: int, path: Path | None = None) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        # No cheap process check: a file untouched for an hour belongs to a run that is over.
        try:
            return path is not None and time.time() - path.stat().st_mtime < 3600
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


# ---------------------------------------------------------------- workers


_HANDED: list[Path] = []  # a worker's documents not yet moved into place by the parent
_FINISHED = threading.Event()  # a worker's main loop has cleaned up


class _Stop(BaseException):
    """Raised in a worker by SIGTERM/SIGHUP or its parent's death: clean up and leave."""


def _stop(signum: int, frame: object) -> None:
    raise _Stop


def _watch_parent() -> None:
    """Leave when the parent dies: its sentinel works on Windows and POSIX alike."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        from multiprocessing.connection import wait

        wait([parent.sentinel])
        # The main thread removes its temporary files on SIGTERM; a real signal also interrupts a
        # blocking read, which a simulated one (Windows) does not.
        with contextlib.suppress(Exception):
            if os.name == "posix":
                os.kill(os.getpid(), signal.SIGTERM)
            else:
                import _thread

                _thread.interrupt_main(signal.SIGTERM)
        _FINISHED.wait(2)
        for temp in _HANDED:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
        os._exit(3)

    threading.Thread(target=watch, daemon=True, name="gwmerge-parent-watch").start()


def _worker(conn: Connection, settings: Settings) -> None:
    """A worker's life: merge the paths it is sent until told to stop or its parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides what a Ctrl+C stops
    signal.signal(signal.SIGTERM, _stop)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, _stop)
    _watch_parent()
    with contextlib.suppress(GwError, OSError):  # a broken kind is reported per workbook, as before
        from . import kinds

        kinds.freeze()
    # Documents handed to the parent that it has not moved into place yet; if the parent dies,
    # they are removed here (one it has moved is no longer at its temporary path).
    handed = _HANDED
    try:
        while True:
            try:
                task = conn.recv()
            except (EOFError, OSError):
                break
            if task is None:
                handed.clear()
                break
            index, path = task
            outcome, wanted = merge_to_temp(path, settings)
            if outcome.output is not None:
                if len(handed) > 16:
                    handed[:] = [p for p in handed if p.exists()]
                handed.append(outcome.output)
            conn.send((index, outcome, wanted))
    except (_Stop, KeyboardInterrupt, OSError):
        pass
    finally:
        for temp in handed:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
        _FINISHED.set()


def _context() -> Any:
    # fork starts a worker in milliseconds with the compiled templates already in memory;
    # Windows and macOS start fresh interpreters.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class Interrupted(BaseException):
    """The batch was stopped by a signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """While the batch runs, SIGINT/SIGTERM/SIGHUP raise :class:`Interrupted` in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    before = {s: signal.getsignal(s) for s in wanted}

    def handler(signum: int, frame: object) -> None:
        for s in wanted:  # a second signal during clean-up must not cut the clean-up short
            signal.signal(s, signal.SIG_IGN)
        raise Interrupted(signum)

    for s in wanted:
        signal.signal(s, handler)
    try:
        yield
    finally:
        for s, h in before.items():
            signal.signal(s, h)


@dataclass
class _Slot:
    process: Any
    conn: Connection
    # Sent and not yet answered, oldest first; the worker takes them in this order.
    tasks: deque[tuple[int, Path]] = field(default_factory=deque)


#: Tasks in flight per worker: the next one waits in the pipe, so a worker never sits idle
#: while the main process files the result it has just sent.
AHEAD = 2


class Pool:
    """Worker processes that survive each other's deaths; results come back with their task."""

    def __init__(self, size: int, settings: Settings) -> None:
        self._ctx = _context()
        self._settings = settings
        self.pids: set[int] = set()
        self.received: set[Path] = set()  # documents handed over, to be kept if their worker dies
        # Forked workers inherit the parent's objects; frozen, the workers' garbage collector
        # neither walks them nor copies their pages (a large parent made every worker slower).
        gc.freeze()
        try:
            self.slots = [self._start() for _ in range(size)]
        finally:
            gc.unfreeze()

    def _start(self) -> _Slot:
        parent_end, child_end = self._ctx.Pipe()
        process = self._ctx.Process(target=_worker, args=(child_end, self._settings), daemon=True,
                                    name="gwmerge-worker")
        process.start()
        child_end.close()
        self.pids.add(process.pid)
        return _Slot(process, parent_end)

    def _replace(self, slot: _Slot) -> None:
        """A new worker in a dead one's place; what the dead one was writing is removed."""
        slot.process.join(1)
        self.received = {p for p in self.received if p.exists()}
        sweep_temps(self._settings.out_dir, {slot.process.pid}, self.received)
        with contextlib.suppress(OSError):
            slot.conn.close()
        replacement = self._start()
        slot.process, slot.conn, slot.tasks = replacement.process, replacement.conn, deque()

    def run(self, tasks: Iterable[tuple[int, Path]]) -> Iterator[tuple[int, Outcome, str]]:
        """Yield ``(index, outcome, wanted name)`` as workers finish, in any order."""
        from multiprocessing.connection import wait

        from . import api

        queue = deque(tasks)
        while True:
            for slot in self.slots:
                while len(slot.tasks) < AHEAD and queue:
                    if not slot.tasks and not slot.process.is_alive():  # died between tasks: none to blame
                        self._replace(slot)
                    task = queue.popleft()
                    slot.tasks.append(task)
                    with contextlib.suppress(OSError):  # a dead worker: found below through its sentinel
                        slot.conn.send(task)
            busy = [s for s in self.slots if s.tasks]
            if not busy:
                return
            ready = set(wait([s.conn for s in busy] + [s.process.sentinel for s in busy]))
            for slot in busy:
                if slot.conn not in ready and slot.process.sentinel not in ready:
                    continue
                message = None
                with contextlib.suppress(EOFError, OSError):
                    if slot.conn.poll():
                        message = slot.conn.recv()
                if message is not None:
                    slot.tasks.popleft()
                    if message[1].output is not None:
                        self.received.add(message[1].output)
                    yield message
                    continue
                if slot.process.is_alive() and slot.conn not in ready:
                    continue
                # The worker died holding its oldest task: name that file, give the tasks queued
                # behind it to the next worker, and carry on with a new worker.
                index, path = slot.tasks.popleft()
                queue.extendleft(reversed(slot.tasks))
                self._replace(slot)
                yield index, api.Outcome(path, error=GwError(DIED, Location(path))), path.stem

    def close(self, *, stop: bool = False) -> None:
        """Let the workers go (``stop``: at once, removing what they were writing)."""
        for slot in self.slots:
            with contextlib.suppress(OSError):
                if stop:
                    slot.process.terminate()
                else:
                    slot.conn.send(None)
        for slot in self.slots:
            slot.process.join(5)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join(5)
            with contextlib.suppress(OSError):
                slot.conn.close()
        sweep_temps(self._settings.out_dir, self.pids)


# ---------------------------------------------------------------- the batch


def run(
    paths: Iterable[Path],
    out_dir: Path,
    *,
    kind: str | None = None,
    template: Path | None = None,
    profiles: Iterable[str] = (),
    pdf: bool = False,
    zip: bool = False,
    bundle: bool = False,
    name_pattern: str | None = None,
    jobs: int | None = None,
    force: bool = False,
    progress: Callable[[Outcome], None] | None = None,
    report: bool | None = None,
    order: Path | None = None,
    rules_off: Iterable[str] = (),
) -> BatchResult:
    """Merge a batch; see :func:`gwmerge.api.merge`."""
    from . import api, checks, kinds, render
    from .profile import DEFAULT, combine

    profiles = tuple(profiles)
    if jobs is not None and jobs < 1:
        raise GwError(f"-j 应为 1 或更大的整数（同时处理的工作簿数），不能是 {jobs}；不写则按本机 CPU 核数。")
    if kind is not None:
        kinds.find(kind)
    try:
        combine(DEFAULT, profiles)
    except ValueError as exc:
        raise GwError(f"{exc}。") from exc
    if template is not None and profiles:
        raise GwError("使用自己的模板（-t）时不能再指定格式方案，格式以模板中的样式为准。")
    if template is not None:  # a pipe or a device would hang or never end: said once, not per workbook
        from .ondisk import require_regular

        require_regular(template, "模板")
    if name_pattern is not None:
        check_pattern(name_pattern)
    rules_off = tuple(checks.validate_off(rules_off))
    inputs, skipped = scan(paths)
    if not inputs and not skipped:
        raise GwError("没有找到 .xlsx 工作簿，请检查路径。")
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GwError(f"无法创建输出文件夹（{os_error(exc, out_dir).message.removeprefix('无法写入：')}），"
                      "请换一个位置。", Location(out_dir)) from exc
    sweep_temps(out_dir)
    settings = Settings(out_dir, kind, template, profiles, name_pattern, rules_off)
    # Compiled here, before the workers start: forked workers find them ready.
    with contextlib.suppress(GwError, OSError):
        if template is not None:
            render.compiled(template)
        else:
            for k in ([kinds.find(kind)] if kind else kinds.available().values()):
                with contextlib.suppress(GwError, OSError):
                    render.compiled(api._kind_template(k, profiles))

    result = BatchResult([api.Outcome(p) for p in inputs], skipped, out_dir, pdf_wanted=pdf, bundle_wanted=bundle)
    # LibreOffice needs a few hundred MB per converter: by default at most four run at once.
    converters = jobs or min(os.cpu_count() or 1, 4)
    jobs = jobs or os.cpu_count() or 1
    pool: Pool | None = None
    gathered = checks.similarity.Gathered()
    done: dict[int, tuple[Outcome, str]] = {}
    taken: dict[str, Path] = {}
    with _signals_raise():
        try:
            if inputs:
                pool = Pool(min(jobs, len(inputs)), settings)
                next_index = 0
                for index, outcome, wanted in pool.run(enumerate(inputs)):
                    if outcome.paragraphs:  # for 雷同, while the workers go on, not all at the end
                        gathered.add(outcome.paragraphs)
                        outcome.paragraphs = None
                    done[index] = (outcome, wanted)
                    while next_index in done:
                        outcome, wanted = done.pop(next_index)
                        _place(outcome, wanted, out_dir, taken, force, result.notices)
                        result.outcomes[next_index] = outcome
                        next_index += 1
                        if progress:
                            progress(outcome)
                pool.close()
                pool = None
            api.add_batch_findings(result.outcomes, rules_off, gathered)  # 雷同, before the 汇总表 counts findings
            _after(result, pdf=pdf, zip=zip, bundle=bundle, report=report, order=order, jobs=converters)
        except Interrupted as exc:
            result.interrupted = exc.signum
        finally:
            if pool is not None:
                pool.close(stop=True)
            for outcome, _ in done.values():
                if outcome.output is not None:
                    outcome.output.unlink(missing_ok=True)
    return result


def _place(outcome: Outcome, wanted: str, out_dir: Path, taken: dict[str, Path], force: bool,
           notices: list[str]) -> None:
    """Give a finished document its final name (in input order) and move it into place."""
    from .render import is_own_output

    temp = outcome.output
    if temp is None:
        return
    outcome.output = None
    stem, n = wanted, 1
    while stem.casefold() in taken:
        n += 1
        stem = f"{wanted}-{n}"
    if n > 1:
        notices.append(f"{outcome.source.name} 与 {taken[wanted.casefold()].name} 的输出同名，"
                       f"已命名为 {stem}.docx。")
    taken[stem.casefold()] = outcome.source
    dest = out_dir / f"{stem}.docx"
    try:
        if (dest.exists() or dest.is_symlink()) and not force and not is_own_output(dest):
            outcome.error = GwError("输出文件已存在且被修改过（在 Word/WPS/LibreOffice 中保存过，或是链接），"
                                    "为免覆盖未重新生成；确需覆盖请加 --force。", Location(dest))
            temp.unlink(missing_ok=True)
            return
        if dest.is_symlink():
            dest.unlink()
        publish(temp, dest)
        outcome.output = dest
    except PermissionError:
        temp.unlink(missing_ok=True)
        outcome.error = GwError("无法写入（文件可能正在 Word 或 WPS 中打开），请关闭后重试。", Location(dest))
    except OSError as exc:
        temp.unlink(missing_ok=True)
        outcome.error, outcome.os_errno = os_error(exc, dest), exc.errno


def _after(result: BatchResult, *, pdf: bool, zip: bool, bundle: bool, report: bool | None,
           order: Path | None, jobs: int) -> None:
    """PDFs, batch-wide notices, the 汇总表, the print bundle and the archive."""
    from . import township

    _shared_errors(result)
    township.indistinguishable(result)
    if pdf or bundle:
        township.make_pdfs(result, jobs=jobs, keep=pdf, bundle=bundle, order=order)
    if report is None:
        report = len(result.outcomes) + len(result.skipped) > 1 or zip or bundle
    if report:
        township.write_report(result, order)
    if zip:
        township.make_zip(result)


def _shared_errors(result: BatchResult) -> None:
    """One system error (a full disk, a read-only folder) that hit many files is said once."""
    by_errno: dict[int, list[Outcome]] = {}
    for outcome in result.outcomes:
        errno = outcome.os_errno
        if errno is not None and outcome.error is not None:
            by_errno.setdefault(errno, []).append(outcome)
    for group in by_errno.values():
        if len(group) > 1:
            first = group[0].error
            assert first is not None
            result.notices.append(f"{len(group)} 个文件因同一原因未能写入：{first.message}")
            for outcome in group:
                outcome.error = GwError("未能写入（原因见下方说明）。", Location(outcome.source))
