"""The one way the Library's small SQLite databases (verdicts, audit log) are created and opened."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from qa.errors import QAError


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection in one transaction (committed on success, rolled back on error), closed afterwards."""
    with closing(sqlite3.connect(path, timeout=10)) as db:
        with db:
            yield db


def create(path: Path, schema: str, what: str) -> None:
    """Create ``path``'s folder and ``schema``; a failure says where ``what`` cannot be kept and the fix."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with connect(path) as db:
            db.executescript(schema)
    except (OSError, sqlite3.Error) as exc:
        raise QAError(
            f"Cannot keep {what} in {path}: {exc}. Set QA_APP__CONVERSATIONS_DIR to a writable folder."
        ) from None
