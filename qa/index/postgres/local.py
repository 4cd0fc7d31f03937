"""A throwaway PostgreSQL + pgvector server from the ``pgserver`` package, for tests and benchmarks.

pgserver bundles PostgreSQL 16 with pgvector, but its own launcher listens
only on a Unix socket and widens permissions on every parent folder. This
uses its binaries directly: ``initdb`` and ``pg_ctl`` in a temporary folder,
listening on a free 127.0.0.1 port. PostgreSQL refuses to run as root, so
under root the server runs as an unprivileged system user (created once).
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from qa.errors import MissingExtra

SERVICE_USER = "qa-postgres"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _service_user() -> str | None:
    """None when not root; otherwise the unprivileged user the server runs as (created if missing)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
            check=True,
            capture_output=True,
        )
    return SERVICE_USER


class LocalServer:
    """Start with ``start()`` (or ``with``), connect with ``url``, stop and delete with ``stop()``."""

    def __init__(self, folder: Path | None = None, options: dict[str, str] | None = None) -> None:
        spec = importlib.util.find_spec("pgserver")  # its binaries only: importing it starts its own machinery
        if spec is None or not spec.submodule_search_locations:
            raise MissingExtra(
                "A local PostgreSQL server needs the 'pgserver' package. Install it with: pip install 'cited-qa[postgres]'"
            )
        self.bin = Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"
        self.password = secrets.token_hex(8)
        self._own_folder = folder is None
        self.folder = Path(folder or tempfile.mkdtemp(prefix="qa-postgres-"))
        self.data = self.folder / "data"
        self.port = 0
        self.user = _service_user()
        self.options = options or {}

    @property
    def url(self) -> str:
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode:
            log = self.folder / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {result.stderr.strip() or result.stdout.strip()}\n{tail}")

    def start(self) -> LocalServer:
        try:
            return self._start()
        except BaseException:
            self.stop()  # nothing left running or on disk by a start that failed
            raise

    def _start(self) -> LocalServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.user:
            self.folder.chmod(0o755)
            shutil.chown(self.folder, self.user)
            self._reachable_binaries()
        secret = self.folder / "password"
        secret.touch(mode=0o600)
        secret.write_text(self.password)
        if self.user:
            shutil.chown(secret, self.user)
        self._run(
            "initdb",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            f"--pwfile={secret}",
            "--encoding=utf8",
            "--locale=C",
            "-U",
            "postgres",
            "-D",
            str(self.data),
        )
        secret.unlink()
        self.port = _free_port()
        # A throwaway server: durability off for speed (a kill test kills the client, not the server).
        settings = {"fsync": "off", "full_page_writes": "off", **self.options}
        options = f"-h 127.0.0.1 -p {self.port} -k '' " + " ".join(f"-c {k}={v}" for k, v in settings.items())
        self._run(
            "pg_ctl", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.folder / "log"), "-o", options, "start"
        )
        return self

    def _reachable_binaries(self) -> None:
        """Under a folder only root may enter (a clone in /root), copy the binaries where the server's user can run them."""
        if not self.user:
            return
        probe = subprocess.run(
            ["runuser", "-u", self.user, "--", "test", "-x", str(self.bin / "postgres")], capture_output=True
        )
        if probe.returncode == 0:
            return
        package = self.bin.parents[1]  # site-packages/pgserver; its binaries find libraries at ../../../pgserver.libs
        install = self.folder / "pg" / "pgserver" / "pginstall"
        for part in ("bin", "lib", "share"):
            shutil.copytree(package / "pginstall" / part, install / part, symlinks=True)
        libs = package.parent / "pgserver.libs"
        if libs.is_dir():
            shutil.copytree(libs, self.folder / "pg" / "pgserver.libs", symlinks=True)
        self.bin = install / "bin"

    def restart(self) -> None:
        """Stop the server and start it again on the same port, as an administrator's restart does."""
        self._run(
            "pg_ctl", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.folder / "log"), "-m", "fast", "restart"
        )

    def stop(self) -> None:
        if self.data.exists():
            try:
                self._run("pg_ctl", "-w", "-D", str(self.data), "-m", "fast", "stop")
            except RuntimeError:
                pass
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
