"""The index backend seam: where a whole index lives (documents, passages, sentences, their vectors, manifest).

``embedded`` is the index folder of ``builds.py`` (FAISS + bm25s files, a
CURRENT pointer); ``postgres`` is one PostgreSQL database with pgvector
(``qa.index.postgres``). Ingest and the assistant talk to a backend only
through this protocol; searching and answering talk to the ``Index`` it opens.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from qa.errors import QAError
from qa.index import builds, factory
from qa.index.builds import Index, SentenceRef, Stores
from qa.index.names import NameTable
from qa.settings import Settings
from qa.types import Chunk, Document

log = logging.getLogger(__name__)


class IndexBackend(Protocol):
    """Opens the live index and writes a new state of it, all or nothing."""

    def live_build(self) -> Hashable:
        """A token naming the live build (compare it with ``Index.path``); IndexNotFound when there is none."""
        ...

    def open(self, model: str | None = None, upgrade: bool = False) -> Index:
        """The live index, checked against the embedding model name when given.

        ``upgrade`` (for ingest) also opens an index of an older format that ingest can bring up to date.
        """
        ...

    def writing(self, notify: Callable[[float, str], None]) -> Any:
        """A context in which one ingest reads the previous state and writes the next (one writer at a time)."""
        ...

    def read_manifest(self) -> dict[str, Any]: ...

    def stores(self) -> dict[str, str]:
        """The store names recorded in the manifest: a change of store means a rebuild."""
        ...

    def new_stores(self, dimension: int) -> tuple[Stores, Stores]:
        """Empty passage and sentence stores for a build from scratch."""
        ...

    def write(
        self,
        documents: dict[str, Document],
        chunks: list[Chunk],
        passages: Stores,
        sentences: dict[str, SentenceRef],
        sentence_stores: Stores,
        manifest: dict[str, Any],
        names: NameTable,
    ) -> None:
        """Make this the live state (atomically: a reader sees the previous state or this one)."""
        ...


class EmbeddedBackend:
    """The index folder: builds written beside the live one and swapped in by the CURRENT pointer."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.index_dir = settings.index_dir

    def live_build(self) -> Path:
        return builds.current_build(self.index_dir)

    def open(self, model: str | None = None, upgrade: bool = False) -> Index:
        return builds.open_index(self.index_dir, model=model, upgrade=upgrade)

    @contextmanager
    def writing(self, notify: Callable[[float, str], None]) -> Iterator[EmbeddedBackend]:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with folder_lock(self.index_dir, notify):
            yield self

    def read_manifest(self) -> dict[str, Any]:
        return builds.read_manifest(self.index_dir)

    def stores(self) -> dict[str, str]:
        return {"dense": self.settings.stores.dense, "lexical": self.settings.stores.lexical}

    def new_stores(self, dimension: int) -> tuple[Stores, Stores]:
        names = self.settings.stores
        return (
            Stores(factory.new_dense(names.dense, dimension), factory.new_lexical(names.lexical)),
            Stores(factory.new_dense(names.dense, dimension), factory.new_lexical(names.lexical)),
        )

    def write(
        self,
        documents: dict[str, Document],
        chunks: list[Chunk],
        passages: Stores,
        sentences: dict[str, SentenceRef],
        sentence_stores: Stores,
        manifest: dict[str, Any],
        names: NameTable | None = None,
    ) -> None:
        builds.write_index(self.index_dir, documents, chunks, passages, sentences, sentence_stores, manifest, names)


@contextmanager
def folder_lock(index_dir: Path, notify: Callable[[float, str], None]) -> Iterator[None]:
    """One ingest at a time per index folder; a second one says it is waiting, then waits."""
    with (index_dir / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("waiting for another ingest to finish (index folder %s)", index_dir)
            notify(0.0, "Waiting for another ingest to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


BACKENDS = ("embedded", "postgres")


def make_backend(settings: Settings) -> IndexBackend:
    """The backend ``settings.store`` names."""
    if settings.store == "embedded":
        return EmbeddedBackend(settings)
    if settings.store == "postgres":
        from qa.index.postgres.backend import PostgresBackend

        return PostgresBackend(settings)
    raise QAError(f"Unknown store {settings.store!r}; known: {', '.join(BACKENDS)}. Set QA_STORE to one of them.")
