"""Jobs: one user's files and work, in a private folder, run in a process of their own.

A job id is unguessable and a job answers only to the session that made it; its folder is removed
when it expires (a while after it finished, sooner once everything was downloaded) and when the
server stops (running work is stopped first).

Fairness: uploads still arriving are counted apart from the jobs (per session, per LAN address and
in all), must keep coming (see ``Limits.body_idle_seconds``), and when the server is full of them a
new upload takes the place of the slowest crawler; jobs run ``Limits.jobs_running`` at a time, one
per session, each in its own process under a memory cap (see worker.py).
"""

from __future__ import annotations

import secrets
import shutil
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gwmerge.web.multipart import Refused
from gwmerge.web.settings import Limits, is_loopback
from gwmerge.web.worker import Worker

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
    address: str = ""  # the client's address, for the cap on uploads still arriving
    received: int = 0  # bytes of the upload so far
    started: float = field(default_factory=time.monotonic)
    complete: bool = False  # the whole upload is in (its files are being sorted, or the work starts)
    dropped: bool = False  # removed while its upload was still arriving: the upload stops

    def __getstate__(self) -> dict[str, Any]:
        """What the job's process gets (a lock cannot travel)."""
        return {k: v for k, v in self.__dict__.items() if k != "lock"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.lock = threading.Lock()

    def offer(self, path: Path, name: str) -> str:
        """A download link token for a file of this job (paths never appear in URLs)."""
        token = secrets.token_urlsafe(9)
        self.downloads[token] = (path, name)
        return token

    @property
    def busy(self) -> bool:
        return self.state in (RECEIVING, QUEUED, RUNNING)


class JobStore:
    def __init__(self, root: Path, limits: Limits) -> None:
        self.root = root
        self.limits = limits
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._queue: list[tuple[Job, Callable[[Job], None]]] = []
        self._workers: dict[str, Worker] = {}  # job id → its running process
        self._threads: list[threading.Thread] = []
        self._closing = False
        _OPEN.add(self)

    def create(self, session: str, address: str = "") -> Job:
        """A new job, receiving its upload; refused (429) when this client already sends too much."""
        with self._lock:
            if self._closing:
                raise Refused("服务正在停止，请稍后再试。", 503)
            self._room_to_receive(session, address)
            settled = [j for j in self._jobs.values() if j.state != RECEIVING]
            self._make_room([j for j in settled if j.session == session], self.limits.jobs_per_session)
            self._make_room(settled, self.limits.jobs_total)
            job = Job(secrets.token_urlsafe(18), session, self.root / secrets.token_hex(12), address=address)
            job.folder.mkdir(mode=0o700)
            self._jobs[job.id] = job
            return job

    def _room_to_receive(self, session: str, address: str) -> None:
        """Caps on uploads still arriving; at the total, the slowest crawler makes way."""
        receiving = [j for j in self._jobs.values() if j.state == RECEIVING]
        busy = Refused("你同时上传的文件太多，请等前面的上传完成后再试。", 429)
        if sum(j.session == session for j in receiving) >= self.limits.receiving_per_session:
            raise busy
        if address and not is_loopback(address) and \
                sum(j.address == address for j in receiving) >= self.limits.receiving_per_address:
            raise busy
        if len(receiving) < self.limits.receiving_total:
            return
        now = time.monotonic()
        crawlers = [j for j in receiving if not j.complete and now - j.started > self.limits.slow_after_seconds
                    and j.received / (now - j.started) < self.limits.slow_bytes_per_second]
        if not crawlers:
            raise Refused("正在上传的人太多，请稍后再试。", 429)
        slowest = min(crawlers, key=lambda j: j.received / (now - j.started))
        self._remove(slowest)

    def receiving(self, job: Job, received: int, complete: bool = False) -> bool:
        """The upload goes on (``received`` bytes so far; ``complete``: all in); False once the job was dropped."""
        job.received, job.complete = received, complete
        return not job.dropped

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
        """Queue ``work(job)`` to run in a process of its own; whatever happens ends as a message on the job.

        ``work`` is sent to that process: a module-level function or a ``functools.partial`` of one.
        """
        with self._lock:
            if job.state in (QUEUED, RUNNING):
                raise Refused("这项任务还在进行中，请稍候。", 409)
            if self._closing:
                raise Refused("服务正在停止，请稍后再试。", 503)
            job.state, job.phase, job.done, job.total, job.expires = QUEUED, "排队中……", 0, 0, None
            self._queue.append((job, work))
        self._dispatch()

    def _dispatch(self) -> None:
        """Start queued jobs while there is a free slot: oldest first, one per session at a time."""
        with self._lock:
            while not self._closing and len(self._workers) < self.limits.jobs_running:
                running = {self._jobs[i].session for i in self._workers if i in self._jobs}
                pick = next((q for q in self._queue if q[0].session not in running), None)
                if pick is None:
                    return
                self._queue.remove(pick)
                job, work = pick
                job.state, job.phase = RUNNING, "正在启动……"
                worker = Worker(job, work, self.limits)
                self._workers[job.id] = worker
                thread = threading.Thread(target=self._follow, args=(job, worker), daemon=True,
                                          name="gwmerge-job")
                self._threads = [t for t in self._threads if t.is_alive()] + [thread]
                thread.start()

    def _follow(self, job: Job, worker: Worker) -> None:
        try:
            done, message, data, downloads = worker.run()
        except Exception as exc:  # the process could not even start
            done, message, data, downloads = False, f"无法启动任务：{exc}", None, None
        if data is not None:
            job.data = data
        if downloads is not None:
            job.downloads = downloads
        if message is not None:
            job.data["message"] = message
        job.finished = time.monotonic()
        job.phase = ""
        job.state = DONE if done else FAILED
        with self._lock:
            self._workers.pop(job.id, None)
            if job.dropped:  # cancelled while it ran: what it wrote before it stopped goes too
                shutil.rmtree(job.folder, ignore_errors=True)
        self._dispatch()

    def cancel(self, job: Job) -> None:
        """取消 on the page: queued work never starts, running work is stopped, and the job goes."""
        with self._lock:
            self._queue = [q for q in self._queue if q[0] is not job]
            worker = self._workers.get(job.id)
            self._remove(job)
        if worker is not None:  # stopping takes up to a few seconds: not on the request's thread
            threading.Thread(target=worker.stop, daemon=True, name="gwmerge-cancel").start()

    def downloaded_all(self, job: Job) -> None:
        job.expires = time.monotonic() + self.limits.after_download_seconds

    def remove(self, job: Job) -> None:
        with self._lock:
            self._remove(job)

    def _remove(self, job: Job) -> None:
        job.dropped = True
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
        """Stop: queued work never starts, running work is stopped, every job's files are removed."""
        _OPEN.discard(self)
        with self._lock:
            self._closing = True
            self._queue.clear()
            workers = list(self._workers.values())
        stoppers = [threading.Thread(target=w.stop, daemon=True) for w in workers]
        for t in stoppers:
            t.start()
        for t in stoppers + self._threads:
            t.join(15)
        with self._lock:
            for job in list(self._jobs.values()):
                self._remove(job)
        shutil.rmtree(self.root, ignore_errors=True)


_OPEN: weakref.WeakSet[JobStore] = weakref.WeakSet()


def close_all() -> None:
    """Close every job store still open (the server's last word, whatever cut its shutdown short)."""
    for store in list(_OPEN):
        store.close()
