"""The Python API the CLI and the app share: one object that ingests, opens and answers."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from qa.answer.base import Evidence, make_writer, stream_answer
from qa.answer.evidence import gather_evidence
from qa.conversation import retrieval_query
from qa.embed.base import Embedder, load_embedder
from qa.errors import IndexChanged, IndexCorrupt, IndexNotFound
from qa.index import builds as store
from qa.index.backend import make_backend
from qa.ingest.pipeline import IngestReport, ingest
from qa.search.filters import make_filters  # noqa: F401  (part of this module's API)
from qa.search.searcher import Searcher
from qa.settings import Settings
from qa.types import Answer, Filters, Hit


class Assistant:
    """Holds the settings, the embedding model and the live index; safe to share between threads."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._index: store.Index | None = None
        self._searcher: Searcher | None = None
        self._lock = threading.Lock()
        self._backend = make_backend(settings)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings.model, self.settings.batch_size)
        return self._embedder

    def index(self) -> store.Index:
        """The live index, reopened when a newer build has been swapped in."""
        return self._live()[0]

    def _live(self, stale: store.Index | None = None) -> tuple[store.Index, Searcher]:
        build = self._backend.live_build()
        with self._lock:
            if self._index is None or self._searcher is None or self._index.path != build or self._index is stale:
                try:
                    index = self._backend.open(model=self.embedder.name)
                except IndexCorrupt:
                    # A build swapped in (and an old one removed) while we read is not damage: read again.
                    if self._backend.live_build() == build:
                        raise
                    index = self._backend.open(model=self.embedder.name)
                self._index = index
                self._searcher = Searcher(index, self.embedder, self.settings.retrieval)
            return self._index, self._searcher

    def check_store(self) -> None:
        """Fail now, before a model loads, when the index's store cannot be used (an unreachable server)."""
        try:
            self._backend.live_build()
        except (IndexNotFound, IndexCorrupt):  # nothing built yet, or damage that ingest repairs
            pass

    def search(self, query: str, filters: Filters = Filters(), k: int | None = None) -> list[Hit]:
        """The passages hybrid retrieval ranks highest for ``query``, best first."""
        try:
            return self._live()[1].search(query, filters, k=k)
        except IndexChanged as changed:  # a new state was committed between two reads of one search: search it
            return self._live(stale=changed.index)[1].search(query, filters, k=k)

    def ask(
        self,
        question: str,
        filters: Filters = Filters(),
        k: int | None = None,
        history: Sequence[str] = (),
        pending: bool = False,
    ) -> Answer:
        """Answer a question; ``history`` holds earlier questions of the same conversation; ``pending`` says documents
        are still being indexed (a name no indexed document writes is then not said to be unmentioned)."""
        evidence = self._evidence(question, filters, k, history, pending)
        return make_writer(self.settings, self.embedder).write(evidence)

    def ask_stream(
        self,
        question: str,
        filters: Filters = Filters(),
        k: int | None = None,
        history: Sequence[str] = (),
        pending: bool = False,
    ) -> Iterator[Answer]:
        """Answer a question piece by piece: the answer as it grows (a written one sentence by sentence), final last."""
        evidence = self._evidence(question, filters, k, history, pending)
        yield from stream_answer(make_writer(self.settings, self.embedder), evidence)

    def _evidence(
        self, question: str, filters: Filters, k: int | None, history: Sequence[str], pending: bool = False
    ) -> Evidence:
        try:
            return self._gather(self._live(), question, filters, k, history, pending)
        except IndexChanged as changed:  # a new state was committed while this question read the old one
            return self._gather(self._live(stale=changed.index), question, filters, k, history, pending)

    def _gather(
        self,
        live: tuple[store.Index, Searcher],
        question: str,
        filters: Filters,
        k: int | None,
        history: Sequence[str],
        pending: bool = False,
    ) -> Evidence:
        index, searcher = live
        limit = self.settings.answer.max_question_chars
        history = [h[:limit] for h in history if isinstance(h, str)]
        return gather_evidence(
            question,
            index,
            searcher,
            self.embedder,
            self.settings.answer,
            filters=filters,
            k=k,
            retrieval_query=retrieval_query(question.strip(), history) if isinstance(question, str) else None,
            pending=pending,
        )

    def ingest(
        self,
        corpus_dir: Path | None = None,
        rebuild: bool = False,
        progress: bool = True,
        on_progress: Callable[[float, str], None] | None = None,
    ) -> IngestReport:
        """Bring the index up to date with the corpus folder."""
        return ingest(
            self.settings, self.embedder, corpus_dir, rebuild=rebuild, progress=progress, on_progress=on_progress
        )
