"""Helpers for tests that serve the app: a free port, a running server, Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
def running_app(assistant: Assistant, **serve_options) -> Iterator[str]:
    """Serve the app over ``assistant`` on a free localhost port; yield its URL; stop it afterwards."""
    from qa.app.server import serve

    assistant.settings = settings = assistant.settings.updated(app__host="127.0.0.1", app__port=free_port())
    demo = serve(settings, assistant=assistant, prevent_thread_lock=True, **serve_options)
    url = f"http://127.0.0.1:{settings.app.port}/"
    try:
        wait_until_up(url)
        yield url
    finally:
        demo.close()


@contextmanager
def serving_in_subprocess(index_dir: Path, corpus_dir: Path, log_dir: Path, env: dict[str, str] | None = None):
    """`qa serve` over an existing index in its own process on a free loopback port, as users run it.

    Yields (url, pid); the process's memory can then be read from /proc without the clients' in it.
    Fails if the server died before it was stopped.
    """
    port = free_port()
    full_env = dict(
        os.environ,
        QA_CORPUS_DIR=str(corpus_dir),
        HF_HUB_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False",
        GRADIO_TEMP_DIR=str(log_dir / "gradio"),
        **(env or {}),
    )
    command = [
        sys.executable,
        "-m",
        "qa.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--index",
        str(index_dir),
    ]
    log = (log_dir / "server.log").open("wb")
    process = subprocess.Popen(command, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, timeout=120)
        yield url, process.pid
        assert process.poll() is None, "the server died during the run"
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


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


def require_axe() -> None:
    """Fail in CI, skip elsewhere, when axe-playwright-python (which bundles axe-core) is missing."""
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError:
        message = "the accessibility check needs axe-playwright-python (pip install -e '.[dev]')"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
