"""Gathering evidence for a question: search, candidate sentences, and their relevance."""

from __future__ import annotations

import numpy as np

from qa.answer.base import Candidate, Evidence
from qa.answer.question import validate_question
from qa.answer.scoring import score_candidates
from qa.embed.base import Embedder
from qa.index.builds import Index, sentence_id
from qa.search.searcher import Searcher
from qa.settings import AnswerSettings
from qa.types import Filters, Hit


def gather_evidence(
    question: str,
    index: Index,
    searcher: Searcher,
    embedder: Embedder,
    settings: AnswerSettings,
    filters: Filters = Filters(),
    k: int | None = None,
    retrieval_query: str | None = None,
) -> Evidence:
    """Validate the question, search, and score every candidate sentence (best first).

    ``retrieval_query`` lets a caller search with more context than the
    question itself (a follow-up joined to the question it follows).
    """
    question = validate_question(question, settings)
    query = retrieval_query or question
    query_vector = embedder.embed_queries([query])[0]
    hits = searcher.search(query, filters, k=k, query_vector=query_vector)
    sentence_ids = searcher.sentence_ids(query, filters, k=settings.sentence_candidates, query_vector=query_vector)
    candidates = _candidates(index, hits, sentence_ids, query_vector, settings)
    if not candidates:
        return Evidence(question, query, filters, hits, [], np.zeros((0, 0), dtype=np.float32), index.documents)
    vectors = index.sentence_stores.dense.vectors([sentence_id(c.source, c.start, c.end) for c in candidates])
    scored = score_candidates(index, candidates, vectors @ query_vector, query, settings)
    order = sorted(range(len(scored)), key=lambda i: -scored[i].score)
    return Evidence(question, query, filters, hits, [scored[i] for i in order], vectors[order], index.documents)


def _candidates(
    index: Index, hits: list[Hit], sentence_ids: list[str], query_vector: np.ndarray, settings: AnswerSettings
) -> list[Candidate]:
    """Distinct sentences long enough to state something: those of the retrieved passages,
    then the best individual sentence matches (a precise fact inside a passage that ranked low)."""
    seen: set[tuple[str, int, int]] = set()
    out: list[Candidate] = []

    def add(source: str, start: int, end: int, context: float) -> None:
        key = (source, start, end)
        sentence = index.documents[source].text[start:end]
        # A lead-in ("What needs to improve:") states nothing by itself; its list items are quoted instead.
        if key in seen or len(sentence.split()) < settings.min_statement_words or sentence.endswith(":"):
            return
        seen.add(key)
        out.append(Candidate(source, start, end, context))

    for hit in hits:
        for start, end in hit.chunk.sentences:
            add(hit.chunk.source, start, end, hit.dense_score or 0.0)
    for sentence in sentence_ids:
        ref = index.sentences[sentence]
        chunk_ids = index.chunks_of_sentence.get(sentence, [])
        context = float(np.max(index.passages.dense.vectors(chunk_ids) @ query_vector)) if chunk_ids else 0.0
        add(ref.source, ref.start, ref.end, context)
    return out
