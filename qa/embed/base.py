"""What the pipeline needs of an embedding model, and loading the configured one."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors."""

    name: str
    dimension: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str], progress: bool = False, label: str = "Embedding") -> np.ndarray: ...


def load_embedder(model: str, batch_size: int = 32) -> Embedder:
    """Load the configured embedding model (a packaged sentence-transformers model, offline)."""
    from qa.embed.sentence_transformers import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model, batch_size=batch_size)
