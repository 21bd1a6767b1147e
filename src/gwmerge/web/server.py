"""Start the web page: choose the password, say where to go, run uvicorn, clean up on the way out."""

from __future__ import annotations

import shutil
import tempfile
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from gwmerge.core.errors import GwError
from gwmerge.web.addresses import urls
from gwmerge.web.app import create_app
from gwmerge.web.settings import Settings, is_loopback, new_password


def settings_for(host: str, password: str | None) -> tuple[Settings, bool]:
    """The server's settings; the flag says the password was made up here (so it must be shown)."""
    local = is_loopback(host)
    made_up = not local and not password
    if not local and made_up:
        password = new_password()
    root = Path(tempfile.mkdtemp(prefix="gwmerge-web-"))
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
    try:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", server_header=False)
    except OSError as exc:
        raise GwError(f"无法在端口 {port} 上启动（{exc.strerror or exc}），可用 --port 换一个端口。") from exc
    finally:
        shutil.rmtree(settings.root, ignore_errors=True)
