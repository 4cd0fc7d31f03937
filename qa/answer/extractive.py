"""Compose a grounded, extractive answer: quoted sentences, each with its citation.

Every statement in the answer is a sentence copied from a retrieved passage,
and its citation carries the exact span, so the quote can always be checked
against the source. When the best evidence is too weak, the answer says the
documents do not cover the question rather than guess.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass

import numpy as np

from qa.ingest.furniture import with_lead_in
from qa.embed.base import Embedder
from qa.errors import BadQuestion
from qa.index.bm25 import tokenize
from qa.search.searcher import Searcher, years_named
from qa.settings import AnswerSettings
from qa.index.builds import Index
from qa.types import Answer, Citation, Document, Filters, Hit, Statement

NOT_FOUND = "The documents do not cover this question."
FILTERED = " Only the chosen documents and dates were searched."
MIN_STATEMENT_WORDS = 3
SENTENCE_CANDIDATES = 20  # best single-sentence matches considered beside the retrieved passages
NEAR_DUPLICATE = 0.92
LEXICAL_WEIGHT = 0.4  # share of a sentence's score from the question's distinctive words
PHRASE_WEIGHT = 0.5  # bonus, relative to the term overlap, for adjacent question terms found together
CONTEXT_WEIGHT = 0.2  # share from how well its whole passage matches
YEAR_BONUS = 0.05  # for sentences from documents dated in a year the question names
ANSWER_TYPE_PENALTY = 0.1
_NUMBER = re.compile(
    r"(?<!\d)(?!(?:19|20)\d\d\b)\d|%|£|\$|€|\bper ?cent\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|thousand|million|billion|dozen|half|quarter)\b",
    re.IGNORECASE,
)
_WHEN = re.compile(
    r"\b(1[89]|20)\d\d\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\b(today|yesterday|tomorrow|"
    r"week|month|year|spring|summer|autumn|winter|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"since|until|before|after|ago|next|last|recently|soon)\b",
    re.IGNORECASE,
)
_ANSWER_TYPES = (
    (re.compile(r"^\W*(how (many|much)|what (proportion|percentage|share|number|amount)|what per ?cent)\b", re.IGNORECASE), _NUMBER),
    (re.compile(r"^\W*(when\b|(on |in )?what (date|year|month|day)\b)", re.IGNORECASE), _WHEN),
)
# Words that frame a question ("over the years", "what was found") rather than name its topic.
QUESTION_FRAMING = frozenset(tokenize("year years time times ever still recently currently find found tell mention happened"))


@dataclass(frozen=True)
class Candidate:
    """A sentence that might be quoted, with what is known about its relevance."""

    source: str
    start: int
    end: int
    context: float  # similarity of the question to the passage around the sentence
    score: float = 0.0


def validate_question(question: str, settings: AnswerSettings) -> str:
    """Return the question stripped, or raise BadQuestion saying what is wrong."""
    if not isinstance(question, str):
        raise BadQuestion("The question must be text.")
    cleaned = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in question).strip()
    if not cleaned:
        raise BadQuestion("The question is empty. Ask something about the documents.")
    if len(cleaned) > settings.max_question_chars:
        raise BadQuestion(
            f"The question is {len(cleaned):,} characters long; the limit is {settings.max_question_chars:,}. "
            "Shorten it to the point you want answered."
        )
    if not re.search(r"[^\W_]", cleaned):
        raise BadQuestion("The question has no words in it. Ask something about the documents.")
    return cleaned


def answer_question(
    question: str,
    index: Index,
    searcher: Searcher,
    embedder: Embedder,
    settings: AnswerSettings,
    filters: Filters = Filters(),
    k: int | None = None,
    retrieval_query: str | None = None,
) -> Answer:
    """Answer one question from the index, citing every quoted sentence.

    ``retrieval_query`` lets a caller search with more context than the
    question itself (a follow-up joined to the question it follows).
    """
    question = validate_question(question, settings)
    query = retrieval_query or question
    query_vector = embedder.embed_queries([query])[0]
    hits = searcher.search(query, filters, k=k, query_vector=query_vector)
    sentence_rows = searcher.sentence_rows(query, filters, k=SENTENCE_CANDIDATES, query_vector=query_vector)
    candidates = _candidates(index, hits, sentence_rows, query_vector)
    not_found = Answer(question, False, [], notice=NOT_FOUND + (FILTERED if filters.active else ""))
    if not candidates:
        return not_found
    vectors = index.sentence_vectors([index.sentence_row[(c.source, c.start, c.end)] for c in candidates])
    scored = _score(index, candidates, vectors @ query_vector, query)
    best = max(c.score for c in scored)
    if best < settings.min_relevance:
        return not_found
    chosen = _select(scored, vectors, best, settings)
    citations = _cite(index, chosen)
    statements = tuple(Statement(c.text, (c.n,)) for c in citations)
    return Answer(question, True, citations, statements)


def _candidates(index: Index, hits: list[Hit], sentence_rows: list[int], query_vector: np.ndarray) -> list[Candidate]:
    """Distinct sentences long enough to state something: those of the retrieved passages,
    then the best individual sentence matches (a precise fact inside a passage that ranked low)."""
    seen: set[tuple[str, int, int]] = set()
    out: list[Candidate] = []

    def add(source: str, start: int, end: int, context: float) -> None:
        key = (source, start, end)
        sentence = index.documents[source].text[start:end]
        # A lead-in ("What needs to improve:") states nothing by itself; its list items are quoted instead.
        if key in seen or len(sentence.split()) < MIN_STATEMENT_WORDS or sentence.endswith(":"):
            return
        seen.add(key)
        out.append(Candidate(source, start, end, context))

    for hit in hits:
        for start, end in hit.chunk.sentences:
            add(hit.chunk.source, start, end, hit.dense_score or 0.0)
    for row in sentence_rows:
        source, start, end = index.sentences[row]
        chunk_rows = index.chunks_of_sentence[row]
        context = max((float(index.dense.reconstruct(int(r)) @ query_vector) for r in chunk_rows), default=0.0)
        add(source, start, end, context)
    return out


def title_only_terms(document: Document) -> frozenset[str]:
    """Terms of a document's title that its content never uses."""
    return _title_only_terms(document.source, document.sha256, document.title, tuple(document.content), document.text)


