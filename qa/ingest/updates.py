"""Bringing the stores up to date: the previous build's stores, with changed documents deleted and new ones added."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from qa.index import builds as store
from qa.types import Chunk, Document


class StoreUpdate:
    """The stores being brought up to date: the previous build's, or new empty ones.

    Documents that changed or went away are deleted by id, new passages and
    sentences added, so the stores see the same upserts and deletes a server
    engine would.
    """

    def __init__(
        self, previous: store.Index | None, new_stores: Callable[[], tuple[store.Stores, store.Stores]]
    ) -> None:
        if previous is not None:
            self.documents = previous.documents
            self.chunks = dict(previous.chunk_by_id)
            self.sentences = dict(previous.sentences)
            self.passages, self.sentence_stores = previous.passages, previous.sentence_stores
        else:
            self.documents = {}
            self.chunks, self.sentences = {}, {}
            self.passages, self.sentence_stores = new_stores()
        self._chunk_ids: dict[str, list[str]] = {}
        for chunk in self.chunks.values():
            self._chunk_ids.setdefault(chunk.source, []).append(chunk.id)
        self._sentence_ids: dict[str, list[str]] = {}
        for ref in self.sentences.values():
            self._sentence_ids.setdefault(ref.source, []).append(ref.id)

    def drop(self, source: str) -> None:
        """Delete one document's passages and sentences."""
        chunk_ids = self._chunk_ids.pop(source, [])
        sentence_ids = self._sentence_ids.pop(source, [])
        for stores, ids in ((self.passages, chunk_ids), (self.sentence_stores, sentence_ids)):
            if ids:
                stores.dense.delete(ids)
                stores.lexical.delete(ids)
        for i in chunk_ids:
            del self.chunks[i]
        for i in sentence_ids:
            del self.sentences[i]

    def refresh(self, document: Document) -> None:
        """Re-file a kept document's rows when the dates the filters see have changed."""
        old = self.documents.get(document.source)
        if old is None or store.row_meta(old) == store.row_meta(document):
            return
        meta = store.row_meta(document)
        chunk_ids = self._chunk_ids.get(document.source, [])
        sentence_ids = self._sentence_ids.get(document.source, [])
        texts = ([self.chunks[i].text for i in chunk_ids], [self._sentence_text(document, i) for i in sentence_ids])
        for stores, ids, rows in ((self.passages, chunk_ids, texts[0]), (self.sentence_stores, sentence_ids, texts[1])):
            if ids:
                vectors = stores.dense.vectors(ids).copy()
                stores.dense.delete(ids)
                stores.lexical.delete(ids)
                stores.dense.add(ids, vectors, [meta] * len(ids))
                stores.lexical.add(ids, rows, [meta] * len(ids))

    def add(
        self,
        documents: dict[str, Document],
        chunks: list[Chunk],
        vectors: np.ndarray,
        sentences: list[tuple[str, int, int]],
        sentence_vectors: np.ndarray,
    ) -> None:
        """Add new passages and sentences with their vectors."""
        chunk_ids = [c.id for c in chunks]
        meta = [store.row_meta(documents[c.source]) for c in chunks]
        self.passages.dense.add(chunk_ids, vectors, meta)
        self.passages.lexical.add(chunk_ids, [c.text for c in chunks], meta)
        for chunk in chunks:
            self.chunks[chunk.id] = chunk
            self._chunk_ids.setdefault(chunk.source, []).append(chunk.id)
        refs = [store.SentenceRef(store.sentence_id(s, a, b), s, a, b) for s, a, b in sentences]
        ids = [r.id for r in refs]
        meta = [store.row_meta(documents[r.source]) for r in refs]
        self.sentence_stores.dense.add(ids, sentence_vectors, meta)
        self.sentence_stores.lexical.add(ids, [documents[r.source].text[r.start : r.end] for r in refs], meta)
        for ref in refs:
            self.sentences[ref.id] = ref
            self._sentence_ids.setdefault(ref.source, []).append(ref.id)

    def _sentence_text(self, document: Document, sentence: str) -> str:
        ref = self.sentences[sentence]
        return document.text[ref.start : ref.end]
