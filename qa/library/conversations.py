"""Conversations that last: each user's questions and answers in a local SQLite database.

A conversation is a list of turns (the question as asked, what was searched for,
and the answer with its citations). Conversations belong to one user (a login
name, or a browser's own id when login is off) and only that user can list,
open, rename or delete them. Uses the standard library's ``sqlite3``: one small
file, one connection per call, so the app's threads never share one.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from qa.errors import QAError
from qa.settings import Settings
from qa.types import Answer, Citation, Statement

log = logging.getLogger(__name__)
DATABASE = "conversations.sqlite3"
TITLE_CHARS = 80
SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    title TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_by_user ON conversations (user, updated);
CREATE TABLE IF NOT EXISTS turns (
    conversation TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    question TEXT NOT NULL,
    query TEXT NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (conversation, position)
);
"""


@dataclass(frozen=True)
class Turn:
    """One exchange: the question as asked, the query retrieval used (a follow-up as it was read), and the answer."""

    question: str
    query: str
    answer: Answer

    @property
    def searched_for(self) -> str | None:
        """What was searched for, when it differs from the question (a follow-up read with the one before)."""
        return self.query if " ".join(self.query.split()) != " ".join(self.question.split()) else None


@dataclass(frozen=True)
class Summary:
    """A conversation as the list shows it."""

    id: str
    title: str
    updated: str
    turns: int

    @property
    def label(self) -> str:
        return f"{self.title} ({self.updated}, {self.turns} question{'s' if self.turns != 1 else ''})"


def conversations_folder(settings: Settings) -> Path:
    """``app.conversations_dir``, else a ``conversations`` folder beside the index folder."""
    return settings.app.conversations_dir or settings.index_dir.resolve().parent / "conversations"


def answer_to_json(answer: Answer) -> str:
    """The whole answer (statements, notice, citations) as JSON, so a reopened conversation shows it as it was."""
    return json.dumps(asdict(answer), ensure_ascii=False)


def answer_from_json(text: str) -> Answer:
    data = json.loads(text)
    data["citations"] = [Citation(**c) for c in data.get("citations", [])]
    data["statements"] = tuple(Statement(s["text"], tuple(s["citations"])) for s in data.get("statements", []))
    return Answer(**data)


