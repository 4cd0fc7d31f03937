"""How relevant a candidate sentence is to the question.

Semantic similarity of the sentence and of its passage, plus the IDF-weighted
share of the question's distinctive words the sentence holds (with its list
lead-in and its document's title), and checks on what the question asks for.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from qa.answer.base import Candidate
from qa.answer.types_asked import answer_type, answers_as_field
from qa.index.base import LexicalStore
from qa.index.bm25 import tokenize
from qa.index.builds import Index
from qa.ingest.furniture import with_lead_in
from qa.search.filters import years_named
from qa.settings import AnswerSettings
from qa.types import Document

# Words that frame a question ("over the years", "what was found") rather than name its topic.
QUESTION_FRAMING = frozenset(
    tokenize("year years time times ever still recently currently find found tell mention happened")
)


def _without_addresses(text: str) -> str:
    """``text`` without web and e-mail addresses: their parts ("oig" in "Public.Affairs@oig.hhs.gov") are not
    words the sentence says. Split by hand rather than by a regular expression, which backtracks on long
    unbroken lines."""
    return " ".join(
        w for w in text.split() if "@" not in w and "://" not in w and not w.lower().lstrip("(<[").startswith("www.")
    )


def title_only_terms(document: Document) -> frozenset[str]:
    """Terms of a document's title that its content never uses."""
    return _title_only_terms(document.source, document.sha256, document.title, tuple(document.content), document.text)


@lru_cache(maxsize=1024)
def _title_only_terms(
    source: str, sha256: str, title: str, content: tuple[tuple[int, int], ...], text: str
) -> frozenset[str]:
    body: set[str] = set()
    for start, end in content:
        body.update(tokenize(text[start:end]))
    return frozenset(tokenize(title)) - body


def unseen_weight(lexical: LexicalStore) -> float:
    """The rarity the lexical store gives a term no text holds (its maximum); a term below it is used somewhere."""
    sentinel = "\u2400unseen\u2400"
    return lexical.idf([sentinel])[sentinel] - 1e-9


def focus_terms(idf: dict[str, float], lexical: LexicalStore, share: float) -> set[str]:
    """Question terms that the corpus uses, in at most ``share`` of its passages."""
    size = max(lexical.count(), 1)
    rare = share * size
    at_share = math.log(1.0 + (size - rare + 0.5) / (rare + 0.5))
    unseen = unseen_weight(lexical)
    return {t for t, w in idf.items() if at_share <= w < unseen}


def score_candidates(
    index: Index,
    candidates: list[Candidate],
    cosines: np.ndarray,
    query: str,
    settings: AnswerSettings,
    favoured: frozenset[str] = frozenset(),
) -> list[Candidate]:
    """Sentence relevance: semantic similarity plus the IDF-weighted share of question terms it contains
    (and ``scope_bonus`` for sentences of the ``favoured`` documents).

    Weighting by IDF means a sentence must carry the question's distinctive
    words (``budget``, ``maintenance``), not just its common ones (``council``).
    """
    query_terms = [t for t in tokenize(query) if t not in QUESTION_FRAMING]
    idf = index.passages.lexical.idf(sorted(set(query_terms)))
    query_pairs = set(zip(query_terms, query_terms[1:]))
    years = years_named(query)
    kind = answer_type(query)
    total = sum(idf.values())
    focus = focus_terms(idf, index.passages.lexical, settings.focus_share)
    terms_of = []
    for candidate in candidates:
        document = index.documents[candidate.source]
        tokens = tokenize(_without_addresses(with_lead_in(document.text, candidate.start, candidate.end)))
        # The title gives every sentence context its text lacks: "in Northshire" is answered by
        # Northshire's report even where its body never repeats the name.
        terms_of.append((tokens, set(tokens) | title_only_terms(document)))
    # The question's rare words ("Mockingbird", "homeless") mark what it is about: a document whose
    # sentence holds one has something to say, even when that sentence reads less like the question.
    focused = bool(focus) and any(focus & terms for _, terms in terms_of)
    scored = []
    for candidate, cosine, (tokens, sentence_terms) in zip(candidates, cosines.tolist(), terms_of):
        document = index.documents[candidate.source]
        overlap = sum(w for t, w in idf.items() if t in sentence_terms) / total if total else 0.0
        coverage = overlap
        if query_pairs:  # phrases of the question kept together ("disabilities team") count extra
            overlap += settings.phrase_weight * len(query_pairs & set(zip(tokens, tokens[1:]))) / len(query_pairs)
        context = candidate.context
        score = (
            (1 - settings.lexical_weight - settings.context_weight) * cosine
            + settings.context_weight * context
            + settings.lexical_weight * overlap
        )
        if years and (index.documents[candidate.source].date or "")[:4] in years:
            score += settings.year_bonus
        if candidate.source in favoured:
            score += settings.scope_bonus
        # A "how many" question is not answered by a sentence without a number, however close its topic.
        sentence = document.text[candidate.start : candidate.end]
        typed = (kind is None or kind.carried_by(sentence, query, document.text)) and answers_as_field(
            sentence, query, document.text
        )
        on_focus = not focused or bool(focus & sentence_terms)
        scored.append(
            Candidate(
                candidate.source, candidate.start, candidate.end, candidate.context, score, typed, on_focus, coverage
            )
        )
    return scored
