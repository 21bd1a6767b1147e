"""Run the command line in this process, as typer's CliRunner did: its exit code, what it printed
(stdout and stderr together, as a terminal shows them) and an exception that escaped a command."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from gwmerge import cli


@dataclass
class Result:
    exit_code: int
    output: str
    exception: BaseException | None = None


def invoke(args: list[str]) -> Result:
    buffer = io.StringIO()
    caught: BaseException | None = None
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        try:
            code = cli.run(list(args))
        except Exception as exc:  # what main() would turn into one sentence: kept for the test to see
            caught, code = exc, 1
    return Result(code, buffer.getvalue(), caught)
