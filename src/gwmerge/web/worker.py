"""A job's work in a process of its own: a memory cap, a time limit, and no life beyond the server's.

One user's file (a numbering bomb, a huge draft) can then cost at most its own process: the server
keeps answering, other users' jobs run beside it, and a job that outgrows its cap ends with one
sentence instead of taking the machine down.

* The memory cap is the process's address space: ``RLIMIT_AS`` set in the child on POSIX (its own
  children — merge workers, LibreOffice — inherit it, each with the same cap); on Windows the child
  is put in a Job Object with a per-process memory limit (``JOB_OBJECT_LIMIT_PROCESS_MEMORY``).
* The child dies with the server: it watches its parent's sentinel and stops when the parent is
  gone, however it went; on Windows the Job Object also kills it (and what it started) when the
  server's handle to the Job Object closes (``KILL_ON_JOB_CLOSE``).
* Stopping a job sends SIGTERM (the merge stops its converters and removes its temporary files),
  then kills it after a grace period.

Processes are never forked from the server itself (forking a process that runs threads can copy a
lock another thread holds): on Linux a fork server forks them, elsewhere they are spawned.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from gwmerge.core.errors import InternalError
from gwmerge.core.lifeline import leave_with_parent
from gwmerge.web.multipart import Refused
from gwmerge.web.settings import MB, Limits


def _context() -> Any:
    """Linux: a fork server (one clean, single-threaded process with the library imported forks each
    job in milliseconds); elsewhere fresh interpreters."""
    if sys.platform.startswith("linux"):
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["gwmerge.web.work"])
        return context
    return multiprocessing.get_context("spawn")


_CTX = _context()

#: Set in the server's environment by the tests only: a job whose first input's name starts with
#: ``allocate`` then allocates this many MB before its work, to show the memory cap holds.
TEST_ALLOCATE = "GWMERGE_TEST_JOB_ALLOCATE_MB"

#: What the job's view shows while it runs (sent to the server as they change).
SHOWN = ("phase", "done", "total")


def memory_message(limits: Limits) -> str:
    return (f"处理这些文件所需的内存超过了每项任务的上限（{limits.job_memory_bytes // MB} MB），已停止；"
            "请检查文件是否异常（例如编号极大、段落极多），或分批处理。")


def died_message() -> str:
    return "处理时进程意外终止（可能内存不足），请检查文件后重试。"


def time_message(limits: Limits) -> str:
    return f"处理超过 {limits.job_run_seconds / 60:g} 分钟仍未完成，已停止；请分批处理，或检查文件是否异常。"


class Worker:
    """One job's process, seen from the server: started, followed, stopped."""

    def __init__(self, job: Any, work: Callable[[Any], None], limits: Limits) -> None:
        self.job = job
        self.limits = limits
        self._receive, send = _CTX.Pipe(duplex=False)
        self.process = _CTX.Process(target=_main, args=(send, job, work, limits), name="gwmerge-web-job")
        self._send = send
        self._windows_job: Any = None
        self._stopping = False

    def run(self) -> tuple[bool, str | None, dict[str, Any] | None, dict[str, Any] | None]:
        """Run the job to its end (blocks): ``(done, message, data, downloads)``; data None when it died."""
        self.process.start()
        self._send.close()
        if sys.platform == "win32":
            self._windows_job = _windows_cap(self.process, self.limits.job_memory_bytes)
        deadline = time.monotonic() + self.limits.job_run_seconds
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.stop()
                    return False, time_message(self.limits), None, None
                try:
                    if not self._receive.poll(min(left, 1.0)):
                        continue
                    message = self._receive.recv()
                except (EOFError, OSError):
                    break
                if message[0] == "progress":
                    setattr(self.job, message[1], message[2])
                elif message[0] == "end":
                    _, done, text, data, downloads = message
                    return done, text, data, downloads
        finally:
            self._receive.close()
            self.process.join(5)
            if self.process.is_alive():
                self.stop()
        if self._stopping:
            return False, "服务已停止，任务未完成。", None, None
        # The process ended without a word: killed (the out-of-memory killer), or crashed.
        return False, died_message(), None, None

    def stop(self, grace: float = 3.0) -> None:
        """Ask the process to stop (it removes its temporary files, stops its converters), then kill it."""
        self._stopping = True
        if self.process.pid is None:
            return
        if os.name == "posix" and self.process.is_alive():
            with contextlib.suppress(OSError):
                self.process.terminate()  # SIGTERM
            self.process.join(grace)
        if self._windows_job is not None:  # closing it kills the job and whatever it started
            _windows_close(self._windows_job)
            self._windows_job = None
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                self.process.kill()
        self.process.join(grace)


# -- in the job's process -------------------------------------------------------------------------

class _Stop(BaseException):
    """SIGTERM, SIGHUP or the server's death: stop the work."""


def _stop(signum: int, frame: object) -> None:
    raise _Stop


