"""Test doubles: a deterministic embedder and an in-memory dense store, no model and no FAISS."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa.index.base import RowMeta, Where


class HashingEmbedder:
    """A deterministic bag-of-words embedder for tests: same words, same vector, no model."""

    def __init__(self, dimension: int = 64, name: str = "hashing-test-embedder") -> None:
        self.name = name
        self.dimension = dimension

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Encode texts by hashing their lower-cased words into buckets."""
        return self._encode(texts)

    def embed_passages(self, texts: list[str], progress: bool = False, label: str = "Embedding") -> np.ndarray:
        """Same as embed_queries: the fake model is symmetric."""
        return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                bucket = int(hashlib.md5(word.encode()).hexdigest()[:8], 16) % self.dimension
                out[row, bucket] += 1.0
            norm = np.linalg.norm(out[row])
            if norm > 0:
                out[row] /= norm
        return out


class MemoryDenseStore:
    """A dense store kept in plain Python lists: proves the index seam takes a second engine."""

    name = "memory"

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self.ids: list[str] = []
        self.rows: list[np.ndarray] = []
        self.meta: list[RowMeta] = []
        self.searches = 0

    def add(self, ids: Sequence[str], vectors: np.ndarray, metadata: Sequence[RowMeta]) -> None:
        self.ids += list(ids)
        self.rows += [np.asarray(v, dtype=np.float32) for v in vectors]
        self.meta += list(metadata)

    def delete(self, ids: Sequence[str]) -> None:
        gone = set(ids)
        kept = [i for i, id_ in enumerate(self.ids) if id_ not in gone]
        self.ids, self.rows, self.meta = (
            [self.ids[i] for i in kept],
            [self.rows[i] for i in kept],
            [self.meta[i] for i in kept],
        )

    def search(self, vector: np.ndarray, k: int, where: Where | None = None) -> list[tuple[str, float]]:
        self.searches += 1
        scored = [
            (id_, float(row @ vector))
            for id_, row, meta in zip(self.ids, self.rows, self.meta)
            if where is None or where.allows(meta)
        ]
        return sorted(scored, key=lambda pair: -pair[1])[:k]

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        where = {id_: i for i, id_ in enumerate(self.ids)}
        return np.array([self.rows[where[i]] for i in ids], dtype=np.float32).reshape(len(ids), self.dimension)

    def count(self) -> int:
        return len(self.ids)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        data = {
            "dimension": self.dimension,
            "ids": self.ids,
            "meta": self.meta,
            "rows": [r.tolist() for r in self.rows],
        }
        (folder / "memory.json").write_text(json.dumps(data), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> MemoryDenseStore:
        data = json.loads((folder / "memory.json").read_text(encoding="utf-8"))
        store = cls(data["dimension"])
        store.ids, store.meta = data["ids"], data["meta"]
        store.rows = [np.asarray(r, dtype=np.float32) for r in data["rows"]]
        return store
