"""A loaded index build, as search and answering see it: documents, passages, sentences and their stores.

Kept apart from :mod:`qa.index.builds` (which writes, verifies and opens builds) so that the column tables
(:mod:`qa.index.tables`) and the PostgreSQL backend can use these types without importing the builder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.index.base import DenseStore, LexicalStore, Where
from qa.index.names import NameLookup, NameTable, build_names
from qa.types import Chunk, Document

Ranking = list[tuple[str, float]]  # (id, score), best first


def sentence_id(source: str, start: int, end: int) -> str:
    """A stable id for one sentence span of one document."""
    return hashlib.sha1(f"{source}\0{start}\0{end}".encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True)
class SentenceRef:
    """Where a stored sentence is: its document and character span."""

    id: str
    source: str
    start: int
    end: int


@dataclass
class Stores:
    """A dense and a lexical store over the same rows (passages, or sentences)."""

    dense: DenseStore
    lexical: LexicalStore


@dataclass
class Index:
    """A loaded, verified index build: documents, passages and sentences with their stores."""

    path: Path
    manifest: dict[str, Any]
    documents: dict[str, Document]
    chunks: Sequence[Chunk]  # in document order
    passages: Stores
    sentences: Mapping[str, SentenceRef]  # by id
    sentence_stores: Stores
    chunk_by_id: Mapping[str, Chunk] | None = None  # derived from chunks unless given
    chunks_of_sentence: Mapping[str, list[str]] | None = None  # derived from chunks unless given
    names: NameLookup | None = None  # the name index; read from the documents' texts unless given

    def __post_init__(self) -> None:
        if self.names is None:
            self.names = names_of(self.documents, sentences=self.sentences)
        if self.chunk_by_id is None:
            self.chunk_by_id = {c.id: c for c in self.chunks}
        if self.chunks_of_sentence is None:
            self.chunks_of_sentence = {}
            for chunk in self.chunks:
                for start, end in chunk.sentences:
                    self.chunks_of_sentence.setdefault(sentence_id(chunk.source, start, end), []).append(chunk.id)

    @property
    def model(self) -> str:
        return str(self.manifest["model"])

    def sentence_text(self, ref: SentenceRef) -> str:
        return self.documents[ref.source].text[ref.start : ref.end]

    def rankings(
        self, query: str, vector: np.ndarray, depth: int, where: Where | None
    ) -> tuple[Ranking, Ranking, Ranking]:
        """What hybrid search fuses: passages by vector, passages by keywords, sentences by vector.

        One call, so a server engine can answer all three in one round trip.
        """
        sentences = self.sentence_stores.dense.search(vector, depth, where) if self.sentences else []
        return (
            self.passages.dense.search(vector, depth, where),
            self.passages.lexical.search(query, depth, where),
            sentences,
        )


def names_of(
    documents: Mapping[str, Document], opening_chars: int = 300, sentences: Mapping[str, SentenceRef] | None = None
) -> NameTable:
    """The name index of ``documents`` (and templates of their stored ``sentences``) read from their texts:
    an index opened for upgrade, a test's documents."""
    from qa.ingest.names import document_keys, sentence_spans

    spans = sentence_spans((sentences or {}).values())
    return build_names(documents, lambda d: document_keys(d, opening_chars, spans.get(d.source, ())), opening_chars)
