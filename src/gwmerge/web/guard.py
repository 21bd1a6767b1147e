"""Every request passes here: allowed host, access password, session cookie, security headers.

* Bound to the loopback interface, only requests naming a loopback host are served (a web page
  elsewhere cannot reach the server through a rebinding DNS name).
* Bound beyond it, every request must carry the access password: as a cookie set by the login
  page (an HMAC of the password) or as HTTP Basic credentials; both are compared in constant time.
* A session cookie, signed by the server, ties jobs to the browser that made them. Requests that
  change anything must carry it (the cookie is SameSite=Strict, so other sites cannot send it).
* Changes must also come from the page's own origin. ``Referrer-Policy: same-origin`` keeps the
  Origin header on the page's own posts (under ``no-referrer`` Chromium posts forms with
  ``Origin: null``, which would lock everyone out of the login form).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
from http.cookies import SimpleCookie

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gwmerge.web.settings import Settings, is_loopback

SESSION_COOKIE = "gwmerge_session"
AUTH_COOKIE = "gwmerge_auth"
OPEN_PATHS = ("/login", "/static/")
SAFE_METHODS = ("GET", "HEAD")
CSP = ("default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
#: On every response, the guard's own refusals (421, 401, 403) and the app's (413, 429 …) included.
SECURITY_HEADERS = ((b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"cross-origin-resource-policy", b"same-origin"))


def _sign(secret: bytes, value: str) -> str:
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:32]


def auth_token(settings: Settings) -> str:
    """What the login cookie holds: never the password itself."""
    return _sign(settings.secret, "auth:" + (settings.password or ""))


def password_ok(settings: Settings, given: str) -> bool:
    expected = (settings.password or "").encode()
    return bool(settings.password) and secrets.compare_digest(given.encode(), expected)


def _cookies(headers: Headers) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header is as good as none
        return {}
    return {k: m.value for k, m in jar.items()}


def _basic_password(headers: Headers) -> str | None:
    value = headers.get("authorization", "")
    if not value.lower().startswith("basic "):
        return None
    try:
        return base64.b64decode(value[6:]).decode("utf-8").partition(":")[2]
    except (ValueError, UnicodeDecodeError):
        return None


class Guard:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def _session_ok(self, value: str | None) -> bool:
        if not value or "." not in value:
            return False
        token, _, mac = value.partition(".")
        return secrets.compare_digest(mac, _sign(self.settings.secret, "session:" + token))

    def _new_session(self) -> str:
        token = secrets.token_urlsafe(24)
        return f"{token}.{_sign(self.settings.secret, 'session:' + token)}"

    def _authed(self, headers: Headers, cookies: dict[str, str]) -> bool:
        if self.settings.password is None:
            return True
        basic = _basic_password(headers)
        if basic is not None and password_ok(self.settings, basic):
            return True
        return secrets.compare_digest(cookies.get(AUTH_COOKIE, "").encode(), auth_token(self.settings).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fresh: list[str] = []  # a session cookie to set, once one was made for this request
        started: list[bool] = []

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.append(True)
                headers = [h for h in message.get("headers", []) if h[0].lower() not in _OURS]
                extra = list(SECURITY_HEADERS)
                if fresh:
                    cookie = f"{SESSION_COOKIE}={fresh[0]}; Path=/; HttpOnly; SameSite=Strict"
                    extra.append((b"set-cookie", cookie.encode()))
                message["headers"] = headers + extra
            await send(message)

        headers = Headers(scope=scope)
        path: str = scope["path"]
        method: str = scope["method"]
        if self.settings.local_only and not is_loopback(_hostname(headers.get("host", ""))):
            await _plain(secured, 421, "此服务只接受本机访问（127.0.0.1）。")
            return
        cookies = _cookies(headers)
        if not path.startswith(OPEN_PATHS) and not self._authed(headers, cookies):
            if method in SAFE_METHODS and "text/html" in headers.get("accept", ""):
                await _redirect(secured, "/login")
            else:
                await _json(secured, 401, "需要访问密码，请刷新页面后输入。")
            return
        session = cookies.get(SESSION_COOKIE)
        if not self._session_ok(session):
            if method not in SAFE_METHODS and not path.startswith(OPEN_PATHS):
                await _json(secured, 403, "页面已过期，请刷新后重试。")
                return
            session = self._new_session()
            fresh.append(session)
        if method not in SAFE_METHODS and not _same_origin(headers):
            if "text/html" in headers.get("accept", ""):  # a form the browser posted: answer with a page
                await _html(secured, 403, "拒绝来自其他网站的请求。请直接在浏览器地址栏打开本页面后再操作。")
            else:
                await _json(secured, 403, "拒绝来自其他网站的请求。")
            return
        scope.setdefault("state", {})["session"] = session
        try:
            await self.app(scope, receive, secured)
        except Exception:
            # Answered here, with the headers: Starlette's own 500 page is sent outside this middleware.
            if started:
                raise
            await _json(secured, 500, "服务器内部错误，请重试；如反复出现，欢迎反馈。")


_OURS = {name for name, _ in SECURITY_HEADERS}


def _hostname(host: str) -> str:
    """``example:8000`` → ``example``; ``[::1]:8000`` → ``::1``."""
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def _same_origin(headers: Headers) -> bool:
    origin = headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin.split("://", 1)[-1] == headers.get("host", "")


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _html(send: Send, status: int, text: str) -> None:
    """A refusal a person sees (a form post): a short Chinese page, not JSON."""
    body = ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>无法完成 · gwmerge</title>"
            f"<p>{html.escape(text)}</p><p><a href=\"/\">返回首页</a></p></html>").encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _json(send: Send, status: int, message: str) -> None:
    body = json.dumps({"message": message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, location: str) -> None:
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", location.encode()), (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
