"""A real gwmerge web server on a free port, and the system Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from gwmerge.web import create_app
from gwmerge.web.settings import Settings

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def chromium() -> str:
    """The distribution's Chromium; skipped without it, except in CI where the browser tests must run."""
    found = os.environ.get("GWMERGE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("GWMERGE_REQUIRE_BROWSER"):
            pytest.fail("CI 要求运行浏览器测试，但没有找到 chromium")
        pytest.skip("未安装 chromium，跳过浏览器测试")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(settings: Settings, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``settings`` in a thread; yields the base URL; stops the server (and its cleanup) after."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def settings(tmp_path: Path, **kwargs: object) -> Settings:
    root = tmp_path / "jobs"
    root.mkdir()
    return Settings(root=root, **kwargs)  # type: ignore[arg-type]
