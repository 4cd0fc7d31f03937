"""The lexical side of hybrid search: tokenising and a BM25 index (bm25s).

bm25s stores its matrices with ``numpy.save(allow_pickle=False)`` and its
vocabulary as JSON, so nothing loaded from disk can execute code.
"""

from __future__ import annotations

import logging
import math
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

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
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Lower-case, split into words, drop stop words and possessives, stem."""
    words = []
    for match in _TOKEN.finditer(text.lower()):
        word = re.sub(r"['’]s$", "", match.group(0)).replace("’", "'")
        if word and word not in STOPWORDS:
            words.append(word)
    return _stemmer().stemWords(words) if words else []


class LexicalIndex:
    """BM25 over chunk texts, addressed by row number."""

    def __init__(self, retriever, size: int) -> None:
        self._retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        """Index the given texts; row i of the index is texts[i]."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.ERROR)
        retriever = bm25s.BM25()
        corpus = [tokenize(t) or ["\u2400"] for t in texts]  # an empty row still needs a token
        retriever.index(corpus, show_progress=False)
        return cls(retriever, len(texts))

    def save(self, folder: Path) -> None:
        """Write the index as .npy matrices and a JSON vocabulary."""
        self._retriever.save(str(folder))

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        """Read an index written by ``save``."""
        import bm25s

        return cls(bm25s.BM25.load(str(folder), allow_pickle=False), size)

    def idf(self, tokens: list[str]) -> dict[str, float]:
        """Inverse document frequency of each token over the indexed chunks (unseen: the maximum)."""
        indptr = self._retriever.scores["indptr"]
        vocab = self._retriever.vocab_dict
        out = {}
        for token in tokens:
            df = int(indptr[vocab[token] + 1] - indptr[vocab[token]]) if token in vocab else 0
            out[token] = math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))
        return out

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Return up to k (row, score) pairs with a positive score, best first."""
        tokens = [t for t in tokenize(query) if t in self._retriever.vocab_dict]
        if not tokens or self.size == 0:
            return []
        scores = self._retriever.get_scores(tokens)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k]
        ranked = sorted(top, key=lambda i: -scores[i])
        return [(int(i), float(scores[i])) for i in ranked if scores[i] > 0]
