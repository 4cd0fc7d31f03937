"""The audit log: who asked what, when, with which filters and which passages were cited; who changed the collection.

Append-only: rows are added, never changed (a trigger refuses any UPDATE), and
removed only when older than ``app.audit_retention_days``. It lives in its own
SQLite file, ``audit.sqlite3`` beside the conversations database, and nothing in
the app or the HTTP API shows it: an administrator reads it with
``qa audit export FILE.csv``.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from qa.library.sqlite import connect, create
from qa.errors import QAError
from qa.types import Answer

DATABASE = "audit.sqlite3"
ASK, UPLOAD, REPLACE, DELETE, EDIT, REINDEX, VERDICT = (
    "ask",
    "upload",
    "replace",
    "delete",
    "edit",
    "reindex",
    "verdict",
)
COLUMNS = ("time", "user", "action", "question", "filters", "documents", "spans", "detail")
SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    question TEXT NOT NULL DEFAULT '',
    filters TEXT NOT NULL DEFAULT '',
    documents TEXT NOT NULL DEFAULT '',
    spans TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit (time);
CREATE TRIGGER IF NOT EXISTS audit_append_only BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
# A spreadsheet runs a cell that starts with one of these as a formula; the export makes it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Entry:
    """One line of the log."""

    time: str
    user: str
    action: str
    question: str = ""
    filters: str = ""  # JSON of the filters a question was asked with
    documents: str = ""  # the documents cited or changed, '; '-separated
    spans: str = ""  # each citation as source:start-end (page N)
    detail: str = ""


@dataclass
class AuditLog:
    """The log in ``folder`` (created on first use), keeping rows for ``retention_days`` (0: for ever)."""

    folder: Path
    retention_days: int = 365
    clock: Callable[[], datetime] = field(default=datetime.now, repr=False)

    def __post_init__(self) -> None:
        self.path = Path(self.folder) / DATABASE
        create(self.path, SCHEMA, "the audit log")

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return connect(self.path)

    def _now(self) -> datetime:
        return self.clock()

    def add(self, user: str, action: str, **fields: str) -> Entry:
        """Append one entry (and drop entries past the retention period)."""
        entry = Entry(time=self._now().strftime("%Y-%m-%d %H:%M:%S"), user=user or "unknown", action=action, **fields)
        with self._connect() as db:
            db.execute(
                f"INSERT INTO audit ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                tuple(getattr(entry, c) for c in COLUMNS),
            )
            if self.retention_days:
                cutoff = (self._now() - timedelta(days=self.retention_days)).strftime("%Y-%m-%d %H:%M:%S")
                db.execute("DELETE FROM audit WHERE time < ?", (cutoff,))
        return entry

    def asked(
        self,
        user: str,
        question: str,
        answer: Answer,
        filters: Mapping[str, Any] | None = None,
        searched_for: str | None = None,
    ) -> Entry:
        """A question, the filters it was asked with (sources, types, since, until) and what its answer cited."""
        chosen = {name: value for name, value in (filters or {}).items() if value}
        spans = [f"{c.source}:{c.start}-{c.end}" + (f" (page {c.page})" if c.page else "") for c in answer.citations]
        detail = f"searched for: {searched_for}" if searched_for and searched_for != question else ""
        if not answer.found:
            detail = "; ".join(filter(None, [detail, f"not answered: {answer.notice}"]))
        return self.add(
            user,
            ASK,
            question=question,
            filters=json.dumps(chosen, ensure_ascii=False) if chosen else "",
            documents="; ".join(dict.fromkeys(c.source for c in answer.citations)),
            spans="; ".join(spans),
            detail=detail,
        )

    def changed(self, user: str, action: str, documents: Sequence[str], detail: str = "") -> Entry:
        """A change to the collection: documents uploaded, replaced, deleted, re-described or re-indexed."""
        return self.add(user, action, documents="; ".join(documents), detail=detail)

    def entries(self) -> list[Entry]:
        """Every entry kept, oldest first."""
        with self._connect() as db:
            rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM audit ORDER BY id").fetchall()
        return [Entry(*row) for row in rows]

    def export_csv(self, path: Path) -> int:
        """Write every entry to ``path`` as CSV (a header row, then oldest first); the number written."""
        entries = self.entries()
        try:
            with Path(path).open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(COLUMNS)
                for entry in entries:
                    writer.writerow([_as_text(getattr(entry, c)) for c in COLUMNS])
        except OSError as exc:
            raise QAError(f"Cannot write {path}: {exc.strerror or exc}.") from None
        return len(entries)


def _as_text(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs: a leading = + - @ gets a quote mark before it."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def audit_log(settings) -> AuditLog:
    """The audit log beside the conversations, with the retention the settings give."""
    from qa.library.conversations import conversations_folder

    return AuditLog(conversations_folder(settings), settings.app.audit_retention_days)
