"""Helpers for tests that serve the app: a free port, a running server, Debian's Chromium."""

from __future__ import annotations

import os
import socket
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from qa.assistant import Assistant

CHROMIUM = "/usr/bin/chromium"
# The browser cannot download anything here: no sandbox (containers), no GPU, no background traffic.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout: float = 30.0) -> None:
    """Poll ``url`` until it answers, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def running_app(assistant: Assistant) -> Iterator[str]:
    """Serve the app over ``assistant`` on a free localhost port; yield its URL; stop it afterwards."""
    from qa.app.webapp import serve

    assistant.settings = settings = assistant.settings.updated(app__host="127.0.0.1", app__port=free_port())
    demo = serve(settings, assistant=assistant, prevent_thread_lock=True)
    url = f"http://127.0.0.1:{settings.app.port}/"
    try:
        wait_until_up(url)
        yield url
    finally:
        demo.close()


def require_chromium() -> None:
    """Fail in CI, skip elsewhere, when Debian's Chromium or the playwright package is missing."""
    missing = []
    if not os.path.exists(CHROMIUM):
        missing.append(f"{CHROMIUM} (install it with: sudo apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package (pip install -e '.[dev]')")
    if not missing:
        return
    message = "browser test needs " + " and ".join(missing)
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)
