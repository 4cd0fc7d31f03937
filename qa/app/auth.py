"""Logins: the user:password pairs the app accepts, and a throttle on failed attempts."""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from starlette.requests import Request

from qa.errors import QAError
from qa.settings import Settings


def auth_pairs(settings: Settings) -> list[tuple[str, str]] | None:
    """Login pairs from ``app.auth`` ('user:password') and ``app.auth_file`` (one per line); None if unset."""
    lines: list[tuple[str, str]] = []
    if settings.app.auth:
        lines.append(("QA_APP__AUTH", settings.app.auth))
    if settings.app.auth_file:
        try:
            text = Path(settings.app.auth_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise QAError(f"Cannot read the login file {settings.app.auth_file}: {exc.strerror or exc}.") from exc
        lines += [(str(settings.app.auth_file), line.strip()) for line in text.splitlines()]
    pairs = []
    for origin, line in lines:
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not sep or not user.strip() or not password:
            raise QAError(f"A login in {origin} is not in the form 'user:password'. Fix it or unset it.")
        pairs.append((user.strip(), password))
    return pairs or None


@dataclass
class _Record:
    """Failed logins for one user or one address: recent failure times, lockouts so far, locked until when."""

    failures: list[float] = field(default_factory=list)
    lockouts: int = 0
    locked_until: float = 0.0
    last_seen: float = 0.0


@dataclass
class LoginThrottle:
    """Refuse logins for a while after repeated failures, per user name and per client address.

    ``max_failures`` failures within ``window_s`` lock that user (or address) for
    ``base_delay_s``, doubling with each further lockout up to ``max_delay_s``. An address
    gets a larger allowance, since several people may share one (a proxy, or loopback).
    A lock holds even for the right password, or guessing would go on during it.
    Records idle for ``forget_s`` are dropped, so the table stays small.
    """

    max_failures: int = 5
    max_failures_per_address: int = 20
    window_s: float = 60.0
    base_delay_s: float = 30.0
    max_delay_s: float = 900.0
    forget_s: float = 3600.0
    clock: Callable[[], float] = time.monotonic
    _records: OrderedDict[tuple[str, str], _Record] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def rule(self) -> str:
        """The rule in a sentence, for the login page."""
        return (
            f"After {self.max_failures} wrong passwords for a user within {self.window_s:g} seconds, that user "
            f"cannot log in for {self.base_delay_s:g} seconds, twice as long each time it happens again."
        )

    def wait_s(self, user: str, address: str) -> float:
        """Seconds until ``user`` may try to log in from ``address`` again; 0 when allowed now."""
        now = self.clock()
        with self._lock:
            self._forget_idle(now)
            records = [self._records.get(key) for key in self._keys(user, address)]
            return max([r.locked_until - now for r in records if r is not None] + [0.0])

    def failed(self, user: str, address: str) -> None:
        """Count a failed login; lock the user or address once it has failed too often."""
        now = self.clock()
        with self._lock:
            for key, limit in zip(self._keys(user, address), (self.max_failures, self.max_failures_per_address)):
                record = self._records.pop(key, None) or _Record()
                self._records[key] = record  # most recently seen last, for _forget_idle
                record.last_seen = now
                record.failures = [t for t in record.failures if now - t < self.window_s] + [now]
                if len(record.failures) >= limit:
                    record.lockouts += 1
                    record.locked_until = now + min(self.base_delay_s * 2 ** (record.lockouts - 1), self.max_delay_s)
                    record.failures = []

    def succeeded(self, user: str, address: str) -> None:
        """A login worked: clear that user's and that address's failures (earlier lockouts still count)."""
        with self._lock:
            for key in self._keys(user, address):
                if (record := self._records.get(key)) is not None:
                    record.failures = []

    @staticmethod
    def _keys(user: str, address: str) -> tuple[tuple[str, str], tuple[str, str]]:
        return ("user", user.strip().casefold()), ("address", address)

    def _forget_idle(self, now: float) -> None:
        while self._records:
            key, record = next(iter(self._records.items()))
            if now - record.last_seen < self.forget_s or record.locked_until > now:
                return
            del self._records[key]


def paused_message(seconds: int) -> str:
    """What a refused login is told while logins are paused."""
    return f"Logins are paused: too many failed logins for this user or from this address. Try again in {seconds} s."


class LoginThrottleMiddleware:
    """ASGI middleware in front of Gradio's ``POST /login``: refuses throttled attempts, records outcomes.

    Gradio checks the password; this only reads the user name from the form (URL-encoded from
    scripts, multipart from the login page) and the client address, and watches the status
    Gradio answers with (200 logged in, 400 or 401 wrong credentials). Gradio's login page shows
    nothing for a refusal (HTTP 429), so the page gets a small script (``static/login.js``) that says
    on it that logins are paused and for how long.
    """

    MAX_FORM_BYTES = 64 * 1024

    def __init__(self, app: Any, throttle: LoginThrottle) -> None:
        self.app = app
        self.throttle = throttle
        script = files("qa.app").joinpath("static", "login.js").read_text(encoding="utf-8")
        self.page_script = f"<script>{script}</script>".encode()

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == "/":
            await self.app(scope, receive, _with_script(send, self.page_script))
            return
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].rstrip("/") != "/login":
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            if len(body) > self.MAX_FORM_BYTES:
                await _send_json(send, 413, {"detail": "The login form is too large."})
                return
            if not message.get("more_body", False):
                break
        user = await _form_user(scope, body)
        address = (scope.get("client") or ("unknown",))[0]
        wait = self.throttle.wait_s(user, address)
        if wait > 0:
            seconds = math.ceil(wait)
            await _send_json(send, 429, {"detail": paused_message(seconds)}, [(b"retry-after", str(seconds).encode())])
            return
        status = 0

        async def watch_status(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, _replay(body, receive), watch_status)
        if status == 200:
            self.throttle.succeeded(user, address)
        elif status in (400, 401):
            self.throttle.failed(user, address)


def _with_script(send: Callable, script: bytes) -> Callable:
    """An ASGI send that puts ``script`` at the end of an HTML page's head (the page is one small body)."""
    start: dict | None = None
    chunks: list[bytes] = []

    async def send_page(message: dict) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers") or [])
            if not headers.get(b"content-type", b"").startswith(b"text/html") or b"content-encoding" in headers:
                await send(message)
                return
            start = message
            return
        if start is None or message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(chunks).replace(b"</head>", script + b"</head>", 1)
        headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"content-length"]
        await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return send_page


def _replay(body: bytes, receive: Callable) -> Callable:
    """An ASGI receive that yields ``body`` once, then whatever the client sends next (a disconnect)."""
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _form_user(scope: dict, body: bytes) -> str:
    """The ``username`` field of a login form body, or '' when there is none."""
    try:
        form = await Request(scope, _replay(body, _no_more)).form()
        user = form.get("username")
    except Exception:  # noqa: BLE001 - a malformed form: Gradio refuses it; throttle by address only
        return ""
    return user.strip() if isinstance(user, str) else ""


async def _no_more() -> dict:
    return {"type": "http.disconnect"}


async def _send_json(send: Callable, status: int, content: dict, headers: list | None = None) -> None:
    body = json.dumps(content).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            + (headers or []),
        }
    )
    await send({"type": "http.response.body", "body": body})
