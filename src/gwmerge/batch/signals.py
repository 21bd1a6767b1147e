"""Signals during a batch: SIGINT, SIGTERM and SIGHUP stop it cleanly in the main thread."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class Interrupted(BaseException):
    """The batch was stopped by a signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
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


