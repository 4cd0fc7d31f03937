"""The answer seam: evidence gathered for a question, and writers that turn it into an Answer.

Gathering (``qa.answer.evidence``) is the same for every writer: search,
candidate sentences, their relevance. A writer decides what to say: the
extractive writer quotes the strongest sentences; another (prose from a local
language model) can plug in through ``register_writer`` and ``settings.writer``.
The built-in writers are registered by where they live and imported only when
one is made, so this module imports no writer (the writers import it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from qa.answer.scope import Scope
from qa.embed.base import Embedder
from qa.errors import QAError
from qa.settings import Settings
from qa.types import Answer, Document, Filters, Hit

NOT_FOUND = "The documents do not cover this question."
FILTERED = " Only the chosen documents and dates were searched."


@dataclass(frozen=True)
class Candidate:
    """A sentence that might be quoted, with what is known about whether it answers."""

    source: str
    start: int
    end: int
    context: float  # similarity of the question to the passage around the sentence
    score: float = 0.0  # its relevance (rules), or the probability that it answers the question (a judge)
    typed: bool = True  # carries the kind of answer the question asks for (a count, a name, a date), if any (rules)
    focus: bool = True  # holds one of the question's rare words, when any candidate does (rules)
    coverage: float = (
        0.0  # IDF-weighted share of the question's words the sentence (with lead-in and title) holds (rules)
    )
    searched: float = (
        0.0  # its passage's fused search score as a share of the first passage's; 0 when not found by search
    )
    logit: float = 0.0  # the judge's logit for it alone (a judge)


@dataclass
class Evidence:
    """What a writer works from: the question, the passages found, and scored candidate sentences.

    ``candidates`` are best first; row i of ``vectors`` is candidate i's
    sentence vector. ``documents`` holds every document a candidate comes from.
    ``threshold`` is None when the candidates were scored by the rules (the
    writer applies its relevance floors); under a judge, a candidate answers
    when its probability reaches it.
    """

    question: str
    query: str  # what was searched for (a follow-up joined to the question it follows)
    filters: Filters
    hits: list[Hit]
    candidates: list[Candidate]
    vectors: np.ndarray
    documents: dict[str, Document] = field(default_factory=dict)
    scope: Scope = field(default_factory=Scope)
    answer_type: str | None = None  # "count", "share", "person", "date" or None (rules)
    following: dict[tuple[str, int], tuple[int, int]] = field(
        default_factory=dict
    )  # (source, start) -> next sentence's span
    threshold: float | None = None  # under a judge, the least probability that answers

    def text(self, candidate: Candidate) -> str:
        return self.documents[candidate.source].text[candidate.start : candidate.end]

    def notes(self) -> str:
        """What to say beside an answer about names in the question that no document mentions."""
        if not self.scope.missing:
            return ""
        names = " or ".join(self.scope.missing)
        return f"The documents do not mention {names}."

    def not_found(self) -> Answer:
        """The answer that says the documents do not cover the question."""
        notice = NOT_FOUND + (FILTERED if self.filters.active and not self.scope.sources else "")
        if self.notes():
            notice = f"{notice} {self.notes()}"
        return Answer(self.question, False, [], notice=notice)


class Judge(Protocol):
    """Reads each (sentence, title, context) with the question: a logit, above 0 leaning to "answers it".

    ``manifest`` is what its weights were made with (``qa.judge.registry.combiner_of`` reads its combiner).
    """

    @property
    def manifest(self) -> Mapping[str, Any]: ...

    def logits(self, question: str, candidates: Sequence[tuple[str, str, str]]) -> np.ndarray: ...


class AnswerWriter(Protocol):
    """Turns evidence into an Answer whose every statement cites the evidence.

    A writer whose answer arrives piece by piece may also have ``stream(evidence)``,
    yielding the answer as it grows (the last one is final); see ``stream_answer``.
    """

    def write(self, evidence: Evidence) -> Answer: ...


def _load(module: str, name: str) -> Callable[..., AnswerWriter]:
    """The writer class ``name`` of ``module``, imported on first use."""
    make: Callable[..., AnswerWriter] = getattr(importlib.import_module(module), name)
    return make


def _extractive(settings: Settings) -> AnswerWriter:
    return _load("qa.answer.extractive", "ExtractiveWriter")(settings.answer)


def _llm(settings: Settings, embedder: Embedder | None) -> AnswerWriter:
    return _load("qa.answer.llm", "LLMWriter")(settings, embedder)


# Writer name -> how to make it. The built-in ones are lazy loaders: a writer's module is imported when it is made.
WRITERS: dict[str, Callable[..., AnswerWriter]] = {"extractive": _extractive, "llm": _llm}
_WANTS_EMBEDDER: set[str] = {"llm"}


def register_writer(name: str, make: Callable[..., AnswerWriter], embedder: bool = False) -> None:
    """Make a writer available as ``settings.writer = name``.

    ``make(settings)`` builds it; with ``embedder=True``, ``make(settings, embedder)``
    gets the assistant's embedding model too (None when the caller has none loaded).
    """
    WRITERS[name] = make
    if embedder:
        _WANTS_EMBEDDER.add(name)
    else:
        _WANTS_EMBEDDER.discard(name)


def make_writer(settings: Settings, embedder: Embedder | None = None) -> AnswerWriter:
    """The writer ``settings.writer`` names."""
    if settings.writer not in WRITERS:
        raise QAError(f"Unknown answer writer {settings.writer!r}; known: {', '.join(sorted(WRITERS))}.")
    make = WRITERS[settings.writer]
    return make(settings, embedder) if settings.writer in _WANTS_EMBEDDER else make(settings)


def stream_answer(writer: AnswerWriter, evidence: Evidence) -> Iterator[Answer]:
    """The writer's answer as it grows, the final one last (a single answer for a writer that cannot stream)."""
    stream = getattr(writer, "stream", None)
    if callable(stream):
        yield from stream(evidence)
    else:
        yield writer.write(evidence)
