"""Reciprocal rank fusion: combine rankings whose scores are not comparable."""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def fuse_rankings(rankings: Sequence[Sequence[Hashable]], k: int) -> dict[Hashable, float]:
    """Each ranking adds 1 / (k + rank) to the items it ranks."""
    scores: dict[Hashable, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores
