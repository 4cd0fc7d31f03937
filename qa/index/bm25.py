"""The embedded lexical store: tokenising and BM25 (bm25s) by string id, with array filters.

bm25s has no incremental updates, so the store keeps its texts and rebuilds
the BM25 matrices lazily after adds or deletes (ingest writes a build once).
bm25s stores its matrices with ``numpy.save(allow_pickle=False)`` and its
vocabulary as JSON, so nothing loaded from disk can execute code.
"""

from __future__ import annotations

import logging
import math
import re
from functools import lru_cache
import json
from collections.abc import Sequence
from typing import Any
from pathlib import Path

import numpy as np

from qa.index.base import RowMeta, Where
from qa.index.rows import RowTable

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her here
    hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off
    on once only or other our ours ourselves out over own same she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves also said say says""".split()
)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Lower-case, split into words, drop stop words and possessives, stem."""
    words = []
    for match in _TOKEN.finditer(text.lower()):
        word = match.group(0)
        if word.endswith(
            ("'s", "’s")
        ):  # a possessive (a plain test: a regular expression per word was most of the time)
            word = word[:-2]
        word = word.replace("’", "'")
        if word and word not in STOPWORDS:
            words.append(word)
    return _stemmer().stemWords(words) if words else []


class Bm25Store:
    """BM25 over texts addressed by id; filters applied as a mask over the score vector."""

    name = "bm25s"

    def __init__(self) -> None:
        self.rows = RowTable()
        self._texts: list[str] | None = []
        self._folder: Path | None = None  # where the texts can be read back after a load
        self._retriever: Any = None

    def add(self, ids: Sequence[str], texts: Sequence[str], metadata: Sequence[RowMeta]) -> None:
        """Append rows; ids must not be stored already."""
        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids but {len(texts)} texts")
        all_texts = self._all_texts()
        self.rows.append(list(ids), metadata)
        all_texts.extend(texts)
        self._retriever = None

    def delete(self, ids: Sequence[str]) -> None:
        """Remove rows by id; unknown ids are ignored."""
        drop = {self.rows.position[i] for i in ids if i in self.rows.position}
        if not drop:
            return
        keep = np.ones(len(self.rows), dtype=bool)
        keep[list(drop)] = False
        self._texts = [t for t, ok in zip(self._all_texts(), keep.tolist()) if ok]
        self.rows.keep(keep)
        self._retriever = None

    def count(self) -> int:
        return len(self.rows)

    def idf(self, tokens: Sequence[str]) -> dict[str, float]:
        """Inverse document frequency of each token over the stored texts (unseen: the maximum)."""
        retriever = self._bm25()
        indptr = retriever.scores["indptr"]
        vocab = retriever.vocab_dict
        size = len(self.rows)
        out = {}
        for token in tokens:
            df = int(indptr[vocab[token] + 1] - indptr[vocab[token]]) if token in vocab else 0
            out[token] = math.log(1.0 + (size - df + 0.5) / (df + 0.5))
        return out

    def search(self, query: str, k: int, where: Where | None = None) -> list[tuple[str, float]]:
        """Up to k (id, score) pairs with a positive score, best first, among the rows ``where`` allows."""
        size = len(self.rows)
        if size == 0:
            return []
        retriever = self._bm25()
        tokens = [t for t in tokenize(query) if t in retriever.vocab_dict]
        if not tokens:
            return []
        scores = retriever.get_scores(tokens)
        mask = self.rows.mask(where)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        # Only rows holding a query word score above zero: rank those, not every row of a large store.
        scored = np.flatnonzero(scores > 0)
        k = min(k, len(scored))
        if k == 0:
            return []
        top = scored[np.argpartition(-scores[scored], k - 1)[:k]]
        ranked = sorted(top, key=lambda i: -scores[i])
        return [(self.rows.ids[int(i)], float(scores[i])) for i in ranked]

    def save(self, folder: Path) -> None:
        """The BM25 matrices (.npy) and vocabulary (JSON), the texts and the row table."""
        folder.mkdir(parents=True, exist_ok=True)
        self.rows.save(folder)
        (folder / "texts.json").write_text(json.dumps(self._all_texts(), ensure_ascii=False), encoding="utf-8")
        self._bm25().save(str(folder / "bm25"))

    @classmethod
    def load(cls, folder: Path) -> Bm25Store:
        import bm25s

        store = cls()
        store.rows = RowTable.load(folder)
        store._texts, store._folder = None, folder  # read only if the store is changed
        store._retriever = bm25s.BM25.load(str(folder / "bm25"), allow_pickle=False)
        return store

    def _all_texts(self) -> list[str]:
        if self._texts is None:
            if self._folder is None:
                raise ValueError("the store's texts were neither kept nor loaded from a folder")
            texts = json.loads((self._folder / "texts.json").read_text(encoding="utf-8"))
            if len(texts) != len(self.rows):
                raise ValueError(f"{self._folder} holds {len(texts)} texts for {len(self.rows)} ids")
            self._texts = [str(t) for t in texts]
        return self._texts

    def _bm25(self) -> Any:
        if self._retriever is None:
            import bm25s

            logging.getLogger("bm25s").setLevel(logging.ERROR)
            retriever = bm25s.BM25()
            corpus = [tokenize(t) or ["\u2400"] for t in self._all_texts()] or [
                ["\u2400"]
            ]  # an empty row still needs a token
            retriever.index(corpus, show_progress=False)
            self._retriever = retriever
        return self._retriever
