"""A question read once: what it asks and what it names, carried with its evidence.

Every later step (scope, search, the judge, the writer) reads this object
instead of working the same facts out again from the text.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.answer.question import is_question
from qa.ingest.names import names_in
from qa.search.filters import years_named


@dataclass(frozen=True)
class Question:
    """What a question (or a statement to check) asks."""

    text: str  # as asked, validated
    query: str  # what is searched and judged: a follow-up joined to the question it follows
    asking: bool  # a question or request; False for a statement or search phrase ("Cold exposure increases brown fat")
    names: tuple[str, ...]  # runs of capitalised words: organisations, places, people
    years: frozenset[str]


def analyse(text: str, query: str | None = None) -> Question:
    """Read ``text`` (and the ``query`` searched for it, when a follow-up widened it)."""
    query = query or text
    return Question(text, query, is_question(text), tuple(names_in(query)), frozenset(years_named(query)))
