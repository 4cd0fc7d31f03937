"""The Python API the CLI and the app share: one object that ingests, opens and answers."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from qa.index import builds as store
from qa.answer.extractive import answer_question
from qa.embed.base import Embedder, load_embedder
from qa.errors import IndexCorrupt
from qa.ingest.pipeline import IngestReport, ingest
from qa.search.searcher import Searcher, parse_filter_date
from qa.settings import Settings
from qa.types import Answer, Filters, Hit

# A follow-up leans on the question before it: it is short and opens like "and ...", "what about ...",
# or refers back with a pronoun ("what did they say ...").
_FOLLOW_UP = re.compile(
    r"^(and|but|also|what about|how about|what of|then|so|or|in that case|same)\b|\b(it|its|they|them|their)\b",
    re.IGNORECASE,
)
FOLLOW_UP_MAX_WORDS = 8


def is_follow_up(question: str) -> bool:
    """True when a question only makes sense after the one before it."""
    return len(question.split()) <= FOLLOW_UP_MAX_WORDS and bool(_FOLLOW_UP.search(question))


def retrieval_query(question: str, history: Sequence[str] = ()) -> str:
    """What to search for: a follow-up is joined to the last earlier question that stood on its own.

    ``history`` holds the earlier questions of the conversation, as asked.
    """
    if not is_follow_up(question):
        return question
    for earlier in reversed(history):
        if earlier.strip() and not is_follow_up(earlier):
            return f"{earlier.strip()} {question}"
    return question


def make_filters(sources: Sequence[str] | str = (), since: str | None = None, until: str | None = None) -> Filters:
    """Validate user-entered filter values into a Filters object (one source may be given as a string)."""
    if isinstance(sources, str):
        sources = (sources,)
    return Filters(
        sources=tuple(s for s in sources if s),
        since=parse_filter_date(since, "since"),
        until=parse_filter_date(until, "until"),
    )


class Assistant:
    """Holds the settings, the embedding model and the live index; safe to share between threads."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._index: store.Index | None = None
        self._searcher: Searcher | None = None
        self._lock = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings.model, self.settings.batch_size)
        return self._embedder

    def index(self) -> store.Index:
        """The live index, reopened when a newer build has been swapped in."""
        return self._live()[0]

    def _live(self) -> tuple[store.Index, Searcher]:
        build = store.current_build(self.settings.index_dir)
        with self._lock:
            if self._index is None or self._searcher is None or self._index.path != build:
                try:
                    index = store.open_index(self.settings.index_dir, model=self.embedder.name)
                except IndexCorrupt:
                    # A build swapped in (and an old one removed) while we read is not damage: read again.
                    if store.current_build(self.settings.index_dir) == build:
                        raise
                    index = store.open_index(self.settings.index_dir, model=self.embedder.name)
                self._index = index
                self._searcher = Searcher(index, self.embedder, self.settings.retrieval)
            return self._index, self._searcher

    def search(self, query: str, filters: Filters = Filters(), k: int | None = None) -> list[Hit]:
        """The passages hybrid retrieval ranks highest for ``query``, best first."""
        _, searcher = self._live()
        return searcher.search(query, filters, k=k)

    def ask(
        self,
        question: str,
        filters: Filters = Filters(),
        k: int | None = None,
        history: Sequence[str] = (),
    ) -> Answer:
        """Answer a question; ``history`` holds earlier questions of the same conversation."""
        index, searcher = self._live()
        limit = self.settings.answer.max_question_chars
        history = [h[:limit] for h in history if isinstance(h, str)]
        return answer_question(
            question,
            index,
            searcher,
            self.embedder,
            self.settings.answer,
            filters=filters,
            k=k,
            retrieval_query=retrieval_query(question.strip(), history),
        )

    def ingest(
        self,
        corpus_dir: Path | None = None,
        rebuild: bool = False,
        progress: bool = True,
        on_progress: Callable[[float, str], None] | None = None,
    ) -> IngestReport:
        """Bring the index up to date with the corpus folder."""
        return ingest(self.settings, self.embedder, corpus_dir, rebuild=rebuild, progress=progress, on_progress=on_progress)
