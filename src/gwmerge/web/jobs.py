"""Jobs: one user's files and work, in a private folder, run off the request thread.

A job id is unguessable and a job answers only to the session that made it; its folder is removed
when it expires (a while after it finished, sooner once everything was downloaded) and when the
server stops.
"""

from __future__ import annotations

import secrets
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gwmerge.core.errors import InternalError
from gwmerge.web.multipart import Refused
from gwmerge.web.settings import Limits

RECEIVING, QUEUED, RUNNING, DONE, FAILED = "receiving", "queued", "running", "done", "failed"


@dataclass
class Job:
    id: str
    session: str
    folder: Path
    state: str = RECEIVING  # files are still arriving: nothing may remove the job yet
    phase: str = ""
    done: int = 0
    total: int = 0
    data: dict[str, Any] = field(default_factory=dict)  # what the page shows, JSON-ready
    downloads: dict[str, tuple[Path, str]] = field(default_factory=dict)  # token → (file, download name)
    finished: float = field(default_factory=time.monotonic)
    expires: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def offer(self, path: Path, name: str) -> str:
        """A download link token for a file of this job (paths never appear in URLs)."""
        token = secrets.token_urlsafe(9)
        self.downloads[token] = (path, name)
        return token

    @property
    def busy(self) -> bool:
        return self.state in (RECEIVING, QUEUED, RUNNING)


class JobStore:
    def __init__(self, root: Path, limits: Limits, executor: Executor | None = None) -> None:
        self.root = root
        self.limits = limits
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._executor = executor or ThreadPoolExecutor(max_workers=2, thread_name_prefix="gwmerge-job")

    def create(self, session: str) -> Job:
        with self._lock:
            self._make_room([j for j in self._jobs.values() if j.session == session], self.limits.jobs_per_session)
            self._make_room(list(self._jobs.values()), self.limits.jobs_total)
            job = Job(secrets.token_urlsafe(18), session, self.root / secrets.token_hex(12))
            job.folder.mkdir(mode=0o700)
            self._jobs[job.id] = job
            return job

    def _make_room(self, jobs: list[Job], limit: int) -> None:
        """At the limit, the oldest finished job goes; when all are running, the new one is refused."""
        if len(jobs) < limit:
            return
        oldest = min((j for j in jobs if not j.busy), key=lambda j: j.finished, default=None)
        if oldest is None:
            raise Refused("同时进行的任务太多，请等前面的任务完成后再试。", 429)
        self._remove(oldest)

    def get(self, session: str, job_id: str) -> Job | None:
        """The job, only for the session that created it."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or not secrets.compare_digest(job.session, session):
            return None
        return job

    def run(self, job: Job, work: Callable[[Job], None]) -> None:
        """Start ``work(job)`` in the background; whatever it raises ends as a message on the job."""
        if job.state in (QUEUED, RUNNING):
            raise Refused("这项任务还在进行中，请稍候。", 409)
        job.state, job.phase, job.done, job.total, job.expires = QUEUED, "排队中……", 0, 0, None

        def task() -> None:
            job.state = RUNNING
            try:
                work(job)
                job.state = DONE
            except Refused as exc:
                job.data["message"] = exc.message
                job.state = FAILED
            except Exception as exc:  # shown as one sentence; the server keeps serving
                job.data["message"] = f"内部错误：{InternalError.wrap(exc)}（欢迎反馈）"
                job.state = FAILED
            finally:
                job.finished = time.monotonic()
                job.phase = ""

        self._executor.submit(task)

    def downloaded_all(self, job: Job) -> None:
        job.expires = time.monotonic() + self.limits.after_download_seconds

    def remove(self, job: Job) -> None:
        with self._lock:
            self._remove(job)

    def _remove(self, job: Job) -> None:
        self._jobs.pop(job.id, None)
        shutil.rmtree(job.folder, ignore_errors=True)

    def sweep(self, now: float | None = None) -> int:
        """Remove jobs whose time is up; returns how many went."""
        now = time.monotonic() if now is None else now
        with self._lock:
            old = [j for j in self._jobs.values() if not j.busy and (
                now - j.finished > self.limits.job_seconds or (j.expires is not None and now > j.expires))]
            for job in old:
                self._remove(job)
        return len(old)

    def close(self) -> None:
        """Stop: wait for running work to notice nothing, then remove every job's files."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            for job in list(self._jobs.values()):
                self._remove(job)
        shutil.rmtree(self.root, ignore_errors=True)
