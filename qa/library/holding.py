"""Where a Library change keeps what it moves aside, recorded so that a crash cannot lose or strand it.

Each change (delete, replace, upload) gets a folder under ``corpus/.library-holding`` holding an
``intent.json`` that says what it is doing, written before the corpus is touched, and a ``lock`` file
held (``flock``) for as long as the change runs. A folder whose lock nobody holds belongs to a change
cut short by a crash: :func:`interrupted` hands it to the caller, which finishes or rolls it back
(:func:`qa.library.documents.recover_interrupted`). The folder is hidden, so ingest never reads it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HOLDING = ".library-holding"
INTENT = "intent.json"
LOCK = "lock"


@dataclass
class Held:
    """One change's folder and what it records; ``record`` updates the record on disk in one step."""

    folder: Path
    intent: dict[str, Any] = field(default_factory=dict)

    def record(self, **changes: Any) -> None:
        self.intent.update(changes)
        _write_json(self.folder / INTENT, self.intent)


@contextmanager
def hold(corpus: Path, intent: dict[str, Any]) -> Iterator[Held]:
    """A recorded, locked folder for one change; removed when the block ends, however it ends (short of a crash)."""
    root = corpus / HOLDING
    with _root_locked(root):
        folder = Path(tempfile.mkdtemp(dir=root))
        lock = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(lock, fcntl.LOCK_EX)
        held = Held(folder, dict(intent))
        held.record()
    try:
        yield held
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(lock)
        _remove_if_empty(root)


@contextmanager
def interrupted(corpus: Path) -> Iterator[list[Held]]:
    """The changes a crash cut short, each locked for the caller; their folders are removed when the block ends.

    A folder without a readable record held nothing yet (the record is written before anything is moved
    into it) and comes back with an empty intent.
    """
    root = corpus / HOLDING
    if not root.is_dir():
        yield []
        return
    found: list[tuple[Held, int | None]] = []
    with _root_locked(root):
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()):
            lock: int | None = None
            if (folder / LOCK).is_file():
                lock = os.open(folder / LOCK, os.O_RDWR)
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:  # a change still running, in this process or another
                    os.close(lock)
                    continue
            found.append((Held(folder, _read_json(folder / INTENT)), lock))
    try:
        yield [held for held, _ in found]
    finally:
        for held, lock in found:
            shutil.rmtree(held.folder, ignore_errors=True)
            if lock is not None:
                os.close(lock)
        _remove_if_empty(root)


@contextmanager
def _root_locked(root: Path) -> Iterator[None]:
    """The holding folder locked while a change's folder is made, the folders are scanned or it is removed."""
    while True:
        root.mkdir(exist_ok=True)
        handle = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            current = os.stat(root / ".lock").st_ino
        except FileNotFoundError:
            current = None
        if current == os.fstat(handle).st_ino:
            break
        os.close(handle)  # the folder was removed while this waited for it: start again
    try:
        yield
    finally:
        os.close(handle)


def _remove_if_empty(root: Path) -> None:
    """Drop the holding folder once no change uses it (its lock file is all that is left)."""
    try:
        with _root_locked(root):
            if {p.name for p in root.iterdir()} <= {".lock"}:
                (root / ".lock").unlink()
                root.rmdir()
    except OSError:
        pass  # another change started meanwhile, or it is already gone


def _write_json(path: Path, value: dict[str, Any]) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(value), encoding="utf-8")
    os.replace(temporary, path)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
