"""Start the web page: choose the password, say where to go, run uvicorn, clean up on the way out.

SIGINT (Ctrl+C), SIGTERM and SIGHUP (the terminal closed) all stop the server the same way within
seconds: uploads still arriving are cut off after ``GRACE_SECONDS``, running jobs are stopped, and
every upload and result (the private ``gwmerge-web-<pid>-…`` folder) is removed — people's
materials are never left on disk. A server that was killed outright leaves its folder; the next
start removes it (POSIX: when its process is gone).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from gwmerge.core.errors import GwError
from gwmerge.web import jobs
from gwmerge.web.addresses import urls
from gwmerge.web.app import create_app
from gwmerge.web.settings import Settings, is_loopback, new_password

#: How long requests still in progress (a slow upload, a download) may take once the server stops.
GRACE_SECONDS = 2.0
ROOT_PREFIX = "gwmerge-web-"


def settings_for(host: str, password: str | None) -> tuple[Settings, bool]:
    """The server's settings; the flag says the password was made up here (so it must be shown)."""
    local = is_loopback(host)
    made_up = not local and not password
    if not local and made_up:
        password = new_password()
    _sweep_stale_roots(Path(tempfile.gettempdir()))
    root = Path(tempfile.mkdtemp(prefix=f"{ROOT_PREFIX}{os.getpid()}-"))
    return Settings(root=root, password=password or None, local_only=local), made_up


def serve(host: str = "127.0.0.1", port: int = 8000, *, open_browser: bool = False, password: str | None = None,
          say: Callable[[str], None] = print) -> None:
    import uvicorn

    if password is not None and len(password) < 6:
        raise GwError("访问密码至少 6 个字符。")
    settings, made_up = settings_for(host, password)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"
    say(f"gwmerge 网页已启动：{url}（按 Ctrl+C 停止）")
    if not settings.local_only:
        shared = urls(host, port)
        if shared:
            say("已在局域网共享，同事在浏览器地址栏输入：" + "  或  ".join(shared))
        else:
            say(f"已在局域网共享：同事用本机的 IP 地址加端口 {port} 访问（没有找到本机的局域网地址）。")
        say(f"访问密码：{settings.password}" if made_up else "访问密码：启动时 --password 指定的密码")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    _Server = _server_class()
    config = uvicorn.Config(create_app(settings), host=host, port=port, log_level="warning", server_header=False,
                            timeout_graceful_shutdown=GRACE_SECONDS)
    server = _Server(config)
    before = signal.signal(signal.SIGHUP, server.handle_exit) if hasattr(signal, "SIGHUP") else None
    try:
        server.run()
    except OSError as exc:
        raise GwError(f"无法在端口 {port} 上启动（{exc.strerror or exc}），可用 --port 换一个端口。") from exc
    finally:
        jobs.close_all()  # already done unless a second signal cut the shutdown short
        shutil.rmtree(settings.root, ignore_errors=True)
        if before is not None:
            signal.signal(signal.SIGHUP, before)
    if server.stopped_by is not None:
        raise SystemExit(128 + server.stopped_by)


def _server_class() -> type:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, stopped the same way by SIGINT, SIGTERM and SIGHUP; a second signal stops at once.

        The signal is not raised again once the server is down (uvicorn would, and a SIGTERM or
        SIGHUP raised again ends the process before its folder is removed): the exit code says it.
        """

        stopped_by: int | None = None

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            if self.stopped_by is None:
                self.stopped_by = int(sig)
            if self.should_exit:
                self.force_exit = True
            self.should_exit = True

    return Server


def _sweep_stale_roots(temp: Path) -> None:
    """Remove the folders of servers that were killed outright (their process is gone)."""
    if os.name != "posix":  # telling whether a process lives needs more than os.kill there
        return
    with contextlib.suppress(OSError):
        for folder in temp.glob(f"{ROOT_PREFIX}*-*"):
            found = re.fullmatch(rf"{ROOT_PREFIX}(\d+)-\w+", folder.name)
            if found is None or int(found[1]) == os.getpid() or not folder.is_dir() or folder.is_symlink():
                continue
            try:
                os.kill(int(found[1]), 0)
            except ProcessLookupError:
                shutil.rmtree(folder, ignore_errors=True)
            except OSError:  # another user's process: alive
                pass