def _main(conn: Connection, job: Any, work: Callable[[Any], None], limits: Limits) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the server, which stops its jobs
    signal.signal(signal.SIGTERM, _stop)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, _stop)
    _cap_memory(limits.job_memory_bytes)
    leave_with_parent(_last_words)
    _report_progress(job, conn)
    done, text = False, None
    try:
        _test_allocation(job)
        work(job)
        done = True
    except Refused as exc:
        text = exc.message
    except MemoryError:
        text = memory_message(limits)
    except _Stop:
        text = "服务已停止，任务未完成。"
    except Exception as exc:  # shown as one sentence; the server keeps serving
        text = f"内部错误：{InternalError.wrap(exc)}（欢迎反馈）"
    with contextlib.suppress(OSError, _Stop):
        conn.send(("end", done, text, job.data, job.downloads))
        conn.close()


def _cap_memory(limit: int) -> None:
    """POSIX: cap the address space (soft limit; the work runs no user code that could raise it)."""
    try:
        import resource
    except ImportError:  # Windows: the Job Object set by the server caps the process
        return
    with contextlib.suppress(ValueError, OSError):
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _last_words() -> None:
    """The server is gone: the job had its SIGTERM; give it a few seconds to stop its converters."""
    time.sleep(5)
    os._exit(3)


def _report_progress(job: Any, conn: Connection) -> None:
    """Changes to what the page shows while the job runs are sent to the server as they happen."""
    base = type(job)

    def setattr_and_send(self: Any, name: str, value: Any) -> None:
        base.__setattr__(self, name, value)
        if name in SHOWN:
            with contextlib.suppress(OSError, ValueError):
                conn.send(("progress", name, value))

    job.__class__ = type("ReportingJob", (base,), {"__setattr__": setattr_and_send})


def _test_allocation(job: Any) -> None:
    megabytes = os.environ.get(TEST_ALLOCATE, "")
    inputs = job.data.get("inputs") or []
    if megabytes.isdigit() and inputs and inputs[0].name.startswith("allocate"):
        hog = b"x" * (int(megabytes) * MB)  # written, so resident: as a runaway reader would
        del hog


# -- Windows: a Job Object caps the process's memory and ties it to the server -------------------

def _windows_cap(process: Any, memory: int) -> Any:
    """Put the job's process in a Job Object limiting each process to ``memory`` bytes of commit.

    ``KILL_ON_JOB_CLOSE``: when the server ends (its handle closes), every process in the Job
    Object — the job and what it started — is killed. Returns the handle, or None when it failed
    (the job then runs without the cap, as before).
    """
    import ctypes
    from ctypes import wintypes

    class IoCounters(ctypes.Structure):
        _fields_ = [(name, ctypes.c_ulonglong) for name in (
            "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
            "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]

    class Basic(ctypes.Structure):
        _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64), ("PerJobUserTimeLimit", ctypes.c_int64),
                    ("LimitFlags", wintypes.DWORD), ("MinimumWorkingSetSize", ctypes.c_size_t),
                    ("MaximumWorkingSetSize", ctypes.c_size_t), ("ActiveProcessLimit", wintypes.DWORD),
                    ("Affinity", ctypes.c_size_t), ("PriorityClass", wintypes.DWORD),
                    ("SchedulingClass", wintypes.DWORD)]

    class Extended(ctypes.Structure):
        _fields_ = [("BasicLimitInformation", Basic), ("IoInfo", IoCounters),
                    ("ProcessMemoryLimit", ctypes.c_size_t), ("JobMemoryLimit", ctypes.c_size_t),
                    ("PeakProcessMemoryUsed", ctypes.c_size_t), ("PeakJobMemoryUsed", ctypes.c_size_t)]

    limit_process_memory, kill_on_job_close, extended_limit_information = 0x100, 0x2000, 9
    try:
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        kernel32.CreateJobObjectW.restype = wintypes.HANDLE
        handle = kernel32.CreateJobObjectW(None, None)
        if not handle:
            return None
        info = Extended()
        info.BasicLimitInformation.LimitFlags = limit_process_memory | kill_on_job_close
        info.ProcessMemoryLimit = memory
        ok = kernel32.SetInformationJobObject(wintypes.HANDLE(handle), extended_limit_information,
                                              ctypes.byref(info), ctypes.sizeof(info))
        process_handle = getattr(getattr(process, "_popen", None), "_handle", None)
        if not ok or process_handle is None or not kernel32.AssignProcessToJobObject(
                wintypes.HANDLE(handle), wintypes.HANDLE(int(process_handle))):
            kernel32.CloseHandle(wintypes.HANDLE(handle))
            return None
        return handle
    except (OSError, AttributeError, ValueError):
        return None


def _windows_close(handle: Any) -> None:
    import ctypes
    from ctypes import wintypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.WinDLL("kernel32").CloseHandle(wintypes.HANDLE(handle))  # type: ignore[attr-defined]
