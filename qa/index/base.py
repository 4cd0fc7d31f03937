"""The index seam: what a dense store and a lexical store must do, addressed by string ids.

A store keeps, per row, the id, the vector or text, and the row's metadata
(``source``, ``date_first``, ``date_last``), so it can apply a ``Where``
filter itself: an embedded store with array masks, a server engine with an
indexed ``WHERE`` clause. Nothing outside a store sees row numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol, TypedDict, runtime_checkable

import numpy as np


class RowMeta(TypedDict):
    """What a store knows about each row, for filtering: its document and that document's dates."""

    source: str
    date_first: str | None  # ISO day: first day the document's (possibly partial) date covers
    date_last: str | None  # ISO day: last day it covers


@dataclass(frozen=True)
class Where:
    """A filter a store applies itself: allowed documents and a date range (both optional).

    A row passes the date range when its document's dates overlap it; undated
    documents never pass a date filter.
    """

    sources: frozenset[str] | None = None
    date_from: date | None = None
    date_to: date | None = None

    @property
    def active(self) -> bool:
        return self.sources is not None or self.date_from is not None or self.date_to is not None

    def allows(self, meta: RowMeta) -> bool:
        """True when one row passes (for stores that filter row by row)."""
        if self.sources is not None and meta["source"] not in self.sources:
            return False
        if self.date_from is None and self.date_to is None:
            return True
        if not meta["date_first"] or not meta["date_last"]:
            return False
        if self.date_from is not None and date.fromisoformat(meta["date_last"]) < self.date_from:
            return False
        return not (self.date_to is not None and date.fromisoformat(meta["date_first"]) > self.date_to)


@runtime_checkable
class DenseStore(Protocol):
    """Vectors by id; inner-product search over L2-normalised vectors."""

    name: str

    def add(self, ids: Sequence[str], vectors: np.ndarray, metadata: Sequence[RowMeta]) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def search(self, vector: np.ndarray, k: int, where: Where | None = None) -> list[tuple[str, float]]: ...

    def vectors(self, ids: Sequence[str]) -> np.ndarray: ...

    def count(self) -> int: ...

    def save(self, folder: Path) -> None: ...


@runtime_checkable
class LexicalStore(Protocol):
    """Texts by id; keyword (BM25-like) search, plus term rarity for answer scoring."""

    name: str

    def add(self, ids: Sequence[str], texts: Sequence[str], metadata: Sequence[RowMeta]) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def search(self, query: str, k: int, where: Where | None = None) -> list[tuple[str, float]]: ...

    def idf(self, tokens: Sequence[str]) -> dict[str, float]: ...

    def count(self) -> int: ...

    def save(self, folder: Path) -> None: ...
