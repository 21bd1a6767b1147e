"""What one running server allows: who may connect, and how much may be uploaded."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass, field
from pathlib import Path

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Upload limits; a township's batch (10–50 small workbooks) stays far below them."""

    file_bytes: int = 10 * MB  # one uploaded file
    request_bytes: int = 60 * MB  # one upload request, all files together
    files: int = 200  # files in one request, members of uploaded zips included
    fields: int = 30  # form fields besides the files
    field_chars: int = 500
    zip_unpacked_bytes: int = 100 * MB  # all members of the zips of one request, unpacked
    zip_ratio: int = 200  # unpacked/packed size of one member beyond which it counts as a bomb
    jobs_per_session: int = 20
    jobs_total: int = 200  # all sessions together (a shared server); uploads still arriving do not count
    # Uploads still arriving. A body must keep coming: a pause longer than body_idle_seconds, or a
    # whole body taking longer than body_seconds (60 MB at 200 KB/s), drops the upload and its job.
    body_idle_seconds: float = 30
    body_seconds: float = 5 * 60
    receiving_per_session: int = 3
    receiving_per_address: int = 8  # one LAN address; not loopback, which every local program shares
    receiving_total: int = 64
    # When receiving_total is reached, a new upload takes the place of one that has been arriving
    # for more than slow_after_seconds at under slow_bytes_per_second on average (a crawler).
    slow_after_seconds: float = 2
    slow_bytes_per_second: int = 16 * 1024
    # A job's work runs in a process of its own, under these limits; jobs_running run side by side,
    # one per session at a time, so one user's heavy file cannot make everyone else wait.
    job_memory_bytes: int = 1024 * MB  # address space of the job's process (RLIMIT_AS / Job Object)
    job_run_seconds: float = 20 * 60
    jobs_running: int = 2
    job_seconds: float = 30 * 60  # a finished job's files are removed after this
    after_download_seconds: float = 5 * 60  # …or this long after its zip was downloaded


LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_password() -> str:
    """A password that can be read aloud across an office: no 0/O, 1/l/I."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


@dataclass(frozen=True)
class Settings:
    """``password`` is None only when bound to the loopback interface."""

    root: Path  # private folder for every job's files, removed when the server stops
    password: str | None = None
    local_only: bool = True
    limits: Limits = field(default_factory=Limits)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
