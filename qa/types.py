"""Plain types for the nouns of the pipeline: documents, chunks, hits, citations, answers."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

CELL = " | "  # how every reader joins the cells of a table row on one line


def date_bounds(value: str) -> tuple[date, date]:
    """The first and last day a partial ISO date ("2023", "2023-10", "2023-10-05") covers."""
    parts = [int(p) for p in value.split("-")]
    year = parts[0]
    month_first, month_last = (parts[1], parts[1]) if len(parts) > 1 else (1, 12)
    day_first = parts[2] if len(parts) > 2 else 1
    if len(parts) > 2:
        day_last = parts[2]
    else:
        next_month = date(year + (month_last == 12), month_last % 12 + 1, 1)
        day_last = (next_month - date(year, month_last, 1)).days
    return date(year, month_first, day_first), date(year, month_last, day_last)


def date_range(value: str | None) -> tuple[str | None, str | None]:
    """A document date as the ISO days it spans: '2023' -> ('2023-01-01', '2023-12-31'); None -> (None, None)."""
    if not value:
        return None, None
    first, last = date_bounds(value)
    return first.isoformat(), last.isoformat()


@dataclass(frozen=True)
class Page:
    """A page of a paged document, as a character span of the document text."""

    number: int
    start: int
    end: int


@dataclass
class Document:
    """One loaded source file: its viewable text plus what we know about it.

    ``source`` is the path relative to the corpus folder, with forward slashes.
    ``content`` lists the character spans of ``text`` that are real content,
    not page furniture; only these are chunked. ``title``, ``date`` and
    ``publisher`` are the effective values: the catalog's, else the ``own_*`` ones.
    """

    source: str
    text: str
    sha256: str
    title: str = ""
    date: str | None = None  # ISO 8601, possibly partial: "2023", "2023-10", "2023-10-05"
    publisher: str | None = None
    pages: list[Page] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)
    # What the file itself says (format metadata, else detected from the text); the catalog overrides it.
    own_title: str = ""
    own_date: str | None = None
    own_publisher: str | None = None
    own_kind: str | None = None  # the kind read off the text (qa.ingest.kinds); None in indexes built before it
    kind: str | None = None  # document type: the catalog's, else ``own_kind`` ("inspection report", "minutes", ...)
    ocr_pages: list[int] = field(default_factory=list)  # pages whose text was read by OCR from a scanned image

    @property
    def date_first(self) -> str | None:
        """First day the document's date covers (ISO), or None when undated."""
        return date_range(self.date)[0]

    @property
    def date_last(self) -> str | None:
        """Last day the document's date covers (ISO), or None when undated."""
        return date_range(self.date)[1]

    @cached_property
    def _page_starts(self) -> list[int]:
        return [p.start for p in self.pages]

    def page_at(self, offset: int) -> int | None:
        """Return the page number holding ``offset``, or None for unpaged text."""
        if not self.pages:
            return None
        # Pages are in order: the last page starting at or before the offset holds it (binary search).
        i = bisect_right(self._page_starts, offset) - 1
        if i < 0:
            return None
        page = self.pages[i]
        return page.number if offset < page.end or i == len(self.pages) - 1 else None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["content"] = [list(span) for span in self.content]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        data = dict(data)
        data["pages"] = [Page(**p) for p in data.get("pages", [])]
        data["content"] = [tuple(span) for span in data.get("content", [])]
        return cls(**data)


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences from one document, with its span and page."""

    id: str
    source: str
    start: int
    end: int
    text: str
    page: int | None
    sentences: tuple[tuple[int, int], ...]  # absolute spans of the sentences inside the chunk

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["sentences"] = [list(s) for s in self.sentences]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        data = dict(data)
        data["sentences"] = tuple(tuple(s) for s in data["sentences"])
        return cls(**data)


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the ranks that produced it."""

    chunk: Chunk
    score: float
    dense_score: float | None = None
    dense_rank: int | None = None
    lexical_rank: int | None = None


@dataclass(frozen=True)
class Citation:
    """A verbatim quote backing one statement of an answer."""

    n: int
    source: str
    title: str
    date: str | None
    page: int | None
    text: str
    start: int
    end: int
    score: float
    ocr: bool = False  # the quote's page was read by OCR from a scanned image: check it against the page

    @property
    def page_label(self) -> str:
        """'page 3', 'page 3 (OCR)', or '' for unpaged text."""
        if not self.page:
            return ""
        return f"page {self.page}" + (" (OCR)" if self.ocr else "")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Statement:
    """One statement of an answer and the numbers of the citations it rests on.

    For the extractive writer a statement is the quoted sentence itself; a
    written answer's sentence cites the quotes that support it.
    """

    text: str
    citations: tuple[int, ...]


@dataclass(frozen=True)
class WrittenSentence:
    """One sentence of a written answer, the citation numbers it gives, and whether its quotes support it."""

    text: str
    citations: tuple[int, ...]
    supported: bool
    reason: str = ""  # why it was removed, when it was

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "citations": list(self.citations), "supported": self.supported}


@dataclass(frozen=True)
class Written:
    """A written answer beside the quotes: its sentences (removed ones included, flagged) and what to tell the reader.

    Only supported sentences are shown. ``complete`` is False while the reply is still arriving.
    """

    sentences: tuple[WrittenSentence, ...] = ()
    model: str = ""
    notice: str = ""
    complete: bool = True

    @property
    def shown(self) -> tuple[WrittenSentence, ...]:
        """The sentences the reader sees: those the quotes they cite support."""
        return tuple(s for s in self.sentences if s.supported)

    @property
    def removed(self) -> int:
        return sum(not s.supported for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        return {"sentences": [s.to_dict() for s in self.sentences], "removed": self.removed, "notice": self.notice}


@dataclass(frozen=True)
class Answer:
    """What the assistant says: structured statements, each with citation numbers, and the citations.

    Renderers (terminal, HTML, briefing note) work from ``statements`` and
    ``citations``; ``notice`` is what to say when there are no statements
    ("The documents do not cover this question.").
    """

    question: str
    found: bool
    citations: list[Citation]
    statements: tuple[Statement, ...] = ()
    notice: str = ""
    written: Written | None = None  # prose from a language model over these citations, when that writer is chosen

    @property
    def answer(self) -> str:
        """The answer as plain text with [n] markers, grouped by document (the CLI's and JSON's form)."""
        from qa.render.text import answer_text

        return answer_text(self)

    def to_dict(self) -> dict[str, Any]:
        data = {
            "question": self.question,
            "found": self.found,
            "answer": self.answer,
            "citations": [c.to_dict() for c in self.citations],
        }
        if self.written is not None:
            data["written"] = self.written.to_dict()
        return data


@dataclass(frozen=True)
class Filters:
    """Optional restrictions on what retrieval may return."""

    sources: tuple[str, ...] = ()
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive

    @property
    def active(self) -> bool:
        return bool(self.sources or self.since or self.until)
