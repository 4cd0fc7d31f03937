"""The answer judges by name (``settings.answer.judge``), each loaded once per process."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from qa.errors import QAError
from qa.judge.combine import Combiner

JUDGES = ("rules", "minilm", "overlap")  # "rules" is no model: the answer step scores by qa.answer.scoring


@lru_cache(maxsize=4)
def make_judge(name: str):
    """The judge ``name`` names: "minilm" (the shipped cross-encoder) or "overlap" (word overlap, for tests)."""
    if name == "minilm":
        from qa.judge import model

        return model.load_judge(str(model.WEIGHTS))
    if name == "overlap":
        from qa.judge.overlap import OverlapJudge

        return OverlapJudge()
    raise QAError(f"Unknown answer judge {name!r}; known: {', '.join(JUDGES)}.")


def combiner_of(judge) -> Combiner:
    """The judge's calibrated combiner (from its manifest), or the logit alone for a judge without one."""
    if judge.manifest.get("combiner"):
        return Combiner.from_manifest(judge.manifest)
    return Combiner((1.0, 0.0, 0.0), 0.0, float(getattr(judge, "threshold", 0.5)))


def probabilities(combiner: Combiner, logits: np.ndarray, cosines: np.ndarray, coverages: np.ndarray) -> np.ndarray:
    """Each candidate's probability of answering, from the named features (``qa.judge.features.NAMES``)."""
    return combiner.probability(np.column_stack([logits, cosines, coverages]))