@lru_cache(maxsize=1024)
def _title_only_terms(source: str, sha256: str, title: str, content: tuple, text: str) -> frozenset[str]:
    body = set()
    for start, end in content:
        body.update(tokenize(text[start:end]))
    return frozenset(tokenize(title)) - body


def expected_answer(question: str) -> re.Pattern[str] | None:
    """What an answering sentence must contain for "how many", "how much" and "when" questions."""
    for asks, needs in _ANSWER_TYPES:
        if asks.search(question):
            return needs
    return None


def _score(index: Index, candidates: list[Candidate], cosines: np.ndarray, query: str) -> list[Candidate]:
    """Sentence relevance: semantic similarity plus the IDF-weighted share of question terms it contains.

    Weighting by IDF means a sentence must carry the question's distinctive
    words (``budget``, ``maintenance``), not just its common ones (``council``).
    """
    query_terms = [t for t in tokenize(query) if t not in QUESTION_FRAMING]
    idf = index.lexical.idf(sorted(set(query_terms)))
    query_pairs = set(zip(query_terms, query_terms[1:]))
    years = years_named(query)
    needs = expected_answer(query)
    total = sum(idf.values())
    scored = []
    for candidate, cosine in zip(candidates, cosines.tolist()):
        document = index.documents[candidate.source]
        tokens = tokenize(with_lead_in(document.text, candidate.start, candidate.end))
        # The title gives every sentence context its text lacks: "in Northshire" is answered by
        # Northshire's report even where its body never repeats the name.
        sentence_terms = set(tokens) | title_only_terms(document)
        overlap = sum(w for t, w in idf.items() if t in sentence_terms) / total if total else 0.0
        if query_pairs:  # phrases of the question kept together ("disabilities team") count extra
            overlap += PHRASE_WEIGHT * len(query_pairs & set(zip(tokens, tokens[1:]))) / len(query_pairs)
        context = candidate.context
        score = (1 - LEXICAL_WEIGHT - CONTEXT_WEIGHT) * cosine + CONTEXT_WEIGHT * context + LEXICAL_WEIGHT * overlap
        if years and (index.documents[candidate.source].date or "")[:4] in years:
            score += YEAR_BONUS
        if needs is not None and not needs.search(index.documents[candidate.source].text[candidate.start:candidate.end]):
            score -= ANSWER_TYPE_PENALTY  # a "how many" question is not answered by a sentence without a number
        scored.append(Candidate(candidate.source, candidate.start, candidate.end, candidate.context, score))
    return scored


def _select(scored: list[Candidate], vectors: np.ndarray, best: float, settings: AnswerSettings) -> list[Candidate]:
    """The strongest sentences, no near-duplicates, spread across documents.

    1. Strong sentences (near the best score), at most ``per_document`` each.
    2. Each document not yet heard from contributes its best sentence if it is
       still reasonably strong (relative to the best, or in absolute terms):
       evidence often spans several documents.
    3. Remaining places go to the next strong sentences from any document.
    """
    # Nothing below the abstention threshold is ever quoted: it would not have answered on its own.
    order = [i for i in sorted(range(len(scored)), key=lambda i: -scored[i].score) if scored[i].score >= settings.min_relevance]
    strong = [i for i in order if scored[i].score >= settings.relative_cutoff * best]
    supporting = [i for i in order if scored[i].score >= min(settings.diversity_cutoff * best, settings.support_floor)]
    chosen: list[int] = []
    per_document: dict[str, int] = {}

    def take(i: int, cap: int) -> None:
        source = scored[i].source
        if len(chosen) >= settings.max_citations or i in chosen or per_document.get(source, 0) >= cap:
            return
        if any(float(vectors[i] @ vectors[j]) > NEAR_DUPLICATE for j in chosen):
            return
        chosen.append(i)
        per_document[source] = per_document.get(source, 0) + 1

    for i in strong:
        take(i, settings.per_document)
    for i in supporting:
        if scored[i].source not in per_document:
            take(i, 1)
    for i in strong:
        take(i, settings.max_citations)
    return [scored[i] for i in chosen]


def _cite(index: Index, chosen: list[Candidate]) -> list[Citation]:
    """Number the quotes in date order (undated last) so change over time reads top to bottom."""

    def order(c: Candidate):
        doc = index.documents[c.source]
        return (doc.date is None, doc.date or "", c.source, c.start)

    citations = []
    for n, c in enumerate(sorted(chosen, key=order), start=1):
        doc = index.documents[c.source]
        citations.append(
            Citation(
                n=n,
                source=c.source,
                title=doc.title,
                date=doc.date,
                page=doc.page_at(c.start),
                text=doc.text[c.start:c.end],
                start=c.start,
                end=c.end,
                score=round(c.score, 4),
            )
        )
    return citations
