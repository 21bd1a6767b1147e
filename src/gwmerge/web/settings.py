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
    jobs_total: int = 200  # all sessions together (a shared server)
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
