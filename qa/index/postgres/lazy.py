"""Documents and passages whose text stays in the database until something reads it.

Opening a PostgreSQL index reads what answering needs about every document
(title, date, pages, content spans) and every passage (span, page, sentence
spans), but no text: a document's text is fetched when a passage or sentence
of it is first used (a hit, a candidate, a citation) and then kept for the
build, and a passage's text is its document's text at its span.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from qa.types import Chunk, Document


class StoredDocument(Document):
    """A ``Document`` whose ``text`` is fetched on first use (``fetch(source)``), then kept."""

    def __init__(self, *args: Any, fetch: Callable[[str], str] | None = None, **kwargs: Any) -> None:
        self._fetch = fetch
        self._text: str | None = None
        kwargs.setdefault("text", None)
        super().__init__(*args, **kwargs)

    @property
    def text(self) -> str:
        if self._text is None and self._fetch is not None:
            self._text = self._fetch(self.source)
        return self._text or ""

    @text.setter
    def text(self, value: str | None) -> None:
        self._text = value

    @property
    def text_loaded(self) -> bool:
        return self._text is not None or self._fetch is None


class StoredChunk(Chunk):
    """A ``Chunk`` whose ``text`` is its document's text at its span, read when first asked for."""

    _document: Document | None  # set in __init__ (the dataclass is frozen); not a dataclass field

    def __init__(self, *args: Any, document: Document | None = None, **kwargs: Any) -> None:
        object.__setattr__(self, "_document", document)
        kwargs.setdefault("text", None)
        super().__init__(*args, **kwargs)

    @property
    def text(self) -> str:
        own = self.__dict__.get("_own_text")
        if own is not None or self._document is None:
            return own or ""
        return self._document.text[self.start : self.end]

    @text.setter
    def text(self, value: str | None) -> None:
        object.__setattr__(self, "_own_text", value)


class TextFetcher:
    """Fetches one document's text by source through ``read(sources) -> {source: text}``; thread-safe."""

    def __init__(self, read: Callable[[list[str]], dict[str, str]]) -> None:
        self._read = read
        self._lock = threading.Lock()
        self.fetched = 0  # texts read so far (tests check that opening reads none)

    def __call__(self, source: str) -> str:
        with self._lock:
            self.fetched += 1
        texts = self._read([source])
        if source not in texts:
            raise KeyError(f"document {source!r} is not in the index any more")
        return texts[source]
