"""Hybrid retrieval: dense and lexical rankings of passages and of sentences, fused with RRF.

The searcher talks to the stores only through the index seam (string ids and
a ``Where`` the store applies itself), so any engine behind it serves.
"""

from __future__ import annotations

import threading

import numpy as np

from qa.embed.base import Embedder
from qa.index.builds import Index
from qa.search.filters import to_where, years_named
from qa.search.fusion import fuse_rankings
from qa.settings import RetrievalSettings
from qa.types import Filters, Hit


class Searcher:
    """Finds the passages (and sentences) most relevant to a question in one loaded index."""

    def __init__(self, index: Index, embedder: Embedder, settings: RetrievalSettings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        # This thread's last sentence ranking by vector: ``sentence_ids`` for the same question reuses it rather
        # than walking the sentence vectors again (the costliest search of a large collection).
        self._last = threading.local()

    def search(
        self, query: str, filters: Filters = Filters(), k: int | None = None, query_vector: np.ndarray | None = None
    ) -> list[Hit]:
        """Return up to k hits, best first, each with its cosine similarity to the query."""
        k = k or self.settings.candidates
        if not self.index.chunks:
            return []
        where = to_where(filters)
        if query_vector is None:
            query_vector = self.embedder.embed_queries([query])[0]
        depth = self.settings.depth
        passages = self.index.passages
        dense, lexical_hits, sentences = self.index.rankings(query, query_vector, depth, where)
        self._last.sentences = (query_vector.tobytes(), where, depth, sentences)
        lexical = [i for i, _ in lexical_hits]
        by_sentence = self._by_best_sentence(sentences)
        fused = fuse_rankings([[i for i, _ in dense], lexical, by_sentence], self.settings.rrf_k)
        self._boost_named_years(query, fused)
        best = sorted(fused, key=lambda i: -fused[i])[:k]
        dense_scores = dict(dense)
        missing = [i for i in best if i not in dense_scores]
        if missing:
            dense_scores.update(zip(missing, (passages.dense.vectors(missing) @ query_vector).tolist()))
        dense_rank = {i: rank for rank, (i, _) in enumerate(dense, start=1)}
        lexical_rank = {i: rank for rank, i in enumerate(lexical, start=1)}
        return [
            Hit(
                chunk=self.index.chunk_by_id[i],
                score=fused[i],
                dense_score=float(dense_scores[i]),
                dense_rank=dense_rank.get(i),
                lexical_rank=lexical_rank.get(i),
            )
            for i in best
        ]

    def sentence_ids(
        self, query: str, filters: Filters = Filters(), k: int | None = None, query_vector: np.ndarray | None = None
    ) -> list[str]:
        """Sentences most similar to the query, dense and lexical fused, best first."""
        if not self.index.sentences:
            return []
        if query_vector is None:
            query_vector = self.embedder.embed_queries([query])[0]
        where = to_where(filters)
        depth = k or self.settings.depth
        stores = self.index.sentence_stores
        last = getattr(self._last, "sentences", None)
        if last is not None and last[:2] == (query_vector.tobytes(), where) and depth <= last[2]:
            dense = [i for i, _ in last[3][:depth]]  # the best ``depth`` of a deeper ranking of the same search
        else:
            dense = [i for i, _ in stores.dense.search(query_vector, depth, where)]
        lexical = [i for i, _ in stores.lexical.search(query, depth, where)]
        fused = fuse_rankings([dense, lexical], self.settings.rrf_k)
        return sorted(fused, key=lambda i: -fused[i])[:depth]

    def _by_best_sentence(self, sentences: list[tuple[str, float]]) -> list[str]:
        """Passages ranked by their single best-matching sentence: finds a precise fact in a long passage."""
        ranked: dict[str, None] = {}
        for sentence, _ in sentences:
            for chunk_id in self.index.chunks_of_sentence.get(sentence, ()):
                ranked.setdefault(chunk_id)
        return list(ranked)

    def _boost_named_years(self, query: str, fused: dict[str, float]) -> None:
        """Favour documents dated in a year the question names ("in 2020")."""
        years = years_named(query)
        if not years or not self.settings.year_boost:
            return
        for chunk_id in fused:
            doc_date = self.index.documents[self.index.chunk_by_id[chunk_id].source].date
            if doc_date and doc_date[:4] in years:
                fused[chunk_id] *= 1.0 + self.settings.year_boost