class ConversationStore:
    """The conversations database in ``folder`` (created on first use).

    Each connection creates the schema if it is missing, so a database removed while the app serves is
    started afresh. A file that is not a database (damaged, or overwritten) is moved aside as
    ``conversations.sqlite3.damaged-<time>`` and a new one started; ``moved_aside`` names it, and a warning
    is logged. Any other failure is a QAError saying that conversations cannot be kept right now.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / DATABASE
        self.moved_aside: Path | None = None
        self._lock = threading.Lock()
        with self._connect():
            pass

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            db = self._open()
        except (OSError, sqlite3.Error) as exc:
            raise QAError(
                f"Conversations cannot be kept in {self.path}: {exc}. Set QA_APP__CONVERSATIONS_DIR to a writable folder."
            ) from None
        with closing(db):
            try:
                with db:  # one transaction: committed at the end, rolled back on error
                    yield db
            except sqlite3.Error as exc:
                log.warning("The conversations database %s failed: %s", self.path, exc)
                raise QAError(f"Conversations cannot be kept right now ({exc}); answers still work.") from None

    def _open(self) -> sqlite3.Connection:
        """A connection with the schema in place; a damaged file is moved aside (once) and a new one started."""
        for attempt in (1, 2):
            self.folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10)
            try:
                db.execute("PRAGMA foreign_keys = ON")
                db.executescript(SCHEMA)
                return db
            except sqlite3.DatabaseError as exc:
                db.close()
                if attempt == 2 or getattr(exc, "sqlite_errorname", "") not in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
                    raise
                self._move_aside(exc)
        raise AssertionError("unreachable")

    def _move_aside(self, exc: sqlite3.Error) -> None:
        with self._lock:
            aside = self.path.with_name(f"{DATABASE}.damaged-{datetime.now():%Y%m%d-%H%M%S-%f}")
            try:
                os.replace(self.path, aside)
            except FileNotFoundError:
                return  # another thread moved it already
            self.moved_aside = aside
        log.warning(
            "The conversations database %s could not be read (%s); it was moved aside as %s and a new one started.",
            self.path,
            exc,
            aside.name,
        )

    def secret(self) -> str:
        """A random secret kept beside the database (made once), for the browser's encrypted memory of its id."""
        path = self.folder / "browser-secret"
        try:
            return path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            value = secrets.token_urlsafe(24)
            path.touch(mode=0o600)
            path.write_text(value, encoding="ascii")
            return value

    def create(self, user: str, title: str) -> str:
        """A new, empty conversation for ``user``; its id."""
        conversation = secrets.token_urlsafe(12)
        now = _now()
        with self._connect() as db:
            db.execute(
                "INSERT INTO conversations (id, user, title, created, updated) VALUES (?, ?, ?, ?, ?)",
                (conversation, user, _title(title), now, now),
            )
        return conversation

    def sync(self, user: str, conversation: str | None, turns: Sequence[Turn]) -> str | None:
        """Store the turns not stored yet; a conversation is created at its first turn. Returns its id."""
        if not turns:
            return conversation
        if conversation is None or self._owner(conversation) != user:
            conversation = self.create(user, turns[0].question)
        with self._connect() as db:
            stored = db.execute("SELECT COUNT(*) FROM turns WHERE conversation = ?", (conversation,)).fetchone()[0]
            for position, turn in enumerate(turns[stored:], start=stored):
                db.execute(
                    "INSERT INTO turns (conversation, position, question, query, answer) VALUES (?, ?, ?, ?, ?)",
                    (conversation, position, turn.question, turn.query, answer_to_json(turn.answer)),
                )
            if len(turns) > stored:
                db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (_now(), conversation))
        return conversation

    def list(self, user: str) -> list[Summary]:
        """``user``'s conversations, most recently used first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT c.id, c.title, c.updated, COUNT(t.position) FROM conversations c "
                "LEFT JOIN turns t ON t.conversation = c.id WHERE c.user = ? GROUP BY c.id ORDER BY c.updated DESC, c.id",
                (user,),
            ).fetchall()
        return [Summary(*row) for row in rows]

    def load(self, user: str, conversation: str) -> list[Turn] | None:
        """The turns of one of ``user``'s conversations, oldest first; None if there is no such conversation."""
        if self._owner(conversation) != user:
            return None
        with self._connect() as db:
            rows = db.execute(
                "SELECT question, query, answer FROM turns WHERE conversation = ? ORDER BY position", (conversation,)
            ).fetchall()
        return [Turn(question, query, answer_from_json(answer)) for question, query, answer in rows]

    def rename(self, user: str, conversation: str, title: str) -> bool:
        """Give one of ``user``'s conversations a new title; False if it is not theirs or the title is blank."""
        if not " ".join((title or "").split()):
            return False
        with self._connect() as db:
            changed = db.execute(
                "UPDATE conversations SET title = ? WHERE id = ? AND user = ?", (_title(title), conversation, user)
            ).rowcount
        return bool(changed)

    def delete(self, user: str, conversation: str) -> bool:
        """Delete one of ``user``'s conversations and its turns; False if it is not theirs."""
        with self._connect() as db:
            return bool(
                db.execute("DELETE FROM conversations WHERE id = ? AND user = ?", (conversation, user)).rowcount
            )

    def _owner(self, conversation: str) -> str | None:
        with self._connect() as db:
            row = db.execute("SELECT user FROM conversations WHERE id = ?", (conversation,)).fetchone()
        return row[0] if row else None


def _title(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= TITLE_CHARS else one_line[: TITLE_CHARS - 1].rstrip() + "…"


def _now() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")
