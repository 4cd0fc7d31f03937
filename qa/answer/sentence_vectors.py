"""The vectors the answer step scores candidate sentences with.

An index whose sentence vectors were pooled from their passages' encoding (``sentence_vectors =
"pooled"``) uses them to search; they carry their passage's context, so sentences of one passage look
alike to a question. Telling them apart needs each sentence encoded on its own, as a separately
embedded index stores them: that is done here, at answer time, only for the candidates of the question
asked, and kept in a bounded cache so a follow-up or a repeated question does not encode them again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from qa.answer.base import Candidate
from qa.embed.base import Embedder
from qa.index.builds import Index, sentence_id
from qa.ingest.furniture import with_lead_in

CACHE_SIZE = 50_000  # sentence vectors kept (about 77 MB at 384 dimensions)

_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_lock = threading.Lock()


def pooled(index: Index) -> bool:
    """Whether the index's sentence vectors were pooled from their passages rather than encoded alone."""
    return (index.manifest.get("chunker") or {}).get("sentence_vectors") == "pooled"


def candidate_vectors(index: Index, embedder: Embedder, candidates: list[Candidate]) -> np.ndarray:
    """One vector a candidate, each sentence as if encoded on its own (a list item with its lead-in)."""
    ids = [sentence_id(c.source, c.start, c.end) for c in candidates]
    if not pooled(index):
        return index.sentence_stores.dense.vectors(ids)
    build = str(index.manifest.get("build") or index.path)
    keys = [(build, i) for i in ids]
    with _lock:
        found = {key: _cache[key] for key in keys if key in _cache}
        for key in found:
            _cache.move_to_end(key)
    wanted = [n for n, key in enumerate(keys) if key not in found]
    if wanted:
        texts = [
            with_lead_in(index.documents[candidates[n].source].text, candidates[n].start, candidates[n].end)
            for n in wanted
        ]
        fresh = embedder.embed_passages(texts)
        with _lock:
            for n, vector in zip(wanted, fresh):
                found[keys[n]] = _cache[keys[n]] = vector
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return np.vstack([found[key] for key in keys]).astype(np.float32, copy=False)
