"""Run the installed command line in a child process, as a user does (optionally under limits)."""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

#: Memory cap for hostile inputs: the whole process (interpreter, libraries, the work) must fit.
MEMORY_LIMIT = 500 * 1024 * 1024


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_gwmerge(*args: str | Path, cwd: Path | None = None, memory: int | None = None,
                timeout: float = 120) -> Result:
    """``python -m gwmerge ARGS`` (the same entry point as the ``gwmerge`` script)."""

    def limit() -> None:
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    env = dict(os.environ, COLUMNS="200", NO_COLOR="1", PYTHONIOENCODING="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "gwmerge", *map(str, args)],
        capture_output=True, cwd=cwd, env=env, timeout=timeout, preexec_fn=limit, check=False,
    )
    return Result(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))


def one_sentence(result: Result) -> str:
    """The single error line a failed run printed; fails the test on a traceback or several lines."""
    assert "Traceback" not in result.output, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (Linux: /proc/PID/task/*/children)."""
    kids: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``: what a worker pool, a job or a converter has started."""
    found, todo = [], [pid]
    while todo:
        kids = children(todo.pop())
        found += kids
        todo += kids
    return found
