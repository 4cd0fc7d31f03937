"""Hybrid retrieval: dense (FAISS) and lexical (BM25) rankings fused with RRF."""

from __future__ import annotations

import re
from datetime import date

import numpy as np

from qa.embed.base import Embedder
from qa.errors import BadFilter
from qa.ingest.dates import normalise_date
from qa.settings import RetrievalSettings
from qa.index.builds import Index
from qa.types import Document, Filters, Hit

_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")


def years_named(text: str) -> set[str]:
    """The four-digit years a question names ("in 2020")."""
    return set(_YEAR.findall(text))


def fuse_rankings(rankings: list[list[int]], k: int) -> dict[int, float]:
    """Reciprocal rank fusion: each list adds 1 / (k + rank) to the items it ranks."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


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


def parse_filter_date(value: str | None, name: str) -> str | None:
    """Validate a --since/--until value and return it as partial ISO."""
    if value is None or not value.strip():
        return None
    parsed = normalise_date(value)
    if parsed is None:
        raise BadFilter(f"{name} {value!r} is not a date. Use YYYY, YYYY-MM or YYYY-MM-DD.")
    return parsed


def document_matches(document: Document, filters: Filters) -> bool:
    """True when the document passes the source and date filters."""
    if filters.sources and document.source not in filters.sources:
        return False
    if filters.since or filters.until:
        if not document.date:
            return False
        first, last = date_bounds(document.date)
        if filters.since and last < date_bounds(filters.since)[0]:
            return False
        if filters.until and first > date_bounds(filters.until)[1]:
            return False
    return True


def _faiss_search(index, vector: np.ndarray, depth: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
    """Top rows of a FAISS index for one vector, optionally restricted to the rows a mask allows."""
    import faiss

    depth = min(depth, index.ntotal)
    if depth == 0 or (allowed is not None and not allowed.any()):
        return []
    params = None
    if allowed is not None:
        params = faiss.SearchParameters()
        params.sel = faiss.IDSelectorBatch(np.flatnonzero(allowed).astype(np.int64))
    scores, rows = index.search(vector[None, :], depth, params=params)
    return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]


class Searcher:
    """Finds the passages most relevant to a question in one loaded index."""

    def __init__(self, index: Index, embedder: Embedder, settings: RetrievalSettings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings

    def search(
        self, query: str, filters: Filters = Filters(), k: int | None = None, query_vector: np.ndarray | None = None
    ) -> list[Hit]:
        """Return up to k hits, best first, each with its cosine similarity to the query."""
        k = k or self.settings.candidates
        chunks = self.index.chunks
        if not chunks:
            return []
        allowed = self._allowed_rows(filters)
        if allowed is not None and not allowed.any():
            return []
        if query_vector is None:
            query_vector = self.embedder.embed_queries([query])[0]
        dense = self._dense(query_vector, allowed)
        lexical = [row for row, _ in self.index.lexical.search(query, self.settings.depth, allowed)]
        by_sentence = self._by_best_sentence(query_vector, filters)
        fused = fuse_rankings([[row for row, _ in dense], lexical, by_sentence], self.settings.rrf_k)
        self._boost_named_years(query, fused)
        best = sorted(fused, key=lambda row: -fused[row])[:k]
        dense_scores = dict(dense)
        missing = [row for row in best if row not in dense_scores]
        if missing:
            vectors = np.vstack([self.index.dense.reconstruct(int(row)) for row in missing])
            dense_scores.update(zip(missing, (vectors @ query_vector).tolist()))
        dense_rank = {row: rank for rank, (row, _) in enumerate(dense, start=1)}
        lexical_rank = {row: rank for rank, row in enumerate(lexical, start=1)}
        return [
            Hit(
                chunk=chunks[row],
                score=fused[row],
                dense_score=float(dense_scores[row]),
                dense_rank=dense_rank.get(row),
                lexical_rank=lexical_rank.get(row),
            )
            for row in best
        ]

    def _allowed_rows(self, filters: Filters) -> np.ndarray | None:
        """Mask of the chunks the filters allow, or None when nothing is filtered."""
        ok = self._allowed_sources(filters)
        return None if ok is None else np.array([c.source in ok for c in self.index.chunks], dtype=bool)

    def _allowed_sentences(self, filters: Filters) -> np.ndarray | None:
        """Mask of the sentences the filters allow, or None when nothing is filtered."""
        ok = self._allowed_sources(filters)
        return None if ok is None else np.array([source in ok for source, _, _ in self.index.sentences], dtype=bool)

    def _allowed_sources(self, filters: Filters) -> set[str] | None:
        if not filters.active:
            return None
        return {s for s, d in self.index.documents.items() if document_matches(d, filters)}

    def _dense(self, query_vector: np.ndarray, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        return _faiss_search(self.index.dense, query_vector, self.settings.depth, allowed)

    def sentence_rows(
        self, query: str, filters: Filters = Filters(), k: int | None = None, query_vector: np.ndarray | None = None
    ) -> list[int]:
        """Sentences most similar to the query, dense and lexical, best first (rows of index.sentences)."""
        if not self.index.sentences:
            return []
        if query_vector is None:
            query_vector = self.embedder.embed_queries([query])[0]
        allowed = self._allowed_sentences(filters)
        depth = k or self.settings.depth
        dense = [row for row, _ in _faiss_search(self.index.sentence_dense, query_vector, depth, allowed)]
        lexical = [row for row, _ in self.index.sentence_lexical.search(query, depth, allowed)]
        fused = fuse_rankings([dense, lexical], self.settings.rrf_k)
        return sorted(fused, key=lambda row: -fused[row])[:depth]

    def _by_best_sentence(self, query_vector: np.ndarray, filters: Filters) -> list[int]:
        """Chunks ranked by their single best-matching sentence: finds a precise fact in a long passage."""
        if not self.index.sentences:
            return []
        allowed = self._allowed_sentences(filters)  # a sentence's chunks share its source, so pass the filters too
        ranked: dict[int, None] = {}
        for row, _ in _faiss_search(self.index.sentence_dense, query_vector, self.settings.depth, allowed):
            for chunk_row in self.index.chunks_of_sentence[row]:
                ranked.setdefault(chunk_row)
        return list(ranked)

    def _boost_named_years(self, query: str, fused: dict[int, float]) -> None:
        """Favour documents dated in a year the question names ("in 2020")."""
        years = years_named(query)
        if not years or not self.settings.year_boost:
            return
        for row in fused:
            doc_date = self.index.documents[self.index.chunks[row].source].date
            if doc_date and doc_date[:4] in years:
                fused[row] *= 1.0 + self.settings.year_boost
