"""Worker processes for a batch: each workbook is merged in a worker, even with ``-j 1``.

A workbook that kills its process (the out-of-memory killer, a crash in a library) costs that
workbook only: the batch goes on with a new worker, and the result names the file. Workers write
complete documents to hidden temporary files and hand them to the main process, which names them.
Workers watch their parent and leave when it dies, even when it was killed outright; SIGTERM and
SIGHUP make a worker remove what it was writing and leave.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gwmerge.batch.naming import output_name
from gwmerge.core.errors import GwError, Location
from gwmerge.core.files import sweep_temps
from gwmerge.core.lifeline import leave_with_parent, stop_self
from gwmerge.document import kinds
from gwmerge.pipeline import Outcome, Settings, merge_to_temp

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

DIED = "处理时进程意外终止（可能内存不足），已跳过此文件，其余文件照常处理。"


_HANDED: list[Path] = []  # a worker's documents not yet moved into place by the parent
_FINISHED = threading.Event()  # a worker's main loop has cleaned up


class _Stop(BaseException):
    """Raised in a worker by SIGTERM/SIGHUP or its parent's death: clean up and leave."""


def _stop(signum: int, frame: object) -> None:
    raise _Stop


def _unraisable(args: Any) -> None:
    """A stop that arrives inside a finalizer (``ZipFile.__del__`` while a document is written) is
    swallowed there, and Python prints it as "Exception ignored … Traceback": deliver it again,
    outside the finalizer, instead of printing it."""
    if isinstance(args.exc_value, _Stop):
        stop_self()  # once more: the first one landed where Python cannot raise it
        return
    sys.__unraisablehook__(args)


def _last_words() -> None:
    """The parent is gone: give the main thread its clean-up, then remove what it handed over."""
    _FINISHED.wait(2)
    for temp in _HANDED:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
    os._exit(3)


def _worker(conn: Connection, settings: Settings, name_pattern: str | None) -> None:
    """A worker's life: merge the paths it is sent until told to stop or its parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides what a Ctrl+C stops
    signal.signal(signal.SIGTERM, _stop)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, _stop)
    sys.unraisablehook = _unraisable
    leave_with_parent(_last_words)
    with contextlib.suppress(GwError, OSError):  # a broken kind is reported per workbook, as before
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
            outcome, doc = merge_to_temp(path, settings)
            wanted = output_name(path, doc, name_pattern)
            del doc
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

    def __init__(self, size: int, settings: Settings, name_pattern: str | None = None) -> None:
        self._ctx = _context()
        self._settings = settings
        self._name_pattern = name_pattern
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
        process = self._ctx.Process(target=_worker, args=(child_end, self._settings, self._name_pattern), daemon=True,
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
                yield index, Outcome(path, error=GwError(DIED, Location(path))), path.stem

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


