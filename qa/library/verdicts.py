"""Reviewers' verdicts on citations, kept as a regression set.

A reviewer says of a cited passage that it answers the question, is related but
does not answer it, or is the wrong passage, with an optional note and, when no
quote answers, whether the documents answer the question at all. Verdicts live in
SQLite beside the conversations (``verdicts`` table of ``conversations.sqlite3``),
with the user, the time, the question, the quote's source, span and page, and the
index build the answer came from.

:func:`export_questions` turns them into the question format of
``shared/eval/dev_questions.jsonl``, so ``qa eval`` reruns them after any change:
a quote that answers becomes a gold key ``{doc, key}``; a question none of whose
judged quotes answers becomes ``answerable: false`` when its reviewer said the
documents do not answer it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter, defaultdict
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from qa.library.sqlite import connect, create
from qa.errors import QAError
from qa.evaluate import normalise
from qa.library.conversations import DATABASE
from qa.types import Citation

ANSWERS = "answers"
RELATED = "related"
WRONG = "wrong"
# What each verdict is called on the page and in messages.
LABELS = {
    ANSWERS: "answers the question",
    RELATED: "related but does not answer",
    WRONG: "wrong passage",
}
MAX_NOTE_CHARS = 2000
KEY_WORDS = 12  # a quote of more words is keyed by its middle KEY_WORDS words (see gold_key)
SCHEMA = """
CREATE TABLE IF NOT EXISTS verdicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    user TEXT NOT NULL,
    question TEXT NOT NULL,
    query TEXT NOT NULL,
    source TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    page INTEGER,
    quote TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('answers', 'related', 'wrong')),
    note TEXT NOT NULL DEFAULT '',
    unanswered INTEGER NOT NULL DEFAULT 0,
    build TEXT
);
CREATE INDEX IF NOT EXISTS verdicts_by_source ON verdicts (source);
"""


@dataclass(frozen=True)
class Verdict:
    """One reviewer's judgement of one cited passage."""

    time: str
    user: str
    question: str  # as asked
    query: str  # what was searched for (a follow-up as it was read); what an export asks again
    source: str
    start: int
    end: int
    page: int | None
    quote: str
    verdict: str  # ANSWERS, RELATED or WRONG
    note: str = ""
    unanswered: bool = False  # the reviewer says the documents do not answer the question
    build: str | None = None  # the index build the answer came from

    @property
    def key(self) -> tuple[str, str, int, int]:
        """What a later verdict on the same passage for the same question replaces."""
        return normalise(self.query), self.source, self.start, self.end


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote and what it left out."""

    answerable: int
    unanswerable: int
    left_out: int  # questions whose quotes were all rejected without saying the documents do not answer them

    def summary(self, path: Path) -> str:
        text = f"Wrote {self.answerable + self.unanswerable} questions to {path}: {self.answerable} answerable, {self.unanswerable} unanswerable"
        if self.left_out:
            text += f"; {self.left_out} left out (no quote answers them, and no reviewer said the documents do not answer them)"
        return text + "."


class VerdictStore:
    """The verdicts table in ``folder``'s conversations database (created on first use)."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / DATABASE
        create(self.path, SCHEMA, "verdicts")

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return connect(self.path)

    def record(
        self,
        user: str,
        question: str,
        citation: Citation,
        verdict: str,
        note: str = "",
        query: str | None = None,
        unanswered: bool = False,
        build: str | None = None,
    ) -> Verdict:
        """Keep ``user``'s verdict on ``citation`` of the answer to ``question``; a bad verdict is a QAError."""
        if verdict not in LABELS:
            raise QAError(f"{verdict!r} is not a verdict; choose one of {', '.join(LABELS)}.")
        note = " ".join((note or "").split())
        if len(note) > MAX_NOTE_CHARS:
            raise QAError(f"The note is {len(note)} characters long; keep it under {MAX_NOTE_CHARS}.")
        if not " ".join((question or "").split()):
            raise QAError("A verdict needs the question it was given for.")
        kept = Verdict(
            time=datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            user=user,
            question=question,
            query=query or question,
            source=citation.source,
            start=citation.start,
            end=citation.end,
            page=citation.page,
            quote=citation.text,
            verdict=verdict,
            note=note,
            unanswered=bool(unanswered) and verdict != ANSWERS,
            build=build,
        )
        with self._connect() as db:
            db.execute(
                "INSERT INTO verdicts (time, user, question, query, source, start, end, page, quote, verdict, note, "
                "unanswered, build) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    kept.time,
                    kept.user,
                    kept.question,
                    kept.query,
                    kept.source,
                    kept.start,
                    kept.end,
                    kept.page,
                    kept.quote,
                    kept.verdict,
                    kept.note,
                    int(kept.unanswered),
                    kept.build,
                ),
            )
        return kept

    def all(self) -> list[Verdict]:
        """Every verdict ever given, oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT time, user, question, query, source, start, end, page, quote, verdict, note, unanswered, build "
                "FROM verdicts ORDER BY id"
            ).fetchall()
        return [Verdict(*row[:11], unanswered=bool(row[11]), build=row[12]) for row in rows]

    def current(self) -> list[Verdict]:
        """The latest verdict on each passage for each question (a reviewer may change their mind), oldest first."""
        latest: dict[tuple[str, str, int, int], Verdict] = {}
        for verdict in self.all():
            latest.pop(verdict.key, None)
            latest[verdict.key] = verdict
        return list(latest.values())

    def counts(self) -> dict[str, Counter]:
        """Per source, how many of its current verdicts say each thing."""
        out: dict[str, Counter] = defaultdict(Counter)
        for verdict in self.current():
            out[verdict.source][verdict.verdict] += 1
        return dict(out)


def gold_key(quote: str) -> str:
    """A normalised phrase of ``quote`` that a later answer citing the same passage will contain.

    A short quote is its own key; a longer one is keyed by its middle words, so a
    sentence cut a little differently at either end (a list label, a chunk edge) still matches.
    """
    words = normalise(quote).split()
    if len(words) <= KEY_WORDS:
        return " ".join(words)
    first = (len(words) - KEY_WORDS) // 2
    return " ".join(words[first : first + KEY_WORDS])


def verdict_questions(verdicts: list[Verdict]) -> tuple[list[dict[str, Any]], int]:
    """The question rows the verdicts make (dev-question format), and how many questions were left out."""
    by_question: dict[str, list[Verdict]] = defaultdict(list)
    asked: dict[str, str] = {}
    for verdict in verdicts:
        by_question[normalise(verdict.query)].append(verdict)
        asked.setdefault(normalise(verdict.query), " ".join(verdict.query.split()))
    rows, left_out = [], 0
    for key, judged in by_question.items():
        question = asked[key]
        row_id = "v-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
        supported = [v for v in judged if v.verdict == ANSWERS]
        if supported:
            gold = list({(PurePosixPath(v.source).name, gold_key(v.quote)): None for v in supported})
            docs = len({doc for doc, _ in gold})
            rows.append(
                {
                    "id": row_id,
                    "question": question,
                    "answerable": True,
                    "kind": "multi" if docs > 1 else "single",
                    "min_docs": docs,
                    "gold": [{"doc": doc, "key": phrase} for doc, phrase in gold],
                }
            )
        elif any(v.unanswered for v in judged):
            rows.append(
                {"id": row_id, "question": question, "answerable": False, "kind": "none", "min_docs": 0, "gold": []}
            )
        else:
            left_out += 1
    return rows, left_out


def export_questions(store: VerdictStore, path: Path) -> ExportReport:
    """Write the current verdicts to ``path`` as a JSON-lines question file that ``qa eval`` runs."""
    rows, left_out = verdict_questions(store.current())
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise QAError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    answerable = sum(row["answerable"] for row in rows)
    return ExportReport(answerable=answerable, unanswerable=len(rows) - answerable, left_out=left_out)
