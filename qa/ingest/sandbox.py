"""Read untrusted files in a separate worker process, with a time limit and a memory cap.

A parser that loops forever, blows up memory or crashes the interpreter on a
hostile file must cost us that one file, not the whole ingest. Python cannot
interrupt a parser safely in-process, so ``qa.ingest.readers.read_file`` runs in a
worker process that is killed when a file takes too long and restarted for
the next one. The worker is reused between files, so its start-up cost
(about half a second) is paid once, not per file.

The worker speaks JSON lines over its stdin and stdout: a request names a
file, a reply carries the loaded text or the reason it was refused. Nothing
but plain JSON crosses the boundary, and the worker is a fresh interpreter
(no fork of a parent holding torch or threads, no re-import of the parent's
``__main__``).
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qa.errors import LoadError
from qa.ingest.readers import Loaded, read_file
from qa.ingest.readers.ocr import OcrOptions

WORKER_MEMORY_BYTES = 4 * 1024**3  # address-space cap for the worker: a bomb raises MemoryError, not the OOM killer
START_TIMEOUT_S = 60.0  # a worker that does not say hello within this is broken
_QA_ROOT = str(Path(__file__).resolve().parents[2])


class LoadWorker:
    """One reusable reader process; ``load`` a file at a time, ``close`` when done.

    Safe to share between threads: calls are serialised. A worker killed for
    a timeout, or one that crashed, is replaced on the next call.
    """

    def __init__(self, memory_bytes: int | None = WORKER_MEMORY_BYTES) -> None:
        self.memory_bytes = memory_bytes
        self.starts = 0  # worker processes started so far, for tests and reports
        self._proc: subprocess.Popen | None = None
        self._owner = os.getpid()
        self._lock = threading.Lock()

    def __enter__(self) -> LoadWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        """The current worker process id, or None when none is running."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def load(
        self,
        path: Path,
        max_bytes: int,
        timeout_s: float,
        ocr: OcrLimits | None = None,
        on_ocr: Callable[[int, int], None] | None = None,
    ) -> Loaded:
        """Read ``path`` in the worker; raise LoadError on refusal, timeout or a crash of the reader.

        With ``ocr``, scanned PDF pages are read by OCR, each adding ``ocr.page_s`` to the time allowed;
        ``on_ocr(page, pages)`` is told as each starts, for progress.
        """
        path = Path(path)
        with self._lock:
            proc = self._ensure_started(path.name)
            # Absolute but not resolved: a link is read, and its type judged, by its own name.
            request = {
                "path": str(path.absolute()),
                "max_bytes": int(max_bytes),
                "cpu_s": float(timeout_s),
                "ocr": {"dpi": ocr.dpi, "page_s": ocr.page_s} if ocr is not None else None,
            }
            allowed = timeout_s
            try:
                proc.stdin.write(json.dumps(request).encode() + b"\n")
                proc.stdin.flush()
                deadline = time.monotonic() + timeout_s
                reply = _read_reply(proc, deadline)
                while ocr is not None and ("ocr_pages" in reply or "ocr_page" in reply):
                    if "ocr_pages" in reply:  # the reader is about to OCR this many pages
                        extra = int(reply["ocr_pages"]) * ocr.page_s
                        deadline, allowed = deadline + extra, allowed + extra
                    elif on_ocr is not None:
                        on_ocr(int(reply["ocr_page"]), int(reply["pages"]))
                    reply = _read_reply(proc, deadline)
            except TimeoutError:
                self._stop(kill=True)
                raise LoadError(f"{path.name}: took longer than {allowed:g} s to read; skipped") from None
            except (EOFError, BrokenPipeError, OSError, ValueError):
                how = _death(self._stop(kill=True))
                raise LoadError(f"{path.name}: the reader crashed ({how}) while reading it; skipped") from None
        if "error" in reply:
            raise LoadError(reply["error"])
        return _loaded_from_dict(reply["ok"])

    def close(self) -> None:
        """Stop the worker (it also exits by itself when this process dies)."""
        with self._lock:
            self._stop(kill=False)

    def _ensure_started(self, name: str) -> subprocess.Popen:
        if self._owner != os.getpid():  # inherited through fork: that worker belongs to the parent
            self._proc, self._owner = None, os.getpid()
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        if self._proc is not None:
            self._stop(kill=True)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_QA_ROOT, env.get("PYTHONPATH")) if p)
        command = [sys.executable, "-c", f"from qa.ingest.sandbox import serve; serve({int(self.memory_bytes or 0)})"]
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, bufsize=0)
        try:
            hello = _read_reply(proc, time.monotonic() + START_TIMEOUT_S)
        except (TimeoutError, EOFError, OSError, ValueError) as exc:
            proc.kill()
            proc.wait()
            raise LoadError(
                f"{name}: the file reader process could not start ({type(exc).__name__}); see the log above"
            ) from exc
        if hello.get("ready") is not True:
            proc.kill()
            proc.wait()
            raise LoadError(f"{name}: the file reader process could not start: {hello}")
        self._proc = proc
        self.starts += 1
        return proc

    def _stop(self, kill: bool) -> int | None:
        """End the worker; return its exit status (negative: the signal that ended it)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        if kill and proc.poll() is None:
            proc.kill()
        try:
            proc.stdin.close()
        except OSError:
            pass
        try:
            status = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            status = proc.wait()
        proc.stdout.close()
        return status


_shared = LoadWorker()
atexit.register(_shared.close)


def load_with_limits(
    path: Path,
    max_bytes: int,
    timeout_s: float,
    ocr: OcrLimits | None = None,
    on_ocr: Callable[[int, int], None] | None = None,
) -> Loaded:
    """Read one file like ``qa.ingest.readers.read_file``, but in a worker process that is killed after ``timeout_s``
    (plus ``ocr.page_s`` for each scanned page it reads by OCR, telling ``on_ocr(page, pages)`` as each starts)."""
    return _shared.load(path, max_bytes, timeout_s, ocr, on_ocr)


@dataclass(frozen=True)
class OcrLimits:
    """OCR for scanned PDF pages: the resolution they are rendered at and the time each may take."""

    dpi: int = 200
    page_s: float = 60.0


def ocr_limits(settings: Any) -> OcrLimits | None:
    """The OCR that ``settings`` ask for, or None when it is off."""
    return OcrLimits(settings.ocr_dpi, settings.ocr_page_timeout_s) if settings.ocr else None


# Bytes a worker sent past the reply last read: its OCR progress lines can arrive in one read with the next.
_unread: weakref.WeakKeyDictionary[subprocess.Popen[bytes], bytes] = weakref.WeakKeyDictionary()


def _read_reply(proc: subprocess.Popen[bytes], deadline: float) -> dict[str, Any]:
    """Read one JSON line from the worker by ``deadline``; TimeoutError or EOFError otherwise.

    JSON escapes newlines, so each raw one ends a reply; what follows it is kept for the next read.
    """
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    buffered = _unread.pop(proc, b"")
    while b"\n" not in buffered:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            _unread[proc] = buffered
            raise TimeoutError
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        data = os.read(fd, 1 << 20)
        if not data:
            raise EOFError
        buffered += data
    line, rest = buffered.split(b"\n", 1)
    if rest:
        _unread[proc] = rest
    return json.loads(line)


def _death(status: int | None) -> str:
    if status is not None and status < 0:
        try:
            return f"signal {signal.Signals(-status).name}"
        except ValueError:
            return f"signal {-status}"
    return f"exit status {status}"


def _loaded_to_dict(loaded: Loaded) -> dict[str, Any]:
    return loaded.to_dict()


def _loaded_from_dict(data: dict[str, Any]) -> Loaded:
    return Loaded.from_dict(data)


# --- the worker side ---------------------------------------------------------


def _limit_cpu(seconds: float) -> None:
    """Let the next file use at most ``seconds`` more CPU time; a backstop should our parent die mid-file."""
    import resource

    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime + 2 * seconds + 5)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or soft <= hard:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _exit_when_orphaned(parent: int) -> None:
    """Leave as soon as the parent is gone, even in the middle of a file (an idle worker also sees EOF)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def serve(memory_bytes: int | None = None) -> None:
    """The worker loop: one JSON request per stdin line, one JSON reply per stdout line, until EOF."""
    import logging
    import warnings

    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print from a parser must not corrupt the replies
    sys.stdout = sys.stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    logging.basicConfig(level=logging.ERROR)  # parsers' chatter about malformed files is expected here
    warnings.simplefilter("ignore")
    if memory_bytes:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, resource.getrlimit(resource.RLIMIT_AS)[1]))

    def reply(message: dict[str, Any]) -> None:
        try:
            out.write(json.dumps(message).encode("ascii") + b"\n")  # ASCII escapes carry even lone surrogates
            out.flush()
        except (
            BrokenPipeError,
            ConnectionResetError,
        ):  # the parent is gone (killed): nothing to answer, nothing to say
            os._exit(0)

    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    reply({"ready": True})
    for line in sys.stdin.buffer:
        request = json.loads(line)
        path = Path(request["path"])
        _limit_cpu(request["cpu_s"])
        ocr = None
        if request.get("ocr"):
            wanted = request["ocr"]

            def starting(pages: int, wanted: dict = wanted, cpu_s: float = request["cpu_s"]) -> None:
                reply({"ocr_pages": pages})  # the parent extends its deadline
                _limit_cpu(cpu_s + pages * float(wanted["page_s"]))

            ocr = OcrOptions(
                dpi=int(wanted["dpi"]),
                on_start=starting,
                on_page=lambda page, pages: reply({"ocr_page": page, "pages": pages}),
            )
        try:
            message: dict[str, Any] = {"ok": _loaded_to_dict(read_file(path, request["max_bytes"], ocr))}
        except LoadError as exc:
            message = {"error": str(exc)}
        except Exception as exc:  # read_file turns parser failures into LoadError; this is the backstop
            message = {"error": f"{path.name}: could not be read: {type(exc).__name__}: {exc}"}
        try:
            reply(message)
        except MemoryError:
            reply({"error": f"{path.name}: its text is too large to pass on; skipped"})
