"""The briefing note as plain data: the chosen answers, each quote given once, ready for any format.

:func:`build_note` builds it; :mod:`qa.render.briefing` writes it as Markdown and Word, and
:mod:`qa.render.briefing_pdf` as PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from qa.render.text import format_date, statement_markers
from qa.types import Answer, Citation

DEFAULT_TITLE = "Briefing note"
APP_NAME = "cited-qa"  # the Word and PDF files' author when no one is named
INTRO = "Answers drawn from the document collection. Every quote is word for word from the source named beneath it."


@dataclass(frozen=True)
class Entry:
    """One answer chosen for the note: the question as asked, how it was searched, the answer."""

    question: str
    answer: Answer
    searched_for: str | None = None


@dataclass(frozen=True)
class Quote:
    """A quote in the note: its citation, and the number of the earlier answer that already gave it (if any)."""

    citation: Citation
    given_under: int | None = None


@dataclass(frozen=True)
class Claim:
    """A written sentence of an answer (not a quote), with its [n] markers."""

    text: str
    markers: str


@dataclass
class Section:
    """One answer of the note, headed by its question or, for a follow-up, by how it was read."""

    number: int
    question: str
    searched_for: str | None
    notice: str
    items: list[Quote | Claim] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """The question as read: a follow-up ("and in Southby?") by what it searched for."""
        return one_line(self.searched_for) if self.searched_for else self.question

    @property
    def asked_as(self) -> str | None:
        """'Asked as a follow-up: “and in Southby?”', under a heading that is not the question as asked."""
        return f"Asked as a follow-up: “{self.question}”" if self.searched_for else None


@dataclass
class Note:
    """The whole note, ready for any format."""

    title: str
    prepared: str  # "Prepared 5 March 2024 at 14:30 by A. Trainer."
    key_points: list[tuple[int, Citation]]
    sections: list[Section]


def source_line(citation: Citation) -> str:
    """'Title, 23 July 2018, page 3': what a reader needs to find the quote (no character offsets)."""
    page = f", {citation.page_label}" if citation.page else ""
    return f"{one_line(citation.title or citation.source)}, {format_date(citation.date)}{page}"


def build_note(
    entries: Sequence[Entry], title: str = DEFAULT_TITLE, author: str | None = None, when: datetime | None = None
) -> Note:
    """The note as plain data: key points, then each answer with each quote given once."""
    when = when or datetime.now()
    by = f" by {one_line(author)}" if author and author.strip() else ""
    prepared = f"Prepared {format_date(when.date().isoformat())} at {when:%H:%M}{by}."
    seen: dict[tuple[str, int, int], int] = {}
    key_points: list[tuple[int, Citation]] = []
    sections = []
    for number, entry in enumerate(entries, start=1):
        answer = entry.answer
        written = answer.written
        notice = " ".join(x for x in (answer.notice, written.notice if written else "") if x)
        section = Section(number, one_line(entry.question), entry.searched_for, notice)
        if written is not None and answer.statements and written.shown:  # its checked sentences come before its quotes
            model = written.model or "a language model"
            section.items.append(
                Claim(
                    f"Written answer by {model}; each sentence was checked against the quotes it cites, which follow:",
                    "",
                )
            )
            for sentence in written.shown:
                section.items.append(Claim(one_line(sentence.text), " ".join(f"[{n}]" for n in sentence.citations)))
        by_n = {c.n: c for c in answer.citations}
        listed: set[int] = set()
        for statement in answer.statements:
            cited = [by_n[n] for n in statement.citations if n in by_n]
            quoted = len(cited) == 1 and one_line(statement.text) == one_line(cited[0].text)
            if not quoted:  # a written sentence: keep it with its markers; its quotes follow it
                section.items.append(Claim(one_line(statement.text), statement_markers(statement)))
            for citation in cited:
                if citation.n in listed:
                    continue
                listed.add(citation.n)
                key = (citation.source, citation.start, citation.end)
                section.items.append(Quote(citation, seen.get(key)))
                seen.setdefault(key, number)
        quotes = [item.citation for item in section.items if isinstance(item, Quote)]
        if quotes:  # the best quote, the first of equals
            key_points.append((number, max(quotes, key=lambda c: c.score)))
        sections.append(section)
    return Note(one_line(title) or DEFAULT_TITLE, prepared, key_points, sections)


def one_line(text: str) -> str:
    return " ".join(text.split())
