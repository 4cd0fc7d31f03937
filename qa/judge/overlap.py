"""A judge without a model: the share of the question's words a candidate holds.

For tests and for a machine where the trained judge cannot run; the shipped
judge (``qa.judge.model``) is what answers questions by default.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qa.index.bm25 import tokenize


class OverlapJudge:
    """Logit from word overlap: 0 when half the question's words are in the sentence or its title."""

    threshold = 0.5
    manifest: dict = {}

    def logits(self, question: str, candidates: Sequence[tuple[str, str, str]]) -> np.ndarray:
        asked = set(tokenize(question))
        out = []
        for sentence, title, _ in candidates:
            held = set(tokenize(sentence)) | set(tokenize(title))
            out.append(8.0 * (len(asked & held) / len(asked) - 0.5) if asked else -4.0)
        return np.asarray(out, dtype=np.float32)
