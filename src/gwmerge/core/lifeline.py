"""A child process that leaves with its parent: batch workers and the page's job processes.

When the parent dies, however it went (killed outright included), its sentinel closes; the child
then sends itself SIGTERM so its main thread removes what it was writing, and exits.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable


def stop_self() -> None:
    """SIGTERM to this process's main thread (a real signal also interrupts a blocking read, which
    a simulated one, on Windows, does not)."""
    if os.name == "posix":
        os.kill(os.getpid(), signal.SIGTERM)
    else:
        import _thread

        _thread.interrupt_main(signal.SIGTERM)


def leave_with_parent(last_words: Callable[[], None]) -> None:
    """Watch the parent: when it is gone, stop this process and run ``last_words`` (which should end
    the process, e.g. with ``os._exit``, once the main thread had its chance to clean up)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        from multiprocessing.connection import wait

        wait([parent.sentinel])
        with contextlib.suppress(Exception):
            stop_self()
        last_words()

    threading.Thread(target=watch, daemon=True, name="gwmerge-parent-watch").start()
