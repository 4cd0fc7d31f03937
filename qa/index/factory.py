"""Pick store implementations by name (from settings or a build's manifest), as txtai's ANNFactory does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qa.errors import QAError
from qa.index.base import DenseStore, LexicalStore


def _faiss() -> Any:
    from qa.index.faiss_store import FaissStore

    return FaissStore


def _bm25s() -> Any:
    from qa.index.bm25 import Bm25Store

    return Bm25Store


# name -> a function returning the class; classes take (dimension) or () and have a load(folder) classmethod.
DENSE: dict[str, Any] = {"faiss": _faiss}
LEXICAL: dict[str, Any] = {"bm25s": _bm25s}


def register_dense(name: str, cls: type) -> None:
    """Make a dense store class available under ``name``."""
    DENSE[name] = lambda: cls


def register_lexical(name: str, cls: type) -> None:
    """Make a lexical store class available under ``name``."""
    LEXICAL[name] = lambda: cls


def _lookup(table: dict[str, Any], kind: str, name: str) -> Any:
    if name not in table:
        raise QAError(f"Unknown {kind} store {name!r}; known: {', '.join(sorted(table))}.")
    return table[name]()


def new_dense(name: str, dimension: int) -> DenseStore:
    """An empty dense store of the named kind."""
    store: DenseStore = _lookup(DENSE, "dense", name)(dimension)
    return store


def new_lexical(name: str) -> LexicalStore:
    """An empty lexical store of the named kind."""
    store: LexicalStore = _lookup(LEXICAL, "lexical", name)()
    return store


def load_dense(name: str, folder: Path) -> DenseStore:
    """A dense store of the named kind read from ``folder``."""
    store: DenseStore = _lookup(DENSE, "dense", name).load(folder)
    return store


def load_lexical(name: str, folder: Path) -> LexicalStore:
    """A lexical store of the named kind read from ``folder``."""
    store: LexicalStore = _lookup(LEXICAL, "lexical", name).load(folder)
    return store
